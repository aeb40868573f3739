"""Errors of the contact event log."""

from __future__ import annotations

from realtime.errors import MadoguchiError


class InvalidEvent(MadoguchiError):
    error_id = "invalid-contact-event"
    status_code = 422
    message_ja = "記録できないイベントです。"
