"""What-if: Erlang and the discrete-event simulation through the real ACD engine agree."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from switch.simulation.arrivals import profile_from_hourly
from wfm.staffing.requirement import StaffingTarget
from wfm.whatif.compare import outlook, what_if
from wfm.whatif.errors import WhatIfInputInvalid
from wfm.whatif.model import WhatIfBase, WhatIfChange
from wfm.whatif.plan import agents_for_target

pytestmark = pytest.mark.req("F-2.3.3")

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
SEEDS = range(1, 7)


def _peak_day() -> tuple[str, int, dict[str, float]]:
    """The busiest day of the history and the hourly shape of its weekday."""
    daily = SHARED / "daily_calls_2021-04_2021-12.csv"
    hourly = SHARED / "hourly_profiles.csv"
    if not daily.exists() or not hourly.exists():
        pytest.skip(f"shared data not found under {SHARED}")
    with daily.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    peak = max(rows, key=lambda r: int(r["calls"]))
    with hourly.open(encoding="utf-8") as f:
        table = list(csv.DictReader(f))
    weekday = peak["weekday"].lower()
    column = next((c for c in table[0] if c.lower().endswith(weekday)), None)
    columns = [column] if column else [c for c in table[0] if c != "hour_start"]
    shape = {r["hour_start"]: sum(float(r[c]) for c in columns) for r in table}
    return peak["date"], int(peak["calls"]), shape


def _base(patience: float | None, aht: float = 180.0) -> WhatIfBase:
    _, calls, shape = _peak_day()
    profile = profile_from_hourly(hourly=shape, day_total=calls)
    agents = agents_for_target(
        calls=profile.expected, aht_s=aht, patience_s=patience, target=StaffingTarget()
    )
    start = int(profile.start_s // 60)
    return WhatIfBase(start, profile.expected, agents, aht, patience)


@pytest.mark.parametrize("patience", [60.0, 120.0, None])
def test_on_the_peak_day_erlang_and_simulation_agree_within_three_points(
    patience: float | None,
) -> None:
    result = outlook(base=_base(patience), seeds=SEEDS)
    assert abs(result.gap_points) <= 3.0, (result.erlang_service_level, result.sim_service_level)
    if patience is not None:
        assert abs(result.sim_abandon_rate - result.erlang_abandon_rate) <= 0.02
    assert result.erlang_service_level >= 0.78  # the plan was sized for 80 % per interval


def test_more_volume_and_longer_calls_lower_service_in_both_models() -> None:
    base = _base(120.0)
    result = what_if(base=base, change=WhatIfChange(volume_factor=1.15, aht_s=200), seeds=SEEDS)
    assert result.after.erlang_service_level < result.before.erlang_service_level - 0.1
    assert result.after.sim_service_level < result.before.sim_service_level - 0.1
    assert result.after.erlang_abandon_rate > result.before.erlang_abandon_rate
    assert abs(result.after.gap_points) <= 4.0
    staffed = what_if(base=base, change=WhatIfChange(agents_delta=2), seeds=SEEDS)
    assert staffed.after.sim_service_level > staffed.before.sim_service_level


def test_impossible_changes_are_refused_with_the_reason() -> None:
    base = WhatIfBase(480, (10.0, 20.0), (2, 3), 180.0, 120.0)
    with pytest.raises(WhatIfInputInvalid) as err:
        WhatIfChange(agents_delta=-3).apply(base)
    assert err.value.field == "agents_delta"
    assert "0 人未満" in err.value.message
    with pytest.raises(WhatIfInputInvalid) as err:
        WhatIfChange(volume_factor=-1).apply(base)
    assert err.value.field == "volume_factor"
    with pytest.raises(WhatIfInputInvalid):
        WhatIfChange(aht_s=0).apply(base)
    with pytest.raises(WhatIfInputInvalid):
        outlook(base=WhatIfBase(480, (10.0,), (2, 3), 180.0, 120.0), seeds=[1])
