"""Header mapping: which column holds which field. Known layouts are recognised by their headers alone."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

# The canonical CSV headers: a file with these always imports without any mapping.
CANONICAL = [
    "external_id",
    "title",
    "description",
    "recipient",
    "org_number",
    "municipality",
    "scheme",
    "funding_source",
    "industry_code",
    "amount",
    "amount_paid",
    "amount_applied",
    "status",
    "decision_date",
    "year",
    "labels",
]
# Further fields a file may carry.
EXTRA = ["industry_name", "source_url", "tags", "org_form"]
FIELDS = CANONICAL + EXTRA
IGNORE = ""

FIELD_LABELS = {
    "external_id": _("Case number / identifier"),
    "title": _("Project title"),
    "description": _("Description"),
    "recipient": _("Recipient"),
    "org_number": _("Organisation number"),
    "municipality": _("Municipality"),
    "scheme": _("Scheme"),
    "funding_source": _("Funding source"),
    "industry_code": _("Industry code (NACE)"),
    "industry_name": _("Industry"),
    "amount": _("Amount granted"),
    "amount_paid": _("Amount paid"),
    "amount_applied": _("Amount applied for"),
    "status": _("Status"),
    "decision_date": _("Decision date"),
    "year": _("Year"),
    "labels": _("Strategy labels"),
    "source_url": _("Source URL"),
    "tags": _("Tags"),
    "org_form": _("Organisation form"),
}


def normalise_header(text: str) -> str:
    """`Innvilget.beløp`, `innvilget beløp` and `Innvilget_Beløp` are the same header."""
    text = unicodedata.normalize("NFC", str(text)).strip().lower()
    return re.sub(r"[\s._\-:/()]+", "", text)


# Synonyms seen in real files: Norwegian case systems, Innovasjon Norge, 360Giving flat CSV, SNU's own export.
SYNONYMS: dict[str, list[str]] = {
    "external_id": ["external_id", "saksnummer", "saksnr", "sak", "arkivsak", "id", "identifier", "tilsagnsnummer"],
    "title": ["title", "prosjektnavn", "prosjekttittel", "tittel", "prosjekt", "navn på prosjekt"],
    "description": ["description", "beskrivelse", "prosjektbeskrivelse", "formål", "kort beskrivelse"],
    "recipient": [
        "recipient",
        "søker",
        "tilskuddsmottaker",
        "mottaker",
        "navn",
        "organisasjon",
        "recipient org:name",
        "søkernavn",
    ],
    "org_number": [
        "org_number",
        "organisasjonsnummer",
        "org.nr",
        "orgnr",
        "org nr",
        "org.nr.",
        "recipient org:company number",
    ],
    "municipality": [
        "municipality",
        "kommune",
        "kommunenavn",
        "kommunenummer",
        "kommunenr",
        "beneficiary location:geographic code",
    ],
    "scheme": [
        "scheme",
        "tilskuddsordning",
        "ordning",
        "virkemiddel",
        "virkemiddelgruppe",
        "grant programme:title",
    ],
    "funding_source": [
        "funding_source",
        "finansieringskilde",
        "kilde",
        "oppdragsgiver",
        "budsjettkapittel",
        "snu:funding source",
    ],
    "industry_code": ["industry_code", "næringskode", "nace", "næring", "snu:industry code"],
    "industry_name": ["industry_name", "næringsnavn", "næringshovedområde", "snu:industry name"],
    "amount": [
        "amount",
        "innvilget beløp",
        "innvilget.beløp",
        "tilsagnsbeløp",
        "beløp",
        "bevilget beløp",
        "amount awarded",
    ],
    "amount_paid": ["amount_paid", "utbetalt", "utbetalt beløp", "amount disbursed"],
    "amount_applied": ["amount_applied", "søkt beløp", "omsøkt beløp", "amount applied for"],
    "status": ["status", "saksstatus", "snu:status"],
    "decision_date": [
        "decision_date",
        "vedtaksdato",
        "innvilget.dato",
        "innvilget dato",
        "tilsagnsdato",
        "award date",
    ],
    "year": ["year", "år", "vedtaksår", "tilsagnsår", "snu:year"],
    "labels": ["labels", "snu:labels", "strategikoder", "classifications"],
    "source_url": ["source_url", "url", "kilde-url", "lenke"],
    "tags": ["tags", "snu:tags", "stikkord"],
    "org_form": ["org_form", "organisasjonsform"],
}
_LOOKUP = {normalise_header(s): f for f, names in SYNONYMS.items() for s in names}

# Columns a known layout carries that SNU does not need.
IGNORABLE = {
    normalise_header(h)
    for h in [
        "Fylkesnavn",
        "Fylke",
        "Currency",
        "Recipient Org:Identifier",
        "Funding Org:Identifier",
        "Funding Org:Name",
        "Funding Org:Department",
        "Grant Programme:Code",
        "Beneficiary Location:Name",
        "Recipient Org:Organisation Type",
        "Funding Org:Department",
        "snu_errors",
        "kommunenummer_2024",
        "gjeldende kommune",
    ]
}


@dataclass
class Layout:
    code: str
    label: object
    signature: list[str]
    # Header → field overrides where a synonym alone would be wrong for this layout.
    overrides: dict[str, str] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)


LAYOUTS = [
    Layout(
        "innovasjon_norge",
        _("Innovasjon Norge's grant list"),
        ["Kommunenavn", "Org.nr", "Navn", "Innvilget.beløp", "Virkemiddelgruppe", "Innvilget.dato"],
        overrides={"Beslutningsenhet": "tags", "Næringshovedområde": "tags", "Næring": "industry_code"},
        constants={"funding_source": "Innovasjon Norge", "status": "granted"},
    ),
    Layout("360giving", _("360Giving flat file"), ["Identifier", "Amount Awarded", "Award Date", "Recipient Org:Name"]),
    Layout("case_system", _("Grant case system export"), ["saksnummer", "innvilget beløp"]),
    Layout("snu", _("SNU's canonical layout"), ["amount"]),
]


@dataclass
class Mapping:
    columns: dict[str, str]  # header → field ('' = ignored)
    constants: dict[str, str] = field(default_factory=dict)
    layout: str = ""

    def index_of(self, headers: list[str]) -> dict[str, list[int]]:
        """Field → column positions (tags may come from several columns)."""
        out: dict[str, list[int]] = {}
        for i, h in enumerate(headers):
            f = self.columns.get(h, "")
            if f:
                out.setdefault(f, []).append(i)
        return out

    def missing_required(self) -> list[str]:
        mapped = set(self.columns.values()) | set(self.constants)
        missing = [] if "amount" in mapped else ["amount"]
        if not ({"year", "decision_date"} & mapped):
            missing.append("year")
        return missing


def suggest(headers: list[str]) -> dict[str, str]:
    """Best guess per header: a known synonym, else the closest one, else ignore."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    keys = list(_LOOKUP)
    for h in headers:
        n = normalise_header(h)
        f = _LOOKUP.get(n, "")
        if not f and n and n not in IGNORABLE:
            close = difflib.get_close_matches(n, keys, n=1, cutoff=0.8)
            f = _LOOKUP[close[0]] if close else ""
        if f in taken and f not in {"tags"}:
            f = ""
        if f:
            taken.add(f)
        out[h] = f
    return out


def recognise(headers: list[str]) -> Mapping | None:
    """A known layout when its signature headers are there and every other header has a meaning."""
    normalised = {normalise_header(h) for h in headers}
    for layout in LAYOUTS:
        if not {normalise_header(s) for s in layout.signature} <= normalised:
            continue
        columns = suggest(headers)
        for h in headers:
            for name, target in layout.overrides.items():
                if normalise_header(h) == normalise_header(name):
                    columns[h] = target
        unknown = [h for h in headers if not columns.get(h) and normalise_header(h) not in IGNORABLE and h]
        mapping = Mapping(columns, dict(layout.constants), layout.code)
        if not unknown and not mapping.missing_required():
            return mapping
    return None


def layout_label(code: str) -> object:
    for layout in LAYOUTS:
        if layout.code == code:
            return layout.label
    return _("Mapping confirmed by a person") if code else ""
