#!/usr/bin/env python
"""Translation helper: list the untranslated messages of a .po file, or fill them from a JSON map.

    scripts/po.py missing snu/core/locale/nb/LC_MESSAGES/django.po
    scripts/po.py fill snu/core/locale/nb/LC_MESSAGES/django.po translations.json

The JSON map is {"msgid": "msgstr"} or, for plurals, {"msgid": ["singular", "plural"]}.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ENTRY = re.compile(r'(?ms)^(#[^\n]*\n)*msgid ((?:"[^\n]*"\n)+)(msgid_plural ((?:"[^\n]*"\n)+))?((?:msgstr[^\n]*\n(?:"[^\n]*"\n)*)+)')


def _join(block: str) -> str:
    return "".join(json.loads(line) for line in block.strip().splitlines())


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def entries(text: str):
    for m in ENTRY.finditer(text):
        msgid = _join(m.group(2))
        if msgid:
            yield m, msgid, bool(m.group(3))


def is_empty(msgstr_block: str) -> bool:
    return all(_join(part) == "" for part in re.findall(r'msgstr(?:\[\d\])? ((?:"[^\n]*"\n)+)', msgstr_block))


def missing(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return [msgid for m, msgid, _ in entries(text) if is_empty(m.group(5)) or "#, fuzzy" in (m.group(0))]


def fill(path: Path, table: dict) -> int:
    text = path.read_text(encoding="utf-8")
    out, last, count = [], 0, 0
    for m, msgid, plural in entries(text):
        if msgid not in table:
            continue
        value = table[msgid]
        head = m.group(0)[: m.start(5) - m.start(0)].replace("#, fuzzy\n", "").replace(", fuzzy", "")
        if plural:
            forms = value if isinstance(value, list) else [value, value]
            body = "".join(f"msgstr[{i}] {_quote(f)}\n" for i, f in enumerate(forms))
        else:
            body = f"msgstr {_quote(value)}\n"
        out.append(text[last : m.start()] + head + body)
        last = m.end()
        count += 1
    out.append(text[last:])
    path.write_text("".join(out), encoding="utf-8")
    return count


if __name__ == "__main__":
    verb, po = sys.argv[1], Path(sys.argv[2])
    if verb == "missing":
        print(json.dumps({m: "" for m in missing(po)}, ensure_ascii=False, indent=1))
    else:
        print(fill(po, json.loads(Path(sys.argv[3]).read_text(encoding="utf-8"))), "filled")
