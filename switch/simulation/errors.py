"""Errors of the day simulation."""

from __future__ import annotations

from realtime.errors import MadoguchiError


class InvalidSimulationInput(MadoguchiError):
    """Arrivals, staffing or parameters that cannot be simulated."""

    error_id = "invalid-simulation-input"
    status_code = 422
    message_ja = "シミュレーションの入力に誤りがあります。"

    def __init__(self, *, problem: str) -> None:
        super().__init__(problem=problem)
        self.problem = problem
