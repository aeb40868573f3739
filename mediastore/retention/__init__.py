"""Retention of recordings: policies per line and category, the deletion job, holds (N-PRIV-2)."""
