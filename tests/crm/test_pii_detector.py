"""The personal-data guard finds names, phone/fax numbers, e-mail and addresses (N-PRIV-1)."""

from __future__ import annotations

import dataclasses
import statistics
import time

import pytest

from crm.pii import Finding, PiiType, contains_personal_data, scan

pytestmark = pytest.mark.req("N-PRIV-1")

PHONE, EMAIL, NAME, ADDRESS = PiiType.PHONE, PiiType.EMAIL, PiiType.NAME, PiiType.ADDRESS

# (note, type, the exact text of the original note that must be reported)
POSITIVE_CASES = [
    ("折り返し先090-1234-5678", PHONE, "090-1234-5678"),
    ("携帯０９０－１２３４－５６７８へ", PHONE, "０９０－１２３４－５６７８"),
    ("０９０（１２３４）５６７８", PHONE, "０９０（１２３４）５６７８"),
    ("03(3981)1111へ折り返し", PHONE, "03(3981)1111"),
    ("(03)3981-1111の勤務先", PHONE, "(03)3981-1111"),
    ("電話番号は090の1234の5678", PHONE, "090の1234の5678"),
    ("+81-90-1234-5678から", PHONE, "+81-90-1234-5678"),
    ("+81(0)3-3981-1111から", PHONE, "+81(0)3-3981-1111"),
    ("+819012345678から", PHONE, "+819012345678"),
    ("050-1234-5678（IP電話）", PHONE, "050-1234-5678"),
    ("0120-123-456の業者", PHONE, "0120-123-456"),
    ("0800-123-4567に電話", PHONE, "0800-123-4567"),
    ("0466-12-3456から", PHONE, "0466-12-3456"),
    ("042.123.4567へ連絡", PHONE, "042.123.4567"),
    ("0 9 0 1 2 3 4 5 6 7 8 と読み上げ", PHONE, "0 9 0 1 2 3 4 5 6 7 8"),
    ("090 1234 5678へ", PHONE, "090 1234 5678"),
    ("090ー1234ー5678（長音で入力）", PHONE, "090ー1234ー5678"),
    ("090−1234−5678（マイナス記号）", PHONE, "090−1234−5678"),
    ("〇九〇－一二三四－五六七八", PHONE, "〇九〇－一二三四－五六七八"),
    ("FAX03-3981-5599で送りたい", PHONE, "03-3981-5599"),
    ("ＦＡＸ：０３－３９８１－５５９９", PHONE, "０３－３９８１－５５９９"),
    ("TEL03-1234-5678", PHONE, "03-1234-5678"),
    ("携帯番号090-1234-5678", PHONE, "090-1234-5678"),
    ("ご連絡先番号 03-1234-5678", PHONE, "03-1234-5678"),
    ("taro.yamada@example.com へ回答希望", EMAIL, "taro.yamada@example.com"),
    ("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏ．ｊｐへ", EMAIL, "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏ．ｊｐ"),
    ("yamada アットマーク example.com と口頭で", EMAIL, "yamada アットマーク example.com"),
    ("hanako @ example.ne.jp（空白入り）", EMAIL, "hanako @ example.ne.jp"),
    ("Sato.K+city@Example.CO.JP宛", EMAIL, "Sato.K+city@Example.CO.JP"),
    ("山田様より入電", NAME, "山田"),
    ("田中さんから問合せ", NAME, "田中"),
    ("田中氏より通報", NAME, "田中"),
    ("佐藤花子様、児童手当", NAME, "佐藤花子"),
    ("鈴木 一郎さんより", NAME, "鈴木 一郎"),
    ("野村 孝様から", NAME, "野村 孝"),
    ("お名前：高橋美咲、保育園", NAME, "高橋美咲"),
    ("氏名: 伊藤健太 転入届", NAME, "伊藤健太"),
    ("名前は渡辺とのこと", NAME, "渡辺"),
    ("お名前　鈴木一郎", NAME, "鈴木一郎"),
    ("ヤマダ タロウ様から", NAME, "ヤマダ タロウ"),
    ("ヤマダタロウ様", NAME, "ヤマダタロウ"),
    ("ｶﾄｳ様", NAME, "ｶﾄｳ"),
    ("フリガナ：スズキ イチロウ", NAME, "スズキ イチロウ"),
    ("受付はヤマダ ハナコで登録", NAME, "ヤマダ ハナコ"),
    ("山田と名乗る男性", NAME, "山田"),
    ("岡本から電話があった", NAME, "岡本"),
    ("福田名義の口座", NAME, "福田"),
    ("相談者吉田様", NAME, "吉田"),
    ("区民課の山下さんに取次ぎ", NAME, "山下"),
    ("高橋課長から折り返し", NAME, "高橋"),
    ("グエン・ヴァン・ナムさん", NAME, "グエン・ヴァン・ナム"),
    ("スミスさんから英語で", NAME, "スミス"),
    ("長男のゆうとくんの件", NAME, "ゆうと"),
    ("山田さくら様から", NAME, "山田さくら"),
    ("山田エミリー様から", NAME, "山田エミリー"),
    ("勅使河原健太様", NAME, "勅使河原健太"),
    ("佐藤係長へ引継ぎ", NAME, "佐藤"),
    ("山田のお母さんから", NAME, "山田"),
    ("John Smith様から英語で", NAME, "John Smith"),
    ("YAMADA TARO様", NAME, "YAMADA TARO"),
    ("氏名：Nguyen Van Nam、在留カード", NAME, "Nguyen Van Nam"),
    ("南池袋2の45の1から", ADDRESS, "南池袋2の45の1"),
    ("豊島区東池袋1-2-3-1001号室", ADDRESS, "豊島区東池袋1-2-3-1001号室"),
    ("横浜市青葉区あざみ野2-3-4へ転出", ADDRESS, "横浜市青葉区あざみ野2-3-4"),
    ("みどり区から南池袋2-3-4へ転居", ADDRESS, "南池袋2-3-4"),
    ("石井さん（090‐6621‐0034）", PHONE, "090‐6621‐0034"),
    ("東京都豊島区南池袋2丁目45番1号在住", ADDRESS, "東京都豊島区南池袋2丁目45番1号"),
    ("南池袋二丁目45-1から", ADDRESS, "南池袋二丁目45-1"),
    ("〇〇町1-2-3の方", ADDRESS, "〇〇町1-2-3"),
    ("中町１－２－３に住む", ADDRESS, "中町１－２－３"),
    ("サンシャインマンション101号室の住人", ADDRESS, "サンシャインマンション101号室"),
    (
        "〒170-8422 東京都豊島区南池袋2-45-1へ送付",
        ADDRESS,
        "〒170-8422 東京都豊島区南池袋2-45-1",
    ),
    (
        "北町3-4-5 グリーンハイツ203号室",
        ADDRESS,
        "北町3-4-5 グリーンハイツ203号室",
    ),
    ("本町2-3-15-405にお住まい", ADDRESS, "本町2-3-15-405"),
    ("大字北野1234番地の5の農地", ADDRESS, "大字北野1234番地の5"),
    ("さいたま市浦和区高砂3丁目1番4号", ADDRESS, "さいたま市浦和区高砂3丁目1番4号"),
    ("北海道札幌市中央区北1条西2丁目", ADDRESS, "北海道札幌市中央区北1条西2丁目"),
    ("緑が丘1-7-22 メゾン緑が丘202", ADDRESS, "緑が丘1-7-22 メゾン緑が丘202"),
]

