"""Property-based tests of the small readers in snu.lib: any input gives a value or the module's own error."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from snu.lib.exports import FORMULA_STARTS, neutralise_formula, stream_csv
from snu.lib.money import MoneyError, parse_amount, split_by_weights
from snu.lib.orgnr import OrgNumberError, check_digit, format_org_number, normalise_org_number

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.text(),
    st.text(alphabet="0123456789 .,-−–kr NOK()'\u00a0\u202f"),
)


@FUZZ
@given(anything)
@example("--5")
@example("(-5)")
@example("1e5")
@example("٣٤")  # Arabic-Indic digits are digits to Python, not to a Norwegian accountant
@example("sNaN")
def test_it_reads_an_amount_or_says_why_not(raw):
    try:
        value = parse_amount(raw)
    except MoneyError as exc:
        assert str(exc)
        return
    assert isinstance(value, Decimal)
    assert value.is_finite()
    assert value == value.quantize(Decimal("0.01"))


@FUZZ
@given(st.integers(min_value=-(10**12), max_value=10**12), st.sampled_from([" ", "\u00a0", ".", ""]), st.booleans())
def test_it_reads_back_amounts_written_the_norwegian_way(ore, thousands, with_kr):
    kroner, rest = divmod(abs(ore), 100)
    grouped = f"{kroner:,}".replace(",", thousands)
    text = f"{'-' if ore < 0 else ''}{grouped},{rest:02d}" + (" kr" if with_kr else "")
    assert parse_amount(text) == Decimal(ore) / 100


@FUZZ
@given(st.integers(min_value=-(10**9), max_value=10**9), st.lists(st.integers(1, 1000), min_size=1, max_size=20))
def test_it_splits_exactly_to_the_ore(ore, weights):
    amount = Decimal(ore) / 100
    parts = split_by_weights(amount, [Decimal(w) for w in weights])
    assert sum(parts) == amount
    assert len(parts) == len(weights)


@FUZZ
@given(anything)
@example("NO 974 760 673 MVA")
@example(974760673.0)
@example("９７４７６０６７３")  # full-width digits
def test_it_reads_an_org_number_or_says_why_not(raw):
    try:
        digits = normalise_org_number(raw)
    except OrgNumberError as exc:
        assert str(exc)
        return
    assert len(digits) == 9 and digits.isascii() and digits.isdigit()
    assert check_digit(digits[:8]) == int(digits[8])


@FUZZ
@given(st.text(alphabet="0123456789", min_size=8, max_size=8), st.sampled_from(["", "NO", "NO "]), st.booleans())
def test_it_reads_back_every_valid_org_number_however_written(first_eight, prefix, spaced):
    digit = check_digit(first_eight)
    if digit is None:
        return
    number = first_eight + str(digit)
    text = prefix + (format_org_number(number) if spaced else number)
    assert normalise_org_number(text) == number


@FUZZ
@given(st.text())
def test_it_neutralises_every_formula_looking_text(text):
    safe = neutralise_formula(text)
    assert not safe.startswith(FORMULA_STARTS)
    assert safe.endswith(text)


@FUZZ
@given(st.lists(st.lists(st.one_of(st.text(), st.integers(), st.decimals(allow_nan=False)), min_size=1, max_size=5)))
def test_it_writes_csv_that_no_spreadsheet_runs_as_a_formula(rows):
    width = max((len(r) for r in rows), default=1)
    text = "".join(stream_csv([f"c{i}" for i in range(width)], rows, bom=False))
    for row_in, row_out in zip(rows, list(csv.reader(io.StringIO(text, newline="")))[1:], strict=True):
        for value, cell in zip(row_in, row_out, strict=True):
            if isinstance(value, str):
                assert not cell.startswith(FORMULA_STARTS)
