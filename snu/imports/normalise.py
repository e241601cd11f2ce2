"""Normalisation with validation: each cell becomes a typed value, or a problem (row, column, value, reason).

Written for throughput: one pass, caches for repeated values (schemes, municipalities, dates), no ORM per row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from operator import itemgetter
from typing import Any, NamedTuple

from django.utils.translation import gettext as _

from snu.grants.municipalities import MunicipalityError, MunicipalityResolver
from snu.imports.layouts import Mapping
from snu.lib.money import MoneyError, parse_amount
from snu.lib.orgnr import check_digit

EXCEL_EPOCH = dt.date(1899, 12, 30)
_DMY = re.compile(r"(\d{1,2})[./](\d{1,2})[./](\d{2}|\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?")
_YEAR = re.compile(r"(19\d\d|20\d\d)")
_INDUSTRY = re.compile(r"(\d{2}(?:\.\d{1,3})?)\s*[-–]?\s*(.*)")
_LABEL_SPLIT = re.compile(r"[;,|\s]+")
_ORG_FORMS = [
    ("fylkeskommune", "FYLK"),
    ("kommune", "KOMM"),
    (" asa", "ASA"),
    (" as", "AS"),
    (" sa", "SA"),
    (" ba", "BA"),
    (" ans", "ANS"),
    (" da", "DA"),
    (" ks", "KS"),
    ("stiftelse", "STI"),
    ("stiftinga", "STI"),
    ("forening", "FLI"),
    ("foreining", "FLI"),
    ("lag", "FLI"),
    ("klubb", "FLI"),
    ("enkeltpersonforetak", "ENK"),
]

STATUS_WORDS = {
    "granted": "granted",
    "innvilget": "granted",
    "innvilga": "granted",
    "tilsagn": "granted",
    "bevilget": "granted",
    "bevilga": "granted",
    "vedtatt": "granted",
    "paid": "paid",
    "utbetalt": "paid",
    "ferdig utbetalt": "paid",
    "avsluttet": "paid",
    "withdrawn": "withdrawn",
    "trukket": "withdrawn",
    "trekt": "withdrawn",
    "annullert": "withdrawn",
    "bortfalt": "withdrawn",
    "rejected": "rejected",
    "avslått": "rejected",
    "avslag": "rejected",
    "applied": "applied",
    "søkt": "applied",
    "under behandling": "applied",
    "mottatt": "applied",
}


class RowError(NamedTuple):
    row: int
    column: str
    value: str
    reason: str


class Row(NamedTuple):
    """One allocation ready to save (money as Decimal, dates as date)."""

    external_id: str
    title: str
    description: str
    recipient_name: str
    org_number: str
    org_form: str
    municipality_given: str
    municipality_id: int | None
    current_municipality_id: int | None
    municipality_needs_review: bool
    scheme: str
    funding_source: str
    industry_code: str
    industry_name: str
    amount: Decimal
    amount_paid: Decimal | None
    amount_applied: Decimal | None
    status: str
    decision_date: dt.date | None
    year: int
    tags: tuple[str, ...]
    source_url: str
    labels: tuple[str, ...]
    row_hash: str
    row_number: int


HASHED_FIELDS = Row._fields[:-3]  # everything the file says, without labels, the hash and the row number
MEMO_LIMIT = 200_000  # distinct values kept per column; beyond it values are parsed again
_MISSING = object()


def _memo_key(value: Any) -> Any:
    """A cache key for a value that is not a str: one key for values that normalise alike, so types are kept
    apart (1, 1.0 and True are equal as dict keys) and so are equal values that read differently (-0.0 and 0.0,
    Decimal 1.0 and 1.00, one instant in two time zones). None when unhashable."""
    kind = type(value)
    if kind is int or kind is dt.date or value is None:
        return (kind, value)
    if kind is float:
        return (kind, value.hex())
    if kind is dt.datetime and value.tzinfo is None:
        return (kind, value)
    try:
        hash(value)
    except TypeError:
        return None
    return (kind, value, repr(value))


def parse_date(value: Any) -> dt.date:
    """dd.mm.yy, dd.mm.yyyy, ISO (with or without time), Excel serial numbers, or a date cell."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _excel_serial(float(value))
    text = str(value).strip()
    if m := _DMY.fullmatch(text):
        day, month, year = int(m.group(1)), int(m.group(2)), m.group(3)
        y = int(year)
        if len(year) == 2:
            y += 2000 if y <= (dt.date.today().year % 100) + 1 else 1900
        return dt.date(y, month, day)
    if m := _ISO.fullmatch(text):
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if re.fullmatch(r"\d{5}(?:\.\d+)?", text):
        return _excel_serial(float(text))
    raise ValueError(text)


