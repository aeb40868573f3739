"""Sorting received mail and faxes into skills (queues) by administrator-edited rules."""
