"""The base day and the changes a what-if applies to it."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from wfm.whatif.errors import WhatIfInputInvalid

MAX_INTERVALS = 96


@dataclass(frozen=True)
class WhatIfBase:
    """Forecast calls and agents on the phones per interval, AHT, patience (None = infinite)."""

    start_min: int
    calls: tuple[float, ...]
    agents: tuple[int, ...]
    aht_s: float
    patience_s: float | None
    interval_min: int = 30
    answer_within_s: float = 15.0
    wrapup_share: float = 40.0 / 180.0
    """Share of the handling time spent in wrap-up (the rest is talk) in the simulation."""

    def check(self) -> None:
        """Raise WhatIfInputInvalid naming the first impossible value."""
        if not self.calls or len(self.calls) > MAX_INTERVALS:
            raise WhatIfInputInvalid(
                f"時間帯は 1〜{MAX_INTERVALS} 個で指定してください。",
                field="calls",
                value=len(self.calls),
            )
        if len(self.agents) != len(self.calls):
            raise WhatIfInputInvalid(
                "人数は呼数と同じ数の時間帯で指定してください。",
                field="agents",
                value=len(self.agents),
            )
        if any(not math.isfinite(c) or c < 0 for c in self.calls):
            raise WhatIfInputInvalid("呼数は 0 以上で指定してください。", field="calls")
        if any(n < 0 for n in self.agents):
            raise WhatIfInputInvalid("人数は 0 以上で指定してください。", field="agents")
        if not math.isfinite(self.aht_s) or self.aht_s <= 0:
            raise WhatIfInputInvalid(
                "平均処理時間(秒)は 0 より大きく指定してください。", field="aht_s", value=self.aht_s
            )
        if self.patience_s is not None and (
            not math.isfinite(self.patience_s) or self.patience_s <= 0
        ):
            raise WhatIfInputInvalid(
                "待ち許容時間(秒)は 0 より大きく指定してください(放棄なしは未指定)。",
                field="patience_s",
                value=self.patience_s,
            )
        if self.interval_min <= 0 or (60 % self.interval_min and self.interval_min % 60):
            raise WhatIfInputInvalid(
                "時間帯の長さは 60 分を割り切る分数で指定してください。",
                field="interval_min",
                value=self.interval_min,
            )
        if self.start_min < 0 or self.start_min + self.interval_min * len(self.calls) > 24 * 60:
            raise WhatIfInputInvalid(
                "時間帯が 1 日に収まっていません。", field="start_min", value=self.start_min
            )
        if not 0 <= self.wrapup_share < 1:
            raise WhatIfInputInvalid(
                "後処理の割合は 0 以上 1 未満です。", field="wrapup_share", value=self.wrapup_share
            )
        if not math.isfinite(self.answer_within_s) or self.answer_within_s < 0:
            raise WhatIfInputInvalid(
                "目標応答時間は 0 秒以上です。", field="answer_within_s", value=self.answer_within_s
            )


@dataclass(frozen=True)
class WhatIfChange:
    """Changes to the base; unset fields keep the base value."""

    volume_factor: float = 1.0
    aht_s: float | None = None
    agents_delta: int = 0
    agents: tuple[int, ...] | None = None
    patience_s: float | None = None
    no_abandonment: bool = False

    def apply(self, base: WhatIfBase) -> WhatIfBase:
        """The changed base (checked)."""
        if not math.isfinite(self.volume_factor) or not 0 <= self.volume_factor <= 100:
            raise WhatIfInputInvalid(
                "呼量の倍率は 0〜100 で指定してください(例: 1.2 は 20% 増)。",
                field="volume_factor",
                value=self.volume_factor,
            )
        agents = self.agents if self.agents is not None else base.agents
        agents = tuple(n + self.agents_delta for n in agents)
        if any(n < 0 for n in agents):
            raise WhatIfInputInvalid(
                "人数の増減の結果、0 人未満になる時間帯があります。",
                field="agents_delta",
                value=self.agents_delta,
            )
        changed = replace(
            base,
            calls=tuple(c * self.volume_factor for c in base.calls),
            aht_s=self.aht_s if self.aht_s is not None else base.aht_s,
            agents=agents,
            patience_s=None
            if self.no_abandonment
            else (self.patience_s if self.patience_s is not None else base.patience_s),
        )
        changed.check()
        return changed
