"""Load test: SNU under gunicorn on PostgreSQL with 1 M allocations, driven by 50 simulated users on loopback.

Run:   .venv/bin/python bench/load.py                         (1,000,000 allocations, 50 users, 120 s)
       .venv/bin/python bench/load.py --allocations 50000 --duration 30      (a quick run)
The database `snu_bench_load` (on SNU_BENCH_POSTGRES or postgres://postgres@127.0.0.1:5432) is built once with the
demo data, whose allocations (and their alignments) are then copied in PostgreSQL until there are N; a later run
with the same N reuses it (--rebuild to start again). gunicorn listens on 127.0.0.1 only.

Each user logs in as the demo advisor and repeats a visit: home, the allocation list, a filtered and a searched
list, one allocation, the analytics dashboard and its JSON, the review queue, a focus area's allocations, the
element page, the public pages and the API. Prints throughput and p50/p95/p99 per page type and the errors,
and saves them to bench/results/load.txt. Targets: no errors, p95 < 500 ms for pages, < 300 ms for JSON.
Kept results live in the data folder, so a second run starts warm; --cold clears them first (a start, or the
minutes after an import). --decide-every K adds review decisions (POSTs that move the data version), saved to
bench/results/load-decisions.txt; they change the database, so later runs start colder. Beside gunicorn runs
`snu analytics snapshot --watch` (as in production; its CPU is printed apart), unless --no-watcher.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "load.txt"
PG = os.environ.get("SNU_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "snu_bench_load"
USER, PASSWORD = "radgiver", "snu-demo-radgiver"
TARGET_MS = {"page": 500, "json": 300}

# Runs inside Django (a child process): copy the demo allocations and their alignments in SQL until there are N.
GROW = r"""
import sys, django
django.setup()
from django.db import connection, transaction
from snu.grants.models import Allocation
from snu.classify.models import Alignment, AlignmentElement

target = int(sys.argv[1])
have = Allocation.objects.count()
base = list(Allocation.objects.order_by("pk").values_list("pk", flat=True))
if have >= target or not base:
    print(have)
    sys.exit(0)
