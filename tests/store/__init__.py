"""Tests of the change-log store (no Home Assistant)."""
