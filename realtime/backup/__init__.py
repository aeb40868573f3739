"""Backups (N-REL-2): online database backups, a change journal for point-in-time restore,
media and settings, encrypted and copied to a second location, generations kept.

See docs/backup.md for the design and the operator's procedures.
"""
