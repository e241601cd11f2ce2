"""End-to-end speed of `snu classify`: read allocations, predict, explain, write alignment rows in bulk.

Run on a demo database: SNU_DATA_DIR=/tmp/snu-demo .venv/bin/python bench/classify_cli.py [--strategy CODE]
Prints wall and CPU rows/s per phase, so a loaded machine does not hide where the time goes.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "snu.settings")

import django  # noqa: E402

django.setup()

from snu.classify import engine  # noqa: E402
from snu.grants.models import Allocation  # noqa: E402
from snu.strategy.models import Strategy  # noqa: E402

TARGET_PER_S = 5_000


class Clock:
    def __init__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def lap(self) -> tuple[float, float]:
        wall, cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--strategy", default="troms-snu-2018")
    args = parser.parse_args()
    strategy = Strategy.objects.get(code=args.strategy)
    qs = Allocation.objects.filter(authority_id=strategy.authority_id)
    n = qs.count()
    clock = Clock()
    engine.forget_models()
    model, _label = engine.current_model(strategy)
    report("fit / load model", clock.lap(), None)
    values = list(engine.allocation_values(qs.order_by("id")))
    report("read allocations", clock.lap(), n)
    rows = [engine.row_from_values(v) for v in values]
    evidence = engine.Evidence(model)
    decisions = engine.decide(model, rows, [v["id"] for v in values], [v["amount"] for v in values], evidence)
    report("predict + evidence", clock.lap(), n)
    counts = engine.align_queryset(strategy, qs)
    wall, cpu = clock.lap()
    report("snu classify end to end (re-align, model cached)", (wall, cpu), counts.aligned)
    print(f"{len(decisions)} allocations; target ≥ {TARGET_PER_S:,}/s on one core")


def report(phase: str, lap: tuple[float, float], n: int | None) -> None:
    wall, cpu = lap
    rates = f"  {n / wall:>9,.0f}/s wall  {n / cpu:>9,.0f}/s cpu" if n else ""
    print(f"{phase:<50}{wall:>7.2f} s wall {cpu:>7.2f} s cpu{rates}")


if __name__ == "__main__":
    main()
