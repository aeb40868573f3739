"""Word lists for name detection: what may stand before 様/さん without being a person's name."""

from __future__ import annotations

# Whole tokens before an honorific that are ordinary words (お客様 and ご主人様 are caught by
# their お/ご prefix; these have none).
_STOP_WORDS_TEXT = """
    皆 各位 奥 旦那 神 仏 王 殿 若 姫 貴 人 他人 世間 天道 先祖 同 多 模 仕
    異 一 有 文 今 両 担当 担任 主治医 大家 家主 地主 隣人 近所 相手 主人 本人
    家族 遺族 親族 両親 息子 双子 親子 子 孫 兄 姉 弟 妹 母 父 祖母 祖父 夫
    妻 嫁 婿 娘 赤 坊 嬢 婆 爺 叔母 伯母 叔父 伯父 義母 義父 義兄 義姉 兄弟
    姉妹 長男 次男 三男 長女 次女 三女 実母 実父 養母 養父 継母 継父 甥 姪
    従兄弟 通訳 大工 警察 消防 郵便 新聞 八百 魚 肉 花 酒 米 豆腐 蕎麦 歯医
    獣医 町内 組合 自治 当番 幹事 先方 相談 申請 契約 利用 依頼 通報 発信 担任
    教頭 保護 後見 代理 委任 匿名 不明 未確認 本日 同日 当日 仲間 友達 友人 知人
    恋人 彼 彼女 家政 介護 看護 保育 支援 相談員 民生 児童 生徒 外国 日本 中国
    韓国 米国 英国 役所 区 市 都 県 国 町 村 上 下 中 外 内 前 後 左 右
    此方 其方 観音 地蔵 大仏 天神 稲荷 八幡 恵比寿 大黒 弁天 不動 明神 菩薩 如来
    閻魔 外様 左様 如何 何 逆 直 某 諸 源 包括 社協 包括支援
"""
STOP_WORDS: frozenset[str] = frozenset(_STOP_WORDS_TEXT.split())

# Last characters of role, kinship and organisation words (利用者, 職員, 課長, 区民課, 保育園).
STOP_SUFFIXES: str = (
    "者員長人民師士官医主族客生手婦嬢坊親任査事役伴友僚輩将王神仏母父兄姉弟妹孫嫁婿娘妻婆爺児"
    "課係局署社会所院園校館店部室庁団省府県都区市協連組業界屋側達等方様宅駅線港国班隊科"
)

# Organisation words that end a run (吉田病院, 千葉銀行): such a run is not a person.
ORG_TAILS: tuple[str, ...] = (
    "銀行",
    "信金",
    "病院",
    "医院",
    "公園",
    "商店",
    "工務店",
    "建設",
    "不動産",
    "薬局",
    "商事",
    "産業",
    "工業",
    "運輸",
    "電気",
    "興業",
    "事務所",
    "法律",
    "大学",
    "高校",
    "中学",
    "小学",
    "学園",
    "神社",
    "寺",
    "教会",
    "整骨",
    "接骨",
    "歯科",
    "通り",
    "公民",
    "会館",
    "交番",
    "団地",
    "住宅",
    "荘",
    "通",
    "町",
    "村",
    "丁目",
    "新田",
    "台",
    "丘",
)

# Titles that follow a surname inside the same kanji run (山田課長さん, 田中先生).
TITLE_WORDS: tuple[str, ...] = (
    "様",
    "氏",
    "君",
    "殿",
    "課長",
    "係長",
    "部長",
    "所長",
    "社長",
    "院長",
    "園長",
    "校長",
    "会長",
    "町会長",
    "主任",
    "主査",
    "主事",
    "先生",
    "医師",
    "議員",
    "委員",
    "担当",
    "本人",
    "名義",
    "宛",
    "宅",
    "家",
    "一家",
    "夫妻",
    "夫婦",
)

# Katakana words that stand before さん/様 without being names (loanwords for roles and things).
_KATAKANA_STOP_TEXT = """
    スタッフ ヘルパー ケアマネ ケアマネージャー ケアマネジャー ドライバー オーナー ママ
    パパ ベビー ベビーシッター シッター ボランティア サポーター コーディネーター
    マネージャー マネジャー リーダー ガイド ゲスト メンバー ユーザー ファン カスタマー
    クライアント オペレーター コンシェルジュ センター サービス メーカー ショップ ストア
    コンビニ ケースワーカー ワーカー ソーシャルワーカー カウンセラー トレーナー コーチ
    シェフ パート アルバイト バイト ドクター ナース ポリス サンタ ホスト ホステス
    マダム ミセス ミス ミスター ファミリー チーム グループ クラス ペット キッズ
    ジュニア シニア オバ オジ オヤジ ジジ ババ アニキ アネキ ワン ニャン ネコ イヌ
    ウサギ クマ パン パンダ アンパンマン ウルトラマン プリンセス キング クイーン
    ベテラン ルーキー レジ ホームヘルパー デイサービス ショートステイ マンション
    アパート ハイツ コーポ ビル
"""
KATAKANA_STOP: frozenset[str] = frozenset(_KATAKANA_STOP_TEXT.split())

# Parts of katakana shop, company and service names (セブンイレブンさん, ドコモショップさん).
KATAKANA_STOP_PARTS: tuple[str, ...] = (
    "ショップ",
    "ストア",
    "イレブン",
    "マート",
    "センター",
    "サービス",
    "ステーション",
    "クリニック",
    "ホーム",
    "ハウス",
    "マンション",
    "ネット",
    "カード",
    "システム",
    "スクール",
    "ホテル",
    "グループ",
    "カンパニー",
    "ワーカー",
    "ヘルパー",
    "マネージャー",
    "スタッフ",
    "オフィス",
    "ファミリー",
    "タクシー",
    "バス",
    "モバイル",
    "ドコモ",
    "ソフトバンク",
    "ローソン",
    "ファミマ",
    "コンビニ",
    "スーパー",
    "デパート",
    "ドラッグ",
    "ガス",
    "電力",
)

# Hiragana words before ちゃん/くん/さん that are not given names.
_HIRAGANA_STOP_TEXT = """
    あか ばあ じい にい ねえ あん とう かあ ぼっ みな おば おじ たく ばっ じっ
    おにい おねえ おかあ おとう おじい おばあ ねこ いぬ わん にゃん くま うさ ぱぱ
    まま おまわり おいしゃ ありが おつかれ ごちそう おかげ さまざ あり いろいろ
"""
HIRAGANA_STOP: frozenset[str] = frozenset(_HIRAGANA_STOP_TEXT.split())

# What stands in a name field when the caller gave no name.
PLACEHOLDERS: tuple[str, ...] = (
    "未確認",
    "不明",
    "匿名",
    "非通知",
    "聞き取れず",
    "伺えず",
    "伺わず",
    "伺っていない",
    "名乗らず",
    "なし",
    "無し",
    "記載なし",
    "省略",
    "確認済",
    "本人",
    "○○",
    "〇〇",
    "××",
    "欄",
    "空欄",
    "任意",
    "不要",
    "未記入",
)
