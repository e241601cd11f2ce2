"""Demo trends and signals. The OECD review is named as published; national white papers are named
generically. Descriptions and assessments are written by the SNU project in its own words."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model

from snu.core.cli import CLI_ACTOR
from snu.core.models import Authority
from snu.signals import actions
from snu.signals.models import Horizon, Signal, SignalKind, Strength
from snu.strategy.models import Element, ElementKind

OECD_NSPA = "OECD Territorial Reviews: Northern Sparsely Populated Areas"
OECD_NSPA_URL = "https://doi.org/10.1787/9789264268234-en"

# title, kind, horizon, strength, source, url, drivers, focus areas, description, so what, review in days
SIGNALS = [
    (
        "Færre unge og flere eldre i spredtbygde kommuner",
        SignalKind.TREND,
        Horizon.LONG,
        Strength.STRONG,
        f"{OECD_NSPA} (2017)",
        OECD_NSPA_URL,
        ["SAM", "TEK"],
        ["SVS", "ATTR"],
        "Befolkningen i de nordlige, spredtbygde regionene eldes og unge flytter til byene. "
        "OECD-gjennomgangen peker på at tilgang til arbeidskraft blir en hovedutfordring.",
        "Vi må prioritere tiltak som gjør det attraktivt å bo og arbeide i distriktene, og bruke "
        "teknologi for å levere tjenester der folk bor.",
        14,
    ),
    (
        "Naturressurser og nærhet til Arktis som grunnlag for verdiskaping",
        SignalKind.TREND,
        Horizon.MEDIUM,
        Strength.STRONG,
        f"{OECD_NSPA} (2017)",
        OECD_NSPA_URL,
        ["BAER", "FOUI"],
        ["SIRK", "ARKTIS"],
        "Regionenes fortrinn ligger i naturressurser, men mer av verdiskapingen bør skje lokalt, "
        "gjennom foredling, kunnskap og samarbeid mellom næringsliv og forskning.",
        "Støtt prosjekter som foredler råvarer i regionen og knytter bedrifter til forskningsmiljøene.",
        120,
    ),
    (
        "Etterspørsel etter lavutslipps reiseopplevelser i nord",
        SignalKind.WEAK_SIGNAL,
        Horizon.MEDIUM,
        Strength.MODERATE,
        "Nasjonal reiselivsstrategi og stortingsmelding om reiseliv",
        "",
        ["BAER"],
        ["OPP", "GRONT"],
        "Flere tilbydere og kunder spør etter reiser med lave utslipp, lengre opphold og lokal mat.",
        "Helårsturisme med lave utslipp kan gi bedre lønnsomhet; vurder krav til bærekraftsmerking i tilskudd.",
        25,
    ),
    (
        "Restråstoff fra havbruk blir etterspurt råvare",
        SignalKind.WEAK_SIGNAL,
        Horizon.SHORT,
        Strength.MODERATE,
        "Stortingsmelding om havnæringene",
        "",
        ["BAER", "FOUI"],
        ["SIRK", "RESSURS"],
        "Sidestrømmer som før var avfall selges nå til fôr, kosttilskudd og biogass.",
        "Klyngen for sirkulær blå økonomi bør få en rolle i å koble bedrifter og forskning på feltet.",
        200,
    ),
    (
        "Digitalisering og automatisering i sjømatnæringen",
        SignalKind.TREND,
        Horizon.SHORT,
        Strength.STRONG,
        "Stortingsmelding om digitalisering og næringsutvikling",
        "",
        ["TEK", "FOUI"],
        ["NIM", "GRONT"],
        "Sensorer, fjernstyring og dataanalyse tas raskt i bruk i havbruk og fiskeforedling.",
        "Kompetanse på teknologi blir en flaskehals; se på samarbeid med utdanningsinstitusjonene.",
        150,
    ),
    (
        "Brå stans i internasjonal ferdsel og handel i nordområdene",
        SignalKind.WILD_CARD,
        Horizon.LONG,
        Strength.WEAK,
        "Nasjonal strategi for nordområdene",
        "",
        ["SAM"],
        ["ARKTIS"],
        "En sikkerhetspolitisk krise kan stenge grenser, sjøruter og samarbeid med naboland over natten.",
        "Lite sannsynlig, men stor virkning: se etter avhengigheter i eksport, reiseliv og forskningssamarbeid.",
        300,
    ),
]


def _elements(authority: Authority, codes: list[str], kind: str) -> list[Element]:
    return list(Element.objects.filter(strategy__authority=authority, kind=kind, code__in=codes))


def load(authority: Authority, stdout: Any) -> None:
    if Signal.objects.filter(authority=authority).exists():
        return
    owner = get_user_model().objects.filter(username="radgiver", membership__authority=authority).first()
    today = dt.date.today()
    for title, kind, horizon, strength, source, url, drivers, focus, text, so_what, days in SIGNALS:
        signal = Signal(
            authority=authority,
            title=title,
            kind=kind,
            horizon=horizon,
            strength=strength,
            source_title=source,
            source_url=url,
            description=text,
            so_what=so_what,
            owner=owner,
            review_date=today + dt.timedelta(days=days),
        )
        actions.save_signal(
            CLI_ACTOR,
            signal,
            drivers=_elements(authority, drivers, ElementKind.DRIVER),
            focus_areas=_elements(authority, focus, ElementKind.FOCUS_AREA),
        )
    stdout.write(f"Signals: {len(SIGNALS)} trends and signals")
