"""Safe plain-text extraction from HTML mail.

Only text nodes outside script/style/head/template/noscript (and similar) survive; tags,
attributes (onclick, style, href javascript:) and comments never reach the output. The result
is plain text meant to be escaped by whatever displays it.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_DROP = frozenset(
    {
        "script",
        "style",
        "head",
        "template",
        "noscript",
        "title",
        "iframe",
        "object",
        "embed",
        "svg",
        "math",
        "select",
        "textarea",
        "button",
        "canvas",
        "audio",
        "video",
        "xml",
    }
)
_VOID = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    }
)
_BLOCK = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "html",
        "legend",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "tfoot",
        "thead",
        "tr",
        "ul",
    }
)
_CELL = frozenset({"td", "th"})
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u202a-\u202e\u2066-\u2069\ufeff]")
_SPACES = re.compile(r"[ \t\f\r\n\u00a0]+")
_LINE_SPACES = re.compile(r"[ \t\u3000]*\n[ \t\u3000]*")
_MANY_BREAKS = re.compile(r"\n{3,}")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.drop_depth = 0
        self.drop_stack: list[str] = []
        self.pre_depth = 0

    def _newline(self, count: int = 1) -> None:
        """Ask for ``count`` line breaks; adjacent requests merge instead of adding up."""
        while self.chunks and self.chunks[-1] and not self.chunks[-1].strip(" "):
            self.chunks.pop()
        if self.chunks and self.chunks[-1].startswith("\x01"):
            count = max(count, len(self.chunks[-1]))
            self.chunks[-1] = "\x01" * count
        else:
            self.chunks.append("\x01" * count)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag = tag.lower()
        if tag in _DROP:
            if tag not in _VOID:
                self.drop_stack.append(tag)
            return
        if self.drop_stack:
            return
        if tag == "br":
            self.chunks.append("\x00")
        elif tag in _BLOCK:
            self._newline(2 if tag in {"p", "blockquote", "table", "h1", "h2", "h3"} else 1)
            if tag == "pre":
                self.pre_depth += 1
            if tag == "li":
                self.chunks.append("・")
        elif tag in _CELL:
            self.chunks.append("\t")
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.chunks.append(_SPACES.sub(" ", alt))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag.lower() in _DROP:
            return
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        tag = tag.lower()
        if self.drop_stack:
            if tag in self.drop_stack:
                while self.drop_stack and self.drop_stack.pop() != tag:
                    pass
            return
        if tag in _BLOCK:
            self._newline(2 if tag in {"p", "blockquote", "table", "h1", "h2", "h3"} else 1)
            if tag == "pre" and self.pre_depth:
                self.pre_depth -= 1

    def handle_data(self, data: str) -> None:
        if self.drop_stack:
            return
        if self.pre_depth:
            self.chunks.append(data.replace("\r\n", "\n").replace("\n", "\x00"))
        else:
            self.chunks.append(_SPACES.sub(" ", data))


def html_to_text(html: str) -> str:
    """Plain text of an HTML document: no markup, scripts, styles or comments."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    text = "".join(parser.chunks)
    text = text.replace("\x00", "\n").replace("\x01", "\n").replace("\u00a0", " ")
    text = _CONTROL.sub("", text)
    text = _LINE_SPACES.sub("\n", text)
    text = _MANY_BREAKS.sub("\n\n", text)
    return text.strip()