rounds = -(-(target - have) // len(base))

def cols(model, skip=()):
    return [f.column for f in model._meta.local_concrete_fields if f.column not in skip]

def copy(cur, model, mapping_sql, fk, old_key="id"):
    table = model._meta.db_table
    columns = cols(model, {"id", fk})
    select = ", ".join(f't."{c}"' for c in columns)
    cur.execute(
        f'INSERT INTO "{table}" ("{fk}", {", ".join(chr(34) + c + chr(34) for c in columns)}) '
        f'SELECT m.new_id, {select} FROM "{table}" t JOIN ({mapping_sql}) m ON m.old_id = t."{fk}"'
    )

with transaction.atomic(), connection.cursor() as cur:
    alloc = Allocation._meta.db_table
    cur.execute(f'SELECT max(id) FROM "{alloc}"')
    start = cur.fetchone()[0]
    cur.execute("CREATE TEMP TABLE grow_map (old_id bigint, new_id bigint) ON COMMIT DROP")
    cur.execute(
        f'INSERT INTO grow_map SELECT a.id, %s + row_number() OVER (ORDER BY g, a.id) '
        f'FROM "{alloc}" a CROSS JOIN generate_series(1, %s) g WHERE a.id <= %s LIMIT %s',
        [start, rounds, start, target - have],
    )
    columns = cols(Allocation, {"id", "external_id"})
    cur.execute(
        f'INSERT INTO "{alloc}" (id, external_id, {", ".join(chr(34) + c + chr(34) for c in columns)}) '
        f'SELECT m.new_id, t.external_id || \'-L\' || m.new_id, '
        f'{", ".join("t." + chr(34) + c + chr(34) for c in columns)} '
        f'FROM "{alloc}" t JOIN grow_map m ON m.old_id = t.id'
    )
    align = Alignment._meta.db_table
    cur.execute(f'SELECT coalesce(max(id), 0) FROM "{align}"')
    astart = cur.fetchone()[0]
    cur.execute("CREATE TEMP TABLE grow_align (old_id bigint, new_id bigint, new_alloc bigint) ON COMMIT DROP")
    cur.execute(
        f'INSERT INTO grow_align SELECT al.id, %s + row_number() OVER (ORDER BY m.new_id, al.id), m.new_id '
        f'FROM "{align}" al JOIN grow_map m ON m.old_id = al.allocation_id',
        [astart],
    )
    columns = cols(Alignment, {"id", "allocation_id"})
    cur.execute(
        f'INSERT INTO "{align}" (id, allocation_id, {", ".join(chr(34) + c + chr(34) for c in columns)}) '
        f'SELECT g.new_id, g.new_alloc, {", ".join("t." + chr(34) + c + chr(34) for c in columns)} '
        f'FROM "{align}" t JOIN grow_align g ON g.old_id = t.id'
    )
    ae = AlignmentElement._meta.db_table
    columns = cols(AlignmentElement, {"id", "alignment_id"})
    cur.execute(
        f'INSERT INTO "{ae}" (alignment_id, {", ".join(chr(34) + c + chr(34) for c in columns)}) '
        f'SELECT g.new_id, {", ".join("t." + chr(34) + c + chr(34) for c in columns)} '
        f'FROM "{ae}" t JOIN grow_align g ON g.old_id = t.alignment_id'
    )
    from django.core.management.color import no_style
    for sql in connection.ops.sequence_reset_sql(no_style(), [Allocation, Alignment, AlignmentElement]):
        cur.execute(sql)
with connection.cursor() as cur:
    cur.execute("ANALYZE")
print(Allocation.objects.count())
"""


def _env(database_url: str, data_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SNU_DATA_DIR": str(data_dir),
        "SNU_DEBUG": "0",
        "SNU_SECRET_KEY": "bench-load-" + "k" * 50,
        "SNU_LOG_LEVEL": "ERROR",
        "DJANGO_SETTINGS_MODULE": "snu.settings",
    }


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _count(database_url: str) -> int:
    import psycopg

    try:
        with psycopg.connect(database_url) as conn:
            return conn.execute("SELECT count(*) FROM grants_allocation").fetchone()[0]  # type: ignore[index]
    except psycopg.Error:
        return -1


def prepare(n: int, rebuild: bool, data_dir: Path) -> str:
    url = f"{PG}/{DB_NAME}"
    env = _env(url, data_dir)
    have = -1 if rebuild else _count(url)
    if have < 0:
        _admin(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        _admin(f'CREATE DATABASE "{DB_NAME}"')
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "manage.py", "demo", "--no-serve"],
            env=env,
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(f"demo data loaded in {time.perf_counter() - t:.0f} s")
        have = _count(url)
    if have != n:
        if have > n:
            print(f"{have:,} allocations already (more than {n:,}); run with --rebuild for exactly {n:,}")
        else:
            t = time.perf_counter()
            out = subprocess.run(
                [sys.executable, "-c", GROW, str(n)], env=env, cwd=ROOT, check=True, capture_output=True, text=True
            )
            have = int(out.stdout.strip().splitlines()[-1])
            print(f"grew to {have:,} allocations in {time.perf_counter() - t:.0f} s", flush=True)
    else:
        print(f"reusing {DB_NAME} with {have:,} allocations")
    return url


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_watcher(url: str, data_dir: Path) -> subprocess.Popen:
    """`snu analytics snapshot --watch`, as production runs it (a service beside the web processes)."""
    return subprocess.Popen(
        [sys.executable, "manage.py", "analytics", "snapshot", "--watch"],
        env=_env(url, data_dir),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def start_server(url: str, data_dir: Path, workers: int, threads: int) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    env = _env(url, data_dir)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
    gunicorn = Path(sys.executable).parent / "gunicorn"
    proc = subprocess.Popen(
        [
            str(gunicorn),
            "snu.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc, port
        except OSError:
            time.sleep(0.1)
    proc.terminate()
    raise RuntimeError("gunicorn did not start")


class User:
    """One simulated advisor with one keep-alive connection and a session cookie."""

    def __init__(self, port: int, rng: random.Random):
        self.port, self.rng = port, rng
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Accept-Language": "nb"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, data

    def login(self) -> None:
        _, page = self.request("GET", "/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, "no CSRF token on the login page"
        body = urllib.parse.urlencode(
            {"username": USER, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1).decode()}
        )
        status, _ = self.request("POST", "/login/", body)
        assert status == 302, f"login failed: {status}"


class _DecisionForm(HTMLParser):
    """The first decision form of the review queue, as a person would submit it unchanged (accepting it)."""

    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: list[tuple[str, str]] = []
        self.primaries: list[str] = []  # every choice of the primary focus area
        self.inside = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "form" and "snu-decision" in (a.get("class") or "") and not self.action:
            self.action, self.inside = a.get("action") or "", True
        elif tag == "input" and self.inside and a.get("name"):
            kind = a.get("type", "text")
            if kind == "radio" and a["name"].endswith("-primary"):
                self.primaries.append(a.get("value") or "")
            if kind in ("radio", "checkbox") and "checked" not in a:
                return
            self.fields.append((a["name"], a.get("value") or ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False


def decide(user: User, queue_page: bytes, change: bool = False) -> tuple[int, bytes] | None:
    """Accept the first suggestion on the review queue page (a POST, then the redirect back to the queue); with
    `change`, choose another primary focus area instead (a correction: the alignment's element rows are rewritten)."""
    form = _DecisionForm()
    form.feed(queue_page.decode("utf-8", "replace"))
    if not form.action:
        return None
    fields = form.fields
    if change:
        chosen = dict(fields)
        name = next((n for n, _v in fields if n.endswith("-primary")), "")
        others = [v for v in form.primaries if v != chosen.get(name)]
        if name and others:
            fields = [(n, others[0] if n == name else v) for n, v in fields]
    return user.request("POST", form.action, urllib.parse.urlencode(fields))


def visit_plan(sample: dict, rng: random.Random) -> list[tuple[str, str]]:
    """(page type, path) for one visit of one user: browse, filter, drill down, review."""
    allocation = rng.choice(sample["allocations"])
    year = rng.randint(2010, 2024)
    word = rng.choice(["fisk", "reiseliv", "teknologi", "sjømat", "energi", "utvikling"])
    element = rng.choice(sample["elements"])
    page = rng.randint(1, 200)
    return [
        ("page: home", "/"),
        ("page: allocation list", "/allocations/"),
        ("page: filtered list", f"/allocations/?year={year}"),
        ("page: search", f"/allocations/?q={urllib.parse.quote(word)}"),
        ("page: allocation", f"/allocations/{allocation}/"),
        ("page: dashboard", "/analytics/"),
        ("json: dashboard", "/analytics/dashboard.json"),
        ("page: review queue", "/alignment/review/"),
        ("page: focus area allocations", f"/alignment/{sample['strategy']}/{element}/"),
        ("page: element", f"/strategy/{sample['strategy']}/elements/{element}/"),
        ("page: public", f"/open/{sample['authority']}/"),
        ("json: api allocations", f"/api/allocations/?page={page}"),
        ("json: api allocation", f"/api/allocations/{allocation}/"),
    ]


def sample_ids(url: str, n: int = 500) -> dict:
    import psycopg

    with psycopg.connect(url) as conn:
        allocations = [r[0] for r in conn.execute("SELECT id FROM grants_allocation ORDER BY random() LIMIT %s", [n])]
        strategy = conn.execute(
            "SELECT code FROM strategy_strategy WHERE status = 'adopted' ORDER BY period_from DESC LIMIT 1"
        ).fetchone()[0]  # type: ignore[index]
        elements = [
            r[0]
            for r in conn.execute(
                "SELECT e.code FROM strategy_element e JOIN strategy_strategy s ON s.id = e.strategy_id "
                "WHERE s.code = %s AND e.kind = 'focus_area'",
                [strategy],
            )
        ]
        authority = conn.execute("SELECT code FROM core_authority ORDER BY id LIMIT 1").fetchone()[0]  # type: ignore[index]
    return {"allocations": allocations, "strategy": strategy, "elements": elements, "authority": authority}


def drive(
    port: int, users: int, duration: float, think: float, sample: dict, decide_every: int = 0, change_every: int = 0
) -> tuple[dict, dict, float]:
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    ready = threading.Barrier(users + 1)
    clock = {"stop_at": 0.0, "decisions": 0}

    def run(i: int) -> None:
        rng = random.Random(i)
        user = User(port, rng)
        try:
            user.login()
        except Exception as exc:
            with lock:
                errors[f"login: {exc}"] += 1
            ready.wait()
            return
        ready.wait()
        visits = 0
        while time.monotonic() < clock["stop_at"]:
            visits += 1
            for kind, path in visit_plan(sample, rng):
                if time.monotonic() >= clock["stop_at"]:
                    break
                t = time.perf_counter()
                body = b""
                try:
                    status, body = user.request("GET", path)
                except Exception as exc:
                    status = f"{type(exc).__name__}"  # type: ignore[assignment]
                elapsed = (time.perf_counter() - t) * 1000
                with lock:
                    latencies[kind].append(elapsed)
                    if status != 200:
                        errors[f"{kind} {path.split('?')[0]} → {status}"] += 1
                if think:
                    time.sleep(rng.uniform(0, 2 * think))
                if kind == "page: review queue" and decide_every and visits % decide_every == 0 and status == 200:
                    t = time.perf_counter()
                    with lock:  # counted over all users: each makes only a few decisions in a run
                        clock["decisions"] += 1
                        change = bool(change_every) and clock["decisions"] % change_every == 0
                    try:
                        answer = decide(user, body, change=change)
                        status = answer[0] if answer else 302
                    except Exception as exc:
                        status = f"{type(exc).__name__}"  # type: ignore[assignment]
                    with lock:
                        latencies["post: decision"].append((time.perf_counter() - t) * 1000)
                        if status != 302:
                            errors[f"post: decision → {status}"] += 1
                    if think:
                        time.sleep(rng.uniform(0, 2 * think))

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(users)]
    for t in threads:
        t.start()
    clock["stop_at"] = time.monotonic() + 3600  # until everyone has logged in
    ready.wait()
    started = time.monotonic()
    clock["stop_at"] = started + duration
    for t in threads:
        t.join(duration + 120)
    return latencies, errors, time.monotonic() - started


def _cpu_seconds(parent: int) -> float:
    """User + system CPU seconds of a process and its children (gunicorn's master and workers), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        if pid == parent or ppid == parent:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def pct(values: list[float], p: float) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def report(latencies: dict, errors: dict, elapsed: float, args: argparse.Namespace, n: int) -> str:
    total = sum(len(v) for v in latencies.values())
    lines = [
        f"SNU load test — {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} CPUs, PostgreSQL, "
        f"{n:,} allocations, gunicorn {args.workers} workers × {args.threads} threads, {args.users} users, "
        f"think time {args.think} s, {elapsed:.0f} s"
        + (f", a review decision on every {args.decide_every}th visit" if args.decide_every else "")
        + (f", every {args.change_every}th of them a correction" if args.decide_every and args.change_every else "")
        + ("" if args.no_watcher else ", snapshot watcher")
        + f"; cache {args.cache_state}",
        f"throughput {total / elapsed:,.1f} requests/s ({total:,} requests), errors {sum(errors.values())}",
        f"{'':32} {'n':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}",
    ]
    verdict: dict[str, list[float]] = {"page": [], "json": [], "post": []}
    for kind in sorted(latencies):
        values = latencies[kind]
        p95 = pct(values, 95)
        lines.append(f"{kind:32} {len(values):7,} {pct(values, 50):8.0f} {p95:8.0f} {pct(values, 99):8.0f}")
        verdict[kind.split(":")[0]].extend(values)
    for group, values in verdict.items():
        if values and group in TARGET_MS:
            p95 = pct(values, 95)
            met = "met" if p95 < TARGET_MS[group] else "NOT met"
            lines.append(f"all {group}s: p95 {p95:.0f} ms (target < {TARGET_MS[group]} ms: {met})")
        elif values:
            lines.append(f"all {group}s: p95 {pct(values, 95):.0f} ms (no target)")
    for what, count in sorted(errors.items()):
        lines.append(f"error ×{count}: {what}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--allocations", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=120, help="seconds of load (default: %(default)s)")
    parser.add_argument("--think", type=float, default=0.5, help="mean pause between a user's requests, seconds")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rebuild", action="store_true", help="build the database again")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="clear the kept results (SNU_DATA_DIR/cache) first: the first minutes after a start or a data change",
    )
    parser.add_argument(
        "--decide-every",
        type=int,
        default=0,
        metavar="K",
        help="on every K-th visit a user accepts the first suggestion in the review queue (a POST; 0: never)",
    )
    parser.add_argument(
        "--change-every",
        type=int,
        default=0,
        metavar="M",
        help="with --decide-every: every M-th decision (over all users) chooses another primary focus area (a "
        "correction) instead of accepting",
    )
    parser.add_argument(
        "--no-watcher",
        action="store_true",
        help="do not run `snu analytics snapshot --watch`: the web processes refresh the snapshot themselves",
    )
    args = parser.parse_args()

    data_dir = Path(os.environ.get("SNU_BENCH_DATA_DIR", Path(tempfile.gettempdir()) / "snu-bench-load"))
    data_dir.mkdir(parents=True, exist_ok=True)
    url = prepare(args.allocations, args.rebuild, data_dir)
    kept = data_dir / "cache"
    if args.cold:
        shutil.rmtree(kept, ignore_errors=True)
    args.cache_state = (
        "cold (kept results cleared before the run)"
        if args.cold or not kept.exists()
        else "warm (kept results of earlier runs at the same data version)"
    )
    sample = sample_ids(url)
    server, port = start_server(url, data_dir, args.workers, args.threads)
    watcher = None if args.no_watcher else start_watcher(url, data_dir)
    try:
        warm = User(port, random.Random(0))
        warm.login()
        for kind, path in visit_plan(sample, random.Random(0)):
            t = time.perf_counter()
            try:
                status, _ = warm.request("GET", path)
            except OSError as exc:
                status = type(exc).__name__  # type: ignore[assignment]
            print(f"warm-up {kind:30} {status} {time.perf_counter() - t:6.2f} s", flush=True)
        watcher_cpu = _cpu_seconds(watcher.pid) if watcher else 0.0
        server_cpu, own_cpu, load_before = _cpu_seconds(server.pid), time.process_time(), os.getloadavg()
        latencies, errors, elapsed = drive(
            port, args.users, args.duration, args.think, sample, args.decide_every, args.change_every
        )
        server_cpu, own_cpu = _cpu_seconds(server.pid) - server_cpu, time.process_time() - own_cpu
        watcher_cpu = (_cpu_seconds(watcher.pid) - watcher_cpu) if watcher else 0.0
        cpu = (server_cpu, own_cpu, watcher_cpu, load_before, os.getloadavg())
    finally:
        stop(server)
        if watcher:
            stop(watcher)
    text = report(latencies, errors, elapsed, args, _count(url))
    requests = sum(len(v) for v in latencies.values()) or 1
    server_cpu, own_cpu, watcher_cpu, before, after = cpu
    watching = f"snapshot watcher {watcher_cpu:.1f} s, " if not args.no_watcher else "no snapshot watcher, "
    text += (
        f"\nCPU during the load: web server {server_cpu:.1f} s ({server_cpu / requests * 1000:.1f} ms per request, "
        f"PostgreSQL not counted), {watching}load generator {own_cpu:.1f} s, "
        f"of {elapsed * (os.cpu_count() or 1):.0f} CPU-seconds "
        f"on {os.cpu_count()} CPUs; load average {before[0]:.1f} before, {after[0]:.1f} after"
    )
    print(text)
    results = RESULTS.with_name("load-decisions.txt") if args.decide_every else RESULTS
    if args.decide_every and args.change_every:
        results = RESULTS.with_name("load-corrections.txt")
    results.parent.mkdir(exist_ok=True)
    results.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
