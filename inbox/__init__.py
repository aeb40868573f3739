"""Fax server and mailer (spec F-1.5, F-1.6): IMAP intake, SMTP replies, fax intake, 24-hour clocks."""
