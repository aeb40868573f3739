"""The settings of KPI computation: lines, thresholds and the readings the city may choose."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal

MAIN_LINE = "0339811111"
"""区代表電話: the main line; its calls are under the SLA."""
COVID_LINE = "0345662466"
"""新型コロナウイルス専用ダイヤル: reported on its own, never under the SLA (別紙3 ※)."""
FAX_LINE = "0339811280"
"""FAX 受付番号: faxes are items (S-M1..S-M5), like e-mail."""

AnswerClock = Literal["queue", "received"]
ServiceLevelBase = Literal["offered", "answered", "offered_minus_short_abandons"]
AbandonBase = Literal["in_service", "all"]
FcrBase = Literal["answered", "in_service"]
ItemTime = Literal["to_start", "to_reply"]


@dataclass(frozen=True)
class KpiSettings:
    """Every choice a formula depends on; defaults follow docs/kpi.md."""

    covid_lines: frozenset[str] = field(default_factory=lambda: frozenset({COVID_LINE}))
    fax_lines: frozenset[str] = field(default_factory=lambda: frozenset({FAX_LINE}))
    answer_threshold: timedelta = timedelta(seconds=15)
    answer_clock: AnswerClock = "queue"
    service_level_base: ServiceLevelBase = "offered"
    abandon_base: AbandonBase = "in_service"
    fcr_base: FcrBase = "answered"
    reply_target: timedelta = timedelta(hours=24)
    item_start_target: timedelta = timedelta(hours=6)
    item_time: ItemTime = "to_start"
    trailing: timedelta = timedelta(days=7)
    lookback: timedelta = timedelta(days=1)
    abandon_target_percent: float = 10.0
    fcr_target_percent: float = 80.0
    aht_target: timedelta = timedelta(minutes=3)
    talk_target: timedelta = timedelta(minutes=2)
    reply_target_percent: float = 90.0
    answer_target_percent: float | None = None
