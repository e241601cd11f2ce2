"""End-to-end speed of `snu classify`: read allocations, predict, explain, write alignment rows in bulk.

Run on a demo database:   SNU_DATA_DIR=/tmp/snu-demo .venv/bin/python bench/classify_cli.py [--strategy CODE]
Run on generated data:    .venv/bin/python bench/classify_cli.py --rows 100000 [--no-postgres] [--save]
    generates N seeded allocations with bench/import.py's generator, imports them into a fresh SQLite and a
    fresh PostgreSQL database (DATABASE_URL-style URL from --postgres), then times `snu classify` three ways:
    first run (every allocation new, zero-shot model fitted), a re-run (every alignment updated, 1 % of them
    decided by a person and kept), and `--new` (nothing to do).
Prints wall and CPU rows/s per phase and the load average, so a loaded machine does not hide where the time goes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "classify_cli.txt"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "snu.settings")

TARGET_PER_S = 5_000
STRATEGY = "troms-snu-2018"
PERSON_EVERY = 100  # one alignment in a hundred is decided by a person before the re-run


class Clock:
    def __init__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def lap(self) -> tuple[float, float]:
        wall, cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return wall, cpu


def load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def report(phase: str, lap: tuple[float, float], n: int | None) -> str:
    wall, cpu = lap
    rates = f"  {n / wall:>9,.0f}/s wall  {n / cpu:>9,.0f}/s cpu" if n else ""
    line = f"{phase:<52}{wall:>7.2f} s wall {cpu:>7.2f} s cpu{rates}"
    print(line, flush=True)
    return line


# ------------------------------------------------------------------ phases on a demo database


def demo(strategy_code: str) -> None:
    import django

    django.setup()
    from snu.classify import engine
    from snu.grants.models import Allocation
    from snu.strategy.models import Strategy

    strategy = Strategy.objects.get(code=strategy_code)
    qs = Allocation.objects.filter(authority_id=strategy.authority_id)
    n = qs.count()
    clock = Clock()
    engine.forget_models()
    model, _label = engine.current_model(strategy)
    report("fit / load model", clock.lap(), None)
    values = [v for batch in engine.allocation_batches(qs) for v in batch]
    report("read allocations", clock.lap(), n)
    rows = [engine.row_from_tuple(v) for v in values]
    evidence = engine.Evidence(model)
    element_pks = engine.np.array([engine.element_ids(strategy).get(c, -1) for c in model.codes_])
    decided = engine.decide(model, evidence, element_pks, rows, [v[0] for v in values], [v[8] for v in values])
    report("predict + evidence", clock.lap(), n)
    counts = engine.align_queryset(strategy, qs)
    report("snu classify end to end (re-align, model cached)", clock.lap(), counts.aligned)
    print(f"{len(decided)} allocations; target ≥ {TARGET_PER_S:,}/s on one core; load average {load()}")


# ------------------------------------------------------------------ generated data, one database per child


def child(csv_path: str) -> None:
    """Runs in a fresh process with DATABASE_URL and SNU_DATA_DIR set: load, import, classify three times."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from snu.classify import engine
    from snu.classify.models import Alignment, Origin
    from snu.core.cli import get_authority
    from snu.strategy.actions import load_file

    call_command("migrate", verbosity=0)
    authority = get_authority("troms")
    load_file(None, authority, ROOT / "snu" / "strategy" / "data" / f"{STRATEGY}.yaml")
    clock = Clock()
    created = load_allocations(authority, csv_path)
    lines = [report(f"load {created:,} allocations (not part of the figure)", clock.lap(), None)]

    def classify(phase: str, *args: str) -> None:
        out = io.StringIO()
        server = server_cpu(connection)
        clock.lap()
        call_command("classify", "--strategy", STRATEGY, *args, stdout=out)
        lines.append(report(phase, clock.lap(), created))
        if server is not None:
            used = server_cpu(connection) - server
            lines.append(f"    PostgreSQL server process: {used:.2f} s cpu")
        lines.append("    " + out.getvalue().strip())

    engine.forget_models()
    lines.append(f"load average before: {load()}")
    classify("snu classify, first run (all new, fits the model)")
    person = Alignment.objects.filter(strategy__code=STRATEGY).order_by("id")[::PERSON_EVERY]
    Alignment.objects.filter(pk__in=[a.pk for a in person]).update(origin=Origin.PERSON)
    classify("snu classify, re-run (all updated, model cached)")
    classify("snu classify --new (nothing to do)", "--new")
    lines.append(f"load average after: {load()}; {connection.vendor}")
    print("RESULT " + json.dumps(lines), flush=True)


