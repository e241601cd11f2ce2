from decimal import Decimal

import pytest

from snu.lib.formatting import format_date, format_money, format_number
from snu.lib.money import MoneyError, parse_amount, split_by_weights
from snu.lib.orgnr import OrgNumberError, normalise_org_number


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1 234 567", "1234567.00"),
        ("1.234.567,50", "1234567.50"),
        ("kr 1 234 567,-", "1234567.00"),
        ("-50 000", "-50000.00"),
        ("1234,5", "1234.50"),
        ("1,234,567.25", "1234567.25"),
        (170000, "170000.00"),
        ("1\u00a0000\u00a0000 kr", "1000000.00"),
    ],
)
def test_it_reads_norwegian_amounts(raw, expected):
    assert parse_amount(raw) == Decimal(expected)


@pytest.mark.parametrize("raw", ["", "abc", "12,34,5", "1.2.3", "kr"])
def test_it_refuses_what_is_not_an_amount(raw):
    with pytest.raises(MoneyError):
        parse_amount(raw)


def test_it_checks_org_numbers_with_mod_11():
    assert normalise_org_number("871 404 062") == "871404062"
    with pytest.raises(OrgNumberError, match="check digit"):
        normalise_org_number("871404063")
    with pytest.raises(OrgNumberError, match="9 digits"):
        normalise_org_number("12345")


def test_it_splits_money_to_the_ore():
    parts = split_by_weights(Decimal("100.00"), [Decimal(1), Decimal(1), Decimal(1)])
    assert sum(parts) == Decimal("100.00")
    assert sorted(parts) == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]


def test_it_formats_the_norwegian_way():
    import datetime as dt

    assert format_money(Decimal("1234567")) == "1\u00a0234\u00a0567\u00a0kr"
    assert format_number(Decimal("-1234.5"), 1) == "\u22121\u00a0234,5"
    assert format_date(dt.date(2026, 11, 28)) == "28.11.2026"
