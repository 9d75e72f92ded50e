"""The vocabulary that sources, engine and store share (no Home Assistant, no other layer).

``reading`` (what a source returns), ``metrics`` (what the engine shows),
``timeutil`` (UTC and JSON time helpers) and ``api_rate_limit`` (the hard budget
of cloud API calls). Everything else in the integration depends on this
package; it depends on nothing but the standard library.
"""
