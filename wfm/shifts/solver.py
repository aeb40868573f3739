"""The weekly or monthly schedule as a CP-SAT model (OR-Tools).

Variables: one boolean per (agent, day, allowed pattern). Hard constraints: at most one shift a
day, the contract's availability and pattern kind, at most ``max_weekly_min`` of work and
``max_days_per_week`` days in every 7-day block from the first day, at least
``min_weekly_min`` in every full block, and never more than six working days in any seven
consecutive days (one rest day a week, 労働基準法第35条). Coverage is counted in agent-minutes
per slot; the objective is ``under_weight`` x missing minutes + ``over_weight`` x surplus
minutes + ``rest_preference_weight`` x minutes worked on a preferred rest day.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from ortools.sat.python import cp_model

from wfm.shifts.contracts import AgentContract
from wfm.shifts.errors import ScheduleInfeasible, ScheduleTimeout, ShiftInputInvalid
from wfm.shifts.greedy import greedy_schedule
from wfm.shifts.labour import MAX_CONSECUTIVE_DAYS
from wfm.shifts.patterns import DAY_MIN, ShiftPattern, check_unique

MAX_HORIZON_DAYS = 62
MAX_AGENTS_PER_SLOT = 10_000


@dataclass(frozen=True)
class Requirement:
    """Agents needed per slot for each day; slots of ``slot_min`` from ``first_slot_min``."""

    first_slot_min: int
    slot_min: int
    per_day: Mapping[date, Sequence[int]]

    def check(self) -> None:
        """Raise ShiftInputInvalid on a bad grid or a negative or absurd requirement."""
        if self.slot_min <= 0 or DAY_MIN % self.slot_min:
            raise ShiftInputInvalid(
                "時間帯の長さは 1 日を割り切る分数で指定してください。",
                field="slot_min",
                value=self.slot_min,
            )
        if not self.per_day:
            raise ShiftInputInvalid("必要人数が空です。", field="requirement", value=None)
        lengths = {len(v) for v in self.per_day.values()}
        if len(lengths) != 1:
            raise ShiftInputInvalid(
                "すべての日で時間帯の数をそろえてください。",
                field="requirement",
                value=sorted(lengths),
            )
        slots = lengths.pop()
        if (
            slots == 0
            or self.first_slot_min < 0
            or self.first_slot_min + slots * self.slot_min > DAY_MIN
        ):
            raise ShiftInputInvalid(
                "必要人数の時間帯が 1 日(00:00〜24:00)に収まっていません。",
                field="first_slot_min",
                value=self.first_slot_min,
            )
        for day, row in self.per_day.items():
            for n in row:
                if (
                    isinstance(n, bool)
                    or not isinstance(n, int)
                    or not 0 <= n <= MAX_AGENTS_PER_SLOT
                ):
                    raise ShiftInputInvalid(
                        f"{day.isoformat()} の必要人数は 0〜{MAX_AGENTS_PER_SLOT} の"
                        "整数で指定してください。",
                        field="requirement",
                        value=n,
                    )

    @property
    def slots(self) -> int:
        """Number of slots per day."""
        return len(next(iter(self.per_day.values())))

    def slot_start(self, i: int) -> int:
        """Minutes after midnight when slot ``i`` starts."""
        return self.first_slot_min + i * self.slot_min


@dataclass(frozen=True)
class Weights:
    """Penalties per agent-minute; missing coverage must cost more than surplus."""

    under: int = 10
    over: int = 1
    rest_preference: int = 2

    def check(self) -> None:
        """Under-coverage must weigh more than over-coverage, all weights non-negative."""
        if min(self.under, self.over, self.rest_preference) < 0:
            raise ShiftInputInvalid(
                "重みは 0 以上で指定してください。", field="weights", value=self
            )
        if self.under <= self.over:
            raise ShiftInputInvalid(
                "不足の重みは過剰の重みより大きくしてください。",
                field="weights.under",
                value=self.under,
            )


@dataclass(frozen=True)
class Assignment:
    """One agent working one pattern on one day."""

    agent_id: str
    day: date
    pattern: ShiftPattern


@dataclass(frozen=True)
class SlotCoverage:
    """Required and scheduled agents (worked minutes / slot length) in one slot."""

    day: date
    start_min: int
    required: int
    scheduled: float


@dataclass(frozen=True)
class ScheduleResult:
    """The solved schedule, its coverage and what could not be met."""

    first_day: date
    last_day: date
    status: str
    objective: float
    under_min: int
    over_min: int
    wall_s: float
    assignments: tuple[Assignment, ...]
    coverage: tuple[SlotCoverage, ...]
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def weekly_minutes(self) -> dict[tuple[str, int], int]:
        """Worked minutes per (agent, 7-day block index from the first day)."""
        out: dict[tuple[str, int], int] = {}
        for a in self.assignments:
            key = (a.agent_id, (a.day - self.first_day).days // 7)
            out[key] = out.get(key, 0) + a.pattern.work_min
        return out


def _days(requirement: Requirement) -> list[date]:
    days = sorted(requirement.per_day)
    first, last = days[0], days[-1]
    span = (last - first).days + 1
    if span > MAX_HORIZON_DAYS:
        raise ShiftInputInvalid(
            f"対象期間は {MAX_HORIZON_DAYS} 日以内で指定してください。",
            field="requirement",
            value=span,
        )
    if span != len(days):
        raise ShiftInputInvalid(
            "対象期間の日付は連続させてください(休業日は必要人数 0 で指定します)。",
            field="requirement",
            value=len(days),
        )
    return days


def _allowed(contract: AgentContract, day: date, patterns: Sequence[ShiftPattern]) -> list[int]:
    if (
        day.weekday() not in contract.available_weekdays
        or day.isoformat() in contract.unavailable_days
    ):
        return []
    return [i for i, p in enumerate(patterns) if contract.allows(p)]


def _blocks(days: Sequence[date]) -> list[list[int]]:
    return [list(range(s, min(s + 7, len(days)))) for s in range(0, len(days), 7)]


def _contract_problems(
    contract: AgentContract, days: Sequence[date], patterns: Sequence[ShiftPattern]
) -> list[str]:
    """Why one agent's own limits cannot all hold (empty when they can)."""
    problems: list[str] = []
    allowed_any = any(contract.allows(p) for p in patterns)
    if not allowed_any:
        problems.append(
            f"{contract.agent_id}: 契約(勤務形態・時間帯・1日上限)に合うシフトパターンがありません"
        )
        return problems
    if contract.min_weekly_min == 0:
        return problems
    longest = max(p.work_min for p in patterns if contract.allows(p))
    for block in _blocks(days):
        if len(block) < 7:
            continue
        open_days = sum(1 for d in block if _allowed(contract, days[d], patterns))
        most = min(open_days, contract.max_days_per_week, MAX_CONSECUTIVE_DAYS) * longest
        most = min(most, contract.max_weekly_min)
        if most < contract.min_weekly_min:
            problems.append(
                f"{contract.agent_id}: {days[block[0]].isoformat()} からの週は"
                f"最大 {most} 分しか勤務できず、"
                f"最低 {contract.min_weekly_min} 分を満たせません"
            )
    return problems


