"""Benchmark allocation imports: a seeded 1 M-row file drawn from the real distributions, imported into SQLite
and PostgreSQL, against reading the same file with Polars and DuckDB; then XLSX with 200,000 rows.

Run:   .venv/bin/python bench/import.py                      (1,000,000 rows; PostgreSQL from DATABASE_URL or
                                                                postgres://postgres@127.0.0.1:5432/postgres)
       .venv/bin/python bench/import.py --rows 100000 --xlsx-rows 20000 --no-postgres
Prints rows/s, peak memory and the ratios, and saves them to bench/results/import.txt.
Targets: ≥ 100,000 rows/s into PostgreSQL, ≥ 50,000 rows/s into SQLite, peak memory < 2 GB, XLSX 200,000 rows < 10 s.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "snu" / "imports" / "data" / "demo" / "innovasjon_norge_troms_2010_2018.csv"
RESULTS = ROOT / "bench" / "results" / "import.txt"
HEADERS = [
    "external_id",
    "title",
    "description",
    "recipient",
    "org_number",
    "municipality",
    "scheme",
    "funding_source",
    "industry_code",
    "amount",
    "status",
    "decision_date",
    "year",
]
VERBS = [
    "Utvikling av",
    "Etablering av",
    "Forprosjekt:",
    "Investering i",
    "Kompetanseheving i",
    "Pilot for",
    "Markedsføring av",
    "Videreutvikling av",
    "Oppgradering av",
    "Samarbeid om",
]
NOUNS = [
    "sjømatnæringen",
    "reiselivsprodukter",
    "landbruksbygg",
    "fiskeflåten",
    "lokalmat",
    "havbruk",
    "grønn skipsfart",
    "opplevelsesturisme",
    "digitale tjenester",
    "kai og næringsareal",
    "sirkulær økonomi",
    "reindrift",
    "kulturnæringer",
    "klyngesamarbeid",
    "bredbånd",
    "nordlysturisme",
    "tare og alger",
]
PLACES = ["i Nord-Troms", "på Senja", "i Tromsø", "i Lyngen", "i Midt-Troms", "i Harstad-regionen", ""]
# Names as the files write them, old and new numberings alike (the real file has the pre-2020 names).
EXTRA_PLACES = ["5401", "5530", "Senja", "Dielddanuorri - Tjeldsund", "Gáivuotna", "5501", "1931 Lenvik"]
TARGETS = {"postgresql": 100_000, "sqlite": 50_000}
WEIGHTS_MOD11 = (3, 2, 7, 6, 5, 4, 3, 2)


def org_number(rng: random.Random) -> str:
    while True:
        first = str(rng.randint(810_000_000, 999_999_999))[:8]
        remainder = 11 - sum(int(d) * w for d, w in zip(first, WEIGHTS_MOD11, strict=True)) % 11
        if remainder == 10:
            continue
        return first + str(0 if remainder == 11 else remainder)


def distributions() -> dict:
    with open(REAL, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return {
        "schemes": Counter(r["Virkemiddelgruppe"] for r in rows),
        "places": Counter(r["Kommunenavn"] for r in rows),
        "amounts": [int(r["Innvilget.beløp"]) for r in rows],
        "industries": [r["Næring"].split(" ")[0] for r in rows if r["Næring"]],
        "names": [r["Navn"] for r in rows if not r["Navn"].startswith("Enkeltperson")],
    }


def generate(path: Path, n: int, seed: int = 2024) -> None:
    rng = random.Random(seed)
    d = distributions()
    schemes, scheme_w = zip(*d["schemes"].items(), strict=True)
    places, place_w = zip(*d["places"].items(), strict=True)
    places = (*places, *EXTRA_PLACES)
    place_w = (*place_w, *([60] * len(EXTRA_PLACES)))
    orgs = [
        (f"{rng.choice(d['names']).split(' AS')[0]} {i} AS", org_number(rng)) for i in range(min(n // 10, 60_000) or 1)
    ]
    start = dt.date(2010, 1, 1).toordinal()
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADERS)
        for i in range(n):
            name, number = rng.choice(orgs)
            day = dt.date.fromordinal(start + rng.randrange(15 * 365))
            amount = max(1000, int(rng.choice(d["amounts"]) * rng.uniform(0.8, 1.2)) // 100 * 100)
            title = f"{rng.choice(VERBS)} {rng.choice(NOUNS)} {rng.choice(PLACES)}".strip()
            w.writerow(
                [
                    f"BENCH-{i:07d}",
                    title,
                    "",
                    name,
                    number,
                    rng.choices(places, place_w)[0],
                    rng.choices(schemes, scheme_w)[0],
                    "Innovasjon Norge",
                    rng.choice(d["industries"]),
                    amount,
                    "granted",
                    day.strftime("%d.%m.%Y"),
                    day.year,
                ]
            )


def to_xlsx(csv_path: Path, xlsx_path: Path, n: int) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(xlsx_path), {"constant_memory": True})
    ws = wb.add_worksheet("tildelinger")
    with open(csv_path, encoding="utf-8") as f:
        for i, row in enumerate(csv.reader(f)):
            if i > n:
                break
            ws.write_row(i, 0, row)
    wb.close()


CHILD = r"""
import json, os, resource, sys, time
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "snu.settings"
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from snu.core.cli import get_authority
from snu.imports.actions import import_allocations
authority = get_authority("troms")
t, c = time.perf_counter(), time.process_time()
r = import_allocations("bench", authority, sys.argv[1], sheet=sys.argv[2] if len(sys.argv) > 2 else "")
secs, cpu = time.perf_counter() - t, time.process_time() - c
child = resource.getrusage(resource.RUSAGE_CHILDREN)  # the process that checks the file (see snu/imports/pipeline.py)
print(json.dumps({"rows": r.rows_read, "created": r.created, "invalid": r.invalid, "seconds": secs, "cpu": cpu,
                  "child_cpu": child.ru_utime + child.ru_stime,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "child_peak_mb": child.ru_maxrss / 1024, "total": str(r.total_amount)}))
