"""Analytics at scale: p50/p95 latency of every dashboard panel's data at 1 M allocations.

    .venv/bin/python bench/analytics.py              # 1 000 000 allocations, SQLite and PostgreSQL
    .venv/bin/python bench/analytics.py --rows 100000 --databases sqlite
    .venv/bin/python bench/analytics.py --databases postgresql --reuse --skip-db --runs 8 --output /tmp/a.txt

For each database: a seeded generator bulk-inserts allocations, alignments and assigned elements (not
through the import app), then each panel is timed
  - `db`:     answered by the database (SQLite / PostgreSQL) with the app's indexes,
  - `duckdb`: answered by DuckDB over the snapshot's query layout (`snu analytics snapshot`),
next to the reference: the panel's main aggregate run directly in DuckDB as joins over the two Parquet dumps
(the layout before the query layout). Also: refresh time, the memory a process needs to hold the snapshot,
CPU time per panel and the load average, since the machine is shared.
Prints a table and writes bench/results/analytics.txt. PostgreSQL: $BENCH_PG_URL
(default postgres://postgres@127.0.0.1:5432/snu_bench_analytics; the database is created if missing).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/snu_bench_analytics")
CROSSWALK = ROOT.parent / "shared" / "data" / "kommuner" / "troms_crosswalk_2019_2020_2024.csv"
RESULTS = ROOT / "bench" / "results" / "analytics.txt"
TARGET_MS = 300
HISTORY = "=" * 40 + " earlier runs " + "=" * 40


# ---------------------------------------------------------------- worker: one database


def setup_django(url: str, data_dir: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["SNU_DATA_DIR"] = data_dir
    os.environ["SNU_ANALYTICS_BACKEND"] = "db"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "snu.settings")
    import django

    django.setup()


def municipalities() -> dict[str, int]:
    """Troms municipalities in all three numberings, each pointing at today's (2024)."""
    import csv

    from snu.grants.models import Municipality

    ids = {}
    with open(CROSSWALK, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            now, _ = Municipality.objects.get_or_create(
                number=row["knr_2024"], defaults={"name": row["navn_2024"], "valid_from": 2024}
            )
            if now.population is None:
                now.population = random.Random(now.number).randint(1_000, 80_000)
                now.save()
            ids[now.number] = now.pk
            for key, name_key, (frm, to) in (
                ("knr_2020_2023", "navn_2020_2023", (2020, 2023)),
                ("knr_2019", "navn_2019", (1838, 2019)),
            ):
                for number in row[key].split(";"):
                    number = number.strip()
                    if not number or number in ids or not number.isdigit():
                        continue
                    m, _ = Municipality.objects.get_or_create(
                        number=number,
                        defaults={"name": row[name_key], "valid_from": frm, "valid_to": to, "current_id": now.pk},
                    )
                    ids[number] = m.pk
    return ids


def generate(n: int) -> dict:
    """Create the authority, strategy and reference rows; bulk-insert n allocations with alignments."""
    from django.core.management import call_command
    from django.db import connection

    from snu.core.actions import create_authority
    from snu.core.cli import DEFAULT_AUTHORITY
    from snu.grants.models import FundingSource, Organisation, Scheme
    from snu.strategy import actions as strategy_actions

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    authority = create_authority(None, **DEFAULT_AUTHORITY)
    strategy = strategy_actions.load_file(None, authority, ROOT / "snu/strategy/data/troms-snu-2018.yaml")
    elements = {e.kind: [] for e in strategy.elements.all()}
    for e in strategy.elements.all():
        elements[e.kind].append(e.pk)
    muni = municipalities()
    current = {n_: pk for n_, pk in muni.items() if n_.startswith("55")}
    historical = [pk for n_, pk in muni.items() if not n_.startswith("55")]
    from snu.grants.models import Municipality

    current_of = dict(Municipality.objects.filter(pk__in=historical).values_list("pk", "current_id"))
    sources = [
        FundingSource.objects.create(authority=authority, code=c, name=name, is_state=state, principal=p).pk
        for c, name, state, p in [
            ("KDD-1350", "Regionale utviklingsmidler (KDD 13.50)", True, "KDD"),
            ("LMD", "Landbruksmidler", True, "LMD"),
            ("KD", "Kompetansemidler", True, "KD"),
            ("NFD", "Marin verdiskaping", True, "NFD"),
            ("TFK", "Fylkeskommunale midler", False, ""),
            ("TFK-FOND", "Næringsfond", False, ""),
        ]
    ]
    schemes = [
        Scheme.objects.create(
            authority=authority, code=f"S{i:02}", name=f"Ordning {i}", funding_source_id=sources[i % 6]
        ).pk
        for i in range(12)
    ]
    rng = random.Random(20241128)
    forms = ["AS", "AS", "AS", "ENK", "SA", "STI", "KOMM", "FLI", "DA", "NUF"]
    orgs = Organisation.objects.bulk_create(
        [
            Organisation(authority=authority, name=f"Mottaker {i}", org_form=rng.choice(forms), org_number=f"9{i:08}")
            for i in range(50_000)
        ],
        batch_size=5_000,
    )
    org_ids = [o.pk for o in orgs]
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    statuses = ["granted"] * 80 + ["paid"] * 10 + ["rejected"] * 6 + ["applied"] * 2 + ["withdrawn"] * 2
    industries = ["01.110", "03.110", "03.211", "10.200", "55.101", "62.010", "72.190", "41.200", "47.110", "90.010"]
    fa, dr, ad = elements["focus_area"], elements["driver"], elements["advantage"]
    alloc_rows, align_rows, elem_rows = [], [], []
    from snu.lib.money import split_by_weights

    for i in range(1, n + 1):
        year = rng.randint(2009, 2024)
        amount = round(rng.lognormvariate(12, 1.2), 2)
        amount_d = f"{amount:.2f}"
        status = rng.choice(statuses)
        m = rng.choice(historical) if year < 2020 and rng.random() < 0.7 else rng.choice(list(current.values()))
        cur = current_of.get(m, m)
        paid = f"{amount * rng.choice([0, 0.5, 1]):.2f}" if status == "paid" else None
        applied = f"{amount * rng.uniform(1, 2):.2f}" if rng.random() < 0.4 else None
        org = rng.choice(org_ids)
        alloc_rows.append(
            {
                "id": i,
                "authority_id": authority.pk,
                "external_id": f"B-{i}",
                "title": f"Prosjekt {i}",
                "recipient_id": org,
                "recipient_name": f"Mottaker {org}",
                "org_number": f"9{org:08}",
                "funding_source_id": rng.choice(sources),
                "scheme_id": rng.choice(schemes),
                "municipality_id": m,
                "current_municipality_id": cur,
                "decision_date": dt.date(year, rng.randint(1, 12), 1),
                "year": year,
                "amount": amount_d,
                "amount_paid": paid,
                "amount_applied": applied,
                "status": status,
                "industry_code": rng.choice(industries),
            }
        )
        if rng.random() < 0.85:
            align_rows.append({"id": i, "allocation_id": i, "strategy_id": strategy.pk, "confidence": 0.8})
            k = 1 if rng.random() < 0.7 else 2
            chosen = rng.sample(fa, k)
            weights = [1.0] if k == 1 else [0.5, 0.5] if rng.random() < 0.5 else [0.7, 0.3]
            from decimal import Decimal

            shares = split_by_weights(Decimal(amount_d), [Decimal(str(w)) for w in weights])
            for e, w, s in zip(chosen, weights, shares, strict=True):
                elem_rows.append(
                    {
                        "alignment_id": i,
                        "element_id": e,
                        "score": 0.9,
                        "assigned": True,
                        "weight": f"{w:.4f}",
                        "amount": str(s),
                    }
                )
            for e in rng.sample(dr, rng.choice([0, 1, 1, 2])) + rng.sample(ad, rng.choice([0, 1, 1, 2])):
                elem_rows.append({"alignment_id": i, "element_id": e, "score": 0.7, "assigned": True})
    generated = time.perf_counter() - started
    from snu.classify.models import Alignment, AlignmentElement
    from snu.grants.models import Allocation

    tables = [
        (Allocation._meta.db_table, *_table(Allocation, alloc_rows, now)),
        (Alignment._meta.db_table, *_table(Alignment, align_rows, now)),
        (AlignmentElement._meta.db_table, *_table(AlignmentElement, elem_rows, now)),
    ]
    load_started = time.perf_counter()
    from django.db import transaction

    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor
            for table, cols, rows in tables:
                with raw.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            for table in ("grants_allocation", "classify_alignment", "classify_alignmentelement"):
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
            cursor.execute("ANALYZE")
        else:
            for table, cols, rows in tables:
                marks = ", ".join(["%s"] * len(cols.split(",")))
                for start in range(0, len(rows), 100_000):
                    cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows[start : start + 100_000])
            cursor.execute("ANALYZE")
    return {
        "allocations": len(alloc_rows),
        "alignments": len(align_rows),
        "elements": len(elem_rows),
        "generate_s": round(generated, 1),
        "load_s": round(time.perf_counter() - load_started, 1),
    }


