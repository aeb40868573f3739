"""Agents per interval that meet a staffing target (the base staffing of a what-if)."""

from __future__ import annotations

from collections.abc import Sequence

from wfm.staffing.requirement import (
    StaffingTarget,
    required_agents_erlang_a,
    required_agents_erlang_c,
)


def agents_for_target(
    *,
    calls: Sequence[float],
    aht_s: float,
    patience_s: float | None,
    target: StaffingTarget,
    interval_min: int = 30,
) -> tuple[int, ...]:
    """Agents on the phones per interval by Erlang A (or C without a patience)."""
    period = interval_min * 60.0
    if patience_s is None:
        return tuple(
            required_agents_erlang_c(calls=c, period_s=period, aht_s=aht_s, target=target).agents
            for c in calls
        )
    return tuple(
        required_agents_erlang_a(
            calls=c, period_s=period, aht_s=aht_s, patience_s=patience_s, target=target
        ).agents
        for c in calls
    )
