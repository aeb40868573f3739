"""Monitoring and alerts (N-SEC-4): rules evaluated periodically, alerts stored, pushed, mailed."""
