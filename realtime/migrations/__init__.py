"""Alembic migrations for every package's tables."""
