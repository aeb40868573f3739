"""Intraday: profiles per weekday and half hour, and the re-forecast of the rest of today."""
