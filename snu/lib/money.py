"""Money: parsed from Norwegian spellings, held as Decimal kroner with two decimals, never float."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

ORE = Decimal("0.01")
# The largest amount a money field holds (16 digits, 2 after the point); anything larger is a typing error.
MAX_AMOUNT = Decimal("99999999999999.99")

_CURRENCY = re.compile(r"(?i)\b(?:nok|kr)\b\.?|kr\.?|,-|\.-|–|\u2212")
_SPACES = re.compile(r"[\s\u00a0\u202f']")


class MoneyError(ValueError):
    pass


def parse_amount(raw: object) -> Decimal:
    """Read an amount as people write it: `1 234 567`, `1.234.567,50`, `kr 1 234 567,-`, `-50 000`, 1234.5.

    Raises MoneyError with the reason when the text is not an amount.
    """
    try:
        value = _parse_amount(raw)
    except InvalidOperation as exc:  # a number too long for Decimal's context
        raise MoneyError(f"amount too large: {str(raw)[:40]!r}") from exc
    if abs(value) > MAX_AMOUNT:
        raise MoneyError(f"amount too large: {str(raw)[:40]!r}")
    return value


def _parse_amount(raw: object) -> Decimal:
    if raw is None:
        raise MoneyError("empty amount")
    if isinstance(raw, bool):
        raise MoneyError(f"not an amount: {raw!r}")
    if isinstance(raw, int):
        return Decimal(raw).quantize(ORE)
    if isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise MoneyError(f"not an amount: {raw!r}")
        return Decimal(repr(raw)).quantize(ORE, rounding=ROUND_HALF_UP)
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise MoneyError(f"not an amount: {raw!r}")
        return raw.quantize(ORE, rounding=ROUND_HALF_UP)
    text = str(raw).strip()
    if not text:
        raise MoneyError("empty amount")
    negative = text.startswith(("-", "−", "–")) or (text.startswith("(") and text.endswith(")"))
    body = text.strip("()").lstrip("-−–").strip()
    body = body.replace("\u2212", "")
    body = _CURRENCY.sub("", body)
    body = _SPACES.sub("", body).rstrip(".,")
    if body.startswith(("-", "−")):
        negative = True
        body = body[1:]
    if not body or not re.fullmatch(r"[0-9.,]+", body):
        raise MoneyError(f"not an amount: {text!r}")
    body = _normalise_separators(body, text)
    try:
        value = Decimal(body)
    except InvalidOperation as exc:  # pragma: no cover - guarded by the regex above
        raise MoneyError(f"not an amount: {text!r}") from exc
    value = value.quantize(ORE, rounding=ROUND_HALF_UP)
    return -value if negative else value


def _normalise_separators(body: str, original: str) -> str:
    """Decide which of `.` and `,` is the decimal mark, the Norwegian way first."""
    if "," in body and "." in body:
        # The one that comes last is the decimal mark: 1.234.567,50 or 1,234,567.50
        if body.rfind(",") > body.rfind("."):
            return body.replace(".", "").replace(",", ".")
        return body.replace(",", "")
    if "," in body:
        parts = body.split(",")
        if len(parts) == 2 and len(parts[1]) != 3:
            return parts[0] + "." + parts[1]  # 1234,5 / 1234,50: decimal comma
        if len(parts) > 2 and all(len(p) == 3 for p in parts[1:]):
            return "".join(parts)  # 1,234,567: thousands
        if len(parts) == 2:
            return parts[0] + "." + parts[1]  # 1234,567: Norwegian decimal comma wins
        raise MoneyError(f"not an amount: {original!r}")
    if "." in body:
        parts = body.split(".")
        if len(parts) > 2:
            if all(len(p) == 3 for p in parts[1:]):
                return "".join(parts)  # 1.234.567
            raise MoneyError(f"not an amount: {original!r}")
        if len(parts[1]) == 3 and len(parts[0]) <= 3 and parts[0] not in {"0", ""}:
            return "".join(parts)  # 1.234 -> thousands, as Norwegian exports write it
        return body
    return body


def to_ore(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value(rounding=ROUND_HALF_UP))


def from_ore(ore: int) -> Decimal:
    return (Decimal(ore) / 100).quantize(ORE)


def split_by_weights(amount: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split an amount by weights so that the parts add up to the amount to the øre (largest remainder)."""
    if not weights:
        return []
    total_weight = sum(weights, Decimal(0))
    ore = to_ore(amount)
    if total_weight == 0:
        raise ValueError("weights sum to zero")
    sign = -1 if ore < 0 else 1
    ore = abs(ore)
    raw = [Decimal(ore) * w / total_weight for w in weights]
    floors = [int(r) for r in raw]
    left = ore - sum(floors)
    order = sorted(range(len(raw)), key=lambda i: (raw[i] - floors[i], -i), reverse=True)
    for i in order[:left]:
        floors[i] += 1
    return [from_ore(sign * f) for f in floors]
