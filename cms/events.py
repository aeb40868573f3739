"""The catalogue of contact events: every type, its meaning and its typed payload.

docs/events.md is generated from this module (``madoguchi events doc``) and a test keeps the
two identical. Payloads never hold personal data (N-PRIV-1): no names, numbers, addresses.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Channel(StrEnum):
    CALL = "call"
    EMAIL = "email"
    FAX = "fax"
    CALLBACK = "callback"


class Payload(BaseModel):
    """Base of every payload: unknown keys are refused so the log stays documented."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Empty(Payload):
    pass


class ContactReceived(Payload):
    direction: Literal["inbound", "outbound"] = Field("inbound", description="Call direction.")
    transferred_from: str | None = Field(
        None,
        max_length=64,
        description="Contact this call was handed over from (transfers; absent otherwise).",
        exclude_if=lambda v: v is None,
    )
    trunk: str | None = Field(None, description="Gateway or mailbox the contact came through.")


class MenuChosen(Payload):
    menu: str = Field(description="IVR menu key chosen by the caller.")
    digits: str = Field("", description="DTMF digits pressed (menu choices only, never numbers).")


class GuidancePlayed(Payload):
    guidance: Literal["out_of_hours", "holiday", "year_end", "closure", "emergency", "degraded"]


class QueueJoined(Payload):
    skill: str | None = Field(None, description="Skill group the queue needs.")
    position: int | None = Field(None, ge=1, description="Position on joining.")


class QueueOverflowed(Payload):
    to_queue: str = Field(description="Wider queue the contact moved to.")
    waited_s: float = Field(ge=0, description="Seconds waited before the overflow.")


class AgentOffered(Payload):
    waited_s: float = Field(ge=0, description="Seconds in queue when offered.")


class AgentNoAnswer(Payload):
    rang_s: float = Field(ge=0, description="Seconds the offer stood before it was withdrawn.")


class Answered(Payload):
    speed_of_answer_s: float = Field(ge=0, description="Seconds from queue entry to answer.")


class Held(Payload):
    pass


class Retrieved(Payload):
    held_s: float = Field(ge=0, description="Seconds on hold.")


class Transferred(Payload):
    kind: Literal["blind", "attended", "queue", "agent"]
    destination: str = Field(description="Department id, queue or agent; never a phone number.")
    outcome: Literal["completed", "cancelled"] = "completed"
    destination_type: Literal["department", "queue", "agent", "external"] | None = Field(
        None, description="What the destination id names (transfers from the agent desk)."
    )
    destination_label: str | None = Field(
        None, max_length=200, description="Name of the destination (部 課 係, queue or agent)."
    )
    reason: str | None = Field(
        None, max_length=64, description="Why a hand-off was cancelled (e.g. no_answer)."
    )


class Abandoned(Payload):
    stage: Literal["ivr", "queue", "offered"]
    waited_s: float = Field(ge=0, description="Seconds waited (in queue for stage queue).")


class Ended(Payload):
    by: Literal["caller", "agent", "system"]
    talk_s: float = Field(0, ge=0, description="Seconds of talk (answered contacts).")
    hold_s: float = Field(0, ge=0, description="Seconds on hold in total.")


class WrapupEnded(Payload):
    wrapup_s: float = Field(ge=0, description="Seconds of after-call work.")
    forced: bool = Field(False, description="A supervisor ended it (audited).")
    work_type: Literal["inquiry", "switchboard", "management"] | None = Field(
        None,
        description="Work type (対応種別): inquiry 問合せ対応, switchboard 交換業務, management.",
    )
    resolution: Literal["in_center", "handed_off", "callback", "switchboard_transfer"] | None = (
        Field(None, description="How the contact ended: completed in the center (S-P4) or not.")
    )
    section: str | None = Field(
        None, max_length=32, description="Administrative section id (係) the inquiry concerns."
    )
    category: str | None = Field(
        None, max_length=32, description="Inquiry category id (city categories, R-DAILY)."
    )


class RecordingStored(Payload):
    recording_id: str
    duration_s: float = Field(ge=0)


class ItemReplied(Payload):
    within_24h: bool


class ItemForwarded(Payload):
    destination: str = Field(description="Department id.")


class CallbackRequested(Payload):
    pass


class CallbackCompleted(Payload):
    reached: bool


class AgentStateChanged(Payload):
    state: Literal["signed_out", "not_ready", "ready", "offered", "on_call", "held", "wrap_up"]
    reason: str | None = Field(None, description="Not-ready reason code (break, training...).")


class FaqUsed(Payload):
    faq_id: str


class ViolationFlagged(Payload):
    violation: Literal["misinformation", "privacy", "conduct", "procedure", "other"] = Field(
        description="Reason code of the compliance violation (S-P3, S-M3); never free text."
    )


