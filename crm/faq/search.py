"""An in-process search index over FAQ entries: the same results on SQLite and PostgreSQL.

Database full-text search does not fit Japanese here (SQLite's trigram tokenizer finds nothing
for two-character queries; PostgreSQL's pg_trgm makes no Japanese trigrams under LC_CTYPE C), so
the index lives in memory and is rebuilt from the database when entries change. Scoring is BM25
over the features of :mod:`crm.faq.normalize`, summed over fields with field weights, with
synonym expansion (:mod:`crm.faq.synonyms`), a one-character typo pass over the vocabulary of
questions and keywords, and a small log-scaled boost for entries agents use often.

The query side is made for what callers say: asking phrases are cut (:mod:`crm.faq.stopphrases`),
thesaurus concepts fire on text or on dictionary forms of inflected words, and each entry's
score is scaled by the share of the query's concepts it covers, so a long topic word
(マイナンバーカード) does not drown the word that says what the caller wants (なくした).
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections import Counter
from collections.abc import Iterable, KeysView, Mapping
from dataclasses import dataclass

from crm.faq import stopphrases, synonyms
from crm.faq.normalize import (
    MAX_QUERY_CHARS,
    analyse_words,
    deletions,
    features,
    fold_kana,
    lemmas,
    levenshtein_at_most_one,
    normalise,
    prepare,
    reading_of,
    segments,
)

FIELD_WEIGHTS: Mapping[str, float] = {
    "question": 3.0,
    "keywords": 1.5,
    "category": 2.5,
    "answer": 1.0,
}
KIND_WEIGHTS: Mapping[str, float] = {"s1": 0.3, "s2": 1.0, "k2": 0.5, "w": 0.8}
EXPANSION_WEIGHT = 0.6
TYPO_WEIGHT = 0.4
HOMOPHONE_WEIGHT = 0.9
KANA_BIGRAM_WEIGHT = 0.7
"""Bigrams of hiragana only are mostly grammar (ですか, たい): they count for less."""
KANA_QUERY_READING_WEIGHT = 2.0
"""Readings of an all-kana query segment weigh as much as characters (k2 counts half)."""
USAGE_WEIGHT = 0.1
"""At most +10 % for the most used entry: a text score more than 10 % higher always wins."""
K1 = 1.2
B = 0.75
COMMON_DF = 0.2
"""Features in more than this share of entries are skipped when the query has rarer ones."""
_TYPO_MIN, _TYPO_MAX = 3, 8
COVER_BASE = 0.6
"""An entry that covers none of a multi-part query's concepts keeps 60 % of its score."""
_PIECE_MAX = 6
_MAX_UNITS = 8
_NOT_TOPICAL = frozenset(
    normalise(w)
    for w in (
        "いつ",
        "どこ",
        "いくら",
        "なに",
        "何",
        "どう",
        "どうやって",
        "どうすれば",
        "ですか",
        "したい",
        "ほしい",
        "たい",
        "する",
        "ある",
        "いる",
        "なる",
        "できる",
        "教えて",
        "知りたい",
        "方法",
        "について",
        "お願い",
        "すみません",
    )
)


@dataclass(frozen=True)
class IndexDoc:
    """The searchable text of one entry."""

    faq_id: str
    question: str
    answer: str
    category1: str = ""
    category2: str = ""
    keywords: str = ""


@dataclass(frozen=True)
class Hit:
    """One search result: ``score`` is the text score times the usage boost."""

    faq_id: str
    score: float
    text_score: float


@dataclass
class _Alternatives:
    """Feature sets of interchangeable terms; an entry counts only its best one."""

    terms: list[dict[str, float]]


@dataclass
class _Posting:
    docs: array[int]
    weights: array[float]


def _fields(doc: IndexDoc) -> dict[str, str]:
    return {
        "question": prepare(doc.question),
        "keywords": prepare(doc.keywords),
        "category": prepare(f"{doc.category1} {doc.category2}"),
        "answer": prepare(doc.answer),
    }


def query_lemmas(prepared: str) -> frozenset[str]:
    """The dictionary forms of the words of a prepared query."""
    out: set[str] = set()
    for seg in segments(prepared):
        out.update(lemmas(seg))
    return frozenset(out)


def _all_hiragana(text: str) -> bool:
    return all("\u3041" <= c <= "\u309f" for c in text)


def _kind(feature: str) -> str:
    return feature.split(":", 1)[0]