"""


# The floor: what the database alone needs for the rows just imported. They are read back as stored, deleted and
# committed, then written again the way an import writes them (plain indexes dropped and built again afterwards,
# PostgreSQL's foreign keys too, SQLite's foreign keys off), with no reading or checking: no importer can be faster.
FLOOR = r"""
import io, json, os, sys, time
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "snu.settings"
django.setup()
from django.db import connection, transaction
from snu.grants.models import Allocation
from snu.imports import writer
table = Allocation._meta.db_table
with connection.cursor() as cursor:
    columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
    if connection.vendor == "postgresql":
        data = io.BytesIO()
        with cursor.cursor.copy(f"COPY {table} TO STDOUT") as copy:
            for block in copy:
                data.write(block)
        data = data.getvalue()
    else:
        cursor.execute(f"SELECT {', '.join(columns)} FROM {table}")
        data = cursor.fetchall()
n = Allocation.objects.count()
with transaction.atomic():
    Allocation.objects.all().delete()
times = {}
with writer.foreign_keys_off():
    t = time.perf_counter()
    with transaction.atomic():
        with writer.indexes_rebuilt_after(table, n), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} FROM STDIN") as copy:
                    for start in range(0, len(data), 1 << 20):
                        copy.write(data[start : start + (1 << 20)])
            else:  # the importer's own writer (constant columns as literals, references checked per value)
                writer.copy_columns(table, columns, [list(c) for c in zip(*data)], lambda _n: None)
            times["insert"] = time.perf_counter() - t
        times["indexes"] = time.perf_counter() - t - times["insert"]
        c = time.perf_counter()
    times["commit"] = time.perf_counter() - c
