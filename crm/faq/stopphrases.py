"""Words of a query that say how the caller asks, not what about: removed before scoring.

Operators type callers' sentences as spoken (「引っ越してきたんだけど何すればいい」); the
politeness, hesitation and question endings match entries by accident (an entry that also ends
in 「したいのですが」), so they are cut out. The list is of phrase kinds, longest first.
"""

from __future__ import annotations

import re

from crm.faq.normalize import normalise

_PHRASES: tuple[str, ...] = (
    # asking how / what to do
    "どうすればよいですか",
    "どうすればいいですか",
    "どうしたらいいですか",
    "どうすればいいの",
    "どうしたらいいの",
    "どうすればよい",
    "どうすればいい",
    "どうしたらいい",
    "どうしたら",
    "どうすれば",
    "何をすればいい",
    "何すればいい",
    "何をすれば",
    "何すれば",
    "どうなりますか",
    "どうなるの",
    "どうなる",
    "大丈夫ですか",
    "大丈夫",
    # requests and politeness
    "教えてください",
    "教えて下さい",
    "教えてほしい",
    "教えて",
    "知りたいのですが",
    "知りたいんですが",
    "知りたいです",
    "知りたい",
    "お願いします",
    "お願いしたい",
    "すみません",
    "すいません",
    "もしもし",
    "えーと",
    "えっと",
    "あのー",
    # sentence tails and hedges
    "なんですけど",
    "なんだけど",
    "んですけど",
    "んですけれど",
    "んですが",
    "のですが",
    "んだけど",
    "んだけれど",
    "ですけど",
    "でしょうか",
    "ですか",
    "ますか",
    "みたいで",
    "みたいなんです",
    "ちゃった",
    "じゃった",
    "ちゃって",
    "ってこと",
)
_PATTERN = re.compile(
    "|".join(re.escape(normalise(p)) for p in sorted(_PHRASES, key=len, reverse=True))
)


def strip(text: str) -> str:
    """A prepared query with its asking phrases replaced by spaces; a query made only of such
    phrases is returned as it was (then they are all there is to search for)."""
    out = " ".join(_PATTERN.sub(" ", text).split())
    return out or text
