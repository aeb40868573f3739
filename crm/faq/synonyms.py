"""Municipal vocabulary: what callers and operators say, and the words the FAQ uses for it.

Each group lists equivalent ways of saying one thing (abbreviations, colloquial words, old or
official names). When a query contains any member, the other members are added to the query
at a lower weight. ``RELATED`` maps an everyday word to the official terms it usually means
(one way only: タンス means 粗大ごみ, not the reverse).
"""

from __future__ import annotations

from dataclasses import dataclass

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
    # --- life events: moving -------------------------------------------------------------
    "引っ越し|引越|ひっこし|引っ越す|越してき|越して来|移り住|転勤": (
        "転入",
        "転出",
        "転居",
        "住所変更",
    ),
    "県外|市外|他県|他の市|よその市|地方へ|実家に帰": ("区外", "転出"),
    "同じ区|区の中|近所に引っ越|近くに引っ越": ("区内", "転居"),
    "海外|外国に|移住|赴任|留学|出国": ("海外転出", "国外転出"),
    "外国人|外国の方": ("外国籍",),
    "遅れ|過ぎ|忘れて|してなかった|出してない": ("届出遅れ", "期限超過"),
    "罰金|ペナルティ": ("過料",),
    # --- life events: family ----------------------------------------------------------------
    "結婚|籍を入れ|入籍": ("婚姻", "婚姻届"),
    "別れ|離婚": ("離婚", "離婚届"),
    "生まれる|生まれ|赤ちゃん|出産|産ん": ("出生", "出生届", "出産"),
    "妊娠|妊婦|身ごも": ("妊娠届", "母子健康手帳"),
    "亡くなる|亡くな|死ぬ|死ん|死去|他界|逝去": ("死亡",),
    "葬式|葬儀|お葬式|喪主": ("葬祭費", "死亡届"),
    "シングル|片親|母子|父子": ("ひとり親",),
    # --- work and money ---------------------------------------------------------------------
    "辞める|やめる|辞め|退社|クビ|リストラ|会社やめ|仕事やめ": ("退職", "失業"),
    "無職|働いていない|働いてない|収入がない|収入ない": ("収入なし", "失業"),
    "仕事をなくし|仕事なくし|仕事を失|失業|職を失": ("失業",),
    "就職|入社|働き始め": ("就職", "社会保険加入"),
    "払えない|払えません|払うのが難し|払うのがきつ|お金がない|滞納": (
        "滞納",
        "分割納付",
        "減免",
        "免除",
        "納付猶予",
    ),
    "分割|少しずつ": ("分割納付",),
    "払い忘れ|払うの忘れ|納め忘れ|払ってない|未納": ("納め忘れ", "延滞金"),
    "いつ払|払う時期|支払い時期|支払時期|支払期限|納める時期|払う日": ("納期",),
    "ペイペイ|paypay|クレカ|クレジット|カード払い|スマホで払|アプリで払|バーコード": (
        "スマホ決済",
        "クレジットカード",
    ),
    "安く|高い|下げ": ("軽減", "減免"),
    "戻る|戻って|返金|払い戻|返して": ("払い戻し", "返還"),
    "いくら|値段|料金|費用|お金かか": ("手数料", "金額", "支給額", "料金", "費用"),
    "給料天引き|給与天引き": ("特別徴収",),
    "天引き": ("特別徴収", "年金天引き"),
    "税金": ("住民税", "区税"),
    "家賃": ("住居確保給付金",),
    # --- losing, breaking, throwing away ----------------------------------------------------
    "なくし|無くし|失くし|無くす|失くす|紛失|見当たらな|どっか行|どこかに行|どこかへ行": (
        "紛失",
        "再発行",
        "再交付",
    ),
    "落とし|落とす": ("紛失", "落とし物"),
    "忘れ物|置き忘れ": ("落とし物", "遺失物"),
    "盗まれ|盗難|盗られ": ("盗難",),
    "壊れ|こわれ|故障|割れ": ("故障", "破損"),
    "切れ|消え|つかない|点かない|暗い": ("消灯", "故障"),
    "捨て|処分|出し方|廃棄": ("処分", "出し方", "捨て方"),
    "持って行ってくれ|持っていってくれ|回収されな|収集されな|取り残|残って": (
        "収集漏れ",
        "取り残し",
    ),
    "カラス|散らか|荒らさ|荒らし": ("集積所", "散らかって"),
    # --- asking for something ---------------------------------------------------------------
    "作り|作る|作れ|申し込|申込|申請": ("申請", "申込"),
    "代わり|代理|頼め|頼む|家族が行": ("代理人", "委任状"),
    "郵送|郵便|送って": ("郵送請求",),
    "借り": ("貸出",),
    # --- age and time -----------------------------------------------------------------------
    "二十歳|はたち|20才": ("20歳",),
    "何歳": ("対象", "歳"),
    "いつ": ("時期", "期限", "日"),
    "どこ": ("場所", "窓口"),
    "何時まで|何時から|開いて|やって|営業": ("開庁時間", "開館時間"),
    "土曜|日曜|土日|週末|休みの日|祝日": ("休日窓口", "休日"),
    "夜|夜間": ("夜間",),
    # --- garbage ----------------------------------------------------------------------------
    "タンス|箪笥|ソファ|ベッド|布団|マットレス|本棚|家具|自転車を捨": ("粗大ごみ",),
    "冷蔵庫|洗濯機|テレビ|エアコン": ("家電リサイクル",),
    "電池": ("リチウムイオン電池", "有害ごみ"),
    "バッテリー": ("リチウムイオン電池", "モバイルバッテリー"),
    "携帯電話|ガラケー|スマホ+捨て|携帯+捨て|ゲーム機": ("小型家電",),
    "堆肥|コンポスト|生ごみ": ("コンポスト", "生ごみ処理機"),
    "回収": ("収集",),
    "ゴミ出し|ごみ出し|ごみの日|ゴミの日": ("収集日", "出し方"),
    "分け方|分ける": ("分別",),
    "誰か+捨て|勝手に捨て|捨てていった|捨てられ": ("不法投棄",),
    # --- roads, parks, housing --------------------------------------------------------------
    "穴|へこ|凹|陥没|でこぼこ|段差": ("陥没", "穴"),
    "電灯|ライト|街灯": ("街路灯",),
    "木の枝|枝": ("街路樹", "剪定"),
    "自転車+持っていかれ|持って行かれ|撤去され|取りに|なくなっ": ("自転車保管所", "返還"),
    "車で|車を|停め|止め|駐車": ("駐車場",),
    "家具+倒れ|転倒": ("家具転倒防止",),
    # --- disasters --------------------------------------------------------------------------
    "台風|地震|大雨|災害|火事|水害|浸水+壊れ|被害|傾|証明": ("罹災証明書", "被害"),
    "台風": ("土のう", "避難情報"),
    "浸水": ("土のう",),
    # --- care, welfare, health --------------------------------------------------------------
    "ヘルパー|デイサービス|足腰|寝たきり|介護が必要|介護が要": ("介護サービス", "要介護認定"),
    "ケアマネ": ("介護サービス", "地域包括支援センター"),
    "老人ホーム": ("介護サービス", "不在者投票"),
    "認知症|物忘れ|ぼけ|お金の管理": ("成年後見", "地域包括支援センター"),
    "見かけな|姿を見な|安否|孤独死|一人暮らし": ("見守り", "安否確認"),
    "車いす|車椅子": ("福祉用具", "障害福祉サービス"),
    "年寄り|老人|お年寄り|おばあちゃん|おじいちゃん": ("高齢者",),
    "子供": ("子ども", "児童"),
    "幼稚園": ("保育園", "入園"),
    "歯医者": ("歯科健診",),
    "問診票": ("予診票",),
    "病院代": ("医療費",),
    "熱が出|熱がある|発熱": ("発熱",),
    "咳": ("発熱", "受診"),
    "打てる|打ちたい|打つ": ("接種",),
    # --- certificates and cards -------------------------------------------------------------
    "バイク|スクーター": ("原付",),
    "ナンバー+原付|バイク": ("ナンバープレート",),
    "スマホ": ("スマートフォン", "スマホ決済"),
    "車検": ("継続検査",),
    "住所": ("住所変更",),
    "住所の証明": ("住民票",),
    "本籍": ("戸籍",),
    "相続": ("除籍謄本", "戸籍", "除票"),
    "健康保険": ("国民健康保険", "社会保険"),
    "はがき|ハガキ+投票|選挙": ("入場整理券",),
    "本を借り": ("貸出",),
    "勝手に": ("不受理申出",),
    "ペット|犬|猫+死|亡くな": ("ペット", "死亡"),
}
"""Trigger → official terms. A trigger is one or more ``+``-joined parts, each a ``|``-list of
alternatives; it fires when every part has an alternative in the query (as text, or as the
dictionary form of a word in it: 生まれる fires for 産まれた)."""


