"""Read a partner CSV file: map headers, validate every row, report every problem at once.

Saving is done by `actions.import_partners`, all or nothing.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.translation import gettext as _

from snu.core.models import Authority
from snu.lib.orgnr import OrgNumberError, normalise_org_number
from snu.partners.models import Partner, PartnerType
from snu.strategy.models import Element, ElementKind, Strategy

# field -> header spellings we recognise (compared case-insensitively, spaces and dots ignored)
HEADERS = {
    "name": ["name", "navn", "partner", "organisasjon"],
    "org_number": ["org_number", "orgnumber", "orgnr", "organisasjonsnummer", "organisationnumber"],
    "partner_type": ["type", "partner_type", "partnertype", "kategori"],
    "org_form": ["org_form", "organisasjonsform", "form"],
    "contact_role": ["contact_role", "kontaktrolle", "rolle"],
    "contact_email": ["contact_email", "email", "e-post", "epost"],
    "website": ["website", "nettside", "hjemmeside"],
    "description": ["description", "beskrivelse"],
    "focus_areas": ["focus_areas", "fokusområder", "fokusomrader", "satsingsområder"],
}
TYPE_WORDS = {
    PartnerType.BUSINESS: ["business", "næringsliv", "bedrift", "næring"],
    PartnerType.RESEARCH: ["research", "fou", "forskning", "kunnskap", "r&d", "kunnskapsinstitusjon"],
    PartnerType.EDUCATION: ["education", "utdanning", "skole"],
    PartnerType.MUNICIPALITY: ["municipality", "kommune"],
    PartnerType.CLUSTER: ["cluster", "klynge"],
    PartnerType.COMPETENCE_CENTRE: ["competence_centre", "kompetansesenter", "competence centre"],
    PartnerType.PUBLIC_AGENCY: ["public_agency", "offentlig etat", "etat", "public agency", "statlig"],
    PartnerType.NGO: ["ngo", "frivillig", "organisasjon", "frivillig organisasjon", "non-profit"],
    PartnerType.OTHER: ["other", "annet", "annen"],
}
MAX_ROWS = 5000


@dataclass
class Problem:
    row: int
    column: str
    value: str
    reason: str


class PartnerImportError(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass
class PartnerRow:
    line: int
    values: dict
    focus_areas: list[Element] | None = None


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)


def _key(header: str) -> str:
    return header.strip().lower().replace(" ", "").replace(".", "").replace("_", "")


def _decode(content: bytes | str) -> str:
    if isinstance(content, str):
        return content
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252")


def _type_of(value: str) -> str | None:
    word = value.strip().lower()
    for choice, words in TYPE_WORDS.items():
        if word in words or word == str(choice.label).lower():
            return choice.value
    return None


def _focus_area_index(authority: Authority) -> dict[str, list[Element]]:
    index: dict[str, list[Element]] = {}
    elements = Element.objects.filter(strategy__authority=authority, kind=ElementKind.FOCUS_AREA).exclude(
        strategy__status=Strategy.Status.ARCHIVED
    )
    for element in elements.select_related("strategy"):
        index.setdefault(element.code.upper(), []).append(element)
        index.setdefault(f"{element.strategy.code}:{element.code}".upper(), []).append(element)
    return index


def read_partner_rows(authority: Authority, content: bytes | str) -> list[PartnerRow]:
    """Parse and validate; raise PartnerImportError listing every problem (row, column, value, reason)."""
    text = _decode(content)
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, None)
    if not header:
        raise PartnerImportError([Problem(1, "", "", _("The file is empty."))])
    columns: dict[str, int] = {}
    known = {_key(spelling): name for name, spellings in HEADERS.items() for spelling in spellings}
    for i, head in enumerate(header):
        name = known.get(_key(head))
        if name and name not in columns:
            columns[name] = i
    if "name" not in columns and "org_number" not in columns:
        raise PartnerImportError(
            [Problem(1, "", ", ".join(header), _("No column for the name or the organisation number."))]
        )
    index = _focus_area_index(authority)
    rows, problems, seen = [], [], {}
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if line > MAX_ROWS + 1:
            problems.append(Problem(line, "", "", _("Too many rows (at most %(max)s).") % {"max": MAX_ROWS}))
            break
        raw = {name: (cells[i].strip() if i < len(cells) else "") for name, i in columns.items()}
        row, row_problems = _validate(line, raw, header, columns, index)
        if row.values.get("org_number"):
            first = seen.setdefault(row.values["org_number"], line)
            if first != line:
                row_problems.append(
                    Problem(
                        line,
                        header[columns["org_number"]],
                        raw["org_number"],
                        _("The same organisation number is on row %(row)s.") % {"row": first},
                    )
                )
        problems.extend(row_problems)
        rows.append(row)
    if problems:
        raise PartnerImportError(problems)
    return rows


def _validate(
    line: int, raw: dict, header: list[str], columns: dict[str, int], index: dict[str, list[Element]]
) -> tuple[PartnerRow, list[Problem]]:
    problems: list[Problem] = []

    def problem(name: str, reason: str) -> None:
        problems.append(Problem(line, header[columns[name]] if name in columns else name, raw.get(name, ""), reason))

    values: dict = {}
    if raw.get("org_number"):
        try:
            values["org_number"] = normalise_org_number(raw["org_number"])
        except OrgNumberError:
            problem("org_number", _("Not a valid organisation number (nine digits with a mod-11 check digit)."))
    if raw.get("name"):
        values["name"] = raw["name"][: Partner._meta.get_field("name").max_length]
    elif "org_number" not in values:
        problem("name", _("A name is required."))
    if raw.get("partner_type"):
        kind = _type_of(raw["partner_type"])
        if kind is None:
            problem("partner_type", _("Unknown partner type."))
        else:
            values["partner_type"] = kind
    if raw.get("contact_email"):
        try:
            validate_email(raw["contact_email"])
            values["contact_email"] = raw["contact_email"]
        except ValidationError:
            problem("contact_email", _("Not an e-mail address."))
    if raw.get("website"):
        try:
            URLValidator()(raw["website"])
            values["website"] = raw["website"]
        except ValidationError:
            problem("website", _("Not a web address (start with https://)."))
    for name in ("org_form", "contact_role", "description"):
        if raw.get(name):
            values[name] = raw[name][:10] if name == "org_form" else raw[name]
    focus_areas = None
    if "focus_areas" in columns:
        focus_areas = []
        for code in [c for c in re.split(r"[;,\s]+", raw["focus_areas"]) if c]:
            found = index.get(code.upper())
            if not found:
                problem("focus_areas", _("Unknown focus area code %(code)s.") % {"code": code})
            else:
                focus_areas.extend(found)
    return PartnerRow(line=line, values=values, focus_areas=focus_areas), problems
