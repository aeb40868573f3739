"""Scanning attachments and faxes before an agent may open them (N-SEC-5)."""
