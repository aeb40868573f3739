"""Street addresses: 丁目・番・号, 1-2-3 forms, buildings and rooms, postal codes."""

from __future__ import annotations

import re

from crm.pii.charclass import (
    DASHES,
    NUMERAL_CLASS,
    is_ascii_alnum,
    is_hiragana,
    is_kanji,
    is_katakana,
)

_NUM = f"[{NUMERAL_CLASS}]+"
_ARABIC = "[0-9]"
_DASH = f"[{DASHES}]"
# 2丁目45番1号, 二丁目45-1, 3丁目10番, 北1条西2丁目; the block part is optional here and
# checked in code (a bare 丁目 is an area, not an address, unless a city or prefecture precedes).
_CHOME = re.compile(
    rf"{_NUM}丁目(?:\s?{_NUM}(?:番地?|{_DASH})(?:の?{_NUM}(?:号|番地?)?)?(?:{_DASH}{_ARABIC}+)*"
    rf"|\s?{_ARABIC}+(?!{_ARABIC}))?"
)
# 45番1号, 12番地, 1234番地の5, 7番地5
_BANCHI = re.compile(rf"(?<![第{NUMERAL_CLASS}]){_NUM}(?:番地(?:の?{_NUM}(?:号)?)?|番{_NUM}号)")
# 1-2-3, 3-14-2, 2-3-15-405, 2-8 (arabic digits; never starting with 0)
_HYPHEN = re.compile(
    rf"(?<![0-9{DASHES}.,/:])[1-9][0-9]{{0,3}}(?:(?:{_DASH}|の)[0-9]{{1,4}}){{1,3}}"
    rf"(?![0-9{DASHES}/:.])"
)
_ROOM = re.compile(rf"{_ARABIC}{{1,5}}号室")
_POSTAL = re.compile(rf"(?:〒|郵便番号[\s:：は]*)\s?[0-9]{{3}}{_DASH}?[0-9]{{4}}(?![0-9])")
_COUNTER_AFTER = re.compile(
    r"^(?:月|日|年|回|件|人|名|歳|才|時|分|秒|円|%|週|か月|ヶ月|カ月|期|号(?!室)|番|頁|ページ|点|個|枚|台|本|冊|階|位|類|条|項|章|節)"
)
# 1番2号窓口, 3番2号線: numbered parts of a facility, not an address.
_FACILITY_AFTER = re.compile(r"^\s?(?:窓口|線|出口|のりば|乗り場|ホーム|会議室|教室|館|車|機)")
_BUILDING_SUFFIX = (
    "マンション",
    "ハイツ",
    "コーポ",
    "アパート",
    "荘",
    "ビル",
    "レジデンス",
    "ハウス",
    "コート",
    "パレス",
    "タワー",
    "ヒルズ",
    "メゾン",
    "団地",
    "住宅",
    "寮",
    "棟",
    "テラス",
    "ハイム",
    "コーポラス",
    "ヴィラ",
    "ガーデン",
    "レジデンシャル",
    "プラザ",
    "フラット",
    "ドミール",
    "シャトー",
    "ヴィレッジ",
)
_NAME_CHAR = r"[^\s、。,()「」\[\]0-9]"
_SUFFIX_ALT = "|".join(_BUILDING_SUFFIX)
_BUILDING_ROOM = re.compile(
    rf"^\s?(?P<bld>(?:{_NAME_CHAR}|第[0-9]{{1,2}}){{0,20}}?(?:{_SUFFIX_ALT}){_NAME_CHAR}{{0,8}}?)"
    rf"\s?(?P<room>{_ARABIC}{{1,5}}(?:号室|号|階|F)?|[A-Za-z]棟\s?{_ARABIC}{{1,5}}号室?)"
)
_BUILDING_ONLY = re.compile(r"^\s?(?P<bld>[^\s、。,()「」0-9]{2,20})")
_ROOM_TAIL = re.compile(rf"^(?:{_DASH}|の)?{_ARABIC}{{1,4}}(?:号室|号)?(?![0-9])")
# Words that introduce an address; they are cut from the front of the place run.
_LEAD_WORDS = (
    "現住所",
    "新住所",
    "旧住所",
    "住所地",
    "住所",
    "自宅",
    "送付先",
    "転入先",
    "転出先",
    "転居先",
    "所在地",
    "居所",
    "実家",
    "勤務先",
    "返送先",
    "宛先",
    "届出地",
)
# Place runs that are not places: reference numbers, documents, counters.
_NOT_PLACE_SUFFIX = (
    "番号",
    "電話",
    "携帯",
    "内線",
    "受付",
    "整理",
    "様式",
    "手順",
    "資料",
    "別表",
    "表",
    "図",
    "問",
    "項",
    "第",
    "令和",
    "平成",
    "昭和",
    "年度",
    "期間",
    "窓口",
    "番線",
    "号線",
    "国道",
    "都道",
    "県道",
    "ページ",
    "コード",
    "年",
    "月",
    "日",
    "版",
    "ステップ",
    "パターン",
    "ケース",
    "レベル",
)
_ADMIN_SUFFIX = "都道府県市区郡町村"
# A particle between a noun and a hiragana place name (本庁舎はみどり区…) is not part of it.
_PARTICLES = "はがのをにでともへや"
# Hiragana after a ward or city that is grammar, not a place name (みどり区から…).
_FUNCTION_WORDS = (
    "から",
    "まで",
    "より",
    "にて",
    "では",
    "には",
    "への",
    "での",
    "など",
    "ほか",
    *_PARTICLES,
)
_PLACE_END = (
    "町丁村区市台丘野原田谷沢川山島橋坂森浜崎宿袋条通東西南北中上下央"
    "関江井里郷林岡浦屋戸木窪塚津園池松寺込黒布尾瀬倉見城宮平"
)


