"""Texts held per language in the data ({"nb": …, "en": …}), read in the user's language."""

from __future__ import annotations

from django.utils import translation

FALLBACKS = {"nn": ["nn", "nb", "en"], "en": ["en", "nb", "nn"], "nb": ["nb", "nn", "en"]}


def pick(texts: dict | str | None, lang: str | None = None) -> str:
    """The text in `lang` (default: the active language), falling back to a sibling language."""
    if not texts:
        return ""
    if isinstance(texts, str):
        return texts
    lang = (lang or translation.get_language() or "nb").split("-")[0]
    for code in FALLBACKS.get(lang, [lang, "nb", "en"]):
        if texts.get(code):
            return str(texts[code])
    return str(next((v for v in texts.values() if v), ""))
