"""Inputs and results of a simulated day."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from switch.simulation.errors import InvalidSimulationInput


@dataclass(frozen=True)
class ArrivalProfile:
    """Expected contacts per interval from ``start_s`` (seconds after midnight)."""

    start_s: float
    interval_s: float
    expected: tuple[float, ...]

    def __post_init__(self) -> None:
        if self.interval_s <= 0 or any(x < 0 for x in self.expected) or not self.expected:
            raise InvalidSimulationInput(problem="arrivals need intervals > 0 and counts >= 0")


@dataclass(frozen=True)
class StaffingPlan:
    """Agents signed in and taking calls per interval, aligned with the arrival profile."""

    agents: tuple[int, ...]

    def __post_init__(self) -> None:
        if not self.agents or any(n < 0 for n in self.agents):
            raise InvalidSimulationInput(problem="staffing needs one count >= 0 per interval")


@dataclass(frozen=True)
class SimulationParams:
    """Caller and agent behaviour. Handle time = talk + wrap-up (AHT 180 s by default)."""

    talk_mean_s: float = 140.0
    wrapup_mean_s: float = 40.0
    distribution: Literal["exponential", "lognormal"] = "exponential"
    lognormal_cv: float = 0.8
    """Coefficient of variation of talk and wrap-up when ``distribution`` is lognormal."""
    patience_mean_s: float | None = 120.0
    """Mean of the exponential patience; None = nobody abandons."""
    answer_delay_s: float = 2.0
    """Seconds an agent takes to accept an offered call."""
    no_answer_probability: float = 0.0
    ring_timeout_s: float = 20.0
    no_answer_recovery_s: float = 30.0
    """Seconds a no-answer agent stays not ready before taking calls again."""
    answer_within_s: float = 15.0

    def __post_init__(self) -> None:
        if self.talk_mean_s <= 0 or self.wrapup_mean_s < 0 or self.answer_delay_s < 0:
            raise InvalidSimulationInput(problem="talk > 0, wrap-up and answer delay >= 0")
        if not 0 <= self.no_answer_probability < 1:
            raise InvalidSimulationInput(problem="no-answer probability in [0, 1)")
        if self.patience_mean_s is not None and self.patience_mean_s <= 0:
            raise InvalidSimulationInput(problem="patience must be > 0 or None")


@dataclass(frozen=True)
class IntervalResult:
    """One interval; contacts are counted in the interval they arrived in."""

    start_s: float
    agents: int
    offered: int
    answered: int
    answered_within: int
    abandoned: int
    asa_s: float
    occupancy: float

    @property
    def service_level(self) -> float:
        """Answered within the target over offered (abandoned calls count against it)."""
        return self.answered_within / self.offered if self.offered else 1.0

    @property
    def abandon_rate(self) -> float:
        """Abandoned over offered."""
        return self.abandoned / self.offered if self.offered else 0.0


@dataclass(frozen=True)
class DayResult:
    """Every interval and the day's totals."""

    intervals: tuple[IntervalResult, ...]
    offered: int
    answered: int
    answered_within: int
    abandoned: int
    asa_s: float
    occupancy: float
    finished_at_s: float
    """When the last contact was done (the queue is worked off after the last interval)."""

    @property
    def service_level(self) -> float:
        """Answered within the target over offered."""
        return self.answered_within / self.offered if self.offered else 1.0

    @property
    def abandon_rate(self) -> float:
        """Abandoned over offered."""
        return self.abandoned / self.offered if self.offered else 0.0
