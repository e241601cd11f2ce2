"""Benchmark the strategy-alignment classifier: quality on the DK dev set, then speed.

Run: .venv/bin/python bench/classify.py [--rows 200000]
Prints figures and ratios against the targets, and saves them to bench/results/classify.txt.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from snu.classify.evaluation import evaluate, format_report  # noqa: E402
from snu.classify.model import StrategyAligner  # noqa: E402

DK_CSV = ROOT.parent / "shared" / "data" / "dev" / "dk_erdf_2007_2013.csv"
DK_STRATEGY = ROOT / "snu" / "classify" / "strategies" / "dk_erdf.yaml"
RESULTS = ROOT / "bench" / "results" / "classify.txt"
TARGET_PREDICT_PER_S = 5_000
TARGET_TRAIN_S = 30.0

# A small Norwegian regional strategy, as the Django side would pass it.
NO_ELEMENTS = [
    {
        "kind": "focus_area",
        "code": "HAV",
        "name": {"nb": "Havnæringer"},
        "description": {"nb": "Sjømat, havbruk, fiskeri og maritim næring langs kysten."},
        "keywords": {"nb": ["sjømat", "havbruk", "fiskeri", "maritim", "oppdrett", "fisk", "sjø"]},
        "industry_codes": ["03", "10.2", "50"],
    },
    {
        "kind": "focus_area",
        "code": "OPP",
        "name": {"nb": "Opplevelsesnæringer og reiseliv"},
        "description": {"nb": "Reiseliv, kultur og opplevelser som gir helårs arbeidsplasser."},
        "keywords": {"nb": ["reiseliv", "turisme", "opplevelse", "kultur", "hotell", "destinasjon"]},
        "industry_codes": ["55", "56", "79", "90"],
    },
    {
        "kind": "focus_area",
        "code": "ENE",
        "name": {"nb": "Fornybar energi og grønn omstilling"},
        "description": {"nb": "Fornybar energi, hydrogen og lavutslippsløsninger for industrien."},
        "keywords": {"nb": ["fornybar", "energi", "hydrogen", "klima", "utslipp", "bærekraft", "vindkraft"]},
        "industry_codes": ["35"],
    },
    {
        "kind": "focus_area",
        "code": "IND",
        "name": {"nb": "Industri og teknologi"},
        "description": {"nb": "Vareproduserende industri, automatisering og digitalisering."},
        "keywords": {"nb": ["industri", "produksjon", "automatisering", "digitalisering", "teknologi"]},
        "industry_codes": ["25", "26", "28", "62"],
    },
    {
        "kind": "focus_area",
        "code": "LAN",
        "name": {"nb": "Landbruk og mat"},
        "description": {"nb": "Jordbruk, skogbruk og lokalmat med verdiskaping i distriktene."},
        "keywords": {"nb": ["landbruk", "jordbruk", "skogbruk", "lokalmat", "gård", "tre"]},
        "industry_codes": ["01", "02", "10"],
    },
    {
        "kind": "driver",
        "code": "KOMP",
        "name": {"nb": "Kompetanse"},
        "description": {"nb": "Kompetanseheving, utdanning og rekruttering."},
        "keywords": {"nb": ["kompetanse", "opplæring", "utdanning", "rekruttering", "kurs"]},
        "industry_codes": ["85"],
    },
    {
        "kind": "driver",
        "code": "INNO",
        "name": {"nb": "Innovasjon og forskning"},
        "description": {"nb": "Forskning, utvikling og innovasjon i bedriftene."},
        "keywords": {"nb": ["innovasjon", "forskning", "utvikling", "forprosjekt", "pilot"]},
        "industry_codes": ["72"],
    },
    {
        "kind": "advantage",
        "code": "NAT",
        "name": {"nb": "Naturressurser"},
        "description": {"nb": "Rik tilgang på natur, hav og fornybare ressurser."},
        "keywords": {"nb": ["natur", "ressurs", "kyst"]},
        "industry_codes": [],
    },
]

TOPICS = {
    "HAV": [
        "sjømatbedrift",
        "lakseoppdrett",
        "havbruksnæringen",
        "fiskeforedling",
        "kystfiske",
        "skalldyr",
        "tareproduksjon",
        "fiskemottak",
        "maritime tjenester",
        "sjømatklynge",
    ],
    "OPP": [
        "reiselivsbedrift",
        "hotelldrift",
        "opplevelsesturisme",
        "kulturfestival",
        "fjellturisme",
        "destinasjonsselskap",
        "overnatting",
        "guidede turer",
        "matopplevelser",
        "museumsformidling",
    ],
    "ENE": [
        "solcelleanlegg",
        "hydrogenproduksjon",
        "vindkraftprosjekt",
        "energieffektivisering",
        "biogass",
        "utslippskutt",
        "ladeinfrastruktur",
        "varmepumper",
        "klimatiltak",
        "grønn omstilling",
    ],
    "IND": [
        "produksjonslinje",
        "industrirobot",
        "automatisering",
        "digitaliseringsprosjekt",
        "verkstedindustri",
        "prosessindustri",
        "sensorteknologi",
        "programvare",
        "3D-printing",
        "mekanisk industri",
    ],
    "LAN": [
        "gårdsbutikk",
        "lokalmatprodusent",
        "melkeproduksjon",
        "skogsbilvei",
        "trebearbeiding",
        "økologisk jordbruk",
        "grønnsaksproduksjon",
        "foredling av bær",
        "gårdsysteri",
        "juletreproduksjon",
    ],
}
NACE = {
    "HAV": ["03.211", "10.201", "50.102"],
    "OPP": ["55.101", "56.101", "79.110", "90.012"],
    "ENE": ["35.111", "35.300"],
    "IND": ["25.110", "28.290", "62.010"],
    "LAN": ["01.110", "02.100", "10.510"],
}
ACTIONS = [
    "Forprosjekt",
    "Utvikling av",
    "Investering i",
    "Kompetanseheving i",
    "Markedsføring av",
    "Etablering av",
    "Pilot for",
    "Forskningssamarbeid om",
    "Nettverk for",
    "Utvidelse av",
]
DESCRIPTIONS = [
    "Prosjektet skal styrke {t} i regionen og skape nye arbeidsplasser.",
    "Bedriften vil utvikle {t} med nye løsninger for et større marked.",
    "Tilskuddet går til {t}, med mål om økt verdiskaping og lønnsomhet.",
    "Målet er å auke kompetansen innan {t} gjennom kurs og opplæring av tilsette.",
    "Det skal gjennomføres et forprosjekt om {t} i samarbeid med forskningsmiljø.",
]
SCHEMES = [
    "Bedriftsutviklingstilskudd",
    "Etablerertilskudd",
    "Regionale utviklingsmidler",
    "Innovasjonskontrakt",
]
ORG_FORMS = ["AS", "AS", "AS", "ENK", "KOMM", "FLI", "SA"]


def synthetic_allocations(n: int, seed: int = 42) -> tuple[list[dict], list[set]]:
    rng = random.Random(seed)
    codes = list(TOPICS)
    X, y = [], []
    for _ in range(n):
        code = rng.choice(codes)
        topic = rng.choice(TOPICS[code])
        other = rng.choice(TOPICS[rng.choice(codes)])
        X.append(
            {
                "title": f"{rng.choice(ACTIONS)} {topic}",
                "description": rng.choice(DESCRIPTIONS).format(t=topic)
                + " "
                + rng.choice(DESCRIPTIONS).format(t=other),
                "scheme": rng.choice(SCHEMES),
                "funding_source": "Innovasjon Norge",
                "industry_code": rng.choice(NACE[code]) if rng.random() < 0.7 else rng.choice(NACE[rng.choice(codes)]),
                "org_form": rng.choice(ORG_FORMS),
            }
        )
        y.append({code})
    return X, y


def dk_rows() -> tuple[list[dict], list[dict]]:
    strategy = yaml.safe_load(DK_STRATEGY.read_text(encoding="utf-8"))
    rows = []
    with DK_CSV.open(encoding="utf-8") as handle:
        for record in csv.DictReader(handle):
            rows.append(
                {
                    "title": record["projekttitel"],
                    "description": record["tas_projekt_besk"],
                    "scheme": record["ordning"],
                    # ESF* schemes are the European Social Fund, ERDF* the Regional Fund.
                    "funding_source": "Den Europæiske Socialfond"
                    if record["ordning"].startswith("ESF")
                    else "Den Europæiske Fond for Regionaludvikling",
                    "labels": {strategy["label_values"][record["Indsatsområde"]]},
                }
            )
    return strategy, rows


def quality(out: list[str]) -> None:
    strategy, rows = dk_rows()
    result = evaluate(rows, strategy["elements"], folds=5, shots=(5, 20), language=strategy.get("language", "da"))
    out.append("== Quality: DK ERDF/ESF 2007-2013 dev set (macro-F1 on primary focus area) ==")
    out.append(format_report(result))
    kfold, zero = result["kfold"]["macro_f1"]["focus_area"], result["zero_shot"]["macro_f1"]["focus_area"]
    lr, majority = result["tfidf_lr"]["macro_f1"]["focus_area"], result["majority"]["macro_f1"]["focus_area"]
    out.append("")
    out.append(f"k-fold vs TF-IDF+LR: {100 * (kfold - lr):+.1f} points (target ≥ +5.0)")
    out.append(f"zero-shot vs majority: {100 * (zero - majority):+.1f} points (target: well above)")


def synthetic_chunks(n: int, seed: int, size: int = 50_000):
    """Allocations in chunks so a million rows never sit in memory at once."""
    for number, start in enumerate(range(0, n, size)):
        yield synthetic_allocations(min(size, n - start), seed=seed * 1_000 + number)[0]


def timed_predict(model: StrategyAligner, chunks) -> tuple[int, float]:
    """Rows and CPU seconds of this process: the bench machine is shared, so wall time over-
    states the cost when other jobs run; CPU time is what one dedicated core would need."""
    rows, seconds = 0, 0.0
    for X in chunks:
        started = time.process_time()
        model.assign(model.predict_scores(X))
        seconds += time.process_time() - started
        rows += len(X)
    return rows, seconds


def speed(out: list[str], n_predict: int) -> None:
    X_train, y_train = synthetic_allocations(10_000, seed=1)
    started, wall = time.process_time(), time.perf_counter()
    model = StrategyAligner(NO_ELEMENTS, language="nb").fit(X_train, y_train)
    train_s, train_wall = time.process_time() - started, time.perf_counter() - wall
    model.predict_scores(X_train[:1000])  # a long-running worker has a warm token cache
    rows, seconds = timed_predict(model, synthetic_chunks(n_predict, seed=2))
    per_s = rows / seconds
    zero = StrategyAligner(NO_ELEMENTS, language="nb").fit()
    zero_rows, zero_s = timed_predict(zero, synthetic_chunks(100_000, seed=3))
    out += [
        "",
        "== Speed (one process, CPU seconds; synthetic Norwegian allocations, seeded; generation not timed) ==",
        f"machine load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
        f"training on 10,000 labelled rows: {train_s:.1f} s CPU, {train_wall:.1f} s wall "
        f"(target < {TARGET_TRAIN_S:.0f} s, ratio {TARGET_TRAIN_S / max(train_s, train_wall):.1f}x)",
        f"predict (scores + assignment), trained model, {rows:,} rows: {per_s:,.0f}/s  "
        f"(target ≥ {TARGET_PREDICT_PER_S:,}/s, ratio {per_s / TARGET_PREDICT_PER_S:.1f}x)",
        f"  → 1,000,000 allocations in {1_000_000 / per_s / 60:.2f} min"
        + ("" if rows >= 1_000_000 else f" (extrapolated from {rows:,})")
        + " (target < 5 min)",
        f"predict, zero-shot model, {zero_rows:,} rows: {zero_rows / zero_s:,.0f}/s",
    ]
    long_texts(out)


def long_texts(out: list[str]) -> None:
    """Throughput on real, long descriptions (DK dev set, ~1,800 characters each), repeated."""
    strategy, rows = dk_rows()
    X = rows * 50
    for max_words in (None, 150):
        model = StrategyAligner(strategy["elements"], language="da", max_words=max_words)
        model.fit(rows, [r["labels"] for r in rows])
        n, seconds = timed_predict(model, [X[i : i + 10_000] for i in range(0, len(X), 10_000)])
        out.append(
            f"predict, trained DK model on DK texts (~1,800 chars), max_words={max_words}, {n:,} rows: "
            f"{n / seconds:,.0f}/s (ratio {n / seconds / TARGET_PREDICT_PER_S:.1f}x)"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000, help="allocations to predict in the speed test")
    parser.add_argument("--skip-quality", action="store_true")
    args = parser.parse_args()
    out: list[str] = []
    if not args.skip_quality:
        quality(out)
        print("\n".join(out), flush=True)
    printed = len(out)
    speed(out, args.rows)
    print("\n".join(out[printed:]))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(out) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
