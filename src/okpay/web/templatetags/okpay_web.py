"""Template helpers shared by every page."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def bcp47(language_code: str) -> str:
    """Django's language code as an HTML ``lang`` tag (BCP 47).

    ``zh-hans`` → ``zh-Hans``, ``en-gb`` → ``en-GB``.
    """
    parts = [p for p in str(language_code).replace("_", "-").split("-") if p]
    if not parts:
        return ""
    tag = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            tag.append(part.title())
        elif len(part) == 2 and part.isalpha():
            tag.append(part.upper())
        else:
            tag.append(part.lower())
    return "-".join(tag)
