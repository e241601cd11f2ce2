"""Demo partners (from the largest demo recipients), two arenas and two agreements.

Runs after the allocation import in `snu demo`; works with no allocations too. Arena and agreement
texts are our own, written to look like the county's real work, not copied from anyone."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.db.models import Count, Sum

from snu.core.cli import CLI_ACTOR
from snu.core.models import Authority
from snu.grants.models import Allocation, Organisation
from snu.partners import actions
from snu.partners.models import Agreement, AgreementStatus, Arena, ArenaKind, Partner, PartnerType
from snu.partners.queries import COUNTED_STATUSES
from snu.strategy.models import Element, ElementKind

MAX_PARTNERS = 8
# Demo partners when there are no allocations: no organisation numbers, so nothing is claimed about real bodies.
FALLBACK = [
    ("Nordlig kunnskapspark (demo)", PartnerType.RESEARCH),
    ("Havbruksnettverket i Nord (demo)", PartnerType.CLUSTER),
    ("Fjordbygd kommune (demo)", PartnerType.MUNICIPALITY),
    ("Arktisk opplevelse AS (demo)", PartnerType.BUSINESS),
    ("Kystnæring SA (demo)", PartnerType.BUSINESS),
    ("Ungt entreprenørskap i Nord (demo)", PartnerType.NGO),
]
# Focus areas each demo partner serves, in turn, by code, when its allocations are not aligned yet.
# SVS (2018) and ARKTIS (2023) are left without partners on purpose, so the coverage flag shows.
FOCUS_CYCLE = [("NIM", "GRONT"), ("SIRK", "RESSURS"), ("OPP", "ATTR"), ("NIM", "RESSURS"), ("SIRK", "GRONT")]


def _type_for(name: str, org_form: str) -> str:
    lowered = name.lower()
    if org_form == "KOMM" or "kommune" in lowered:
        return PartnerType.MUNICIPALITY
    if any(w in lowered for w in ("universitet", "forskning", "nofima", "akvaplan", "institutt")):
        return PartnerType.RESEARCH
    if any(w in lowered for w in ("skole", "fagskole", "høgskole")):
        return PartnerType.EDUCATION
    if "klynge" in lowered or "cluster" in lowered:
        return PartnerType.CLUSTER
    if org_form in ("STI", "FLI", "FORE"):
        return PartnerType.NGO
    if org_form in ("ORGL", "SF", "STAT"):
        return PartnerType.PUBLIC_AGENCY
    return PartnerType.BUSINESS


def _top_recipients(authority: Authority) -> list[dict]:
    """The largest recipients with an organisation number, never sole proprietors (they are persons)."""
    persons = set(
        Organisation.objects.filter(authority=authority, is_sole_proprietor=True).values_list("org_number", flat=True)
    )
    rows = (
        Allocation.objects.filter(authority=authority, status__in=COUNTED_STATUSES)
        .exclude(org_number="")
        .values("org_number")
        .annotate(total=Sum("amount"))
        .order_by("-total", "org_number")
    )
    out = []
    for row in rows:
        if row["org_number"] in persons:
            continue
        org = Organisation.objects.filter(authority=authority, org_number=row["org_number"]).first()
        name = org.name if org else ""
        if not name:
            name = (
                Allocation.objects.filter(authority=authority, org_number=row["org_number"])
                .exclude(recipient_name="")
                .values_list("recipient_name", flat=True)
                .first()
                or ""
            )
        if not name:
            continue
        out.append({"org_number": row["org_number"], "name": name, "org": org})
        if len(out) >= MAX_PARTNERS:
            break
    return out


def _aligned_focus_areas(org_number: str) -> list[Element]:
    """The focus area most of the recipient's allocations were aligned to, per strategy (if aligned)."""
    if not org_number:
        return []
    try:
        alignment = apps.get_model("classify", "Alignment")
    except LookupError:
        return []
    rows = (
        alignment.objects.filter(allocation__org_number=org_number, primary__kind=ElementKind.FOCUS_AREA)
        .values("strategy_id", "primary_id")
        .annotate(n=Count("id"))
        .order_by("strategy_id", "-n", "primary_id")
    )
    best: dict[int, int] = {}
    for row in rows:
        best.setdefault(row["strategy_id"], row["primary_id"])
    return list(Element.objects.filter(pk__in=best.values()))


def _elements(authority: Authority, code: str, kind: str = ElementKind.FOCUS_AREA) -> list[Element]:
    return list(Element.objects.filter(strategy__authority=authority, kind=kind, code=code))


def load(authority: Authority, stdout: Any) -> None:
    if Partner.objects.filter(authority=authority).exists():
        return
    partners = _load_partners(authority)
    arenas = _load_arenas(authority, partners)
    agreements = _load_agreements(authority, partners)
    stdout.write(f"Partners: {len(partners)} partners, {arenas} arenas, {agreements} agreements")