def _is_place_char(text: str, i: int) -> bool:
    ch = text[i]
    if is_kanji(ch) or is_katakana(ch) or ch in "ケノ":
        return True
    return ch == "が" and 0 < i < len(text) - 1 and is_kanji(text[i - 1]) and is_kanji(text[i + 1])


def _place_run_start(text: str, end: int) -> int:
    """Start of the place-name run that ends at `end` (ward, town, 大字, hiragana city names)."""
    i = end
    while i > 0:
        if _is_place_char(text, i - 1):
            i -= 1
            continue
        if text[i - 1].isdigit() and i < len(text) and text[i] in "条線":
            while i > 0 and text[i - 1].isdigit():
                i -= 1
            continue
        if is_hiragana(text[i - 1]) and i < len(text):
            j = i - 1
            while j > 0 and is_hiragana(text[j - 1]):
                j -= 1
            word = text[j:i]
            after_unit = j > 0 and text[j - 1] in _ADMIN_SUFFIX and len(word) <= 6
            if text[i] in _ADMIN_SUFFIX:
                if j > 0 and text[j] in _PARTICLES and not is_hiragana(text[j - 1]):
                    return j + 1
                i = j
                continue
            if after_unit and not word.startswith(_FUNCTION_WORDS):
                i = j
                continue
        if text[i - 1] == " " and i >= 2 and text[i - 2] in _ADMIN_SUFFIX:
            i -= 1
            continue
        break
    while i < end and text[i] == " ":
        i += 1
    for word in _LEAD_WORDS:
        if text.startswith(word, i) and i + len(word) < end:
            return i + len(word)
    return i


def _has_admin_unit(run: str) -> bool:
    return any(ch in run for ch in "都道府県市区郡") or "大字" in run


def _has_city(run: str) -> bool:
    """Prefecture or city named: then even a bare 丁目 pins down a street (札幌市…北1条西2丁目)."""
    return any(ch in run for ch in "都道府県市")


def _extend_right(text: str, end: int) -> int:
    """Include a room number or a building name with its room after the street part."""
    tail = _ROOM_TAIL.match(text[end:])
    if tail and not _COUNTER_AFTER.match(text[end + tail.end() :]):
        end += tail.end()
    building = _BUILDING_ROOM.match(text[end:])
    if building:
        room = building.group("room")
        if not room[-1:].isdigit() or not _COUNTER_AFTER.match(text[end + building.end() :]):
            return end + building.end()
    only = _BUILDING_ONLY.match(text[end:])
    if only:
        name = only.group("bld")
        for suffix in _BUILDING_SUFFIX:
            k = name.find(suffix)
            if k >= 0:
                return end + only.start("bld") + k + len(suffix)
    return end


def _street_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for m in _CHOME.finditer(text):
        start = _place_run_start(text, m.start())
        has_block = m.end() > m.start() + m.group().index("丁目") + 2
        if start == m.start() or not (has_block or _has_city(text[start : m.start()])):
            continue
        spans.append((start, _extend_right(text, m.end())))
    for m in _BANCHI.finditer(text):
        if _FACILITY_AFTER.match(text[m.end() :]):
            continue
        start = _place_run_start(text, m.start())
        if start == m.start() and not text[m.start() : m.end()].endswith("号"):
            continue
        spans.append((start, _extend_right(text, m.end())))
    for m in _HYPHEN.finditer(text):
        if _COUNTER_AFTER.match(text[m.end() :]):
            continue
        start = _place_run_start(text, m.start())
        place = text[start : m.start()].strip()
        if (
            len(place) < 2
            or place.endswith(_NOT_PLACE_SUFFIX)
            or not any(is_kanji(c) or is_katakana(c) for c in place)
        ):
            continue
        groups = len(re.findall(r"[0-9]+", m.group()))
        if "の" in m.group() and groups < 3:
            continue
        end = _extend_right(text, m.end())
        if groups == 2 and not (_has_admin_unit(place) or place[-1] in _PLACE_END or end > m.end()):
            continue
        spans.append((start, end))
    return spans


def _room_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for m in _ROOM.finditer(text):
        start = m.start()
        while start > 0 and (_is_place_char(text, start - 1) or is_ascii_alnum(text[start - 1])):
            start -= 1
        spans.append((start, m.end()))
    return spans


def _merge(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Join overlapping spans and spans separated only by spaces (postal code + street)."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1] + 1 and not text[merged[-1][1] : start].strip():
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def find_addresses(text: str) -> list[tuple[int, int]]:
    """Spans of street addresses in NFKC-normalised text."""
    spans = _street_spans(text) + _room_spans(text)
    spans += [(m.start(), m.end()) for m in _POSTAL.finditer(text)]
    return _merge(spans, text)
