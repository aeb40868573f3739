"""Answering received mail: templates, threading headers, the outbox, acknowledgements, forwards."""
