"""The tamper-evident audit log (N-SEC-2)."""
