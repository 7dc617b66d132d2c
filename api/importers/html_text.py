"""Product descriptions arrive as HTML (Shopify's `Body (HTML)`); search and cards need text."""

from __future__ import annotations

from html.parser import HTMLParser

_BLOCK_TAGS = frozenset({"p", "br", "div", "li", "ul", "ol", "tr", "td", "th", "h1", "h2",
                         "h3", "h4", "h5", "h6", "table", "section", "article", "blockquote"})


class _TextOnly(HTMLParser):
    """Text of an HTML fragment: tags dropped, entities decoded, script/style bodies left out.
    A parser, not a regex, so malformed or hostile markup cannot leak tags through."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden = max(self._hidden - 1, 0)
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The visible text of `html`, whitespace collapsed to single spaces."""
    parser = _TextOnly()
    parser.feed(html)
    parser.close()
    return " ".join("".join(parser.parts).split())