def existing() -> dict:
    """The figures of a bench database loaded earlier (--reuse)."""
    from snu.classify.models import Alignment, AlignmentElement
    from snu.grants.models import Allocation

    return {
        "allocations": Allocation.objects.count(),
        "alignments": Alignment.objects.count(),
        "elements": AlignmentElement.objects.filter(assigned=True).count(),
        "generate_s": 0,
        "load_s": 0,
        "reused": True,
    }


def _table(model, rows: list[dict], now) -> tuple[str, list[tuple]]:
    """Column list and row tuples for a model; columns the generator leaves out get the field's default,
    so the bench keeps working while other apps add fields."""
    from django.db import connection, models

    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and "id" not in rows[0])]
    defaults = {}
    for f in fields:
        if isinstance(f, models.DateTimeField):
            defaults[f.column] = now
        elif isinstance(f, models.JSONField):
            defaults[f.column] = json.dumps(f.get_default())
        else:
            defaults[f.column] = f.get_db_prep_save(f.get_default(), connection)
    columns = [f.column for f in fields]
    return ", ".join(columns), [tuple(r.get(c, defaults[c]) for c in columns) for r in rows]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def rss_mb() -> float:
    """This process's resident memory in MB (Linux)."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def measure(runs: int, skip_db: bool = False) -> dict:
    """Time every panel through the app (db, duckdb) and its main aggregate straight in DuckDB."""
    from django.core.cache import cache

    from snu.analytics import engine, queries, snapshot
    from snu.analytics.filters import Filters
    from snu.core.models import Authority

    authority = Authority.objects.get(code="troms")
    strategy = queries.default_strategy(authority)
    started, cpu = time.perf_counter(), time.process_time()
    info = snapshot.refresh()
    snapshot_s, snapshot_cpu = time.perf_counter() - started, time.process_time() - cpu
    # Vary the filters between runs, as users do: none, a year range, a municipality, a focus area, state money
    # from a year, a driver, a scheme with every status, an organisation form and an industry.
    filter_sets = [
        Filters(),
        Filters(year_from=2015, year_to=2020),
        Filters(municipality=("5501",)),
        Filters(focus_area=("SIRK",)),
        Filters(source_type="state", year_from=2018),
        Filters(driver=("TEK",), year_from=2020),
        Filters(scheme=("S03", "S07"), status=()),
        Filters(recipient_type=("AS",), industry=("03",)),
    ]
    main_dims = {
        "focus_area_year": ["year", "focus_area"],
        "driver_year": ["year", "driver"],
        "advantage_year": ["year", "advantage"],
        "municipality": ["municipality"],
        "funding_source": ["year", "source_type"],
        "scheme": ["scheme"],
        "recipient_type": ["recipient_type"],
        "industry": ["industry"],
        "synergy": ["driver", "driver_b"],
        "planned": ["focus_area"],
        "concentration": ["recipient"],
        "demand": ["focus_area", "status"],
    }
    import duckdb

    folder = snapshot.directory() / info["folder"]
    raw = duckdb.connect()
    raw.execute(
        f"CREATE VIEW alloc AS SELECT *, is_state_int = 1 AS is_state FROM read_parquet('{folder}/alloc.parquet')"
    )
    raw.execute(f"CREATE VIEW elem AS SELECT * FROM read_parquet('{folder}/elem.parquet')")
    lk = queries.lookups(authority, strategy)
    results = {}
    rss_before, t, cpu = rss_mb(), time.perf_counter(), time.process_time()
    queries.panel("focus_area_year", authority, strategy, Filters(), backend="duckdb")  # load the snapshot once
    load = {"load_s": round(time.perf_counter() - t, 2), "load_cpu_s": round(time.process_time() - cpu, 2)}
    load["rss_mb"] = round(rss_mb() - rss_before)
    meta = snapshot.info() or {}
    con = snapshot._connection(meta)
    load["duckdb_mb"] = round(con.execute("SELECT SUM(memory_usage_bytes) FROM duckdb_memory()").fetchone()[0] / 2**20)
    backends = ("duckdb",) if skip_db else ("db", "duckdb")
    load_averages = [os.getloadavg()[0]]
    for name in queries.PANELS:
        timings: dict[str, list[float]] = {"db": [], "duckdb": [], "raw": [], "kept": [], "cpu": []}
        for i in range(runs):
            filters = filter_sets[i % len(filter_sets)]
            for backend in backends:
                cache.clear()  # time the computation, not the kept result (snu.core.dataversion)
                t, cpu = time.perf_counter(), time.process_time()
                queries.panel(name, authority, strategy, filters, backend=backend)
                timings[backend].append((time.perf_counter() - t) * 1000)
                if backend == "duckdb":  # CPU time of all of this process's threads (DuckDB runs two)
                    timings["cpu"].append((time.process_time() - cpu) * 1000)
            # The same panel again, as the next user with these filters gets it: from the kept result.
            t = time.perf_counter()
            queries.panel(name, authority, strategy, filters, backend="duckdb")
            timings["kept"].append((time.perf_counter() - t) * 1000)
            sql, params = engine.build(
                engine.Query(by=tuple(main_dims[name]), filters=filters), lk, engine.DuckDialect()
            )
            t = time.perf_counter()
            raw.execute(sql.replace("%s", "?"), params).fetchall()
            timings["raw"].append((time.perf_counter() - t) * 1000)
        load_averages.append(os.getloadavg()[0])
        results[name] = {
            k: {"p50": statistics.median(v), "p95": percentile(v, 95)} if v else {"p50": 0.0, "p95": 0.0}
            for k, v in timings.items()
        }
        print(
            f"  {name:16} db p95 {results[name]['db']['p95']:8.1f} ms  duckdb p50 {results[name]['duckdb']['p50']:6.1f}"
            f" p95 {results[name]['duckdb']['p95']:6.1f} ms (cpu p95 {results[name]['cpu']['p95']:6.1f} ms)"
            f"  load {load_averages[-1]:.1f}",
            file=sys.stderr,
            flush=True,
        )
    load["rss_after_mb"] = round(rss_mb() - rss_before)  # after every panel, once the allocator has settled
    return {
        "panels": results,
        "snapshot_s": round(snapshot_s, 1),
        "snapshot_cpu_s": round(snapshot_cpu, 1),
        "snapshot": {k: info.get(k) for k in ("allocations", "elements", "dump_seconds", "derive_seconds")},
        "snapshot_load": load,
        "load_average": [min(load_averages), max(load_averages)],
    }


def worker(args) -> None:
    data_dir = tempfile.mkdtemp(prefix="snu-bench-analytics-")
    url = args.url.replace("DATADIR", data_dir)
    setup_django(url, data_dir)
    if args.reuse and url.startswith("postgres") and pg_holds(url, args.rows):
        loaded = existing()
    else:
        loaded = generate(args.rows)
    print(f"  loaded {loaded}", file=sys.stderr, flush=True)
    out = measure(args.runs, skip_db=bool(args.skip_db))
    out["load"] = loaded
    print(json.dumps(out))


# ---------------------------------------------------------------- driver


def pg_holds(url: str, rows: int) -> bool:
    import psycopg

    try:
        with psycopg.connect(url) as con:
            return con.execute("SELECT COUNT(*) FROM grants_allocation").fetchone()[0] == rows
    except psycopg.Error:
        return False


def ensure_pg_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}"')
        con.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=10, help="Timed runs per panel and backend")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument(
        "--reuse", action="store_true", help="Keep the PostgreSQL bench database if it holds --rows (development)"
    )
    parser.add_argument(
        "--skip-db",
        nargs="?",
        const="sqlite,postgresql",
        default="",
        help="Databases (comma-separated; all if none given) on which only the snapshot is timed, not the database path",
    )
    parser.add_argument("--output", type=Path, default=RESULTS, help="Results file; earlier results stay below")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    started = time.perf_counter()
    report = {}
    for database in args.databases.split(","):
        url = "sqlite:///DATADIR/bench.sqlite3" if database == "sqlite" else PG_URL
        if database == "postgresql" and not (args.reuse and pg_holds(url, args.rows)):
            ensure_pg_database(url)
        print(f"{database}: generating {args.rows:,} allocations …", file=sys.stderr, flush=True)
        proc = subprocess.run(
            [sys.executable, __file__, "--worker", "--url", url, "--rows", str(args.rows), "--runs", str(args.runs)]
            + (["--reuse"] if args.reuse else [])
            + (["--skip-db", database] if database in args.skip_db.split(",") else []),
            capture_output=False,
            stdout=subprocess.PIPE,
            text=True,
            check=True,
            cwd=ROOT,
        )
        report[database] = json.loads(proc.stdout.strip().splitlines()[-1])
    lines = render(report, args.rows, args.runs, time.perf_counter() - started)
    print("\n".join(lines))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    earlier = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
    if HISTORY in earlier:  # the last run moves to the top of the history
        last, older = earlier.split(HISTORY, 1)
        earlier = last.rstrip() + "\n\n" + older.lstrip()
    history = "\n\n" + HISTORY + "\n\n" + earlier if earlier else ""
    args.output.write_text("\n".join(lines) + history, encoding="utf-8")


def render(report: dict, rows: int, runs: int, seconds: float) -> list[str]:
    load = os.getloadavg()
    lines = [
        f"SNU analytics benchmark — {rows:,} allocations, {runs} runs per panel (filters varied), "
        f"{dt.date.today().isoformat()}, {os.cpu_count()} CPUs",
        "p50 / p95 in ms per panel's data (queries.panel). db = answered by the database; duckdb = the app over the",
        "snapshot's query layout (no joins); cpu = its CPU time (all threads); raw = the panel's main aggregate",
        "straight in DuckDB as joins over the two Parquet dumps (the layout before issue 5's work, as reference);",
        "kept = the same panel asked again at the same data version (the app keeps results: snu.core.dataversion).",
        "db and duckdb are timed with the kept results cleared, so they show the computation itself.",
        f"Target: p95 < {TARGET_MS} ms. Load average at the end: {load[0]:.1f} (other work on the machine slows every figure).",
        "",
    ]
    for database, data in report.items():
        load, snap, opened = data["load"], data["snapshot"], data["snapshot_load"]
        lines.append(
            f"{database}: {load['allocations']:,} allocations, {load['alignments']:,} alignments, "
            f"{load['elements']:,} assigned elements; "
            + ("loaded by an earlier run (--reuse)" if load.get("reused") else f"bulk load {load['load_s']} s")
        )
        lines.append(
            f"  snapshot refresh {data['snapshot_s']} s (dump {snap.get('dump_seconds')} s + query layout "
            f"{snap.get('derive_seconds')} s; CPU {data['snapshot_cpu_s']} s in this process, the database's not "
            f"counted); loading it into a process {opened['load_s']} s (CPU {opened['load_cpu_s']} s), "
            f"+{opened['rss_mb']} MB resident right after and +{opened.get('rss_after_mb')} MB after the panels, "
            f"DuckDB holds {opened['duckdb_mb']} MB"
        )
        lines.append(f"  load average during the panels: {data['load_average'][0]:.1f}–{data['load_average'][1]:.1f}")
        lines.append(
            f"  {'panel':16} {'db p50':>8} {'db p95':>8} {'duck p50':>9} {'duck p95':>9} {'cpu p95':>8} "
            f"{'raw p50':>8} {'raw p95':>8} {'kept p95':>9}  raw/duck"
        )
        for name, r in data["panels"].items():
            ratio = r["raw"]["p95"] / max(r["duckdb"]["p95"], 0.01)
            db50, db95 = (f"{r['db']['p50']:8.1f}", f"{r['db']['p95']:8.1f}") if r["db"]["p95"] else ("-", "-")
            lines.append(
                f"  {name:16} {db50:>8} {db95:>8} {r['duckdb']['p50']:9.1f} "
                f"{r['duckdb']['p95']:9.1f} {r['cpu']['p95']:8.1f} {r['raw']['p50']:8.1f} {r['raw']['p95']:8.1f} "
                f"{r['kept']['p95']:9.2f}  {ratio:6.1f}×"
            )
        worst_db = max(r["db"]["p95"] for r in data["panels"].values())
        worst_duck = max(r["duckdb"]["p95"] for r in data["panels"].values())
        worst_kept = max(r["kept"]["p95"] for r in data["panels"].values())
        db_note = f"db {worst_db:.0f} ms ({'meets' if worst_db < TARGET_MS else 'misses'} target), " if worst_db else ""
        lines.append(
            f"  worst p95: {db_note}"
            f"duckdb {worst_duck:.0f} ms ({'meets' if worst_duck < TARGET_MS else 'misses'} target), "
            f"kept {worst_kept:.0f} ms ({'meets' if worst_kept < TARGET_MS else 'misses'} target)"
        )
        lines.append("")
    lines.append(f"Total bench time: {seconds / 60:.1f} min")
    return lines


if __name__ == "__main__":
    main()
