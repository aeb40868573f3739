"""Optional transcription of recordings per channel with word timestamps (F-2.2.3)."""
