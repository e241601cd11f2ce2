"""Alignments as CSV: one row per allocation × element with a score above zero."""

from __future__ import annotations

import csv
from typing import TextIO

from snu.classify.models import AlignmentElement
from snu.strategy.models import Strategy

COLUMNS = ["external_id", "kind", "code", "score", "assigned", "primary", "weight", "origin"]


def alignment_rows(strategy: Strategy):
    rows = (
        AlignmentElement.objects.filter(alignment__strategy=strategy, score__gt=0)
        .order_by("alignment__allocation__external_id", "element__kind", "element__order", "element__code")
        .values_list(
            "alignment__allocation__external_id",
            "element__kind",
            "element__code",
            "score",
            "assigned",
            "alignment__primary_id",
            "element_id",
            "weight",
            "alignment__origin",
        )
    )
    for external_id, kind, code, score, assigned, primary_id, element_id, weight, origin in rows.iterator(5000):
        yield [external_id, kind, code, f"{score:.4f}", int(assigned), int(primary_id == element_id), weight, origin]


def write_alignments_csv(strategy: Strategy, out: TextIO) -> int:
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    n = 0
    for n, row in enumerate(alignment_rows(strategy), start=1):  # noqa: B007
        writer.writerow(row)
    return n
