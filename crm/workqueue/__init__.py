"""The shared work queue (F-2.1.5): calls, e-mails, faxes and call-backs under the same rules."""
