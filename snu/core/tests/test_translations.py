"""Every user-facing message has a bokmål and nynorsk translation, compiled into the .mo the app loads."""

from __future__ import annotations

import gettext
import importlib.util
from pathlib import Path

import pytest

SNU = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("po", SNU.parent / "scripts" / "po.py")
po = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
spec.loader.exec_module(po)  # type: ignore[union-attr]

CATALOGS = sorted(p for lang in ("nb", "nn") for p in SNU.glob(f"*/locale/{lang}/LC_MESSAGES/django.po"))


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: str(p.relative_to(SNU)))
def test_it_has_no_untranslated_message(path: Path):
    assert po.missing(path) == []


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: str(p.relative_to(SNU)))
def test_the_compiled_catalog_matches_the_source(path: Path):
    with path.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    text = path.read_text(encoding="utf-8")
    for _m, msgid, plural in po.entries(text):
        if not plural:
            assert compiled.gettext(msgid) != msgid or msgid in text.split(f"msgstr {po._quote(msgid)}")[0], msgid
