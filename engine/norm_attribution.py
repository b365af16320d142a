"""Normalizers for the attribution pack (kind: direct / indirect / mixed)."""
