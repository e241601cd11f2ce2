"""Property-based tests of normalisation: any cell gives a typed value or a problem naming row, column and value;
dates and amounts written the Norwegian way read back as themselves; municipalities resolve or say why not."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from snu.grants.models import Municipality, MunicipalityName
from snu.grants.municipalities import MunicipalityError, MunicipalityResolver, normalise_name
from snu.imports.layouts import CANONICAL, EXTRA, Mapping
from snu.imports.normalise import (
    EXCEL_EPOCH,
    STATUS_WORDS,
    Context,
    Row,
    RowError,
    RowNormaliser,
    check_org_number,
    parse_date,
)
from snu.lib.formatting import format_date, format_money
from snu.lib.money import parse_amount
from snu.lib.orgnr import check_digit
from snu.test import BaseTestCase

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEW = settings(FUZZ, max_examples=100)

# Sami (Northern, Lule, Southern) and Kven letters, Norwegian ones, and the spaces and dashes files are full of.
NORTHERN = "áčđŋšŧžÁČĐŊŠŦŽäöÄÖïÏâÂåæøÅÆØ"
northern_text = st.text(NORTHERN + "abcdefghijklmnopqrstuvwxyzKOMMUNE -–—()\u00a0\t\n0123456789", max_size=40)
any_text = st.text(max_size=40) | northern_text
digits = st.integers(min_value=0, max_value=40).flatmap(lambda n: st.text("0123456789", min_size=n, max_size=n))
cells = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.decimals(),
    st.dates(),
    st.datetimes(),
    any_text,
    digits,
    st.sampled_from(["²", "¹²³⁴", "٢٠٢٤", "２０２４", "9" * 5000, "1e999", "NaN", "-0", " 2024 ", "2024.0"]),
)


# Dates -----------------------------------------------------------------------------------------------------


@FUZZ
@given(cells)
@example("31.02.2011")
@example("00.00.00")
@example("٣١.١٢.٢٠٢٤")  # Arabic-Indic digits
@example("99999.5")
@example(float("inf"))
@example(float("nan"))
@example(2958466)
@example(True)
def test_it_reads_a_date_or_says_why_not(value):
    try:
        date = parse_date(value)
    except (ValueError, OverflowError):  # what RowNormaliser turns into a problem
        return
    assert isinstance(date, dt.date)


@FUZZ
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_it_reads_back_a_date_in_every_form_it_knows(date):
    assert parse_date(format_date(date)) == date
    assert parse_date(date.isoformat()) == date
    assert parse_date(f"{date.isoformat()}T12:34:56") == date
    assert parse_date(f"{date.day}.{date.month}.{date.year}") == date
    assert parse_date(dt.datetime.combine(date, dt.time(23, 59))) == date
    serial = (date - EXCEL_EPOCH).days
    if serial >= 1:
        assert parse_date(serial) == date
        assert parse_date(float(serial) + 0.75) == date
        if serial >= 10000:
            assert parse_date(str(serial)) == date


@FUZZ
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_a_two_digit_year_is_read_within_a_century_ending_next_year(date):
    read = parse_date(date.strftime("%d.%m.%y"))
    assert (read.day, read.month, read.year % 100) == (date.day, date.month, date.year % 100)
    assert dt.date.today().year + 1 - 99 <= read.year <= dt.date.today().year + 1


# Amounts and organisation numbers -------------------------------------------------------------------------


@FUZZ
@given(st.decimals(min_value=Decimal("-9999999999999.99"), max_value=Decimal("9999999999999.99"), places=2))
def test_it_reads_back_the_amounts_it_formats(amount):
    assert parse_amount(format_money(amount)) == amount
    assert parse_amount(format_money(amount, 2)) == amount
    assert parse_amount(str(amount)) == amount


@FUZZ
@given(cells)
@example("97476067３")
@example("٩٧٤٧٦٠٦٧٣")
def test_it_checks_any_organisation_number_or_says_why_not(value):
    reason = check_org_number(str(value))
    assert reason is None or (isinstance(reason, str) and reason)
    if reason is None:
        assert len(str(value)) == 9 and str(value).isascii()


valid_org_numbers = (
    st.text("0123456789", min_size=8, max_size=8)
    .filter(lambda first: check_digit(first) is not None)
    .map(lambda first: first + str(check_digit(first)))
)


# Rows and municipalities (these need the reference data in the database) ---------------------------------

HEADERS = CANONICAL + EXTRA
municipality_cells = st.one_of(
    st.sampled_from(
        ["Tromsø", "TROMSØ KOMMUNE", "Lenvik", "5421 Senja", "1931", "5401", 1931.0, 5401, "Herøy", "Troms"]
    ),
    st.sampled_from(["Gáivuotna - Kåfjord - Kaivuono", "Gáivuotna", "Kaivuono", "Porsanki", "Unjárga", "Våler", "Bø"]),
    digits,
    any_text,
)
field_cells: dict[str, Any] = dict.fromkeys(HEADERS, cells)
field_cells |= {
    "amount": cells
    | st.sampled_from(["1 234 567", "1.234.567,50", "kr 500 000,-", "-50 000", "(5)", "10000000000000"]),
    "status": cells | st.sampled_from(sorted(STATUS_WORDS)),
    "decision_date": cells | st.sampled_from(["23.03.18", "2024-12-31", "40681", "31.12.1899", "01.01.2101"]),
    "year": cells | st.sampled_from(["2024", "1899", "2101", "år 2019", "²", "2024²"]),
    "org_number": cells | valid_org_numbers | valid_org_numbers.map(lambda n: f"NO {n[:3]} {n[3:6]} {n[6:]} MVA"),
    "municipality": municipality_cells,
    "labels": st.just("") | cells,
}
rows = st.fixed_dictionaries({}, optional=field_cells)


class RowNormaliserFuzzTestCase(HypothesisTestCase, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.resolver = MunicipalityResolver("55")

    def normaliser(self, known_labels: set[str] | None = None) -> RowNormaliser:
        mapping = Mapping({h: h for h in HEADERS}, layout="snu")
        return RowNormaliser(HEADERS, mapping, Context(self.resolver, known_labels))

    @FUZZ
    @given(rows, st.integers(min_value=2, max_value=10**6), st.integers(min_value=0, max_value=len(HEADERS) + 2))
    @example({"year": "²"}, 2, len(HEADERS))
    @example({"year": "9" * 5000, "amount": "1"}, 2, len(HEADERS))
    @example({"amount": "1", "year": "2020", "title": "a\x00b"}, 2, len(HEADERS))
    def test_any_row_becomes_an_allocation_or_problems_naming_row_column_and_value(self, values, number, width):
        cells = [values.get(h, "") for h in HEADERS][:width]  # a short (ragged) row too
        out = self.normaliser().normalise(cells, number)
        if isinstance(out, list):
            assert out
            for error in out:
                assert isinstance(error, RowError)
                assert error.row == number
                assert error.column in HEADERS
                assert isinstance(error.value, str)
                assert isinstance(error.reason, str) and error.reason
            return
        assert isinstance(out, Row)
        self.assert_fits_the_database(out)

    def assert_fits_the_database(self, row: Row) -> None:
        assert row.amount == row.amount.quantize(Decimal("0.01")) and abs(row.amount) < Decimal("1e13")
        for amount in (row.amount_paid, row.amount_applied):
            assert amount is None or abs(amount) < Decimal("1e13")
        assert 1900 <= row.year <= 2100
        assert row.decision_date is None or 1900 <= row.decision_date.year <= 2100
        assert row.status in set(STATUS_WORDS.values())
        assert row.org_number == "" or check_org_number(row.org_number) is None
        limits = {"external_id": 120, "title": 500, "recipient_name": 300, "municipality_given": 120, "scheme": 200}
        limits |= {"funding_source": 200, "industry_code": 10, "industry_name": 200, "source_url": 500, "org_form": 10}
        for name, limit in limits.items():
            assert len(getattr(row, name)) <= limit, name
        assert not any(
            "\x00" in v for v in [*row, *row.tags, *row.labels] if isinstance(v, str)
        )  # PostgreSQL text cannot hold NUL

    @FEW
    @given(st.lists(rows, min_size=1, max_size=4))
    def test_the_same_rows_give_the_same_allocations_and_repeats_get_their_own_key(self, many):
        first, second = self.normaliser(), self.normaliser()
        made_keys = []
        for i, values in enumerate(many + many):
            cells = [values.get(h, "") for h in HEADERS]
            a, b = first.normalise(cells, i + 2), second.normalise(cells, i + 2)
            assert a == b
            if isinstance(a, Row) and not str(values.get("external_id") or "").strip():
                made_keys.append(a.external_id)
        assert len(set(made_keys)) == len(made_keys)

    @FUZZ
    @given(st.one_of(cells, municipality_cells), st.none() | st.integers(min_value=1800, max_value=2200))
    @example("5401", 2024)
    @example("٥٤٠١", None)
    @example("0" * 40, None)
    @example("(Troms)", None)
    def test_any_municipality_resolves_or_says_why_not(self, given_value, year):
        try:
            resolution = self.resolver.resolve(given_value, year)
        except MunicipalityError as exc:
            assert str(exc)
            return
        if resolution is None:
            assert str("" if given_value is None else given_value).strip() == ""
        elif not resolution.county_level:
            assert resolution.municipality_id is not None and resolution.current_id is not None

    @FEW
    @given(st.data())
    def test_every_known_name_and_number_resolves_however_it_is_written(self, data):
        name, normalised, number = data.draw(st.sampled_from(self.known_names()))
        spelled = data.draw(
            st.sampled_from(
                [name, name.upper(), name.lower(), f"  {name}\u00a0", f"{name} kommune", f"{name.upper()} KOMMUNE"]
            )
        )
        assert normalise_name(spelled) == normalised
        year = data.draw(st.none() | st.integers(min_value=2019, max_value=2026))
        try:
            by_name = self.resolver.resolve(spelled, year)
        except MunicipalityError as exc:
            assert "ambiguous" in str(exc)  # Herøy, Våler, Bø …: the number settles it
        else:
            assert by_name is not None
        written = data.draw(st.sampled_from([number, int(number), float(number), f"{number} {name}", f"{number}.0"]))
        by_number = self.resolver.resolve(written, year)
        assert by_number is not None
        assert by_number.municipality_id == Municipality.objects.get(number=number).pk

    @classmethod
    def known_names(cls) -> list[tuple[str, str, str]]:
        if not hasattr(cls, "_names"):
            cls._names = [
                (n.name, n.normalised, n.municipality.number)
                for n in MunicipalityName.objects.select_related("municipality").order_by("pk")
                if n.name == n.name.strip() and not n.name.lower().endswith("kommune")
            ]
        return cls._names