class InputFailed(Payload):
    menu: str = Field(description="IVR menu key where no valid choice came.")
    attempts: int = Field(ge=1, description="Prompts played before giving up.")
    last: Literal["none", "invalid"] = Field(description="Last attempt: no digit or a wrong one.")


class CallbackOffered(Payload):
    waited_s: float = Field(ge=0, description="Seconds in queue when the call-back was offered.")


class CallbackResult(Payload):
    result: Literal["reached", "no_answer", "wrong_number", "failed"] = Field(
        description="How a call-back attempt went (never the number dialled)."
    )
    attempt: int = Field(ge=1, description="Dial attempt of this call-back (1 = first).")
    decided_by: Literal["switch", "agent"] = Field(
        "switch", description="switch: the dial result; agent: the agent's verdict on closing."
    )


class SurveyOffered(Payload):
    mode: Literal["handoff", "sampled"] = Field(
        description="handoff: the agent passed the caller on; sampled: the line's survey share."
    )


class SurveyAnswered(Payload):
    score: int = Field(ge=1, le=5, description="Satisfaction score pressed by the caller (1-5).")
    mode: Literal["handoff", "sampled"] = "sampled"


class Monitored(Payload):
    action: Literal["started", "changed", "stopped"] = Field(
        description="A supervisor joined the call, changed mode, or left (audited)."
    )
    mode: Literal["listen", "whisper", "barge"] | None = Field(
        None, description="Listen (hears both), whisper (the agent hears), barge (both hear)."
    )
    stopped_by: Literal["supervisor", "call_ended", "phone_hung_up"] | None = Field(
        None, description="Why it stopped: the supervisor, the call's end, the phone hung up."
    )


class Requeued(Payload):
    from_queue: str = Field(description="Queue the contact was in.")
    to_queue: str = Field(description="Queue it went back to (its arrival time is kept).")
    from_stage: Literal["queued", "offered"] = Field(description="Waiting, or ringing at a desk.")
    waited_s: float = Field(ge=0, description="Seconds since it joined the first queue.")


class EventType(StrEnum):
    """Every event type, with its payload model in :data:`PAYLOADS`."""

    CONTACT_RECEIVED = "contact.received"
    IVR_MENU_CHOSEN = "ivr.menu_chosen"
    IVR_GUIDANCE_PLAYED = "ivr.guidance_played"
    QUEUE_JOINED = "queue.joined"
    QUEUE_OVERFLOWED = "queue.overflowed"
    AGENT_OFFERED = "agent.offered"
    AGENT_NO_ANSWER = "agent.no_answer"
    CONTACT_ANSWERED = "contact.answered"
    CONTACT_HELD = "contact.held"
    CONTACT_RETRIEVED = "contact.retrieved"
    CONTACT_TRANSFERRED = "contact.transferred"
    CONTACT_ABANDONED = "contact.abandoned"
    CONTACT_ENDED = "contact.ended"
    WRAPUP_ENDED = "wrapup.ended"
    RECORDING_STORED = "recording.stored"
    ITEM_REPLIED = "item.replied"
    ITEM_FORWARDED = "item.forwarded"
    CALLBACK_REQUESTED = "callback.requested"
    CALLBACK_COMPLETED = "callback.completed"
    AGENT_STATE_CHANGED = "agent.state_changed"
    AGENT_SIGNED_IN = "agent.signed_in"
    AGENT_SIGNED_OUT = "agent.signed_out"
    FAQ_USED = "faq.used"
    QA_VIOLATION_FLAGGED = "qa.violation_flagged"
    IVR_INPUT_FAILED = "ivr.input_failed"
    CALLBACK_OFFERED = "callback.offered"
    CALLBACK_RESULT = "callback.result"
    SURVEY_OFFERED = "survey.offered"
    SURVEY_ANSWERED = "survey.answered"
    CONTACT_MONITORED = "contact.monitored"
    CONTACT_REQUEUED = "contact.requeued"