print(json.dumps({"rows": n, **times}))
"""


def run_floor(database_url: str, data_dir: Path) -> dict:
    env = {**os.environ, "SNU_DATA_DIR": str(data_dir), "DATABASE_URL": database_url, "SNU_LOG_LEVEL": "ERROR"}
    out = subprocess.run([sys.executable, "-c", FLOOR], env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_import(path: Path, database_url: str, data_dir: Path, sheet: str = "") -> dict:
    env = {**os.environ, "SNU_DATA_DIR": str(data_dir), "DATABASE_URL": database_url, "SNU_LOG_LEVEL": "ERROR"}
    args = [sys.executable, "-c", CHILD, str(path), *([sheet] if sheet else [])]
    out = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def fresh_postgres(url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + "/" + name


def read_with_polars(path: Path) -> float:
    import polars as pl

    t = time.perf_counter()
    df = pl.read_csv(path, infer_schema_length=0)
    assert df.height > 0
    return time.perf_counter() - t


def read_with_duckdb(path: Path) -> float:
    import duckdb

    t = time.perf_counter()
    duckdb.sql(
        f"SELECT count(*), sum(CAST(amount AS DECIMAL(18,2))) FROM read_csv('{path}', all_varchar=true)"
    ).fetchall()
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument(
        "--postgres", default=os.environ.get("SNU_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
    )
    opts = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="snu-bench-import-"))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        f"SNU import benchmark — {dt.datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} CPUs, seed {opts.seed}, "
        f"load average at start {load}"
    ]

    def say(text: str) -> None:
        print(text, flush=True)
        lines.append(text)

    path = work / "allocations.csv"
    t = time.perf_counter()
    generate(path, opts.rows, opts.seed)
    say(f"generated {opts.rows:,} rows ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t:.1f} s")
    polars_s, duckdb_s = read_with_polars(path), read_with_duckdb(path)
    say(f"read with Polars: {polars_s:.2f} s ({opts.rows / polars_s:,.0f} rows/s); DuckDB: {duckdb_s:.2f} s")
    targets = [("sqlite", f"sqlite:///{work / 'sqlite' / 'snu.sqlite3'}", work / "sqlite")]
    if not opts.no_postgres:
        try:
            targets.append(("postgresql", fresh_postgres(opts.postgres, "snu_bench_import"), work / "pg"))
        except Exception as exc:  # no server: say so and go on
            say(f"PostgreSQL skipped: {exc}")
    for name, url, data_dir in targets:
        data_dir.mkdir(parents=True, exist_ok=True)
        r = run_import(path, url, data_dir)
        rate = r["rows"] / r["seconds"]
        say(
            f"{name:10} {r['created']:,} rows in {r['seconds']:.1f} s = {rate:,.0f} rows/s "
            f"(target {TARGETS[name]:,}: {'met' if rate >= TARGETS[name] else 'NOT met'}); "
            f"importer CPU {r['cpu']:.1f} s + checking process {r['child_cpu']:.1f} s; "
            f"peak memory {r['peak_mb']:,.0f} MB + {r['child_peak_mb']:,.0f} MB (target < 2,048 together: "
            f"{'met' if r['peak_mb'] + r['child_peak_mb'] < 2048 else 'NOT met'}); "
            f"{r['seconds'] / polars_s:.0f}× Polars' read time, {r['seconds'] / duckdb_s:.0f}× DuckDB's; "
            f"load average {os.getloadavg()[0]:.1f}"
        )
        f = run_floor(url, data_dir)
        seconds = f["insert"] + f["indexes"] + f["commit"]
        say(
            f"{'':10} floor: the database alone writes the same {f['rows']:,} rows in {seconds:.1f} s (insert "
            f"{f['insert']:.1f} s, indexes{' and foreign keys' if name == 'postgresql' else ''} {f['indexes']:.1f} s, "
            f"commit {f['commit']:.1f} s) = at most {f['rows'] / seconds:,.0f} rows/s for any importer on this machine "
            f"and schema; load average {os.getloadavg()[0]:.1f}"
        )
    if opts.xlsx_rows:
        xlsx = work / "allocations.xlsx"
        to_xlsx(path, xlsx, opts.xlsx_rows)
        data_dir = work / "xlsx"
        data_dir.mkdir()
        r = run_import(xlsx, f"sqlite:///{data_dir / 'snu.sqlite3'}", data_dir, sheet="tildelinger")
        say(
            f"xlsx       {r['created']:,} rows into SQLite in {r['seconds']:.1f} s (importer CPU {r['cpu']:.1f} s "
            f"+ checking process {r['child_cpu']:.1f} s) "
            f"(target < 10 s for 200,000: {'met' if r['seconds'] < 10 * r['rows'] / 200_000 else 'NOT met'}); "
            f"peak memory {r['peak_mb']:,.0f} MB + {r['child_peak_mb']:,.0f} MB; load average {os.getloadavg()[0]:.1f}"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    earlier = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    RESULTS.write_text("\n".join(lines) + "\n\n" + earlier, encoding="utf-8")  # newest first, the history kept


if __name__ == "__main__":
    main()
