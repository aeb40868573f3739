"""Encryption at rest for media files: master keyring, file header, chunk sealing (N-SEC-3)."""
