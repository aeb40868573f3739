"""Fax server and mailer (spec F-1.5, F-1.6): IMAP and fax intake, SMTP replies, 24-hour clocks."""
