"""The what-if JSON body into a checked base and change."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wfm.shifts.parse import target_from_json
from wfm.shifts.patterns import parse_hhmm
from wfm.whatif.errors import WhatIfInputInvalid
from wfm.whatif.model import WhatIfBase, WhatIfChange
from wfm.whatif.plan import agents_for_target


def _num(body: Mapping[str, Any], name: str, default: float | None = None) -> float:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise WhatIfInputInvalid("数値で指定してください。", field=name, value=value)
    return float(value)


def _opt(body: Mapping[str, Any], name: str) -> float | None:
    return None if body.get(name) is None else _num(body, name)


def _ints(value: Any, name: str) -> tuple[int, ...]:
    if not isinstance(value, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    ):
        raise WhatIfInputInvalid("整数の一覧で指定してください。", field=name)
    return tuple(value)


def base_from_json(body: Mapping[str, Any]) -> WhatIfBase:
    """{start, interval_min, calls: [..], agents: [..] or target: {..}, aht_s, patience_s}."""
    calls = body.get("calls")
    if not isinstance(calls, list) or not all(
        isinstance(c, int | float) and not isinstance(c, bool) for c in calls
    ):
        raise WhatIfInputInvalid("calls は時間帯ごとの呼数の一覧です。", field="calls")
    aht = _num(body, "aht_s", 180.0)
    patience = _opt(body, "patience_s")
    interval = int(_num(body, "interval_min", 30))
    if "agents" in body:
        agents = _ints(body["agents"], "agents")
    else:
        target = body.get("target", {})
        if not isinstance(target, Mapping):
            raise WhatIfInputInvalid("target はオブジェクトです。", field="target")
        base = WhatIfBase(0, tuple(float(c) for c in calls), (0,) * len(calls), aht, patience)
        base.check()
        agents = agents_for_target(
            calls=base.calls, aht_s=aht, patience_s=patience, target=target_from_json(target),
            interval_min=interval,
        )  # fmt: skip
    base = WhatIfBase(
        start_min=parse_hhmm(str(body.get("start", "08:00")), field="start"),
        calls=tuple(float(c) for c in calls),
        agents=agents,
        aht_s=aht,
        patience_s=patience,
        interval_min=interval,
        answer_within_s=_num(body, "answer_within_s", 15.0),
    )
    base.check()
    return base


def change_from_json(body: Mapping[str, Any]) -> WhatIfChange:
    """{volume_factor, aht_s, agents_delta, agents, patience_s, no_abandonment}."""
    agents = body.get("agents")
    delta = _num(body, "agents_delta", 0)
    if delta != int(delta):
        raise WhatIfInputInvalid("人数の増減は整数です。", field="agents_delta", value=delta)
    return WhatIfChange(
        volume_factor=_num(body, "volume_factor", 1.0),
        aht_s=_opt(body, "aht_s"),
        agents_delta=int(delta),
        agents=None if agents is None else _ints(agents, "agents"),
        patience_s=_opt(body, "patience_s"),
        no_abandonment=bool(body.get("no_abandonment", False)),
    )
