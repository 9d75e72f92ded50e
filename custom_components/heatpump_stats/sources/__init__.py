"""Heat pump and meter sources: one module per protocol, no Home Assistant imports."""