def _excel_serial(number: float) -> dt.date:
    if not 1 <= number < 2958466:
        raise ValueError(number)
    return EXCEL_EPOCH + dt.timedelta(days=int(number))


def check_org_number(text: str) -> str | None:
    """The reason a (cleaned) organisation number is wrong, or None when it is right."""
    if not text.isdigit() or not text.isascii():
        return _("not an organisation number (it must be 9 digits)")
    if len(text) != 9:
        return _("an organisation number has 9 digits, this has %(n)s") % {"n": len(text)}
    if check_digit(text[:8]) != int(text[8]):
        return _("the check digit does not match (mod 11): a digit is probably wrong")
    return None


def guess_org_form(name: str) -> str:
    lower = f" {name.lower().strip()}"
    for needle, form in _ORG_FORMS:
        if lower.endswith(needle) or (needle.strip() in {"stiftelse", "enkeltpersonforetak"} and needle in lower):
            return form
    return ""


def _text(value: Any) -> str:
    if type(value) is str:  # the common case (every CSV cell): skip the checks below
        return value.strip().replace("\x00", "")  # PostgreSQL text cannot hold NUL
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip().replace("\x00", "")


def row_hash(fields: tuple) -> str:
    """What a row's values hash to (everything the file says but the external id and labels, in `Row`'s order),
    to see on a re-import whether anything changed. Stored with each allocation: keep it as it is."""
    return hashlib.sha1(repr(fields).encode(), usedforsecurity=False).hexdigest()


def row_hashes(fields_by_column: list[list[Any]]) -> list[str]:
    """`row_hash` of each row, given the hashed fields (`HASHED_FIELDS`) column by column."""
    sha1 = hashlib.sha1
    rows = zip(*fields_by_column, strict=True)
    return [sha1(repr(fields).encode(), usedforsecurity=False).hexdigest() for fields in rows]


def _texts(values: list[Any], limit: int | None) -> list[str]:
    """`_text(value)[:limit]` for each value; for a column of text without NUL, without a call per value."""
    if set(map(type, values)) <= {str} and "\x00" not in "".join(values):
        return _cut(list(map(str.strip, values)), limit)
    return [_text(value)[:limit] for value in values]


def _cut(values: list[str], limit: int | None) -> list[str]:
    """`value[:limit]` for each value: the list itself when none is longer (the usual case)."""
    if limit is None or not values or max(map(len, values)) <= limit:
        return values
    return [value[:limit] for value in values]


_FIRST, _SECOND, _THIRD = itemgetter(0), itemgetter(1), itemgetter(2)
_NOT_PLACED: tuple[int | None, int | None, bool] = (None, None, False)


def _all_given(values: list[Any]) -> bool:
    """Whether every value is text that is not blank once cleaned (as `_text` cleans it)."""
    return set(map(type, values)) <= {str} and all(map(_text, dict.fromkeys(values)))


@dataclass
class Context:
    resolver: MunicipalityResolver
    known_labels: set[str] | None = None  # element codes of the chosen strategy; None = no strategy chosen