def _capacity_warnings(
    requirement: Requirement,
    days: Sequence[date],
    contracts: Sequence[AgentContract],
    patterns: Sequence[ShiftPattern],
) -> list[str]:
    """Slots whose requirement exceeds every agent who could possibly work there."""
    warnings: list[str] = []
    for day in days:
        row = requirement.per_day[day]
        for s, need in enumerate(row):
            if need == 0:
                continue
            start = requirement.slot_start(s)
            end = start + requirement.slot_min
            able = sum(
                1
                for c in contracts
                if any(patterns[i].worked_in(start, end) > 0 for i in _allowed(c, day, patterns))
            )
            if able < need:
                warnings.append(
                    f"{day.isoformat()} {start // 60:02d}:{start % 60:02d} は必要 {need} 人に対し"
                    f"勤務可能な担当者が {able} 人しかいません"
                )
    return warnings


def solve_schedule(
    *,
    requirement: Requirement,
    contracts: Sequence[AgentContract],
    patterns: Sequence[ShiftPattern],
    weights: Weights = Weights(),
    time_limit_s: float = 20.0,
    workers: int = 8,
    seed: int = 0,
) -> ScheduleResult:
    """Assign patterns to agents per day covering the requirement within labour limits."""
    requirement.check()
    weights.check()
    if not contracts:
        raise ShiftInputInvalid("担当者の契約が 1 件もありません。", field="contracts", value=0)
    if not patterns:
        raise ShiftInputInvalid("シフトパターンが 1 件もありません。", field="patterns", value=0)
    if not 0 < time_limit_s <= 600:
        raise ShiftInputInvalid(
            "制限時間は 0〜600 秒で指定してください。", field="time_limit_s", value=time_limit_s
        )
    check_unique(patterns)
    ids = [c.agent_id for c in contracts]
    if len(set(ids)) != len(ids):
        raise ShiftInputInvalid("担当者IDが重複しています。", field="agent_id", value=None)
    for c in contracts:
        c.check()
    days = _days(requirement)
    problems = [p for c in contracts for p in _contract_problems(c, days, patterns)]
    if problems:
        raise ScheduleInfeasible(problems)
    started = time.monotonic()
    model = cp_model.CpModel()
    slot_cov = [
        [
            p.worked_in(requirement.slot_start(s), requirement.slot_start(s) + requirement.slot_min)
            for s in range(requirement.slots)
        ]
        for p in patterns
    ]
    x: dict[tuple[int, int, int], cp_model.IntVar] = {}
    works: dict[tuple[int, int], cp_model.LinearExprT] = {}
    minutes: dict[tuple[int, int], cp_model.LinearExprT] = {}
    rest_penalty: list[cp_model.LinearExprT] = []
    for a, contract in enumerate(contracts):
        for d, day in enumerate(days):
            options = _allowed(contract, day, patterns)
            vars_ad = []
            for i in options:
                var = model.new_bool_var(f"x_{a}_{d}_{i}")
                x[a, d, i] = var
                vars_ad.append(var)
            model.add_at_most_one(vars_ad)
            works[a, d] = sum(vars_ad)
            minutes[a, d] = sum(patterns[i].work_min * x[a, d, i] for i in options)
            if day.weekday() in contract.preferred_rest_weekdays:
                rest_penalty.append(minutes[a, d])
        for block in _blocks(days):
            model.add(sum(minutes[a, d] for d in block) <= contract.max_weekly_min)
            model.add(sum(works[a, d] for d in block) <= contract.max_days_per_week)
            if len(block) == 7 and contract.min_weekly_min:
                model.add(sum(minutes[a, d] for d in block) >= contract.min_weekly_min)
        for d0 in range(0, len(days) - MAX_CONSECUTIVE_DAYS):
            window = range(d0, d0 + MAX_CONSECUTIVE_DAYS + 1)
            model.add(sum(works[a, d] for d in window) <= MAX_CONSECUTIVE_DAYS)
    under_terms: list[cp_model.IntVar] = []
    over_terms: list[cp_model.IntVar] = []
    cover_expr: dict[tuple[int, int], cp_model.LinearExprT] = {}
    by_day: dict[int, list[tuple[int, cp_model.IntVar]]] = {d: [] for d in range(len(days))}
    for (_, d, i), var in x.items():
        by_day[d].append((i, var))
    slot_cap = requirement.slot_min * max(len(contracts), 1)
    for d, day in enumerate(days):
        row = requirement.per_day[day]
        for s in range(requirement.slots):
            terms = [slot_cov[i][s] * var for i, var in by_day[d] if slot_cov[i][s] > 0]
            cover = sum(terms) if terms else 0
            need = row[s] * requirement.slot_min
            under = model.new_int_var(0, max(need, 0), f"u_{d}_{s}")
            over = model.new_int_var(0, slot_cap, f"o_{d}_{s}")
            model.add(cover + under - over == need)
            under_terms.append(under)
            over_terms.append(over)
            cover_expr[d, s] = cover
    hint = greedy_schedule(
        days=days,
        needs={day: [n * requirement.slot_min for n in requirement.per_day[day]] for day in days},
        slot_cov=slot_cov,
        contracts=contracts,
        patterns=patterns,
        allowed=lambda c, day: _allowed(c, day, patterns),
    )
    for (a, d, i), var in x.items():
        model.add_hint(var, hint.get((a, d)) == i)
    model.minimize(
        cp_model.LinearExpr.sum(
            [
                cp_model.LinearExpr.sum(under_terms) * weights.under,
                cp_model.LinearExpr.sum(over_terms) * weights.over,
                cp_model.LinearExpr.sum(rest_penalty) * weights.rest_preference,
            ]
        )
    )
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    status = solver.solve(model)
    if status == cp_model.INFEASIBLE:
        raise ScheduleInfeasible(
            [
                "契約(週の最低時間・勤務日数・休日)の組み合わせが両立しません。各担当者の契約を見直してください"
            ]
        )
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise ScheduleTimeout(time_limit_s=time_limit_s)
    assignments = tuple(
        Assignment(contracts[a].agent_id, days[d], patterns[i])
        for (a, d, i), var in sorted(x.items())
        if solver.boolean_value(var)
    )
    coverage = tuple(
        SlotCoverage(
            day=day,
            start_min=requirement.slot_start(s),
            required=requirement.per_day[day][s],
            scheduled=solver.value(cover_expr[d, s]) / requirement.slot_min,
        )
        for d, day in enumerate(days)
        for s in range(requirement.slots)
    )
    under_min = int(sum(solver.value(u) for u in under_terms))
    over_min = int(sum(solver.value(o) for o in over_terms))
    warnings = _capacity_warnings(requirement, days, contracts, patterns)
    if under_min:
        short = sum(1 for c in coverage if c.scheduled < c.required)
        warnings.append(
            f"{short} 個の時間帯で必要人数に届きません(不足 {under_min / 60:.1f} 人時)。"
            "担当者の追加や契約条件の見直しが必要です"
        )
    return ScheduleResult(
        first_day=days[0],
        last_day=days[-1],
        status="optimal" if status == cp_model.OPTIMAL else "feasible",
        objective=float(solver.objective_value),
        under_min=under_min,
        over_min=over_min,
        wall_s=time.monotonic() - started,
        assignments=assignments,
        coverage=coverage,
        warnings=tuple(warnings),
    )