def server_cpu(connection) -> float | None:
    """CPU seconds of this connection's PostgreSQL backend (same machine), or None (SQLite: in our process)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_allocations(authority, csv_path: str) -> int:
    """The generated rows as Allocation rows, with bulk_create (not the importer: this measures classify)."""
    import csv
    from decimal import Decimal

    from snu.grants.models import Allocation, FundingSource, Organisation, Scheme

    source = FundingSource.objects.create(authority=authority, code="IN", name="Innovasjon Norge")
    schemes: dict[str, int] = {}
    orgs: dict[str, int] = {}
    with open(csv_path, encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["scheme"] not in schemes:
                code = f"S{len(schemes)}"
                scheme = Scheme.objects.create(authority=authority, code=code, name=r["scheme"], funding_source=source)
                schemes[r["scheme"]] = scheme.pk
            orgs.setdefault(r["org_number"], r["recipient"])
    made = Organisation.objects.bulk_create(
        [Organisation(authority=authority, org_number=k, name=v, org_form="AS") for k, v in orgs.items()],
        batch_size=5000,
    )
    org_ids = {o.org_number: o.pk for o in made}
    count, batch = 0, []
    with open(csv_path, encoding="utf-8") as f:
        for r in csv.DictReader(f):
            batch.append(
                Allocation(
                    authority=authority,
                    external_id=r["external_id"],
                    title=r["title"],
                    description=r["description"],
                    recipient_id=org_ids[r["org_number"]],
                    recipient_name=r["recipient"],
                    org_number=r["org_number"],
                    funding_source=source,
                    scheme_id=schemes[r["scheme"]],
                    municipality_given=r["municipality"],
                    year=int(r["year"]),
                    amount=Decimal(r["amount"]),
                    industry_code=r["industry_code"][:10],
                )
            )
            if len(batch) == 10_000:
                count += len(Allocation.objects.bulk_create(batch))
                batch = []
    return count + len(Allocation.objects.bulk_create(batch))


def fresh_postgres(url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + "/" + name


def generated(opts) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    generator = importlib.import_module("import")  # bench/import.py: seeded rows drawn from the real file
    work = Path(tempfile.mkdtemp(prefix="snu-bench-classify-"))
    lines = [
        f"SNU classify end to end — {dt.datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} CPUs (shared), "
        f"{opts.rows:,} generated allocations (seed {opts.seed}), load average at start {load()}"
    ]
    path = work / "allocations.csv"
    generator.generate(path, opts.rows, opts.seed)
    targets = [("sqlite", f"sqlite:///{work / 'sqlite' / 'snu.sqlite3'}", work / "sqlite")]
    if not opts.no_postgres:
        targets.append(("postgresql", fresh_postgres(opts.postgres, "snu_bench_classify"), work / "pg"))
    for name, url, data_dir in targets:
        data_dir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "SNU_DATA_DIR": str(data_dir), "DATABASE_URL": url, "SNU_LOG_LEVEL": "ERROR"}
        print(f"== {name}", flush=True)
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(path)], env=env, cwd=ROOT, capture_output=True, text=True
        )
        if out.returncode != 0:
            raise RuntimeError(out.stderr[-3000:])
        result = next(line for line in out.stdout.splitlines() if line.startswith("RESULT "))
        lines += [f"== {name}", *json.loads(result.removeprefix("RESULT "))]
    lines.append(f"target ≥ {TARGET_PER_S:,}/s wall on one core (1 M in < 5 min)")
    print("\n".join(lines))
    if opts.save:
        RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--strategy", default=STRATEGY)
    parser.add_argument("--rows", type=int, default=0, help="generate this many allocations (default: demo data)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument(
        "--postgres", default=os.environ.get("SNU_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument("--save", action="store_true", help=f"write the figures to {RESULTS.relative_to(ROOT)}")
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.child:
        child(opts.child)
    elif opts.rows:
        generated(opts)
    else:
        demo(opts.strategy)


if __name__ == "__main__":
    main()