class RowNormaliser:
    """Turns the cells of one row into a `Row`, or a list of `RowError` naming every problem in it."""

    def __init__(self, headers: list[str], mapping: Mapping, context: Context, key_prefix: str = "") -> None:
        self.headers = headers
        self.context = context
        self.constants = mapping.constants
        self.at = {f: idx[0] for f, idx in mapping.index_of(headers).items()}
        self.tag_columns = mapping.index_of(headers).get("tags", [])
        self.key_prefix = key_prefix or mapping.layout or "row"
        self.seen_keys: dict[str, int] = {}
        self._dates: dict[Any, dt.date] = {}
        self._amounts: dict[Any, Decimal] = {}
        self._org_numbers: dict[str, tuple[str, str | None]] = {}
        self._org_forms: dict[str, str] = {}
        self._industries: dict[tuple[str, str], tuple[str, str]] = {}
        # Constant tags (from the mapping) are the same on every row: split them once.
        self._at_items = list(self.at.items())
        self._width = max(self.at.values(), default=-1) + 1
        self._constant_tags = tuple(t.strip() for t in _text(self.constants.get("tags", "")).split(";") if t.strip())
        self._memo: dict[str, dict[Any, Any]] = {}  # per column: distinct value → parsed (normalise_batch)
        self._memo_bad: dict[str, set[Any]] = {}  # per column: the distinct values with a problem
        self._unique_text: set[str] = set()  # text columns seldom repeating a value: cleaned without the memo
        self._all_known: set[str] = set()  # columns whose last batch's values were all remembered already
        # The share of a good batch's rows whose hash `normalise_columns` makes; it leaves the others' (None) to
        # whoever takes the columns (`row_hashes`), so that the work is done where a core is free (see
        # `actions.checked_batches`).
        self.hash_share = 1.0

    def cell(self, cells: list[Any], name: str) -> Any:
        i = self.at.get(name)
        if i is None:
            return self.constants.get(name, "")
        value = cells[i] if i < len(cells) else ""
        if value in ("", None) and name in self.constants:
            return self.constants[name]
        return value

    def raw_values(self, cells: list[Any]) -> dict[str, Any]:
        """Every field's cell at once: `raw_values(cells).get(name, "")` is `cell(cells, name)`, with one pass."""
        constants = self.constants
        if not constants and len(cells) >= self._width:
            return {name: cells[i] for name, i in self._at_items}
        raw = dict(constants)
        n = len(cells)
        for name, i in self._at_items:
            value = cells[i] if i < n else ""
            if value in ("", None) and name in constants:
                continue
            raw[name] = value
        return raw

    def column(self, name: str) -> str:
        i = self.at.get(name)
        return self.headers[i] if i is not None else name

    def normalise(self, cells: list[Any], row_number: int) -> Row | list[RowError]:
        errors: list[RowError] = []
        raw = self.raw_values(cells)

        def problem(name: str, value: Any, reason: str) -> None:
            errors.append(RowError(row_number, self.column(name), _text(value), reason))

        amount = self._amount(raw, "amount", problem, required=True)
        amount_paid = self._amount(raw, "amount_paid", problem)
        amount_applied = self._amount(raw, "amount_applied", problem)
        decision_date = self._date(raw, problem)
        year, year_tags = self._year(raw, decision_date, problem)
        org_number = self._org_number(raw, problem)
        status = self._status(raw, amount, problem)
        given = _text(raw.get("municipality", ""))
        resolution = None
        if given:
            try:
                resolution = self.context.resolver.resolve(given, year)
            except MunicipalityError:
                problem("municipality", given, _("unknown municipality (give a name or number in use since 2019)"))
        labels = self._labels(raw, problem)
        if errors:
            return errors
        recipient = _text(raw.get("recipient", ""))
        title = _text(raw.get("title", ""))
        industry_code, industry_name = self._industry(raw)
        tags = tuple(t for t in (_text(cells[i]) for i in self.tag_columns if i < len(cells)) if t)
        tags += self._constant_tags
        tags += year_tags
        values = (
            "",
            title[:500],
            _text(raw.get("description", "")),
            recipient[:300],
            org_number,
            _text(raw.get("org_form", ""))[:10] or self._org_form(recipient),
            given[:120],
            resolution.municipality_id if resolution else None,
            resolution.current_id if resolution else None,
            bool(resolution and resolution.needs_review),
            _text(raw.get("scheme", ""))[:200],
            _text(raw.get("funding_source", ""))[:200],
            industry_code[:10],
            industry_name[:200],
            amount,
            amount_paid,
            amount_applied,
            status,
            decision_date,
            year,
            tags,
            _text(raw.get("source_url", ""))[:500],
        )
        external_id = _text(raw.get("external_id", ""))[:120] or self._key(values)
        return Row(external_id, *values[1:], labels, row_hash(values[1:]), row_number)  # type: ignore[arg-type]

    def normalise_batch(self, batch: list[tuple[int, list[Any]]]) -> list[Row | list[RowError]]:
        """`normalise` for each (row number, cells) pair, worked out column by column: each distinct value of a
        column is parsed once (files repeat municipalities, schemes, dates, amounts and recipients heavily).
        A row with any problem goes through `normalise` itself, so its problems read exactly the same."""
        columns, out = self.normalise_columns(batch)
        if columns is not None:
            return [Row._make(values) for values in zip(*columns, strict=True)]
        return out or []

    def normalise_columns(
        self, batch: list[tuple[int, list[Any]]]
    ) -> tuple[list[list[Any]] | None, list[Row | list[RowError]] | None]:
        """`normalise_batch`, with the usual outcome (every row good) given column by column, one list per field
        of `Row`: (columns, None). Otherwise (None, what `normalise_batch` gives)."""
        return self.normalise_cells([number for number, _cells in batch], [cells for _number, cells in batch])

    def normalise_cells(
        self, numbers: Sequence[int], cells_of: list[list[Any]]
    ) -> tuple[list[list[Any]] | None, list[Row | list[RowError]] | None]:
        """`normalise_columns` given the row numbers and the rows' cells apart (no pair made for every row)."""
        if not cells_of:
            return [[] for _field in Row._fields], None
        slow: set[int] = set()  # rows with a problem (or an odd cell): handled by `normalise`
        memo = self._memo
        # Every row as wide as the mapped columns (the usual case): transpose in one go.
        by_column = list(zip(*cells_of, strict=False)) if min(map(len, cells_of), default=0) >= self._width else None

        def column(name: str) -> list[Any]:
            i = self.at.get(name)
            if i is None:
                return [self.constants.get(name, "")] * len(cells_of)
            if by_column is not None:
                values = list(by_column[i])
            else:
                values = [cells[i] if i < len(cells) else "" for cells in cells_of]
            if name in self.constants:
                constant = self.constants[name]
                values = [constant if v in ("", None) else v for v in values]
            return values

        def keys_of(values: list[Any]) -> list[Any]:
            if set(map(type, values)) <= {str}:
                return values
            keys = [v if type(v) is str else _memo_key(v) for v in values]
            slow.update(i for i, key in enumerate(keys) if key is None)
            return keys

        def mapped(name: str, parse: Any, values: list[Any], keys: list[Any] | None = None) -> list[Any]:
            """parse(value) → (result, has a problem) for each distinct value, remembered for the next batch."""
            keys = keys_of(values) if keys is None else keys
            cache = memo.setdefault(name, {})
            bad = self._memo_bad.setdefault(name, set())
            if name in self._all_known:  # the last batch held no value not seen before: try the lookups at once
                try:
                    found = list(map(cache.__getitem__, keys))
                except KeyError:
                    self._all_known.discard(name)
                else:
                    if bad and not bad.isdisjoint(keys):
                        slow.update(i for i, key in enumerate(keys) if key in bad)
                    return found
            # The distinct keys not seen before are parsed; the rest is dict work done in C.
            own_keys = keys is values
            distinct = dict.fromkeys(keys) if own_keys else dict(zip(keys, values, strict=True))
            if len(cache) < MEMO_LIMIT and cache.keys() >= distinct.keys():
                self._all_known.add(name)
            overflow: dict[Any, Any] = {}
            for key in distinct.keys() - cache.keys():
                found, problem = parse(key if own_keys else distinct[key])
                if problem:
                    bad.add(key)
                if len(cache) < MEMO_LIMIT:
                    cache[key] = found
                else:
                    overflow[key] = found
            if bad and not bad.isdisjoint(distinct):
                slow.update(i for i, key in enumerate(keys) if key in bad)
            if len(distinct) == 1:  # one value all through the batch (a column not in the file, a fixed status …)
                (key,) = distinct
                return [overflow[key] if key in overflow else cache[key]] * len(keys)
            if overflow:  # more distinct values than are remembered: look them up in both
                overflow.update((key, cache[key]) for key in distinct if key not in overflow)
                return list(map(overflow.__getitem__, keys))
            if own_keys and all(cache[key] is key for key in distinct):  # clean text stays itself: no lookups
                return values
            return list(map(cache.__getitem__, keys))

        def checked(method: Any, name: str, *args: Any) -> Any:
            """A per-cell method as parse(value) → (result, has a problem)."""

            def parse(value: Any) -> tuple[Any, bool]:
                problems: list[Any] = []
                result = method({name: value}, *args, lambda *_a: problems.append(1))
                return result, bool(problems)

            return parse

        def amount(name: str, required: bool = False) -> Any:
            def parse(value: Any) -> tuple[Any, bool]:
                problems: list[Any] = []
                result = self._amount({name: value}, name, lambda *_a: problems.append(1), required)
                return result, bool(problems)

            return parse

        def text(limit: int | None = None) -> Any:
            return (lambda value: (_text(value)[:limit], False)) if limit else (lambda value: (_text(value), False))

        def resolve(pair: tuple[str, int]) -> tuple[tuple[int | None, int | None, bool], bool]:
            """(municipality then, municipality now, needs a person to place it), and whether it is a problem."""
            given, year = pair
            if not given:
                return _NOT_PLACED, False
            try:
                r = self.context.resolver.resolve(given, year)
            except MunicipalityError:
                return _NOT_PLACED, True
            return ((r.municipality_id, r.current_id, bool(r.needs_review)) if r else _NOT_PLACED), False

        def industry(pair: tuple[Any, Any]) -> tuple[tuple[str, str], bool]:
            code, name = self._industry({"industry_code": pair[0], "industry_name": pair[1]})
            return (code[:10], name[:200]), False

        amounts = mapped("amount", amount("amount", required=True), column("amount"))
        paid = mapped("amount_paid", amount("amount_paid"), column("amount_paid"))
        applied = mapped("amount_applied", amount("amount_applied"), column("amount_applied"))
        dates = mapped("decision_date", checked(self._date, "decision_date"), column("decision_date"))
        year_raw = column("year")
        if _all_given(year_raw):  # a year in every row: the decision date plays no part
            years = mapped("year:given", lambda value: checked(self._year, "year", None)(value), year_raw)
        else:
            years = mapped(
                "year",
                lambda pair: checked(self._year, "year", pair[1])(pair[0]),
                list(zip(year_raw, dates, strict=True)),
                list(zip(keys_of(year_raw), dates, strict=True)),
            )
        org_numbers = mapped("org_number", checked(self._org_number, "org_number"), column("org_number"))
        status_raw = column("status")
        if _all_given(status_raw):  # a status in every row: the amount's sign plays no part
            statuses = mapped("status:given", lambda value: checked(self._status, "status", None)(value), status_raw)
        else:
            negative = [a is not None and a < 0 for a in amounts]
            statuses = mapped(
                "status",
                lambda pair: checked(self._status, "status", Decimal(-1) if pair[1] else None)(pair[0]),
                list(zip(status_raw, negative, strict=True)),
                list(zip(keys_of(status_raw), negative, strict=True)),
            )

        def texts(name: str, limit: int | None = None) -> list[str]:
            """Text cleaned (`text(limit)`) once per distinct value, or, for a column whose values seldom repeat
            (titles, descriptions), value by value: remembering them would cost more than it saves."""
            values = column(name)
            if name in self._unique_text:
                return _texts(values, limit)
            cleaned = mapped(name, text(limit), values)
            if len(values) >= 1000 and len(memo[name]) * 2 > len(values):
                self._unique_text.add(name)
                memo[name].clear()
            return cleaned

        givens = mapped("municipality", text(), column("municipality"))
        year_values = list(map(_FIRST, years))
        places = list(zip(givens, year_values, strict=True))
        resolutions = mapped("municipality+year", resolve, places, places)
        labels = mapped("labels", checked(self._labels, "labels"), column("labels"))
        recipients = texts("recipient")
        titles = texts("title", 500)
        descriptions = texts("description")
        org_forms = mapped("org_form", text(10), column("org_form"))
        if not all(org_forms):
            guesses = mapped("org_form_guess", lambda name: (guess_org_form(name), False), recipients, recipients)
            org_forms = [form or guess for form, guess in zip(org_forms, guesses, strict=True)]
        schemes = mapped("scheme", text(200), column("scheme"))
        sources = mapped("funding_source", text(200), column("funding_source"))
        urls = mapped("source_url", text(500), column("source_url"))
        code_raw, name_raw = column("industry_code"), column("industry_name")
        if "industry_name" in self.at or "industry_name" in self.constants:
            industries = mapped(
                "industry",
                industry,
                list(zip(code_raw, name_raw, strict=True)),
                list(zip(keys_of(code_raw), keys_of(name_raw), strict=True)),
            )
        else:  # no name column: every name is "", so the code alone decides
            industries = mapped("industry:code", lambda code: industry((code, "")), code_raw)
        external_ids = _texts(column("external_id"), 120)
        if tag_columns := self.tag_columns:
            tags = [
                tuple(t for t in (_text(cells[i]) for i in tag_columns if i < len(cells)) if t)
                + self._constant_tags
                + year_tags
                for cells, (_year, year_tags) in zip(cells_of, years, strict=True)
            ]
        else:
            constant_tags = self._constant_tags
            tags = [constant_tags + year_tags if year_tags else constant_tags for _year, year_tags in years]
        # The values each row is saved with, column by column, in `Row`'s order (after the external id).
        fields_by_column = [
            titles,
            descriptions,
            _cut(recipients, 300),
            org_numbers,
            org_forms,
            _cut(givens, 120),
            list(map(_FIRST, resolutions)),
            list(map(_SECOND, resolutions)),
            list(map(_THIRD, resolutions)),
            schemes,
            sources,
            list(map(_FIRST, industries)),
            list(map(_SECOND, industries)),
            amounts,
            paid,
            applied,
            statuses,
            dates,
            year_values,
            tags,
            urls,
        ]
        sha1 = hashlib.sha1
        if not slow:  # every row good: no row as a tuple of its own, but the hash (and any key made up) in order
            if not all(external_ids):
                external_ids = [
                    external_id or self._key(("", *fields))
                    for external_id, fields in zip(external_ids, zip(*fields_by_column, strict=True), strict=True)
                ]
            # The first `hash_share` of the rows hashed here; the rest left (None) to `row_hashes` elsewhere.
            hashed = round(len(cells_of) * self.hash_share)
            hashes: list[str | None] = [None] * len(cells_of)
            if hashed:
                hashes[:hashed] = row_hashes([column[:hashed] for column in fields_by_column])
            return [external_ids, *fields_by_column, labels, hashes, list(numbers)], None
        new_row = tuple.__new__  # Row(...) without the keyword handling: the fields are all given, in order
        out: list[Row | list[RowError]] = []
        for j, (number, cells, fields, external_id, label_codes) in enumerate(
            zip(numbers, cells_of, zip(*fields_by_column, strict=True), external_ids, labels, strict=True)
        ):
            if j in slow:
                out.append(self.normalise(cells, number))
                continue
            external_id = external_id or self._key(("", *fields))
            digest = sha1(repr(fields).encode(), usedforsecurity=False).hexdigest()  # `row_hash`, inlined
            out.append(new_row(Row, (external_id, *fields, label_codes, digest, number)))
        return None, out

    def _org_form(self, recipient: str) -> str:
        form = self._org_forms.get(recipient)
        if form is None:
            form = guess_org_form(recipient)
            if len(self._org_forms) < 200_000:
                self._org_forms[recipient] = form
        return form

    def _key(self, values: tuple) -> str:
        """A stable key for files without case numbers: who, when, what, where — but not how much,
        so a corrected amount updates the allocation instead of adding one. Repeats get -2, -3 …"""
        basis = repr((values[1], values[3], values[4], values[6], values[10], values[18], values[19]))
        key = f"{self.key_prefix[:20]}-{hashlib.sha1(basis.encode(), usedforsecurity=False).hexdigest()[:20]}"
        n = self.seen_keys.get(key, 0) + 1
        self.seen_keys[key] = n
        return key if n == 1 else f"{key}-{n}"

    def _amount(self, fields: dict[str, Any], name: str, problem: Any, required: bool = False) -> Decimal | None:
        raw = fields.get(name, "")
        if raw in ("", None):
            if required:
                problem(name, raw, _("the amount is missing"))
            return None
        try:
            cached = self._amounts.get(raw) if isinstance(raw, str) else None
            if cached is None:
                if type(raw) is str and raw.isascii() and raw.isdigit() and len(raw) <= 13:
                    cached = Decimal(raw + ".00")  # plain kroner: what parse_amount gives, without its regexes
                else:
                    cached = parse_amount(raw)
                if isinstance(raw, str) and len(self._amounts) < 100_000:
                    self._amounts[raw] = cached
            if abs(cached) >= Decimal("1e13"):
                raise MoneyError("too large")
            return cached
        except MoneyError:
            problem(name, raw, _("not an amount (write e.g. 1 234 567 or 1.234.567,50)"))
            return None

    def _date(self, fields: dict[str, Any], problem: Any) -> dt.date | None:
        raw = fields.get("decision_date", "")
        if raw in ("", None):
            return None
        key = raw if isinstance(raw, str | int | float | dt.date) else repr(raw)
        if key in self._dates:
            return self._dates[key]
        try:
            value = parse_date(raw)
        except (ValueError, OverflowError):
            problem("decision_date", raw, _("not a date (write e.g. 31.12.2024, 31.12.24 or 2024-12-31)"))
            return None
        if not 1900 <= value.year <= 2100:
            problem("decision_date", raw, _("the date is outside the years 1900–2100"))
            return None
        self._dates[key] = value
        return value

    def _year(self, fields: dict[str, Any], decision_date: dt.date | None, problem: Any) -> tuple[int, tuple[str, ...]]:
        raw = fields.get("year", "")
        text = _text(raw)
        if not text:
            if decision_date is None:
                problem("year", raw, _("the year is missing (give a year or a decision date)"))
                return 0, ()
            return decision_date.year, ()
        if text.isdecimal() and len(text) < 10 and 1900 <= int(text) <= 2100:  # not "²", not 5000 digits
            return int(text), ()
        if m := _YEAR.search(text):
            return int(m.group(1)), ("year-inferred",)
        problem("year", raw, _("not a year"))
        return 0, ()

    def _org_number(self, fields: dict[str, Any], problem: Any) -> str:
        raw = fields.get("org_number", "")
        text = _text(raw).upper()
        if not text:
            return ""
        known = self._org_numbers.get(text)
        if known is None:
            plain = len(text) == 9 and text.isascii() and text.isdigit()  # the usual case: nothing to clean
            cleaned = text if plain else re.sub(r"[\s\u00a0.\-]", "", text.removeprefix("NO").removesuffix("MVA"))
            known = (cleaned, check_org_number(cleaned))
            if len(self._org_numbers) < 200_000:
                self._org_numbers[text] = known
        cleaned, reason = known
        if reason:
            problem("org_number", raw, reason)
            return ""
        return cleaned

    def _status(self, fields: dict[str, Any], amount: Decimal | None, problem: Any) -> str:
        raw = _text(fields.get("status", "")).lower()
        if not raw:
            return "withdrawn" if amount is not None and amount < 0 else "granted"
        status = STATUS_WORDS.get(raw)
        if status is None:
            problem("status", raw, _("unknown status (granted, paid, withdrawn, rejected or applied)"))
            return ""
        return status

    def _industry(self, fields: dict[str, Any]) -> tuple[str, str]:
        code = _text(fields.get("industry_code", ""))
        name = _text(fields.get("industry_name", ""))
        key = (code, name)
        known = self._industries.get(key)
        if known is None:
            if code and (m := _INDUSTRY.fullmatch(code)):
                code, name = m.group(1), name or m.group(2)
            known = (code, name)
            if len(self._industries) < 100_000:
                self._industries[key] = known
        return known

    def _labels(self, fields: dict[str, Any], problem: Any) -> tuple[str, ...]:
        text = _text(fields.get("labels", ""))
        if not text:
            return ()
        codes = tuple(c.upper() for c in _LABEL_SPLIT.split(text) if c)
        known = self.context.known_labels
        if known is None:
            problem("labels", text, _("labels need a strategy: choose one (--strategy CODE)"))
            return ()
        unknown = [c for c in codes if c not in known]
        if unknown:
            problem("labels", text, _("not a focus area of the strategy: %(codes)s") % {"codes": ", ".join(unknown)})
        return codes
