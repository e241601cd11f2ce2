"""Turn the Danish ERDF/ESF development set into SNU's canonical import CSV, labels column included.

Run: .venv/bin/python bench/dk_to_canonical.py [--output bench/data/dk_erdf_canonical.csv]
Then: .venv/bin/python manage.py evaluate bench/data/dk_erdf_canonical.csv --strategy dk_erdf

projekttitel → title, tas_projekt_besk → description, ordning → scheme, Indsatsområde → labels
(through `label_values` in snu/classify/strategies/dk_erdf.yaml), budget → amount, start year → year.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared" / "data" / "dev" / "dk_erdf_2007_2013.csv"
STRATEGY = ROOT / "snu" / "classify" / "strategies" / "dk_erdf.yaml"
OUTPUT = ROOT / "bench" / "data" / "dk_erdf_canonical.csv"
HEADERS = ["external_id", "title", "description", "recipient", "scheme", "funding_source", "amount", "year", "labels"]


def convert(source: Path, output: Path) -> int:
    labels = yaml.safe_load(STRATEGY.read_text(encoding="utf-8"))["label_values"]
    output.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with source.open(encoding="utf-8", newline="") as f, output.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADERS)
        for i, row in enumerate(csv.DictReader(f), start=1):
            code = labels.get(row["Indsatsområde"].strip())
            if not code:
                continue
            year = row["start_dato"].strip()[-4:]
            funding = "ESF" if row["ordning"].startswith("ESF") else "ERDF"
            amount = row["budget"].replace(".", "").strip() or "0"
            writer.writerow(
                [f"DK-{i:04d}", row["projekttitel"], row["tas_projekt_besk"], row["navn"], row["ordning"],
                 funding, amount, year, code]
            )  # fmt: skip
            n += 1
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    print(f"{convert(args.source, args.output)} labelled rows written to {args.output}")


if __name__ == "__main__":
    main()
