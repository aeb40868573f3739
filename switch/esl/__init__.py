"""Event Socket Layer (ESL) codec for FreeSWITCH: frames, events, encoding and client commands."""

from switch.esl.errors import EslCommandError, EslError, EslProtocolError
from switch.esl.event import EslEvent
from switch.esl.frames import Frame, FrameReader

__all__ = ["EslCommandError", "EslError", "EslEvent", "EslProtocolError", "Frame", "FrameReader"]