def _normalised_groups() -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(normalise(t) for t in g) for g in GROUPS)


Trigger = tuple[tuple[str, ...], ...]
_MASK_MIN = 4
"""A known term this long hides its parts from the concept triggers: 口座引き落とし is not a
lost thing (落とし), マイナンバーカード is not a number plate (ナンバー)."""


def _parse_trigger(text: str) -> Trigger:
    return tuple(tuple(normalise(a) for a in part.split("|")) for part in text.split("+"))


def _normalised_related() -> list[tuple[Trigger, tuple[str, ...]]]:
    return [(_parse_trigger(k), tuple(normalise(t) for t in v)) for k, v in RELATED.items()]


NORMALISED_GROUPS = _normalised_groups()
NORMALISED_RELATED = _normalised_related()


def _fires(trigger: Trigger, query: str, lemmas: frozenset[str]) -> bool:
    return all(any(a in query or a in lemmas for a in part) for part in trigger)


@dataclass(frozen=True)
class Concept:
    """A concept a query mentions: the words of the query that said it, and its official
    terms (either counts as the concept being covered by an entry)."""

    said: frozenset[str]
    terms: tuple[str, ...]


def concepts(query: str, lemmas: frozenset[str] = frozenset()) -> list[Concept]:
    """The thesaurus concepts a normalised query mentions (long known terms hide their parts)."""
    masked = _mask(query)
    out: list[Concept] = []
    for trigger, targets in NORMALISED_RELATED:
        if _fires(trigger, masked, lemmas):
            said = frozenset(a for part in trigger for a in part if a in masked or a in lemmas)
            out.append(Concept(said, targets))
    return out