NEGATIVE_CASES = [
    "住民税の納付方法について案内。コンビニ納付可と回答。",
    "内線1234へ転送。",
    "内線番号2201の住民税係へ取次ぎ。",
    "受付番号 12345678 の件。",
    "受付番号 0312345678 の件で問合せ。",
    "整理番号 0312 の件。",
    "証明書番号 0312345678 で照会。",
    "基礎年金番号 0123-456789 の確認は年金事務所へ。",
    "粗大ごみ手数料3,000円。",
    "2024年4月1日から制度変更。",
    "2024-04-01付の通知。",
    "2024/04/01に発送。",
    "令和6年度の保険料。",
    "受付時間は8:30〜17:15。",
    "09:00-17:00まで。",
    "今月の問合せは200件。",
    "お客様から住民票の郵送請求について。",
    "皆様にご案内。",
    "皆さんで来庁予定。",
    "担当者様あての書類。",
    "奥様から代理で問合せ。",
    "先生からの紹介。",
    "各位への周知文。",
    "神様のお札の処分。",
    "お子さんの予防接種。",
    "息子さんが代理で申請。",
    "娘さんから介護保険の問合せ。",
    "大家さんとの契約トラブル。",
    "区役所の方に確認してほしい。",
    "ご主人様の転出届。",
    "お母様から代理で申請。",
    "ご家族様からの問合せ。",
    "申請者様の本人確認書類。",
    "利用者様向けの案内。",
    "業者さんに確認。",
    "管理会社さんへ連絡。",
    "民生委員さんを通じて相談。",
    "ケアマネさんと相談。",
    "ヘルパーさんの派遣。",
    "お医者さんの意見書。",
    "赤ちゃんの予防接種。",
    "おばあちゃんの介護認定。",
    "お隣さんとの騒音トラブル。",
    "ご苦労様でした。",
    "セブンイレブンさんで支払い。",
    "観音様の縁日で交通規制。",
    "同様の問合せが3件。",
    "様式第1号を案内。",
    "今後の様子を見て再度相談。",
    "氏名欄の書き方。",
    "氏名変更の手続き。",
    "名前は伺わず一般的な案内のみ。",
    "お名前：未確認",
    "豊島区から転入予定。",
    "池袋から引っ越し予定。",
    "池袋駅から区役所までの行き方。",
    "区役所本庁舎4階 窓口で受付。",
    "南池袋2丁目の交差点で道路陥没。",
    "第1・第3水曜日が資源ごみの日。",
    "1-3月は繁忙期。",
    "3番窓口で交付、2番線ホーム。",
    "国道254号の騒音。",
    "第2号被保険者の保険料。",
    "様式第2-1号。",
    "資料2-1を参照。",
    "2-3日後に発送。",
    "マイナンバーカードの申請方法。",
    "コンビニ交付の利用時間。",
    "インターネットでの申請。",
    "ワクチン接種の予約。",
    "マイナンバーは電話では確認できない。",
    "〒番号の記入欄、郵便番号は7桁。",
    "区のホームページ https://www.city.midori.example.jp/ を案内。",
    "公式アカウント @midori_city_koho を案内。",
    "F0001、F0004のFAQで回答。",
    "上野公園の桜まつり。",
    "中野区役所へ問合せるよう案内。",
    "中野区長への手紙。",
    "担任の先生から書類を受け取った。",
    "校長先生から連絡。",
    "区民課（内線2101）に確認。",
    "0歳児クラスの空き状況。",
    "年額 24,000円を4期に分けて納付。",
    "本庁舎はみどり区中央一丁目にあり、駅から徒歩5分。",
    "NTTさんに連絡するよう案内。",
    "NPOさん経由で相談。",
    "東京電力さんへの問合せを案内。",
    "ハローワークさんで手続き済み。",
    "区長さんに伝えてほしいとの要望。",
    "銀行さんで口座振替の手続き。",
    "中野区長への手紙について。",
    "1番2号窓口で受付。",
    "新宿三丁目駅から徒歩。",
    "都営住宅の申込は区の窓口ではない。",
    "2024年12月1日号の区報に掲載。",
    "国道17号線の工事。",
    "住所変更の届出について案内。",
]


