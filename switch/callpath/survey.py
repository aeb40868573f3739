"""The post-call satisfaction survey (N-SURVEY-1): one DTMF score 1-5 after the agent leaves.

Two ways in:

- **Hand-off**: the agent passes the caller to the survey from the desk (``survey`` on /agent or
  ``POST /api/callpath/survey``) instead of hanging up. The caller's leg is kept
  (``park_after_bridge``) and the agent's leg is ended; the agent goes to wrap-up as usual.
- **Sampling**: a line's ``survey_percent`` (0-100) decides per call, deterministically from the
  contact id (:func:`sampled`: the first 8 hex digits of its SHA-256, modulo 100), whether a call
  the agent ends first goes to the survey. The caller's leg of a sampled call parks after the
  bridge from the moment it is answered, so it stays up when the agent hangs up.

The survey runs on the caller's outbound session: the recording stops, ``survey.offered``, then
``survey_prompt`` and one digit; anything but 1-5 (or silence) plays ``survey_invalid`` and asks
again, up to ``MADOGUCHI_CALLPATH_SURVEY_TRIES``; a score is ``survey.answered`` ``{score}`` and
``survey_thanks``; no valid digit is no score. The caller hanging up mid-survey ends it without a
score. Then the call is hung up and finished.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import weakref
from typing import TYPE_CHECKING, Any, Literal

from cms.events import EventType
from realtime.auth.service import Principal
from realtime.errors import MadoguchiError
from switch.acd.agents import AgentState
from switch.acd.errors import UnknownAgent
from switch.connection.errors import SwitchError
from switch.connection.outbound import OutboundSession

if TYPE_CHECKING:
    from switch.callpath.core import CallPath, LiveCall

log = logging.getLogger(__name__)

SCORES = frozenset("12345")
SOUND_PROMPT = "survey_prompt"
SOUND_INVALID = "survey_invalid"
SOUND_THANKS = "survey_thanks"
PROMPT_TIMEOUT_MS = 5000
Mode = Literal["handoff", "sampled"]


class SurveyNoCall(MadoguchiError):
    """The agent has no connected call to hand to the survey."""

    error_id = "survey-no-call"
    status_code = 409
    message_ja = "アンケートに転送できる通話がありません。"

    def __init__(self, *, agent: str) -> None:
        super().__init__(agent=agent)


def sampled(contact_id: str, percent: int) -> bool:
    """Whether this contact is in the line's survey share (the same answer for the same id)."""
    if percent <= 0:
        return False
    if percent >= 100:
        return True
    bucket = int(hashlib.sha256(contact_id.encode("utf-8")).hexdigest()[:8], 16) % 100
    return bucket < percent


class Surveys:
    """The survey state of one call path: callers' sessions and calls armed for a survey."""

    def __init__(self, path: CallPath) -> None:
        self.path = path
        self.sessions: weakref.WeakValueDictionary[str, OutboundSession] = (
            weakref.WeakValueDictionary()
        )
        self.armed: dict[str, Mode] = {}

    async def on_bridged(self, call: LiveCall) -> None:
        """The caller met the agent: a sampled call's caller leg will outlive the agent's."""
        for stale in [c for c in self.armed if c not in self.path.calls]:
            self.armed.pop(stale, None)
        config = self.path._config
        line = config.lines.get(call.did) if config is not None else None
        if line is None or not sampled(call.contact_id, line.survey_percent):
            return
        try:
            await self.path.switch.control.setvar(
                uuid=call.caller_uuid, name="park_after_bridge", value="true"
            )
        except SwitchError:
            return
        self.armed.setdefault(call.contact_id, "sampled")

    async def hand_off(self, principal: Principal) -> dict[str, Any]:
        """The agent passes the connected caller to the survey and leaves the call."""
        path = self.path
        agent = principal.username
        path.user_ids[agent] = principal.user_id
        try:
            current = path.engine.agent(agent)
        except UnknownAgent:
            raise SurveyNoCall(agent=agent) from None
        call = path.calls.get(current.contact_id or "")
        if (
            current.state is not AgentState.ON_CALL
            or call is None
            or not call.bridged
            or call.ended
            or call.agent_uuid is None
            or self.sessions.get(call.contact_id) is None
        ):
            raise SurveyNoCall(agent=agent)
        try:
            await path.switch.control.setvar(
                uuid=call.caller_uuid, name="park_after_bridge", value="true"
            )
        except SwitchError:
            raise SurveyNoCall(agent=agent) from None
        self.armed[call.contact_id] = "handoff"
        with contextlib.suppress(SwitchError):
            await path.switch.control.kill(uuid=call.agent_uuid)
        return {"ok": True, "survey": {"contact_id": call.contact_id, "mode": "handoff"}}

    def take_over(self, call: LiveCall) -> bool:
        """The agent's leg ended: run the survey instead of hanging up the caller (if armed)."""
        mode = self.armed.pop(call.contact_id, None)
        session = self.sessions.get(call.contact_id)
        if mode is None or session is None or not session.active:
            return False
        self.path.spawn(self.run(call, session, mode))
        return True

    async def run(self, call: LiveCall, session: OutboundSession, mode: Mode) -> None:
        """Ask for a score 1-5 (retries on anything else), log it, hang up, finish the call."""
        path = self.path
        tries = path.ctx.settings.callpath_survey_tries
        score: int | None = None
        try:
            await path.log_events(
                [path.contact_event(call, EventType.SURVEY_OFFERED, {"mode": mode})]
            )
            await self._stop_recording(call)
            with contextlib.suppress(SwitchError):
                for attempt in range(1, tries + 1):
                    digits = await session.play_and_get_digits(
                        file=path.sound(SOUND_PROMPT),
                        min_digits=1,
                        max_digits=1,
                        tries=1,
                        timeout_ms=PROMPT_TIMEOUT_MS,
                        terminators="none",
                        regexp="[0-9*#]",
                        variable="madoguchi_survey",
                    )
                    if not session.active:
                        break
                    if digits in SCORES:
                        score = int(digits)
                        break
                    if attempt < tries:
                        await session.playback(path.sound(SOUND_INVALID))
                if score is not None:
                    await path.log_events(
                        [
                            path.contact_event(
                                call,
                                EventType.SURVEY_ANSWERED,
                                {"score": score, "mode": mode},
                                agent=call.agent,
                            )
                        ]
                    )
                    if session.active:
                        await session.playback(path.sound(SOUND_THANKS))
                if session.active:
                    await session.hangup("NORMAL_CLEARING")
        finally:
            if score is None:
                log.info("call %s: survey ended without a score", call.contact_id)
            path._finish(call)

    async def _stop_recording(self, call: LiveCall) -> None:
        """The survey is not part of the conversation: stop the call's recording first."""
        path = self.path
        for file, owner in list(path.recordings.items()):
            if owner is call:
                with contextlib.suppress(SwitchError):
                    await path.switch.control.record_stop(uuid=call.caller_uuid, path=file)


_REGISTRY: weakref.WeakKeyDictionary[CallPath, Surveys] = weakref.WeakKeyDictionary()


def surveys_of(path: CallPath) -> Surveys:
    """The survey state of this call path (created on first use)."""
    found = _REGISTRY.get(path)
    if found is None:
        found = _REGISTRY[path] = Surveys(path)
    return found


def remember(path: CallPath, contact_id: str, session: OutboundSession) -> None:
    """Keep the caller's session of a queued call (the survey runs on it)."""
    surveys_of(path).sessions[contact_id] = session
