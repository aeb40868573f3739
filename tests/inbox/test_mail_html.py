"""Safe text extraction from HTML mail."""

from __future__ import annotations

import pytest

from inbox.parse.html import html_to_text


@pytest.mark.req("F-1.6.1")
def test_scripts_styles_and_hidden_sections_never_reach_the_text() -> None:
    html = (
        "<html><head><title>TITLE</title><style>p{color:red}</style>"
        "<script>var SCRIPT1=1</script></head><body>"
        "<!-- COMMENT --><template>TEMPLATE</template><noscript>NOSCRIPT</noscript>"
        '<p onclick="ONCLICK()" style="STYLEATTR">本文</p>'
        "<SCRIPT type=text/javascript>SCRIPT2()</SCRIPT>"
        "<svg><script>SCRIPT3</script><text>SVGTEXT</text></svg>"
        '<a href="javascript:HREF()">リンク</a><script>UNCLOSED'
    )
    text = html_to_text(html)
    for hidden in (
        "TITLE",
        "color",
        "SCRIPT",
        "COMMENT",
        "TEMPLATE",
        "NOSCRIPT",
        "ONCLICK",
        "STYLEATTR",
        "SVGTEXT",
        "HREF",
        "UNCLOSED",
    ):
        assert hidden not in text
    assert "<" not in text
    assert text == "本文\n\nリンク"


@pytest.mark.req("F-1.6.1")
def test_block_elements_and_br_become_line_breaks_and_entities_decode() -> None:
    html = "<div>一行目<br>二行目</div><div>三&amp;四&nbsp;&#x5186;&lt;b&gt;</div><p>段落</p>"
    assert html_to_text(html) == "一行目\n二行目\n三&四 円<b>\n\n段落"


@pytest.mark.req("F-1.6.1")
def test_whitespace_inside_paragraphs_collapses() -> None:
    html = "<p>  住民票\n\n   の   請求  </p>\n\n\n<ul><li>一</li>\n<li>二</li></ul>"
    assert html_to_text(html) == "住民票 の 請求\n\n・一\n・二"
