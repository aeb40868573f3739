"""The encrypted media file store: atomic streaming writes, range reads, rotation, sweep."""
