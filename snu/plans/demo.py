"""Demo data: the circular-economy action plan of Troms, with two adopted revisions and one in progress."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Q

from snu.core.cli import CLI_ACTOR
from snu.core.models import Authority
from snu.grants.models import Allocation
from snu.plans import actions
from snu.plans.models import ActionPlan, Decision, Indicator, Measure, MeasureStatus
from snu.strategy.models import Element, Strategy

PLAN_NAME = "Handlingsplan for sirkulær økonomi 2021–2026"
KEYWORDS = ["restråstoff", "sirkul", "gjenbruk", "avfall", "biprodukt", "symbiose", "ressursutnytt"]


def load(authority: Authority, stdout: Any) -> None:
    strategy = Strategy.objects.filter(authority=authority, code="troms-snu-2018").first()
    if strategy is None or ActionPlan.objects.filter(authority=authority, name=PLAN_NAME).exists():
        return
    el = {e.code: e for e in strategy.elements.all()}
    plan = actions.create_plan(
        CLI_ACTOR,
        authority,
        name=PLAN_NAME,
        strategy=strategy,
        elements=[el["SIRK"], el["SIRK-RESTRA"]],
        period_from=2021,
        period_to=2026,
        cadence_months=24,
        owner="Næringsseksjonen, Troms fylkeskommune",
        description=(
            "Handlingsplanen konkretiserer fokusområdet sirkulær økonomi: mer verdi av restråstoff, "
            "samarbeid om ressursstrømmer mellom bedrifter og kompetanse på sirkulære forretningsmodeller."
        ),
    )
    measures = _revision_one(plan, el)
    _indicators(plan, el, measures)
    actions.adopt_revision(
        CLI_ACTOR,
        plan.draft(),  # type: ignore[arg-type]
        adopted_on=dt.date(2021, 6, 15),
        decision_reference="PS 45/21 Fylkesrådet",
        summary="Første handlingsplan for sirkulær økonomi.",
    )
    _link_allocations(measures["T1"], el["SIRK-RESTRA"], 2021, 2022)
    _link_allocations(measures["T2"], el["SIRK"], 2021, 2022)
    _follow_up_one(measures)
    second = _revision_two(plan, el)
    _link_allocations(second["T1"], el["SIRK-RESTRA"], 2023, 2026)
    _follow_up_two(second)
    _revision_three(plan, el)
    actions.raise_proposal(
        CLI_ACTOR,
        plan,
        title="Vurder et tiltak for sirkulære løsninger i bygg og anlegg",
        text="Flere kommuner ønsker hjelp til ombruk av byggematerialer og krav i offentlige anskaffelser.",
        source_label="Innspill fra partnerskapsmøtet i Tromsø",
    )
    stdout.write(f"Action plan: {plan.name} (2 adopted revisions, 1 in progress)\n")


def _measure(revision, el, code, title, *, budget, start, end, elements, **extra) -> Measure:
    return actions.add_measure(
        CLI_ACTOR,
        revision,
        code=code,
        title=title,
        budget=Decimal(budget),
        starts_on=start,
        ends_on=end,
        elements=[el[c] for c in elements],
        **extra,
    )


def _revision_one(plan: ActionPlan, el: dict[str, Element]) -> dict[str, Measure]:
    rev = plan.draft()
    return {
        "T1": _measure(
            rev,
            el,
            "T1",
            "Mer verdi av restråstoff fra sjømat og landbruk",
            budget="6000000",
            start=dt.date(2021, 7, 1),
            end=dt.date(2025, 12, 31),
            elements=["SIRK", "SIRK-RESTRA", "BAER", "FOUI"],
            owner="Næringsseksjonen",
            partners_text="Nofima, Sjømat Norge, Norges Bondelag",
            description="Forprosjekter og piloter som tar restråstoff i bruk i nye produkter.",
        ),
        "T2": _measure(
            rev,
            el,
            "T2",
            "Nettverk for industriell symbiose",
            budget="2500000",
            start=dt.date(2021, 9, 1),
            end=dt.date(2026, 12, 31),
            elements=["SIRK", "SAM", "BAER"],
            owner="Næringsseksjonen",
            partners_text="Næringsforeninger, kommunene, Innovasjon Norge",
            description="Et nettverk der bedrifter finner hverandres overskuddsvarme, biprodukter og avfall.",
        ),
        "T3": _measure(
            rev,
            el,
            "T3",
            "Kompetanseprogram for sirkulære forretningsmodeller",
            budget="3000000",
            start=dt.date(2022, 1, 1),
            end=dt.date(2024, 12, 31),
            elements=["SIRK", "FOUI", "TEK"],
            owner="Kompetanseseksjonen",
            partners_text="UiT Norges arktiske universitet",
            description="Kurs og veiledning for ledere i små og mellomstore bedrifter.",
        ),
        "T4": _measure(
            rev,
            el,
            "T4",
            "Kartlegging av avfalls- og ressursstrømmer",
            budget="800000",
            start=dt.date(2021, 9, 1),
            end=dt.date(2022, 12, 31),
            elements=["SIRK", "BAER"],
            owner="Plan- og miljøseksjonen",
        ),
    }


def _indicators(plan: ActionPlan, el: dict[str, Element], measures: dict[str, Measure]) -> None:
    actions.save_indicator(
        CLI_ACTOR,
        plan,
        name="Tilskudd til prosjekter innen sirkulær økonomi",
        unit="antall",
        kind=Indicator.Kind.ALLOCATION_COUNT,
        baseline=Decimal(10),
        baseline_year=2020,
        target=Decimal(25),
        target_year=2026,
        elements=[el["SIRK"]],
    )
    actions.save_indicator(
        CLI_ACTOR,
        plan,
        name="Midler til sirkulær økonomi",
        unit="kr",
        kind=Indicator.Kind.ALLOCATION_SUM,
        elements=[el["SIRK"]],
    )
    network = actions.save_indicator(
        CLI_ACTOR,
        plan,
        name="Bedrifter i nettverket for industriell symbiose",
        unit="bedrifter",
        baseline=Decimal(0),
        baseline_year=2021,
        target=Decimal(40),
        target_year=2026,
        measure_key=measures["T2"].key,
    )
    raw = actions.save_indicator(
        CLI_ACTOR,
        plan,
        name="Restråstoff tatt i bruk i nye produkter",
        unit="tonn",
        baseline=Decimal(1200),
        baseline_year=2020,
        target=Decimal(4000),
        target_year=2026,
        measure_key=measures["T1"].key,
    )
    for year, value in [(2021, 6), (2022, 14), (2023, 21), (2024, 27), (2025, 33)]:
        actions.set_indicator_value(CLI_ACTOR, network, year=year, value=Decimal(value))
    for year, value in [(2021, 1350), (2022, 1700), (2023, 1900), (2024, 2150), (2025, 2300)]:
        actions.set_indicator_value(CLI_ACTOR, raw, year=year, value=Decimal(value))


def _link_allocations(measure: Measure, element: Element, first: int, last: int, limit: int = 4) -> None:
    """Link a few demo allocations: aligned to the element if the alignment has run, else by keyword."""
    plan = measure.revision.plan
    base = Allocation.objects.filter(authority=plan.authority, year__gte=first, year__lte=last).exclude(
        status__in=["withdrawn", "rejected", "applied"]
    )
    aligned = base.filter(
        alignments__strategy=plan.strategy, alignments__elements__element=element, alignments__elements__assigned=True
    )
    words = Q()
    for word in KEYWORDS:
        words |= Q(title__icontains=word) | Q(description__icontains=word)
    chosen = list(aligned.distinct().order_by("-amount")[:limit]) or list(
        base.filter(words).order_by("-amount")[:limit]
    )
    for allocation in chosen:
        if not measure.allocation_links.filter(allocation=allocation).exists():
            actions.link_allocation(CLI_ACTOR, measure, allocation)


def _follow_up_one(m: dict[str, Measure]) -> None:
    actions.report_status(
        CLI_ACTOR,
        m["T1"],
        status=MeasureStatus.ON_TRACK,
        comment="Fem forprosjekter i gang.",
        reported_on=dt.date(2022, 3, 1),
    )
    actions.report_status(
        CLI_ACTOR,
        m["T3"],
        status=MeasureStatus.AT_RISK,
        comment="Få påmeldte fra distriktene.",
        reported_on=dt.date(2022, 11, 1),
    )
    actions.report_status(
        CLI_ACTOR, m["T4"], status=MeasureStatus.DONE, comment="Rapporten er levert.", reported_on=dt.date(2022, 12, 15)
    )
    evaluations = {
        "T1": (
            "Fem forprosjekter og to piloter på ensilasje og fiskemel.",
            "To piloter gikk videre til investering.",
            "Bedriftene trenger hjelp til å finne kjøpere for produktene.",
            Decision.SCALE_UP,
            "Flere piloter, også i landbruket.",
        ),
        "T2": (
            "Nettverket ble startet med tre samlinger.",
            "14 bedrifter deltar.",
            "Møteplassene virker; bedriftene ber om en fast koordinator.",
            Decision.CONTINUE,
            "",
        ),
        "T3": (
            "To kull i Tromsø.",
            "Få deltakere utenfor byene.",
            "Programmet må gå digitalt og i regionene.",
            Decision.ADJUST,
            "Digitale samlinger og regionale kull.",
        ),
        "T4": (
            "Kartleggingen er gjort for hele fylket.",
            "Rapporten brukes av kommunene.",
            "Data om ressursstrømmer bør oppdateres jevnlig.",
            Decision.STOP,
            "Kartleggingen er ferdig.",
        ),
    }
    for code, (done, happened, learned, decision, note) in evaluations.items():
        actions.record_evaluation(
            CLI_ACTOR,
            m[code],
            what_was_done=done,
            what_happened=happened,
            what_we_learned=learned,
            decision=decision,
            decision_note=note,
        )


def _revision_two(plan: ActionPlan, el: dict[str, Element]) -> dict[str, Measure]:
    rev = actions.start_revision(CLI_ACTOR, plan)
    m = {x.code: x for x in rev.measures.all()}
    m["T1"] = actions.update_measure(
        CLI_ACTOR,
        m["T1"],
        expected_version=m["T1"].version,
        budget=Decimal("9000000"),
        change_reason="Oppskalert etter evalueringen: flere piloter, også i landbruket.",
    )
    m["T3"] = actions.update_measure(
        CLI_ACTOR,
        m["T3"],
        expected_version=m["T3"].version,
        ends_on=dt.date(2026, 6, 30),
        description="Kurs og veiledning for ledere i små og mellomstore bedrifter, digitalt og i regionene.",
        change_reason="Justert etter evalueringen: digitale samlinger og regionale kull.",
    )
    m["T5"] = _measure(
        rev,
        el,
        "T5",
        "Sirkulære innkjøp i kommunene",
        budget="1500000",
        start=dt.date(2023, 9, 1),
        end=dt.date(2026, 12, 31),
        elements=["SIRK", "SAM"],
        owner="Innkjøpsseksjonen",
        partners_text="Kommunene i Troms",
        change_reason="Nytt tiltak: offentlige innkjøp er en stor hevarm for ombruk.",
    )
    actions.adopt_revision(
        CLI_ACTOR,
        rev,
        adopted_on=dt.date(2023, 6, 20),
        decision_reference="FT-sak 52/23",
        summary="Første rullering: restråstoff skaleres opp, kompetanse justeres, sirkulære innkjøp legges til.",
    )
    return m


def _follow_up_two(m: dict[str, Measure]) -> None:
    actions.report_status(
        CLI_ACTOR, m["T2"], status=MeasureStatus.ON_TRACK, comment="27 bedrifter med.", reported_on=dt.date(2024, 12, 1)
    )
    actions.report_status(
        CLI_ACTOR,
        m["T5"],
        status=MeasureStatus.DELAYED,
        comment="Venter på nytt innkjøpsreglement.",
        reported_on=dt.date(2025, 9, 1),
    )
    actions.record_evaluation(
        CLI_ACTOR,
        m["T1"],
        what_was_done="Elleve piloter, fire i landbruket.",
        what_happened="Mengden restråstoff i bruk øker, men saktere enn målet.",
        what_we_learned="Logistikk er flaskehalsen, ikke teknologi.",
        decision=Decision.ADJUST,
        decision_note="Legg inn støtte til felles logistikk.",
    )
    actions.record_evaluation(
        CLI_ACTOR,
        m["T2"],
        what_was_done="Fast koordinator og seks samlinger.",
        what_happened="27 bedrifter deltar; tre nye symbioser.",
        what_we_learned="Nettverket bør knyttes til havbruksklyngene.",
        decision=Decision.SCALE_UP,
        decision_note="Utvid til Nord-Troms og Senja.",
    )


def _revision_three(plan: ActionPlan, el: dict[str, Element]) -> None:
    rev = actions.start_revision(CLI_ACTOR, plan)
    m = {x.code: x for x in rev.measures.all()}
    actions.update_measure(
        CLI_ACTOR,
        m["T2"],
        expected_version=m["T2"].version,
        budget=Decimal("4000000"),
        change_reason="Oppskalert etter evalueringen: nettverket utvides til Nord-Troms og Senja.",
    )
    _measure(
        rev,
        el,
        "T6",
        "Marin biomasse: tang og tare",
        budget="2000000",
        start=dt.date(2027, 1, 1),
        end=dt.date(2028, 12, 31),
        elements=["SIRK", "SIRK-RESTRA", "FOUI"],
        owner="Næringsseksjonen",
        change_reason="Nytt tiltak etter signaler om vekst i dyrking av tang og tare.",
    )
