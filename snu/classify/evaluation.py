"""Quality of strategy alignment on labelled rows, with baselines. No Django here.

Rows are allocation dicts (see `StrategyAligner`) plus "labels": a set of element codes.
Focus areas are scored on the *primary* prediction (one per row, the decision that drives money
and dashboards); the other kinds on the assigned sets. `evaluate` runs, on the same folds:
zero-shot (labels hidden), k-fold with labels, optional few-shot (k labels per focus area),
and two baselines: majority class and plain TF-IDF + LogisticRegression.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from snu.classify.model import KINDS, StrategyAligner

OUTSIDE = ""
BASELINE_FIELDS = ("title", "description", "scheme", "funding_source")


def per_element_metrics(true: Sequence[set], predicted: Sequence[set], codes: Sequence[str]) -> dict:
    """Precision, recall, F1 and support per code (multi-label sets)."""
    metrics = {}
    for code in codes:
        tp = sum(1 for t, p in zip(true, predicted, strict=True) if code in t and code in p)
        n_pred = sum(1 for p in predicted if code in p)
        n_true = sum(1 for t in true if code in t)
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_true if n_true else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        metrics[code] = {"precision": precision, "recall": recall, "f1": f1, "support": n_true}
    return metrics


def macro_f1(metrics: dict, codes: Sequence[str]) -> float:
    """Mean F1 over the codes that occur in the truth (absent codes would only add noise)."""
    present = [metrics[c]["f1"] for c in codes if metrics[c]["support"]]
    return float(np.mean(present)) if present else 0.0


def primary_label(labels: set, focus_codes: Sequence[str]) -> str:
    focus = sorted(code for code in labels if code in set(focus_codes))
    return focus[0] if focus else OUTSIDE


def score_predictions(rows, primaries: Sequence[str], assigned: Sequence[set], elements) -> dict:
    """Per-element metrics and macro-F1 per kind for one set of predictions."""
    truth = [set(row["labels"]) for row in rows]
    result: dict = {"per_element": {}, "macro_f1": {}}
    for kind in KINDS:
        codes = [e["code"] for e in elements if e.get("kind", "focus_area") == kind]
        if not codes:
            continue
        predicted = [{p} for p in primaries] if kind == "focus_area" else assigned
        metrics = per_element_metrics(truth, predicted, codes)
        result["per_element"].update(metrics)
        result["macro_f1"][kind] = macro_f1(metrics, codes)
    focus = [e["code"] for e in elements if e.get("kind", "focus_area") == "focus_area"]
    true_primary = [primary_label(t, focus) for t in truth]
    result["primary_accuracy"] = float(np.mean([t == p for t, p in zip(true_primary, primaries, strict=True)]))
    return result


def aligner_predictions(model: StrategyAligner, X: list[dict]) -> tuple[list[str], list[set]]:
    scores = model.predict_scores(X)
    decided = model.assign(scores)
    codes = np.array(model.codes_)
    primaries = [codes[i] if i >= 0 else OUTSIDE for i in decided["primary"]]
    assigned = [set(codes[mask]) for mask in decided["assigned"]]
    return primaries, assigned


def baseline_text(x: dict) -> str:
    return " ".join(str(x.get(field) or "") for field in BASELINE_FIELDS)


def tfidf_lr_baseline(train_rows, train_primary, test_rows) -> list[str]:
    """Plain scikit-learn: TF-IDF on the same text fields, default LogisticRegression."""
    vectoriser = TfidfVectorizer()
    features = vectoriser.fit_transform([baseline_text(x) for x in train_rows])
    model = LogisticRegression(max_iter=1000).fit(features, train_primary)
    return list(model.predict(vectoriser.transform([baseline_text(x) for x in test_rows])))


def evaluate(rows, elements, folds: int = 5, seed: int = 0, shots: Sequence[int] = (), **model_params) -> dict:
    """Zero-shot, k-fold, few-shot and baselines, each as `score_predictions` output plus timing."""
    rows = list(rows)
    focus = [e["code"] for e in elements if e.get("kind", "focus_area") == "focus_area"]
    strata = [primary_label(set(row["labels"]), focus) for row in rows]
    splits = list(StratifiedKFold(folds, shuffle=True, random_state=seed).split(np.zeros(len(rows)), strata))
    result = {"rows": len(rows), "folds": folds, "zero_shot": _zero_shot(rows, elements, model_params)}
    result["kfold"] = _cross_validate(rows, elements, splits, strata, None, seed, model_params)
    for k in shots:
        result[f"{k}_shot"] = _cross_validate(rows, elements, splits, strata, k, seed, model_params)
    result["majority"] = _baseline(rows, elements, splits, strata, _majority)
    result["tfidf_lr"] = _baseline(rows, elements, splits, strata, tfidf_lr_baseline)
    return result


def _zero_shot(rows, elements, model_params) -> dict:
    started = time.perf_counter()
    model = StrategyAligner(elements, **model_params).fit(rows)
    primaries, assigned = aligner_predictions(model, rows)
    return {
        **score_predictions(rows, primaries, assigned, elements),
        "seconds": time.perf_counter() - started,
    }


def _few(train: np.ndarray, strata, k: int | None, seed: int) -> np.ndarray:
    if k is None:
        return train
    rng = np.random.default_rng(seed)
    chosen = [rng.permutation([i for i in train if strata[i] == s])[:k] for s in sorted(set(strata))]
    return np.sort(np.concatenate(chosen)).astype(int)


def _cross_validate(rows, elements, splits, strata, k, seed, model_params) -> dict:
    started = time.perf_counter()
    primaries, assigned = [OUTSIDE] * len(rows), [set()] * len(rows)
    for train, test in splits:
        train = _few(train, strata, k, seed)
        model = StrategyAligner(elements, **model_params)
        model.fit([rows[i] for i in train], [set(rows[i]["labels"]) for i in train])
        fold_primaries, fold_assigned = aligner_predictions(model, [rows[i] for i in test])
        for i, p, a in zip(test, fold_primaries, fold_assigned, strict=True):
            primaries[i], assigned[i] = p, a
    return {
        **score_predictions(rows, primaries, assigned, elements),
        "seconds": time.perf_counter() - started,
    }


def _majority(train_rows, train_primary, test_rows) -> list[str]:
    return [Counter(train_primary).most_common(1)[0][0]] * len(test_rows)


def _baseline(rows, elements, splits, strata, predict) -> dict:
    started = time.perf_counter()
    primaries = [OUTSIDE] * len(rows)
    for train, test in splits:
        predicted = predict([rows[i] for i in train], [strata[i] for i in train], [rows[i] for i in test])
        for i, p in zip(test, predicted, strict=True):
            primaries[i] = p
    assigned = [{p} - {OUTSIDE} for p in primaries]
    return {
        **score_predictions(rows, primaries, assigned, elements),
        "seconds": time.perf_counter() - started,
    }


RUN_TITLES = {
    "zero_shot": "zero-shot (labels hidden)",
    "kfold": "k-fold with labels",
    "majority": "baseline: majority class",
    "tfidf_lr": "baseline: TF-IDF + LogisticRegression",
}


def format_report(result: dict) -> str:
    """A readable text table: macro-F1 per kind and primary accuracy per run, then per element."""
    runs = [key for key in result if isinstance(result[key], dict) and "macro_f1" in result[key]]
    kinds = list(dict.fromkeys(kind for run in runs for kind in result[run]["macro_f1"]))
    lines = [f"rows: {result['rows']}, folds: {result['folds']}", ""]
    header = f"{'run':<40}" + "".join(f"{'F1 ' + kind:>18}" for kind in kinds) + f"{'primary acc':>14}{'secs':>8}"
    lines += [header, "-" * len(header)]
    for run in runs:
        r = result[run]
        cells = "".join(f"{r['macro_f1'][kind]:>18.3f}" for kind in kinds)
        lines.append(
            f"{RUN_TITLES.get(run, run.replace('_', '-')):<40}{cells}{r['primary_accuracy']:>14.3f}{r['seconds']:>8.1f}"
        )
    lines += ["", _element_table(result, runs)]
    return "\n".join(lines)


def _element_table(result: dict, runs: list[str]) -> str:
    codes = list(result[runs[0]]["per_element"])
    header = f"{'element':<12}{'support':>8}" + "".join(f"{run[:12]:>14}" for run in runs)
    lines = ["F1 per element", header, "-" * len(header)]
    for code in codes:
        support = result[runs[0]]["per_element"][code]["support"]
        cells = "".join(f"{result[run]['per_element'][code]['f1']:>14.3f}" for run in runs)
        lines.append(f"{code:<12}{support:>8}{cells}")
    return "\n".join(lines)
