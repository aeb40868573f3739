"""Parsing received mail as Japanese clients really write it (F-1.6.1)."""
