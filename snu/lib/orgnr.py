"""Norwegian organisation numbers (organisasjonsnummer): nine digits with a modulus-11 check digit."""

from __future__ import annotations

import re

_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


class OrgNumberError(ValueError):
    pass


def normalise_org_number(raw: object) -> str:
    """Return the nine digits, or raise OrgNumberError saying what is wrong. Spaces and `NO`/`MVA` allowed."""
    text = str(raw).strip().upper()
    text = re.sub(r"^NO", "", text)
    text = re.sub(r"MVA$", "", text)
    digits = re.sub(r"[\s\u00a0.\-]", "", text)
    if isinstance(raw, float) and raw.is_integer():
        digits = str(int(raw))
    if not digits.isdigit() or not digits.isascii():
        raise OrgNumberError(f"not an organisation number: {raw!r}")
    if len(digits) != 9:
        raise OrgNumberError(f"an organisation number has 9 digits, this has {len(digits)}: {raw!r}")
    if check_digit(digits[:8]) != int(digits[8]):
        raise OrgNumberError(f"the check digit does not match (mod 11): {raw!r}")
    return digits


def check_digit(first_eight: str) -> int | None:
    """The mod-11 check digit for eight digits, or None where no valid number exists."""
    total = sum(int(d) * w for d, w in zip(first_eight, _WEIGHTS, strict=True))
    remainder = 11 - total % 11
    if remainder == 11:
        return 0
    if remainder == 10:
        return None
    return remainder


def is_valid_org_number(raw: object) -> bool:
    try:
        normalise_org_number(raw)
    except OrgNumberError:
        return False
    return True


def format_org_number(digits: str) -> str:
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}" if len(digits) == 9 else digits
