"""Markdown → safe HTML for help articles.

Raw HTML in the source is not passed through: the block and inline HTML processors are
removed, so ``<script>`` shows as text. Links may only use http(s), mailto, tel or be
relative; anything else (``javascript:``) loses its href.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import markdown  # type: ignore[import-untyped]
from django.utils.safestring import SafeString, mark_safe
from markdown.extensions import Extension  # type: ignore[import-untyped]
from markdown.treeprocessors import Treeprocessor  # type: ignore[import-untyped]

_SAFE_URL = re.compile(r"^(https?:|mailto:|tel:|/|#|[\w.-]+(?:/|$))", re.IGNORECASE)


class _SafeLinks(Treeprocessor):
    def run(self, root: ET.Element) -> None:
        for el in root.iter():
            for attr in ("href", "src"):
                url = el.get(attr)
                if url is not None and not _SAFE_URL.match(url.strip()):
                    del el.attrib[attr]
            if el.tag == "a" and el.get("href", "").startswith(("http://", "https://")):
                el.set("rel", "noopener noreferrer")
            if el.tag == "table":
                el.set("class", "md-table")


class _NoRawHtml(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_SafeLinks(md), "okpay_safe_links", 0)


def render_markdown(source: str) -> SafeString:
    md = markdown.Markdown(extensions=["tables", "sane_lists", _NoRawHtml()], output_format="html")
    return mark_safe(md.convert(source))  # noqa: S308 — raw HTML disabled, URLs filtered
