"""Physics and statistics of a heat pump: pure functions and small state objects, no HA."""