@pytest.mark.parametrize(("note", "kind", "expected"), POSITIVE_CASES)
def test_personal_data_is_found_with_original_offsets(
    note: str, kind: PiiType, expected: str
) -> None:
    findings = [f for f in scan(note) if f.type == kind]
    assert [f.text for f in findings] == [expected]
    finding = findings[0]
    assert note[finding.start : finding.end] == expected
    assert contains_personal_data(note)


@pytest.mark.parametrize("note", NEGATIVE_CASES)
def test_ordinary_notes_are_not_flagged(note: str) -> None:
    assert scan(note) == []
    assert not contains_personal_data(note)


def test_several_types_in_one_note_are_reported_in_text_order() -> None:
    note = "お名前：鈴木花子、電話：03-1234-5678、住所：北町2-3-4、mail: hanako@example.jp"
    found = [(f.type, f.text) for f in scan(note)]
    assert found == [
        (NAME, "鈴木花子"),
        (PHONE, "03-1234-5678"),
        (ADDRESS, "北町2-3-4"),
        (EMAIL, "hanako@example.jp"),
    ]


def test_two_phone_numbers_separated_by_a_space_are_two_findings() -> None:
    assert [f.text for f in scan("03-1111-2222 080-3333-4444")] == [
        "03-1111-2222",
        "080-3333-4444",
    ]


@pytest.mark.parametrize(
    "number", ["090-123-4567", "03-1234-56789", "090-1234-567", "12345678901", "0001234567"]
)
def test_numbers_of_the_wrong_length_are_not_phones(number: str) -> None:
    assert [f for f in scan(number) if f.type == PHONE] == []


def test_offsets_point_into_the_original_when_normalisation_changes_length() -> None:
    note = "㈱の件、ｶﾞｲﾄﾞ済み。山田様 ０９０－１２３４－５６７８"
    findings = scan(note)
    assert [(f.type, note[f.start : f.end]) for f in findings] == [
        (NAME, "山田"),
        (PHONE, "０９０－１２３４－５６７８"),
    ]


def test_finding_is_frozen_and_serialises_to_the_cli_shape() -> None:
    finding = scan("田中さん")[0]
    assert isinstance(finding, Finding)
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.start = 5  # type: ignore[misc]
    assert finding.as_dict() == {"type": "name", "start": 0, "end": 2, "text": "田中"}


def test_a_500_character_note_scans_in_about_a_millisecond() -> None:
    sentence = "山田様より090-1234-5678で入電、南池袋2-45-1在住。住民税は1通300円、8:30〜17:15。"
    note = (sentence * 20)[:500]
    scan(note)
    runs = []
    for _ in range(30):
        begin = time.perf_counter()
        scan(note)
        runs.append(time.perf_counter() - begin)
    # The budget is 1 ms; the bound leaves room for a loaded CI machine.
    assert statistics.median(runs) < 0.005


@pytest.mark.parametrize(
    "note",
    [
        "0-" * 2000,
        "1-" * 2000,
        "ア・" * 2000,
        "a." * 2000 + "@",
        "山" * 3000 + "様",
        "1丁目" * 500,
    ],
)
def test_adversarial_input_does_not_blow_up(note: str) -> None:
    begin = time.perf_counter()
    scan(note)
    assert time.perf_counter() - begin < 2.0