class FaqIndex:
    """BM25 postings, the typo vocabulary, and usage counts for a set of entries."""

    def __init__(self, docs: Iterable[IndexDoc], usage: Mapping[str, int] | None = None) -> None:
        self.docs: list[IndexDoc] = list(docs)
        self.ids = [d.faq_id for d in self.docs]
        self._postings: dict[str, _Posting] = {}
        self._vocab: set[str] = set()
        self._vocab_substrings: set[str] = set()
        self._deletion_index: dict[str, set[str]] = {}
        self._build()
        self.usage: list[float] = []
        self.set_usage(usage or {})

    def __len__(self) -> int:
        return len(self.docs)

    def _build(self) -> None:
        texts = [_fields(d) for d in self.docs]
        avg = {
            f: (sum(len(t[f]) for t in texts) / len(texts)) if texts else 1.0 for f in FIELD_WEIGHTS
        }
        for i, fields in enumerate(texts):
            combined: dict[str, float] = {}
            for name, text in fields.items():
                if not text:
                    continue
                feats = features(text, with_reading=name != "answer")
                norm = K1 * (1 - B + B * len(text) / max(avg[name], 1.0))
                fw = FIELD_WEIGHTS[name]
                for feat, tf in feats.items():
                    combined[feat] = combined.get(feat, 0.0) + fw * tf * (K1 + 1) / (tf + norm)
                if name != "answer":
                    self._add_vocab(name, text, feats)
            for feat, weight in combined.items():
                posting = self._postings.get(feat)
                if posting is None:
                    posting = self._postings[feat] = _Posting(array("i"), array("d"))
                posting.docs.append(i)
                posting.weights.append(weight)

    def _add_vocab(self, name: str, text: str, feats: Counter[str]) -> None:
        words = {f[2:] for f in feats if f.startswith("w:")}
        if name in ("keywords", "category"):
            words.update(fold_kana(s) for s in segments(text))
        for word in words:
            if not (_TYPO_MIN <= len(word) <= 12) or word in self._vocab:
                continue
            self._vocab.add(word)
            for d in deletions(word):
                self._deletion_index.setdefault(d, set()).add(word)
            for n in range(_TYPO_MIN, min(len(word), _TYPO_MAX) + 1):
                for s in range(len(word) - n + 1):
                    self._vocab_substrings.add(word[s : s + n])

    def set_usage(self, usage: Mapping[str, int]) -> None:
        """Replace the usage counts (how often agents opened or cited each entry)."""
        counts = [max(0, usage.get(i, 0)) for i in self.ids]
        top = max(counts, default=0)
        scale = math.log1p(top) if top > 0 else 1.0
        self.usage = [1.0 + USAGE_WEIGHT * math.log1p(c) / scale for c in counts]

    def _typo_candidates(self, query: str) -> list[str]:
        found: list[str] = []
        for seg in segments(query):
            if seg.isascii():
                continue
            kana_only = _all_hiragana(seg)
            for n in range(_TYPO_MIN, min(len(seg), _TYPO_MAX) + 1):
                for s in range(len(seg) - n + 1):
                    window = seg[s : s + n]
                    if window in self._vocab_substrings:
                        continue
                    if not kana_only and _all_hiragana(window):
                        # okurigana and endings next to kanji are not misspelt words
                        continue
                    found.extend(self._neighbours(window))
        return list(dict.fromkeys(found))

    def _typo_terms(self, query: str) -> list[tuple[str, float]]:
        """Typo neighbours with their weights: a same-sounding word (an IME slip) weighs more."""
        out: list[tuple[str, float]] = []
        for seg in segments(query):
            reading = reading_of(seg)
            for word in self._typo_candidates(seg):
                homophone = bool(reading) and reading_of(word) in reading
                out.append((word, HOMOPHONE_WEIGHT if homophone else TYPO_WEIGHT))
        return out

    def _neighbours(self, window: str) -> list[str]:
        out: list[str] = []
        dels = deletions(window)
        for d in dels:
            if d in self._vocab and len(d) >= _TYPO_MIN:
                out.append(d)
        for d in (*dels, window):
            for word in self._deletion_index.get(d, ()):
                if word != window and levenshtein_at_most_one(window, word):
                    out.append(word)
        return out

    def query_features(self, raw: str) -> tuple[dict[str, float], list[_Alternatives]]:
        """The query's own weighted features, and the groups of alternative terms (synonyms,
        typo neighbours) of which each entry scores only with its best member."""
        prepared = stopphrases.strip(prepare(raw)[:MAX_QUERY_CHARS])
        query = fold_kana(prepared)
        base: dict[str, float] = dict.fromkeys(features(prepared), 1.0)
        if not base:
            return base, []
        for seg in segments(prepared):
            if _all_hiragana(seg):
                # hiragana typed for kanji meets entries only through readings: count them fully
                # (not katakana, which is mostly loanwords that match as characters already)
                reading = reading_of(seg)
                for i in range(len(reading) - 1):
                    feat = "k2:" + reading[i : i + 2]
                    if feat in base:
                        base[feat] = KANA_QUERY_READING_WEIGHT
        groups: list[_Alternatives] = []
        words = query_lemmas(prepared)
        for terms in synonyms.expansion_groups(query, words):
            groups.append(self._alternatives(terms, EXPANSION_WEIGHT, base))
        for term, weight in self._typo_terms(query):
            groups.append(self._alternatives((term,), weight, base))
        return base, [g for g in groups if g.terms]

    @staticmethod
    def _alternatives(
        terms: Iterable[str], weight: float, base: Mapping[str, float]
    ) -> _Alternatives:
        own = []
        for term in terms:
            feats = {f: weight for f in features(term) if f not in base}
            if feats:
                own.append(feats)
        return _Alternatives(own)

    def _units(self, query: str) -> list[set[str]]:
        """The concepts of a query, each with its variant spellings (for coverage)."""
        pieces: list[tuple[str, frozenset[str]]] = []
        for seg in segments(query):
            if len(seg) <= _PIECE_MAX:
                pieces.append((fold_kana(seg), lemmas(seg)))
            else:
                pieces.extend((w, lemmas(w)) for w in analyse_words(seg) if len(w) >= 2)
        found = synonyms.concepts(fold_kana(query), query_lemmas(query))
        units: list[set[str]] = [{*c.said, *c.terms} for c in found]
        said = {w for c in found for w in c.said}
        for piece, words in dict.fromkeys(pieces):
            if piece in _NOT_TOPICAL or any(w in piece or piece in w for w in said):
                continue
            variants = {piece, *synonyms.expansions(piece, words), *self._typo_candidates(piece)}
            units.append(variants)
        return units

    def _covered(self, variants: set[str], within: KeysView[int]) -> set[int]:
        """The entries among ``within`` that mention one of the variants of a concept."""
        docs: set[int] = set()
        for text in variants:
            feats = list(features(text))
            groups: dict[str, list[str]] = {}
            for f in feats:
                groups.setdefault(_kind(f), []).append(f)
            if len(text) == 1:
                groups.pop("s2", None)
            else:
                groups.pop("s1", None)
            for kind, fs in groups.items():
                present = [self._postings[f] for f in fs if f in self._postings]
                if kind in ("w", "s1"):
                    for p in present:
                        docs.update(p.docs)
                    continue
                need = max(1, (len(fs) + 1) // 2)
                counts: Counter[int] = Counter()
                for p in present:
                    counts.update(p.docs)
                docs.update(d for d in within if counts[d] >= need)
        return docs & within

    def _accumulate(self, feats: Mapping[str, float], rare_only: bool) -> dict[int, float]:
        n = len(self.docs)
        acc: dict[int, float] = {}
        for feat, qw in feats.items():
            posting = self._postings.get(feat)
            if posting is None:
                continue
            df = len(posting.docs)
            if rare_only and df > COMMON_DF * n:
                continue
            idf = math.log(1.0 + (n - df + 0.5) / (df + 0.5))
            factor = qw * idf * KIND_WEIGHTS[_kind(feat)]
            if feat.startswith("s2:") and _all_hiragana(feat[3:]):
                factor *= KANA_BIGRAM_WEIGHT
            get = acc.get
            for d, w in zip(posting.docs, posting.weights, strict=True):
                acc[d] = get(d, 0.0) + factor * w
        return acc

    def search(self, raw: str, *, limit: int = 10) -> list[Hit]:
        """The best entries for a query, best first."""
        if not self.docs or limit <= 0:
            return []
        base, groups = self.query_features(raw)
        n = len(self.docs)
        dfs = [len(self._postings[f].docs) for f in base if f in self._postings]
        rare_only = any(df <= COMMON_DF * n for df in dfs)
        acc = self._accumulate(base, rare_only)
        for group in groups:
            best: dict[int, float] = {}
            for feats in group.terms:
                for d, v in self._accumulate(feats, rare_only).items():
                    if v > best.get(d, 0.0):
                        best[d] = v
            for d, v in best.items():
                acc[d] = acc.get(d, 0.0) + v
        if not acc:
            return []
        usage = self.usage
        units = self._units(stopphrases.strip(prepare(raw)[:MAX_QUERY_CHARS]))[:_MAX_UNITS]
        if len(units) > 1:
            acc = self._apply_coverage(acc, units, limit)
        top = heapq.nlargest(limit, acc.items(), key=lambda kv: kv[1] * usage[kv[0]])
        return [Hit(self.ids[d], s * usage[d], s) for d, s in top]

    def _apply_coverage(
        self, acc: dict[int, float], units: list[set[str]], limit: int
    ) -> dict[int, float]:
        """Scale each score by the share of the query's concepts the entry covers. Coverage
        keeps at least COVER_BASE of a score, so an entry scoring under COVER_BASE times the
        limit-th best cannot reach the results: only the others are checked."""
        usage = self.usage
        ranked = heapq.nlargest(limit, (s * usage[d] for d, s in acc.items()))
        floor = COVER_BASE * ranked[-1]
        candidates = {d: s for d, s in acc.items() if s * usage[d] >= floor}
        counts: dict[int, int] = {}
        for unit in units:
            for d in self._covered(unit, candidates.keys()):
                counts[d] = counts.get(d, 0) + 1
        share = 1.0 / len(units)
        return {
            d: s * (COVER_BASE + (1 - COVER_BASE) * counts.get(d, 0) * share)
            for d, s in candidates.items()
        }
