"""The report's text sections: default wording in bokmål and English, placeholders filled from the figures.

An advisor may replace any section's text for a year and language (`ReportText`); the default stands in
until then, so a report with no edits still reads well. Texts are plain paragraphs separated by a blank
line; a line starting with "- " is a bullet. `{name}` is replaced by the figure of that name (see
`PLACEHOLDERS`); an unknown `{name}` is left as written so a typo shows instead of vanishing.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

# Section keys in report order, with the label advisors see when they edit.
SECTIONS = {
    "intro": _("Summary"),
    "money": _("Money and its sources"),
    "focus_areas": _("Focus areas"),
    "drivers": _("Societal drivers and regional advantages"),
    "municipalities": _("Municipalities"),
    "projects": _("Projects"),
    "plans": _("Action plans"),
    "partners": _("Partners and arenas"),
    "signals": _("Trends and signals"),
    "outlook": _("Looking ahead"),
}

# What each placeholder holds, shown next to the text field.
PLACEHOLDERS = {
    "region": _("The region, e.g. Troms"),
    "authority": _("The county council's name"),
    "year": _("The report year"),
    "strategy": _("The strategy's name"),
    "total_mnok": _("All money granted in the year, in million kroner"),
    "count": _("Number of allocations"),
    "recipients": _("Number of recipients"),
    "state_mnok": _("State money, in million kroner"),
    "state_share": _("State money's share of the total"),
    "county_mnok": _("County money, in million kroner"),
    "county_share": _("County money's share of the total"),
    "top_principal": _("The principal that provided the most money"),
    "top_focus_area": _("The focus area with the most money"),
    "top_focus_area_share": _("Its share of the money"),
    "outside_mnok": _("Money outside the strategy's focus areas, in million kroner"),
    "outside_share": _("Its share of the money"),
    "top_driver": _("The societal driver touched by the most money"),
    "top_advantage": _("The regional advantage touched by the most money"),
    "municipalities": _("Number of municipalities that received money"),
    "top_municipality": _("The municipality that received the most"),
    "top_municipality_share": _("Its share of the money"),
    "plans": _("Number of action plans shown"),
    "measures": _("Number of measures in them"),
    "partners": _("Number of active partners"),
    "arenas": _("Number of active arenas"),
    "signals": _("Number of trends and signals shown"),
}

DEFAULTS: dict[str, dict[str, str]] = {
    "intro": {
        "nb": (
            "Denne rapporten viser hvordan de regionale utviklingsmidlene i {region} ble brukt i {year}, sett "
            "opp mot {strategy}. Den samler tildelinger fra fylkeskommunen og statlige oppdragsgivere, "
            "handlingsplaner, partnerskap og trender på ett sted.\n\n"
            "I {year} ble det innvilget {total_mnok} fordelt på {count} tildelinger til {recipients} mottakere "
            "i {municipalities} kommuner. Størst andel gikk til {top_focus_area} ({top_focus_area_share})."
        ),
        "en": (
            "This report shows how the regional development funds in {region} were used in {year}, measured "
            "against {strategy}. It brings together allocations from the county council and state principals, "
            "action plans, partnerships and trends in one place.\n\n"
            "In {year}, {total_mnok} was granted in {count} allocations to {recipients} recipients in "
            "{municipalities} municipalities. The largest share went to {top_focus_area} ({top_focus_area_share})."
        ),
    },
    "money": {
        "nb": (
            "Av de {total_mnok} som ble innvilget, var {state_mnok} statlige midler ({state_share}) og "
            "{county_mnok} fylkeskommunens egne midler ({county_share}). Oppdragsgiveren som bidro mest, var "
            "{top_principal}.\n\n"
            "Tallene gjelder innvilgede og utbetalte tilsagn i året. Trukne og avslåtte saker er ikke med."
        ),
        "en": (
            "Of the {total_mnok} granted, {state_mnok} was state money ({state_share}) and {county_mnok} the "
            "county council's own money ({county_share}). The principal that contributed the most was "
            "{top_principal}.\n\n"
            "The figures cover granted and paid commitments in the year. Withdrawn and rejected cases are left out."
        ),
    },
    "focus_areas": {
        "nb": (
            "{top_focus_area} fikk mest, med {top_focus_area_share} av midlene. {outside_mnok} "
            "({outside_share}) kunne ikke knyttes til noe fokusområde i strategien.\n\n"
            "En tildeling som treffer flere fokusområder, er delt mellom dem etter vekt, slik at fokusområdene "
            "til sammen blir lik totalen."
        ),
        "en": (
            "{top_focus_area} received the most, with {top_focus_area_share} of the money. {outside_mnok} "
            "({outside_share}) could not be linked to any focus area of the strategy.\n\n"
            "An allocation that touches several focus areas is split between them by weight, so the focus areas "
            "add up to the total."
        ),
    },
    "drivers": {
        "nb": (
            "Samfunnsdriverne og de regionale fortrinnene viser hva prosjektene bygger på. Mest penger berørte "
            "{top_driver} blant driverne og {top_advantage} blant fortrinnene.\n\n"
            "Her telles en tildeling fullt ut i hver driver og hvert fortrinn den berører. Tallene overlapper "
            "derfor og kan ikke summeres."
        ),
        "en": (
            "The societal drivers and regional advantages show what the projects build on. The most money "
            "touched {top_driver} among the drivers and {top_advantage} among the advantages.\n\n"
            "An allocation counts in full in every driver and advantage it touches, so these figures overlap "
            "and cannot be added up."
        ),
    },
    "municipalities": {
        "nb": (
            "{municipalities} kommuner mottok midler i {year}. {top_municipality} mottok mest, "
            "{top_municipality_share} av totalen. Tildelingene er plassert i dagens kommuner, også der vedtaket "
            "ble gjort før kommunereformene."
        ),
        "en": (
            "{municipalities} municipalities received money in {year}. {top_municipality} received the most, "
            "{top_municipality_share} of the total. Allocations are placed in today's municipalities, also where "
            "the decision was made before the municipal reforms."
        ),
    },
    "projects": {
        "nb": (
            "For hvert fokusområde viser vi de tre største prosjektene og ett typisk prosjekt: det som ligger "
            "nærmest medianbeløpet i fokusområdet og passer best med det. Enkeltpersonforetak vises uten navn."
        ),
        "en": (
            "For each focus area we show the three largest projects and one typical project: the one closest to "
            "the focus area's median amount that fits it best. Sole proprietors are shown without names."
        ),
    },
    "plans": {
        "nb": (
            "Handlingsplanene gjør strategien om til tiltak. Her er status for {measures} tiltak i {plans} "
            "handlingsplan(er), og det viktigste fra evalueringene."
        ),
        "en": (
            "The action plans turn the strategy into measures. Here is the status of {measures} measures in "
            "{plans} action plan(s), and the main points from the evaluations."
        ),
    },
    "partners": {
        "nb": (
            "Strategien gjennomføres sammen med partnere. Fylkeskommunen samarbeider med {partners} aktive "
            "partnere og deltar i {arenas} samarbeidsarenaer."
        ),
        "en": (
            "The strategy is carried out together with partners. The county council works with {partners} "
            "active partners and takes part in {arenas} collaboration arenas."
        ),
    },
    "signals": {
        "nb": (
            "Trender og signaler er utviklingstrekk som kan gjøre det nødvendig å justere strategien eller "
            "handlingsplanene. Her er {signals} av dem, med hva de betyr for oss."
        ),
        "en": (
            "Trends and signals are developments that may call for changes to the strategy or the action plans. "
            "Here are {signals} of them, with what they mean for us."
        ),
    },
    "outlook": {
        "nb": (
            "Tallene i rapporten er et grunnlag for å vurdere om innsatsen treffer strategiens prioriteringer. "
            "Fokusområder med lite midler og signaler med sterk betydning bør drøftes ved neste rullering av "
            "handlingsplanene.\n\n"
            "Alle tabeller i rapporten finnes også i et regneark som vedlegg."
        ),
        "en": (
            "The figures in this report are a basis for judging whether the effort meets the strategy's "
            "priorities. Focus areas with little money and strong signals should be discussed at the next "
            "revision of the action plans.\n\n"
            "Every table in the report is also available in a spreadsheet appendix."
        ),
    },
}

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def default_text(section: str, language: str) -> str:
    texts = DEFAULTS[section]
    return texts.get(language) or texts["nb"]


def fill(body: str, figures: dict[str, str]) -> str:
    """Replace each known `{name}` with its figure; leave unknown ones as written."""
    return _PLACEHOLDER.sub(lambda m: str(figures[m.group(1)]) if m.group(1) in figures else m.group(0), body)


def blocks(body: str) -> list[dict]:
    """Plain text → paragraph and bullet-list blocks (a blank line ends a paragraph; "- " starts a bullet)."""
    out: list[dict] = []
    for chunk in re.split(r"\n\s*\n", body.replace("\r\n", "\n").strip()):
        lines = [line.strip() for line in chunk.split("\n") if line.strip()]
        if not lines:
            continue
        if all(line.startswith(("- ", "* ")) for line in lines):
            out.append({"type": "list", "items": [line[2:].strip() for line in lines]})
        else:
            out.append({"type": "paragraph", "text": " ".join(lines)})
    return out
