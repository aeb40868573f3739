"""The recording catalogue: ingest on RECORD_STOP, search, permission-checked playback (F-2.2.1)."""
