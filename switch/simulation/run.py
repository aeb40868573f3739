"""The discrete-event loop: callers, agents and staffing changes driving the real ACD engine."""

from __future__ import annotations

import heapq
import math
import random
from dataclasses import dataclass, field

from switch.acd.agents import AgentState
from switch.acd.clock import ManualClock
from switch.acd.engine import Engine, EngineSettings, HistorySaved, Stage
from switch.acd.events import AcdEvent, AgentStateChanged
from switch.acd.queues import QueueConfig
from switch.acd.skills import SkillNeed
from switch.simulation.errors import InvalidSimulationInput
from switch.simulation.model import (
    ArrivalProfile,
    DayResult,
    IntervalResult,
    SimulationParams,
    StaffingPlan,
)

QUEUE = "day"
_SKILL = {"city": 1}
_BUSY = frozenset({"offered", "on_call", "held", "wrap_up"})
_STAFFED = _BUSY | {"ready"}


@dataclass
class _Tally:
    offered: int = 0
    answered: int = 0
    within: int = 0
    abandoned: int = 0
    wait_sum: float = 0.0
    busy_s: float = 0.0
    staffed_s: float = 0.0


@dataclass
class _Day:
    engine: Engine
    clock: ManualClock
    rng: random.Random
    params: SimulationParams
    arrivals: ArrivalProfile
    tallies: list[_Tally]
    events: list[tuple[float, int, str, str, str]] = field(default_factory=list)
    seq: int = 0
    arrived_in: dict[str, int] = field(default_factory=dict)
    agent_state: dict[str, tuple[str, float]] = field(default_factory=dict)
    on_shift: set[str] = field(default_factory=set)
    leaving: set[str] = field(default_factory=set)
    next_agent: int = 0
    tick_at: float = math.inf
    last_done: float = 0.0

    def at(self, when: float, kind: str, a: str = "", b: str = "") -> None:
        self.seq += 1
        heapq.heappush(self.events, (when, self.seq, kind, a, b))

    def duration(self, mean: float) -> float:
        if mean <= 0:
            return 0.0
        if self.params.distribution == "exponential":
            return self.rng.expovariate(1.0 / mean)
        sigma2 = math.log1p(self.params.lognormal_cv**2)
        return self.rng.lognormvariate(math.log(mean) - sigma2 / 2, math.sqrt(sigma2))

    def interval_of(self, t: float) -> int:
        return int((t - self.arrivals.start_s) // self.arrivals.interval_s)

    def spread(self, state: str, start: float, end: float) -> None:
        """Add a span in ``state`` to the intervals it covers (occupancy)."""
        if state not in _STAFFED:
            return
        first = self.arrivals.start_s
        width = self.arrivals.interval_s
        lo = max(start, first)
        hi = min(end, first + width * len(self.tallies))
        while lo < hi:
            i = self.interval_of(lo)
            cut = min(hi, first + width * (i + 1))
            self.tallies[i].staffed_s += cut - lo
            if state in _BUSY:
                self.tallies[i].busy_s += cut - lo
            lo = cut

    def absorb(self, events: list[AcdEvent]) -> None:
        """Read the engine's events: outcomes per call, agent time per state, what to schedule."""
        now = self.clock()
        for e in events:
            if isinstance(e, AgentStateChanged):
                old, since = self.agent_state.get(e.agent, ("signed_out", now))
                self.spread(old, since, now)
                self.agent_state[e.agent] = (e.state, now)
                if e.state == "not_ready" and e.reason == "no_answer":
                    self.at(now + self.params.no_answer_recovery_s, "recover", e.agent)
                continue
            tally = self.tallies[self.arrived_in[e.contact_id]]
            if e.type == "agent.offered" and e.agent is not None:
                if self.rng.random() >= self.params.no_answer_probability:
                    self.at(now + self.params.answer_delay_s, "accept", e.agent, e.contact_id)
            elif e.type == "contact.answered":
                wait = float(e.data["speed_of_answer_s"])
                tally.answered += 1
                tally.wait_sum += wait
                tally.within += wait <= self.params.answer_within_s
                talk = self.duration(self.params.talk_mean_s)
                self.at(now + talk, "hangup", e.agent or "", e.contact_id)
            elif e.type == "contact.abandoned":
                tally.abandoned += 1
                self.last_done = now
            elif e.type == "contact.ended" and e.agent is not None:
                wrap = self.duration(self.params.wrapup_mean_s)
                self.at(now + wrap, "saved", e.agent, e.contact_id)

    def schedule_tick(self) -> None:
        due = self.engine.next_deadline()
        if due is not None and (due < self.tick_at or self.tick_at < self.clock()):
            self.tick_at = due
            self.at(due, "tick")

    def staff(self, wanted: int) -> None:
        """Bring the number of agents on shift to ``wanted``; busy leavers finish first."""
        engine = self.engine
        while len(self.on_shift) < wanted and self.leaving:
            agent_id = self.leaving.pop()
            self.on_shift.add(agent_id)
            if engine.agent(agent_id).state is AgentState.NOT_READY:
                self.absorb(engine.set_ready(agent_id=agent_id))
        while len(self.on_shift) < wanted:
            self.next_agent += 1
            agent_id = f"sim-{self.next_agent}"
            self.on_shift.add(agent_id)
            self.absorb(engine.sign_in(agent_id=agent_id, skills=_SKILL, ready=True))
        if len(self.on_shift) <= wanted:
            return
        idle_first = sorted(
            self.on_shift,
            key=lambda a: engine.agent(a).state not in (AgentState.READY, AgentState.NOT_READY),
        )
        for agent_id in idle_first[: len(self.on_shift) - wanted]:
            self.on_shift.discard(agent_id)
            if engine.agent(agent_id).state in (AgentState.READY, AgentState.NOT_READY):
                self.absorb(engine.sign_out(agent_id=agent_id))
            else:
                self.leaving.add(agent_id)

    def step(self, kind: str, a: str, b: str) -> None:
        engine = self.engine
        if kind == "arrive":
            self.arrived_in[a] = self.interval_of(self.clock())
            self.tallies[self.arrived_in[a]].offered += 1
            if self.params.patience_mean_s is not None:
                patience = self.rng.expovariate(1.0 / self.params.patience_mean_s)
                self.at(self.clock() + patience, "give_up", a)
            self.absorb(engine.enqueue(contact_id=a, queue_id=QUEUE))
        elif kind == "give_up":
            contact = engine.contact(a)
            if contact is not None and contact.stage in (Stage.QUEUED, Stage.OFFERED):
                self.absorb(engine.hangup(contact_id=a))
        elif kind == "accept":
            agent = engine.agent(a)
            if agent.state is AgentState.OFFERED and agent.contact_id == b:
                self.absorb(engine.accept(agent_id=a))
        elif kind == "hangup":
            agent = engine.agent(a)
            if agent.contact_id == b and agent.state in (AgentState.ON_CALL, AgentState.HELD):
                self.absorb(engine.hangup(contact_id=b))
        elif kind == "saved":
            receipt = HistorySaved(contact_id=b, agent_id=a)
            self.last_done = self.clock()
            if a in self.leaving:
                self.leaving.discard(a)
                self.absorb(
                    engine.end_wrapup(
                        agent_id=a, receipt=receipt, then=AgentState.NOT_READY, reason="shift_end"
                    )
                )
                self.absorb(engine.sign_out(agent_id=a))
            else:
                self.absorb(engine.end_wrapup(agent_id=a, receipt=receipt))
        elif kind == "recover":
            agent = engine.agent(a)
            if agent.state is AgentState.NOT_READY and agent.reason == "no_answer":
                if a in self.leaving:
                    self.leaving.discard(a)
                    self.absorb(engine.sign_out(agent_id=a))
                else:
                    self.absorb(engine.set_ready(agent_id=a))
        elif kind == "staff":
            self.staff(int(a))
        elif kind == "tick":
            self.tick_at = math.inf
            self.absorb(engine.tick().events)


def _arrival_times(profile: ArrivalProfile, rng: random.Random) -> list[float]:
    """A Poisson process with the profile's piecewise-constant rate."""
    times: list[float] = []
    for i, expected in enumerate(profile.expected):
        start = profile.start_s + i * profile.interval_s
        end = start + profile.interval_s
        if expected <= 0:
            continue
        rate = expected / profile.interval_s
        t = start + rng.expovariate(rate)
        while t < end:
            times.append(t)
            t += rng.expovariate(rate)
    return times


def simulate_day(
    *, plan: StaffingPlan, arrivals: ArrivalProfile, params: SimulationParams, seed: int
) -> DayResult:
    """Run one day through the ACD engine; results per interval of the arrival profile."""
    if len(plan.agents) != len(arrivals.expected):
        raise InvalidSimulationInput(problem="one staffing count per arrival interval")
    rng = random.Random(seed)  # noqa: S311 - a seeded simulation, not secrets
    clock = ManualClock(arrivals.start_s)
    engine = Engine(
        queues=[QueueConfig(queue_id=QUEUE, need=SkillNeed("city", 1), announce_every_s=None)],
        clock=clock,
        settings=EngineSettings(ring_timeout_s=params.ring_timeout_s),
    )
    day = _Day(engine, clock, rng, params, arrivals, [_Tally() for _ in plan.agents])
    for i, wanted in enumerate(plan.agents):
        day.at(arrivals.start_s + i * arrivals.interval_s, "staff", str(wanted))
    end_of_day = arrivals.start_s + arrivals.interval_s * len(plan.agents)
    for n, t in enumerate(_arrival_times(arrivals, rng)):
        day.at(t, "arrive", f"call-{n}")
    while day.events:
        when, _, kind, a, b = heapq.heappop(day.events)
        clock.set(when)
        day.step(kind, a, b)
        if clock() >= end_of_day and not engine.contacts():
            break
        day.schedule_tick()
    for state, since in day.agent_state.values():
        day.spread(state, since, max(clock(), end_of_day))
    return _result(day, plan)


def _result(day: _Day, plan: StaffingPlan) -> DayResult:
    intervals = tuple(
        IntervalResult(
            start_s=day.arrivals.start_s + i * day.arrivals.interval_s,
            agents=plan.agents[i],
            offered=t.offered,
            answered=t.answered,
            answered_within=t.within,
            abandoned=t.abandoned,
            asa_s=t.wait_sum / t.answered if t.answered else 0.0,
            occupancy=t.busy_s / t.staffed_s if t.staffed_s else 0.0,
        )
        for i, t in enumerate(day.tallies)
    )
    answered = sum(t.answered for t in day.tallies)
    staffed = sum(t.staffed_s for t in day.tallies)
    return DayResult(
        intervals=intervals,
        offered=sum(t.offered for t in day.tallies),
        answered=answered,
        answered_within=sum(t.within for t in day.tallies),
        abandoned=sum(t.abandoned for t in day.tallies),
        asa_s=sum(t.wait_sum for t in day.tallies) / answered if answered else 0.0,
        occupancy=sum(t.busy_s for t in day.tallies) / staffed if staffed else 0.0,
        finished_at_s=max(day.last_done, day.clock()),
    )