def _mask(query: str) -> str:
    for group in NORMALISED_GROUPS:
        if any(term in query for term in group):
            for term in group:
                if len(term) >= _MASK_MIN:
                    query = query.replace(term, " ")
    return query


def expansion_groups(query: str, lemmas: frozenset[str] = frozenset()) -> list[tuple[str, ...]]:
    """Alternatives to add to a normalised query, one tuple per group or concept it mentions
    (an entry scores with the best member of each tuple, not with all of them). ``lemmas`` are
    the dictionary forms of the query's words (:func:`crm.faq.normalize.lemmas`)."""
    out: list[tuple[str, ...]] = []
    masked = query
    for group in NORMALISED_GROUPS:
        if any(term in query for term in group):
            rest = tuple(t for t in group if t not in query)
            if rest:
                out.append(rest)
            for term in group:
                if len(term) >= _MASK_MIN:
                    masked = masked.replace(term, " ")
    query = masked
    for trigger, targets in NORMALISED_RELATED:
        if _fires(trigger, query, lemmas):
            rest = tuple(t for t in targets if t not in query)
            if rest:
                out.append(rest)
    return out


def expansions(query: str, lemmas: frozenset[str] = frozenset()) -> list[str]:
    """Every alternative term for a normalised query, flattened."""
    return list(dict.fromkeys(t for g in expansion_groups(query, lemmas) for t in g))
