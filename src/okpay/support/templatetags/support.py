from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def tr(obj: Any, attr: str, lang: str) -> str:
    """``{% tr article "title" lang %}``: a model's text in the page language (or fallback)."""
    return str(getattr(obj, attr)(lang))
