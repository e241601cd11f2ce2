"""nb-NO formatting of numbers, money and dates: the one helper every page, export and report uses."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

NBSP = "\u00a0"


def format_number(value: object, decimals: int = 0) -> str:
    """`1234567.5` -> `1 234 567,5` with a no-break space as the group separator and minus as U+2212."""
    if value is None or value == "":
        return ""
    number = Decimal(str(value))
    quant = Decimal(1).scaleb(-decimals) if decimals else Decimal(1)
    number = number.quantize(quant, rounding=ROUND_HALF_UP)
    negative = number < 0
    text = f"{abs(number):,.{decimals}f}"
    text = text.replace(",", "\x00").replace(".", ",").replace("\x00", NBSP)
    return ("\u2212" if negative else "") + text


def format_money(value: object, decimals: int | None = None) -> str:
    """`1234567` -> `1 234 567 kr`; øre shown only when there are any (or when asked)."""
    if value is None or value == "":
        return ""
    amount = Decimal(str(value))
    if decimals is None:
        decimals = 0 if amount == amount.to_integral_value() else 2
    return f"{format_number(amount, decimals)}{NBSP}kr"


def format_mnok(value: object, decimals: int = 1) -> str:
    """`222400000` -> `222,4 mill. kr` — the way county reports state large sums."""
    if value is None or value == "":
        return ""
    return f"{format_number(Decimal(str(value)) / Decimal(1_000_000), decimals)}{NBSP}mill.{NBSP}kr"


def format_percent(value: object, decimals: int = 1) -> str:
    """A share 0..1 -> `12,5 %`."""
    if value is None or value == "":
        return ""
    return f"{format_number(Decimal(str(value)) * 100, decimals)}{NBSP}%"


def format_date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    return value.strftime("%d.%m.%Y")


def format_datetime(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    from django.utils import timezone

    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime("%d.%m.%Y %H:%M")
