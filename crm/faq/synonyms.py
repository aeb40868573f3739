"""Municipal vocabulary: what callers and operators say, and the words the FAQ uses for it.

Each group lists equivalent ways of saying one thing (abbreviations, colloquial words, old or
official names). When a query contains any member, the other members are added to the query
at a lower weight. ``RELATED`` maps an everyday word to the official terms it usually means
(one way only: タンス means 粗大ごみ, not the reverse).
"""

from __future__ import annotations

from crm.faq.normalize import normalise

GROUPS: tuple[tuple[str, ...], ...] = (
    ("国保", "国民健康保険"),
    ("社保", "社会保険"),
    ("後期高齢", "後期高齢者医療", "長寿医療"),
    ("マイナ", "マイナンバー"),
    ("マイナカード", "マイナンバーカード", "個人番号カード"),
    ("通知カード", "個人番号通知"),
    ("住基", "住民基本台帳"),
    ("住民票の写し", "住民票"),
    ("印鑑証明", "印鑑登録証明書", "印鑑証明書"),
    ("はんこ", "判子", "印鑑", "印章"),
    ("実印", "印鑑登録"),
    ("ごみ", "塵", "廃棄物"),
    ("粗大", "粗大ごみ"),
    ("戸籍謄本", "戸籍全部事項証明", "全部事項証明"),
    ("戸籍抄本", "戸籍個人事項証明", "個人事項証明"),
    ("児手", "児童手当"),
    ("児扶", "児童扶養手当"),
    ("生保", "生活保護"),
    ("身障手帳", "身体障害者手帳"),
    ("障害者手帳", "障がい者手帳", "障碍者手帳"),
    ("療育手帳", "愛の手帳"),
    ("住民税", "区民税", "市民税", "都民税", "特別区民税"),
    ("課税証明", "所得証明", "課税証明書", "所得証明書"),
    ("原付", "原チャリ", "原動機付自転車", "スクーター"),
    ("育休", "育児休業"),
    ("産休", "産前産後休業"),
    ("保育園", "保育所"),
    ("学童", "学童クラブ", "学童保育"),
    ("包括", "地域包括支援センター", "地域包括"),
    ("介護認定", "要介護認定"),
    ("罹災", "罹災証明", "被災証明", "り災"),
    ("期日前", "期日前投票"),
    ("入場券", "入場整理券", "投票所入場券", "投票券"),
    ("街灯", "街路灯", "防犯灯"),
    ("インフル", "インフルエンザ"),
    ("コロナ", "新型コロナ", "新型コロナウイルス"),
    ("健康診断", "健診"),
    ("出産一時金", "出産育児一時金"),
    ("保険証", "資格確認書", "被保険者証"),
    ("おくやみ", "お悔やみ"),
    ("dv", "配偶者暴力", "家庭内暴力"),
    ("役所", "区役所", "役場", "庁舎"),
    ("開庁時間", "受付時間", "営業時間", "窓口時間"),
    ("予防接種", "ワクチン", "接種"),
    ("特定健診", "メタボ健診"),
    ("督促", "督促状", "催告"),
    ("口座振替", "口座引き落とし", "引き落とし", "口座振替え"),
    ("不法投棄", "ポイ捨て"),
    ("避難所", "避難場所"),
    ("ハザードマップ", "防災マップ"),
    ("ひとり親", "母子家庭", "父子家庭", "シングルマザー", "シングルファーザー"),
    ("虐待", "ネグレクト"),
    ("耐震", "耐震診断", "耐震補強"),
    ("区営住宅", "公営住宅", "区営"),
    ("ふるさと納税", "ふるさと"),
    ("除票", "住民票の除票"),
    ("転出証明", "転出証明書"),
    ("電子証明書", "電子証明"),
    ("暗証番号", "パスワード", "暗証"),
    ("コンビニ交付", "コンビニ"),
    ("成年後見", "後見人"),
)

RELATED: dict[str, tuple[str, ...]] = {
    "引っ越し": ("転入", "転出", "転居", "住所変更"),
    "引越し": ("転入", "転出", "転居", "住所変更"),
    "引越": ("転入", "転出", "転居", "住所変更"),
    "ひっこし": ("転入", "転出", "転居", "住所変更"),
    "結婚": ("婚姻", "婚姻届"),
    "籍を入れ": ("婚姻届",),
    "入籍": ("婚姻届",),
    "別れ": ("離婚",),
    "生まれ": ("出生", "出生届"),
    "赤ちゃん": ("出生", "出産"),
    "亡くな": ("死亡",),
    "死ん": ("死亡",),
    "なくした": ("紛失",),
    "無くした": ("紛失",),
    "失くした": ("紛失",),
    "落とした": ("紛失", "落とし物"),
    "忘れ物": ("落とし物", "遺失物"),
    "壊れ": ("故障", "破損"),
    "切れ": ("消灯", "故障"),
    "捨て": ("処分", "出し方"),
    "辞め": ("退職",),
    "クビ": ("退職", "失業"),
    "払えない": ("滞納", "分割納付", "減免", "相談"),
    "安く": ("軽減", "減免"),
    "いくら": ("手数料", "金額", "支給額"),
    "いつ": ("時期", "期限", "日"),
    "どこ": ("場所", "窓口"),
    "タンス": ("粗大ごみ",),
    "たんす": ("粗大ごみ",),
    "箪笥": ("粗大ごみ",),
    "ソファ": ("粗大ごみ",),
    "ベッド": ("粗大ごみ",),
    "布団": ("粗大ごみ",),
    "マットレス": ("粗大ごみ",),
    "本棚": ("粗大ごみ",),
    "冷蔵庫": ("家電リサイクル",),
    "洗濯機": ("家電リサイクル",),
    "テレビ": ("家電リサイクル",),
    "エアコン": ("家電リサイクル",),
    "電池": ("リチウムイオン電池", "有害ごみ"),
    "バッテリー": ("リチウムイオン電池", "モバイルバッテリー"),
    "バイク": ("原付",),
    "スマホ": ("スマートフォン", "スマホ決済"),
    "車検": ("継続検査",),
    "子供": ("子ども", "児童"),
    "年寄り": ("高齢者",),
    "老人": ("高齢者",),
    "お年寄り": ("高齢者",),
    "税金": ("住民税", "区税"),
    "家賃": ("住居確保給付金",),
    "穴": ("陥没",),
    "住所": ("住所変更",),
}


def _normalised_groups() -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(normalise(t) for t in g) for g in GROUPS)


def _normalised_related() -> dict[str, tuple[str, ...]]:
    return {normalise(k): tuple(normalise(t) for t in v) for k, v in RELATED.items()}


NORMALISED_GROUPS = _normalised_groups()
NORMALISED_RELATED = _normalised_related()


def expansion_groups(query: str) -> list[tuple[str, ...]]:
    """Alternatives to add to a normalised query, one tuple per group or related word it
    mentions (an entry scores with the best member of each tuple, not with all of them)."""
    out: list[tuple[str, ...]] = []
    for group in NORMALISED_GROUPS:
        if any(term in query for term in group):
            rest = tuple(t for t in group if t not in query)
            if rest:
                out.append(rest)
    for trigger, targets in NORMALISED_RELATED.items():
        if trigger in query:
            rest = tuple(t for t in targets if t not in query)
            if rest:
                out.append(rest)
    return out


def expansions(query: str) -> list[str]:
    """Every alternative term for a normalised query, flattened."""
    return list(dict.fromkeys(t for g in expansion_groups(query) for t in g))