PAYLOADS: dict[EventType, type[Payload]] = {
    EventType.CONTACT_RECEIVED: ContactReceived,
    EventType.IVR_MENU_CHOSEN: MenuChosen,
    EventType.IVR_GUIDANCE_PLAYED: GuidancePlayed,
    EventType.QUEUE_JOINED: QueueJoined,
    EventType.QUEUE_OVERFLOWED: QueueOverflowed,
    EventType.AGENT_OFFERED: AgentOffered,
    EventType.AGENT_NO_ANSWER: AgentNoAnswer,
    EventType.CONTACT_ANSWERED: Answered,
    EventType.CONTACT_HELD: Held,
    EventType.CONTACT_RETRIEVED: Retrieved,
    EventType.CONTACT_TRANSFERRED: Transferred,
    EventType.CONTACT_ABANDONED: Abandoned,
    EventType.CONTACT_ENDED: Ended,
    EventType.WRAPUP_ENDED: WrapupEnded,
    EventType.RECORDING_STORED: RecordingStored,
    EventType.ITEM_REPLIED: ItemReplied,
    EventType.ITEM_FORWARDED: ItemForwarded,
    EventType.CALLBACK_REQUESTED: CallbackRequested,
    EventType.CALLBACK_COMPLETED: CallbackCompleted,
    EventType.AGENT_STATE_CHANGED: AgentStateChanged,
    EventType.AGENT_SIGNED_IN: Empty,
    EventType.AGENT_SIGNED_OUT: Empty,
    EventType.FAQ_USED: FaqUsed,
    EventType.QA_VIOLATION_FLAGGED: ViolationFlagged,
    EventType.IVR_INPUT_FAILED: InputFailed,
    EventType.CALLBACK_OFFERED: CallbackOffered,
    EventType.CALLBACK_RESULT: CallbackResult,
    EventType.SURVEY_OFFERED: SurveyOffered,
    EventType.SURVEY_ANSWERED: SurveyAnswered,
    EventType.CONTACT_MONITORED: Monitored,
    EventType.CONTACT_REQUEUED: Requeued,
}

DESCRIPTIONS: dict[EventType, str] = {
    EventType.CONTACT_RECEIVED: "A call rang on a line, or a mail or fax arrived.",
    EventType.IVR_MENU_CHOSEN: "The caller chose a menu in the IVR (F-1.2.3, F-1.2.5).",
    EventType.IVR_GUIDANCE_PLAYED: "Guidance instead of service: out of hours, holiday, emergency.",
    EventType.QUEUE_JOINED: "The contact entered an ACD queue.",
    EventType.QUEUE_OVERFLOWED: "The contact moved to a wider queue after waiting.",
    EventType.AGENT_OFFERED: "The ACD offered the contact to an agent (F-1.3.2).",
    EventType.AGENT_NO_ANSWER: "The agent did not accept in time; the contact goes to the next.",
    EventType.CONTACT_ANSWERED: "An agent answered (calls) or took the item (mail, fax).",
    EventType.CONTACT_HELD: "The agent put the caller on hold.",
    EventType.CONTACT_RETRIEVED: "The agent took the caller off hold.",
    EventType.CONTACT_TRANSFERRED: "Handed to a department, queue or agent (F-1.1.3, R-ITEMS).",
    EventType.CONTACT_ABANDONED: "The caller hung up before being answered (S-P2).",
    EventType.CONTACT_ENDED: "The contact ended; talk and hold totals for AHT (S-P5, S-P6).",
    EventType.WRAPUP_ENDED: "The agent saved the interaction history (F-2.1.4).",
    EventType.RECORDING_STORED: "The call's recording was stored in mediastore (F-2.2.1).",
    EventType.ITEM_REPLIED: "A mail or fax was answered (S-M1).",
    EventType.ITEM_FORWARDED: "A mail or fax was forwarded to a department.",
    EventType.CALLBACK_REQUESTED: "The caller asked for a call-back (the number is never logged).",
    EventType.CALLBACK_COMPLETED: "A call-back was made.",
    EventType.AGENT_STATE_CHANGED: "An agent's state changed (adherence, occupancy).",
    EventType.AGENT_SIGNED_IN: "An agent signed in (F-2.1.6).",
    EventType.AGENT_SIGNED_OUT: "An agent signed out (F-2.1.6).",
    EventType.FAQ_USED: "An agent opened or cited a FAQ entry (F-2.1.6).",
    EventType.QA_VIOLATION_FLAGGED: "QA flagged the contact as a compliance violation (S-P3).",
    EventType.IVR_INPUT_FAILED: "No valid menu choice after the retries (F-1.2.3); guidance, end.",
    EventType.CALLBACK_OFFERED: "A long wait: the queue guidance offered a call-back by DTMF.",
    EventType.CALLBACK_RESULT: "A call-back attempt's result (reached, no answer, wrong number).",
    EventType.SURVEY_OFFERED: "The caller was put through to the satisfaction survey (N-SURVEY-1).",
    EventType.SURVEY_ANSWERED: "The caller pressed a satisfaction score 1-5 (N-SURVEY-1).",
    EventType.CONTACT_MONITORED: "A supervisor listened, whispered or barged in (F-1.1.1).",
    EventType.CONTACT_REQUEUED: "A supervisor sent a waiting or ringing call back to a queue.",
}
