"""A greedy first schedule that respects every hard limit; CP-SAT starts from it as a hint."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from wfm.shifts.contracts import AgentContract
from wfm.shifts.labour import MAX_CONSECUTIVE_DAYS
from wfm.shifts.patterns import ShiftPattern


def greedy_schedule(
    *,
    days: Sequence[date],
    needs: dict[date, list[int]],
    slot_cov: Sequence[Sequence[int]],
    contracts: Sequence[AgentContract],
    patterns: Sequence[ShiftPattern],
    allowed: Callable[[AgentContract, date], list[int]],
) -> dict[tuple[int, int], int]:
    """(agent index, day index) -> pattern index, filling the largest residual need first."""
    residual = {d: [n * 1 for n in needs[day]] for d, day in enumerate(days)}
    chosen: dict[tuple[int, int], int] = {}
    week_min: dict[tuple[int, int], int] = {}
    week_days: dict[tuple[int, int], int] = {}
    order = sorted(range(len(days)), key=lambda d: -sum(residual[d]))
    for d in order:
        for a in sorted(range(len(contracts)), key=lambda a: week_min.get((a, d // 7), 0)):
            contract = contracts[a]
            block = (a, d // 7)
            if week_days.get(block, 0) >= contract.max_days_per_week:
                continue
            if _run_length(chosen, a, d, len(days)) > MAX_CONSECUTIVE_DAYS:
                continue
            best, gain = -1, 0
            for i in allowed(contract, days[d]):
                if week_min.get(block, 0) + patterns[i].work_min > contract.max_weekly_min:
                    continue
                value = sum(
                    min(c, max(r, 0)) for c, r in zip(slot_cov[i], residual[d], strict=True)
                )
                value -= (
                    sum(
                        max(0, c - max(r, 0)) for c, r in zip(slot_cov[i], residual[d], strict=True)
                    )
                    // 4
                )
                if value > gain:
                    best, gain = i, value
            if best < 0:
                continue
            chosen[a, d] = best
            week_min[block] = week_min.get(block, 0) + patterns[best].work_min
            week_days[block] = week_days.get(block, 0) + 1
            residual[d] = [r - c for r, c in zip(residual[d], slot_cov[best], strict=True)]
    return chosen


def _run_length(chosen: dict[tuple[int, int], int], a: int, d: int, n_days: int) -> int:
    """Consecutive working days through day ``d`` if the agent also worked it."""
    left = d - 1
    while left >= 0 and (a, left) in chosen:
        left -= 1
    right = d + 1
    while right < n_days and (a, right) in chosen:
        right += 1
    return right - left - 1
