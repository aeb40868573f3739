"""IMAP intake: take every message of the configured mailboxes exactly once (F-1.6.1)."""
