"""Normalizers for the quantities pack (values, units, bounds, trends)."""
