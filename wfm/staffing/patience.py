"""Callers' patience (exponential, rate theta) estimated from the contact event log."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from wfm.staffing.errors import PatienceSampleTooSmall, StaffingInputInvalid


@dataclass(frozen=True)
class WaitRecord:
    """One queued call: seconds it waited and whether it ended by the caller hanging up."""

    waited_s: float
    abandoned: bool


@dataclass(frozen=True)
class PatienceEstimate:
    """theta = abandonments / total waiting time; mean patience = 1 / theta (with a 95 % CI)."""

    theta_per_s: float
    mean_patience_s: float
    ci_low_s: float
    ci_high_s: float
    abandoned: int
    calls: int
    total_wait_s: float


def estimate_patience(
    *, records: Iterable[WaitRecord], min_abandoned: int = 30
) -> PatienceEstimate:
    """Maximum-likelihood exponential patience from waits censored by answering."""
    abandoned = 0
    calls = 0
    total = 0.0
    for record in records:
        if not math.isfinite(record.waited_s) or record.waited_s < 0:
            raise StaffingInputInvalid(
                "待ち時間は 0 以上の秒数で指定してください。",
                field="waited_s",
                value=record.waited_s,
            )
        calls += 1
        total += record.waited_s
        abandoned += int(record.abandoned)
    if abandoned < max(1, min_abandoned) or total <= 0:
        raise PatienceSampleTooSmall(
            abandoned=abandoned, minimum=max(1, min_abandoned), total_wait_s=total
        )
    theta = abandoned / total
    # The abandonment count given the exposure is Poisson: a log-scale Wald interval for theta.
    spread = 1.96 / math.sqrt(abandoned)
    return PatienceEstimate(
        theta_per_s=theta,
        mean_patience_s=1.0 / theta,
        ci_low_s=math.exp(-spread) / theta,
        ci_high_s=math.exp(spread) / theta,
        abandoned=abandoned,
        calls=calls,
        total_wait_s=total,
    )


def _payload(event: Mapping[str, Any]) -> Mapping[str, Any]:
    raw = event.get("payload") or {}
    if isinstance(raw, str):
        parsed = json.loads(raw)
        return parsed if isinstance(parsed, dict) else {}
    return raw if isinstance(raw, Mapping) else {}


def records_from_events(*, events: Iterable[Mapping[str, Any]]) -> list[WaitRecord]:
    """Queue waits from event-log rows: answered (speed of answer) and queue abandonments.

    Abandonments in the IVR (``stage == "ivr"``) never reached the queue and are left out.
    """
    records: list[WaitRecord] = []
    for event in events:
        kind = event.get("type")
        payload = _payload(event)
        if kind == "contact.answered" and "speed_of_answer_s" in payload:
            records.append(WaitRecord(float(payload["speed_of_answer_s"]), False))
        elif kind == "contact.abandoned" and payload.get("stage") in ("queue", "offered"):
            records.append(WaitRecord(float(payload["waited_s"]), True))
    return records