def _load_partners(authority: Authority) -> list[Partner]:
    recipients = _top_recipients(authority)
    specs: list[dict] = []
    for r in recipients:
        org = r["org"]
        specs.append(
            {
                "name": r["name"],
                "org_number": r["org_number"],
                "org_form": org.org_form if org else "",
                "industry_code": org.industry_code if org else "",
                "municipality": org.municipality if org else None,
                "partner_type": _type_for(r["name"], org.org_form if org else ""),
            }
        )
    if len(specs) < 4:
        specs += [{"name": name, "partner_type": kind} for name, kind in FALLBACK[: 6 - len(specs)]]
    partners = []
    for i, spec in enumerate(specs):
        focus = _aligned_focus_areas(spec.get("org_number", ""))
        if not focus:
            codes = FOCUS_CYCLE[i % len(FOCUS_CYCLE)]
            focus = [e for code in codes for e in _elements(authority, code)]
        partner = Partner(
            authority=authority,
            contact_role="Daglig leder" if spec["partner_type"] == PartnerType.BUSINESS else "Avdeling for innovasjon",
            **spec,
        )
        if partner.municipality is not None:
            partner.municipality_name = partner.municipality.name
        partners.append(actions.save_partner(CLI_ACTOR, partner, focus_areas=focus))
    return partners


def _load_arenas(authority: Authority, partners: list[Partner]) -> int:
    if len(partners) < 3:
        return 0
    today = dt.date.today()
    half = max(2, len(partners) // 2)
    broker = partners[half - 1]
    cluster = actions.save_arena(
        CLI_ACTOR,
        Arena(
            authority=authority,
            name="Klynge for sirkulær blå økonomi i Nord",
            kind=ArenaKind.CLUSTER,
            description=(
                "Et nettverk av bedrifter og kunnskapsmiljø som vil bruke restråstoff og sidestrømmer fra "
                "fiskeri og havbruk til nye produkter, og dele utstyr, kunnskap og markedsinnsikt."
            ),
            coordinator=partners[0],
        ),
        members=partners[:half],
        focus_areas=_elements(authority, "SIRK") + _elements(authority, "RESSURS"),
    )
    centre = actions.save_arena(
        CLI_ACTOR,
        Arena(
            authority=authority,
            name="Kompetansesenter for havteknologi og digitalisering",
            kind=ArenaKind.COMPETENCE_CENTRE,
            description=(
                "Hjelper sjømatbedrifter og leverandører å ta i bruk sensorer, automatisering og dataanalyse, "
                "med kurs, testfasiliteter og felles prosjekter med utdanning og forskning."
            ),
        ),
        members=[broker, *partners[half:]],
        focus_areas=_elements(authority, "NIM") + _elements(authority, "GRONT"),
    )
    actions.add_arena_activity(
        CLI_ACTOR,
        cluster,
        title="Samling om restråstoff og nye produkter",
        date=today - dt.timedelta(days=40),
        description="To dager med bedriftsbesøk og workshop om felles pilotanlegg.",
    )
    actions.add_arena_activity(
        CLI_ACTOR,
        centre,
        title="Kurs i sensorteknologi for havbruk",
        date=today + dt.timedelta(days=30),
        description="Tre samlinger for driftsledere om sensorer, fjernstyring og bruk av data i drift.",
    )
    return 2


def _load_agreements(authority: Authority, partners: list[Partner]) -> int:
    if len(partners) < 2:
        return 0
    today = dt.date.today()
    actions.save_agreement(
        CLI_ACTOR,
        Agreement(
            authority=authority,
            title="Partnerskapsavtale om innovasjon og gründerskap",
            reference="2022/1234",
            starts_on=dt.date(today.year - 3, 1, 1),
            ends_on=today + dt.timedelta(days=120),
            renewal_date=today + dt.timedelta(days=45),
            status=AgreementStatus.ACTIVE,
            obligations=(
                "Fylkeskommunen: årlig tilskudd til inkubator og veiledning, og deltakelse i styringsgruppa.\n"
                "Partnerne: drive inkubatoren, rapportere på nye bedrifter og arbeidsplasser hvert år."
            ),
        ),
        parties=partners[:2],
        focus_areas=_elements(authority, "NIM") + _elements(authority, "GRONT"),
    )
    actions.save_agreement(
        CLI_ACTOR,
        Agreement(
            authority=authority,
            title="Samarbeidsavtale om sirkulær økonomi i havnæringene",
            reference="2024/567",
            starts_on=dt.date(today.year - 1, 1, 1),
            ends_on=dt.date(today.year + 3, 12, 31),
            renewal_date=dt.date(today.year + 3, 6, 30),
            status=AgreementStatus.ACTIVE,
            obligations="Felles forprosjekter om sidestrømmer, årlig statusmøte og deling av resultater.",
        ),
        parties=partners[-2:],
        focus_areas=_elements(authority, "SIRK") + _elements(authority, "RESSURS"),
    )
    return 2
