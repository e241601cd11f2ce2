"""`snu evaluate FILE --strategy CODE [--folds K] [--json]`: alignment quality on labelled data.

Prints per-element precision, recall and F1, macro-F1 per kind and primary-focus accuracy for
zero-shot (labels hidden) and k-fold with labels, beside two baselines from the same folds.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from snu.classify import engine
from snu.classify.evaluation import evaluate, format_report
from snu.classify.labelled import LabelledFileError, find_strategy_file, read_labelled, strategy_from_yaml
from snu.core.cli import add_authority_argument
from snu.strategy.models import Strategy

RUNS = ("zero_shot", "kfold", "majority", "tfidf_lr")


class Command(BaseCommand):
    help = "Measure alignment quality on a canonical CSV whose labels column holds the truth."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="Canonical import CSV with a labels column")
        parser.add_argument("--strategy", required=True, help="Strategy code (loaded, or a shipped/YAML file)")
        parser.add_argument("--folds", type=int, default=5)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--json", action="store_true", help="Print the figures as JSON")
        add_authority_argument(parser)

    def handle(self, *args, **opts) -> None:
        elements, language = self._strategy(opts["strategy"], opts["authority"])
        try:
            rows = read_labelled(opts["file"])
        except (LabelledFileError, OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        codes = {e["code"] for e in elements}
        unknown = sorted({c for r in rows for c in r["labels"]} - codes)
        if unknown:
            raise CommandError(f"labels not in the strategy: {', '.join(unknown)}")
        if len(rows) < opts["folds"]:
            raise CommandError(f"{len(rows)} labelled rows: too few for {opts['folds']} folds")
        result = evaluate(rows, elements, folds=opts["folds"], seed=opts["seed"], language=language)
        if opts["json"]:
            self.stdout.write(json.dumps(_jsonable(result), indent=2, ensure_ascii=False))
        else:
            self.stdout.write(format_report(result))
            self.stdout.write(_per_element(result, elements))

    def _strategy(self, code: str, authority_code: str) -> tuple[list[dict], str]:
        """A YAML file or shipped evaluation strategy first (no database needed), else a loaded strategy."""
        path = find_strategy_file(code)
        if path is not None:
            return strategy_from_yaml(path)
        try:
            strategy = Strategy.objects.filter(authority__code=authority_code, code=code).first()
        except DatabaseError:
            strategy = None
        if strategy is None:
            raise CommandError(f"unknown strategy {code!r}: load it (snu strategy load) or give a YAML file")
        return engine.element_dicts(strategy), engine.strategy_language(strategy)


def _per_element(result: dict, elements: list[dict]) -> str:
    """Precision / recall / F1 per element for each run (format_report shows F1 only)."""
    lines = ["", "Precision / recall / F1 per element", ""]
    header = f"{'element':<12}{'kind':<12}" + "".join(f"{run[:14]:>22}" for run in RUNS if run in result)
    lines += [header, "-" * len(header)]
    for e in elements:
        cells = ""
        for run in RUNS:
            m = result.get(run, {}).get("per_element", {}).get(e["code"])
            if m is not None:
                cells += f"{m['precision']:>8.2f}{m['recall']:>7.2f}{m['f1']:>7.2f}"
        if cells:
            lines.append(f"{e['code']:<12}{e['kind'][:11]:<12}{cells}")
    return "\n".join(lines) + "\n"


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item"):
        return value.item()
    return value
