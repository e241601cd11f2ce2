"""Municipalities across the 2020 and 2024 reforms: loading the reference data and resolving names and numbers.

Every allocation keeps the municipality it was given (under the numbering in force then) and is linked to
today's municipality. A municipality that went to more than one of today's (a split) is linked to the one that
got the largest share of its area and flagged for a person to place (`needs_review`).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
ERAS = (("knr_2019", "navn_2019", 2019), ("knr_2020", "navn_2020", 2020), ("knr_2024", "navn_2024", 2024))
CURRENT_ERA = 2024

# A county instead of a municipality (Innovasjon Norge writes "Troms" for county-wide grants): not an error,
# the allocation simply has no municipality.
COUNTY_NAMES = {
    "troms",
    "finnmark",
    "troms og finnmark",
    "romsa ja finnmárku",
    "nordland",
    "fylket",
    "hele fylket",
    "fylkeskommunen",
    "regionalt",
    "nord-norge",
    "nord-troms",
    "midt-troms",
    "sør-troms",
    "landsdekkende",
    "hele landet",
    "norge",
}

_SUFFIX = re.compile(r"\s+(kommune|kommuna|suohkan|gielda|gïelte|tjïelte|kommuuni)$")
_PARENS = re.compile(r"\s*\(.*?\)\s*")


class MunicipalityError(ValueError):
    pass


def normalise_name(text: str) -> str:
    """The form names are matched on: case, dashes, spacing and a trailing `kommune` do not matter."""
    text = unicodedata.normalize("NFC", str(text)).strip().lower()
    text = text.replace("–", "-").replace("—", "-").replace("\u00a0", " ")
    text = re.sub(r"\s*-\s*", " - ", text)
    text = re.sub(r"\s+", " ", text)
    return _SUFFIX.sub("", text).strip()


COUNTY_FORMS = {normalise_name(n) for n in COUNTY_NAMES}


def name_forms(name: str) -> list[str]:
    """`Gáivuotna - Kåfjord - Kaivuono` is known by the whole and by each of its Sami, Norwegian and Kven forms."""
    forms = [name]
    parts = [p.strip() for p in re.split(r"\s+[-–]\s+", name) if p.strip()]
    if len(parts) > 1:
        forms.extend(parts)
    return forms


@dataclass
class _Ref:
    number: str
    name: str
    valid_from: int
    valid_to: int | None
    successors: dict[str, Decimal]
    names: set[str]


def _truncated(name_2019: str, later: str) -> bool:
    return len(name_2019) == 10 and later.startswith(name_2019[:9]) and later != name_2019


def reference_rows() -> dict[str, _Ref]:
    """Every municipality number since 2019 (plus Bjarkøy) with its names, years in force and successors."""
    refs: dict[str, _Ref] = {}
    eras_of: dict[str, set[int]] = defaultdict(set)
    succ: dict[str, dict[str, Decimal]] = defaultdict(dict)
    with open(DATA_DIR / "norway_crosswalk_2019_2020_2024.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    troms_full = _troms_full_names()
    for row in rows:
        share = Decimal(row["area_share"])
        for key, name_key, era in ERAS:
            number, name = row[key], row[name_key].strip()
            if era == 2019:
                name = troms_full.get(number, name)
                if _truncated(name, row["navn_2020"]) or _truncated(name, row["navn_2024"]):
                    name = row["navn_2020"]
            ref = refs.setdefault(number, _Ref(number, name, era, None, {}, set()))
            ref.names.update(name_forms(name))
            if era >= max(eras_of[number], default=0):
                ref.name = name  # the latest name wins
            eras_of[number].add(era)
            target = row["knr_2024"]
            if number != target:
                key_share = share if era == 2019 else Decimal(1)
                succ[number][target] = max(succ[number].get(target, Decimal(0)), key_share)
    _apply_supplement(refs, eras_of, succ)
    for number, ref in refs.items():
        eras = eras_of[number]
        ref.valid_from = min(ref.valid_from, min(eras))
        if CURRENT_ERA not in eras:
            ref.valid_to = 2019 if max(eras) == 2019 and ref.valid_to is None else (ref.valid_to or 2023)
        ref.successors = succ.get(number, {})
        _fix_merged_share(ref)
    return refs


def _fix_merged_share(ref: _Ref) -> None:
    """A 2020 number made from several 2019 ones can reach one 2024 number at full share."""
    if len(ref.successors) == 1:
        only = next(iter(ref.successors))
        ref.successors[only] = Decimal(1)


def _troms_full_names() -> dict[str, str]:
    names = {}
    with open(DATA_DIR / "troms_crosswalk_2019_2020_2024.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            numbers = row["knr_2019"].split(";")
            parts = [p.strip() for p in row["navn_2019"].split(";")]
            if len(numbers) == len(parts):
                for number, name in zip(numbers, parts, strict=True):
                    names[number] = re.sub(r"\s*\(.*\)$", "", name)
    return names


def _apply_supplement(refs: dict[str, _Ref], eras_of: dict[str, set[int]], succ: dict) -> None:
    shares_given: dict[str, dict[str, Decimal]] = {}
    with open(DATA_DIR / "supplement.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            number = row["number"]
            if row["kind"] == "historical":
                refs[number] = _Ref(number, row["name"], int(row["valid_from"]), int(row["valid_to"]), {}, set())
                refs[number].names.update(name_forms(row["name"]))
                eras_of[number].add(int(row["valid_from"]))
                succ[number] = {_current_of(row["successor"], succ): Decimal(row["share"])}
            else:
                shares_given.setdefault(number, {})[row["successor"]] = Decimal(row["share"])
    succ.update(shares_given)


def _current_of(number: str, succ: dict) -> str:
    targets = succ.get(number) or {}
    return next(iter(targets), number)


def load_reference(municipality_model: Any, name_model: Any, successor_model: Any) -> int:
    """Create or refresh the reference municipalities; idempotent. Takes the models so migrations can call it."""
    refs = reference_rows()
    existing = {m.number: m for m in municipality_model.objects.all()}
    for ref in refs.values():
        obj = existing.get(ref.number) or municipality_model(number=ref.number)
        obj.name, obj.valid_from, obj.valid_to = ref.name, ref.valid_from, ref.valid_to
        obj.is_split = len(ref.successors) > 1
        obj.county_name = _county(ref.number)
        obj.save()
        existing[ref.number] = obj
    for ref in refs.values():
        obj = existing[ref.number]
        best = max(ref.successors.items(), key=lambda kv: kv[1])[0] if ref.successors else ref.number
        obj.current = existing[best]
        obj.save(update_fields=["current"])
        successor_model.objects.filter(municipality=obj).delete()
        successor_model.objects.bulk_create(
            [successor_model(municipality=obj, successor=existing[n], share=s) for n, s in ref.successors.items()]
        )
        name_model.objects.filter(municipality=obj).delete()
        name_model.objects.bulk_create(
            [name_model(municipality=obj, name=n, normalised=normalise_name(n)) for n in sorted(ref.names)]
        )
    return len(refs)


_COUNTIES = {
    "55": "Troms",
    "56": "Finnmark",
    "54": "Troms og Finnmark",
    "19": "Troms",
    "20": "Finnmark",
    "18": "Nordland",
}


def _county(number: str) -> str:
    return _COUNTIES.get(number[:2], "")


@dataclass(frozen=True)
class Resolution:
    municipality_id: int | None
    current_id: int | None
    needs_review: bool
    county_level: bool = False


class MunicipalityResolver:
    """Resolves what a file says (`Lenvik`, `1931`, `5421 Senja`, `Gáivuotna`) to a municipality, fast.

    Ambiguous names (Herøy, Våler, Bø …) are settled by the decision year, then by the authority's county;
    otherwise they are an error for the person importing to fix.
    """

    def __init__(self, county_number: str = "") -> None:
        from snu.grants.models import Municipality, MunicipalityName

        self.county_number = county_number
        self.by_number: dict[str, tuple[int, int | None, bool, int, int | None]] = {}
        self.number_of_id: dict[int, str] = {}
        for m in Municipality.objects.all().values_list(
            "id", "number", "current_id", "is_split", "valid_from", "valid_to"
        ):
            self.by_number[m[1]] = (m[0], m[2], m[3], m[4], m[5])
            self.number_of_id[m[0]] = m[1]
        self.by_name: dict[str, list[str]] = defaultdict(list)
        for norm, number in MunicipalityName.objects.values_list("normalised", "municipality__number"):
            if number not in self.by_name[norm]:
                self.by_name[norm].append(number)
        self._cache: dict[tuple[str, int | None], Resolution] = {}

    def resolve(self, given: object, year: int | None = None) -> Resolution | None:
        """None for an empty value; raises MunicipalityError saying why a value cannot be placed."""
        text = "" if given is None else str(given).strip()
        if not text:
            return None
        key = (text, year)
        if key not in self._cache:
            self._cache[key] = self._resolve(text, year)
        return self._cache[key]

    def _resolve(self, text: str, year: int | None) -> Resolution:
        number = self._number_in(text)
        if number is not None:
            if number not in self.by_number:
                raise MunicipalityError(f"no municipality has the number {number}")
            return self._resolution(number)
        norm = normalise_name(text)
        candidates = self.by_name.get(norm) or self.by_name.get(normalise_name(_PARENS.sub(" ", text)))
        if not candidates:
            if norm in COUNTY_FORMS or normalise_name(text.strip("() ")) in COUNTY_FORMS:
                return Resolution(None, None, False, county_level=True)
            raise MunicipalityError(f"unknown municipality: {text!r}")
        return self._resolution(self._choose(text, candidates, year))

    def _number_in(self, text: str) -> str | None:
        match = re.fullmatch(r"(\d{3,4})(?:\.0)?(?:\s+.*)?", text)
        if not match:
            return None
        return match.group(1).zfill(4)

    def _choose(self, text: str, candidates: list[str], year: int | None) -> str:
        if len({self.by_number[c][1] for c in candidates}) == 1:
            return self._in_force(candidates, year) or candidates[0]
        narrowed = [c for c in candidates if self._current_number(c).startswith(self.county_number or "--")]
        if len({self.by_number[c][1] for c in narrowed}) == 1:
            return self._in_force(narrowed, year) or narrowed[0]
        if year is not None and (chosen := self._in_force(candidates, year, strict=True)):
            return chosen
        numbers = ", ".join(sorted(candidates))
        raise MunicipalityError(f"ambiguous municipality {text!r} ({numbers}): give the number")

    def _in_force(self, candidates: list[str], year: int | None, strict: bool = False) -> str | None:
        if year is None:
            return None
        fitting = [c for c in candidates if self.by_number[c][3] <= year <= (self.by_number[c][4] or 9999)]
        if strict and len(fitting) != 1:
            return None
        return fitting[0] if fitting else None

    def _current_number(self, number: str) -> str:
        current_id = self.by_number[number][1]
        return self.number_of_id.get(current_id, number) if current_id else number

    def _resolution(self, number: str) -> Resolution:
        mid, current_id, is_split, _from, _to = self.by_number[number]
        return Resolution(mid, current_id or mid, is_split)
