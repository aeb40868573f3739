"""Who can take what: skill groups with levels, and an index that finds the longest-idle agent.

An agent has a level (1 = basic, higher = more skilled) in each skill group it belongs to. A queue
needs one group and a minimum level. The index keeps one heap per (group, level) keyed by the time
the agent became available; removal is lazy (stale heap entries are dropped when they surface),
so adding, removing and choosing are O(log n) per level present in the group.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class SkillNeed:
    """A queue's requirement: membership of ``group`` at ``min_level`` or above."""

    group: str
    min_level: int = 1

    def met_by(self, skills: Mapping[str, int]) -> bool:
        """Whether an agent with these skills qualifies."""
        return skills.get(self.group, 0) >= self.min_level


_Entry = tuple[float, int, str]


class SkillIndex:
    """Available agents by skill group and level, ordered by how long they have been idle."""

    def __init__(self) -> None:
        self._heaps: dict[tuple[str, int], list[_Entry]] = {}
        self._levels: dict[str, list[int]] = {}
        self._live: dict[str, tuple[float, int]] = {}
        self._seq = 0

    def __contains__(self, agent_id: object) -> bool:
        return agent_id in self._live

    def __len__(self) -> int:
        return len(self._live)

    def add(self, agent_id: str, skills: Mapping[str, int], key: float) -> None:
        """Make the agent available from ``key`` (earlier key = chosen first)."""
        self._seq += 1
        self._live[agent_id] = (key, self._seq)
        for group, level in skills.items():
            if level < 1:
                continue
            heap = self._heaps.get((group, level))
            if heap is None:
                heap = self._heaps[(group, level)] = []
                levels = self._levels.setdefault(group, [])
                levels.append(level)
                levels.sort(reverse=True)
            heapq.heappush(heap, (key, self._seq, agent_id))
            if len(heap) > 64 and len(heap) > 4 * len(self._live):
                self._compact(heap)

    def discard(self, agent_id: str) -> None:
        """No longer available (no error if it was not)."""
        self._live.pop(agent_id, None)

    def best(self, need: SkillNeed) -> str | None:
        """The longest-available agent meeting ``need``, or None."""
        chosen: _Entry | None = None
        for level in self._levels.get(need.group, ()):
            if level < need.min_level:
                break
            heap = self._heaps[(need.group, level)]
            while heap:
                key, seq, agent_id = heap[0]
                if self._live.get(agent_id) == (key, seq):
                    break
                heapq.heappop(heap)
            if heap and (chosen is None or heap[0] < chosen):
                chosen = heap[0]
        return None if chosen is None else chosen[2]

    def _compact(self, heap: list[_Entry]) -> None:
        heap[:] = [e for e in heap if self._live.get(e[2]) == (e[0], e[1])]
        heapq.heapify(heap)
