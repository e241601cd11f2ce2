"""The Django side of the classifier: strategies and allocations in, Alignment rows out.

`model.py` knows nothing about Django; this module turns Strategy/Element rows into element dicts,
Allocation rows into feature dicts, keeps one fitted model per strategy in memory, and writes the
results in batches (bulk_create / bulk_update), never one query per allocation.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from django.db import connection, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from snu.classify.model import StrategyAligner, industry_digits
from snu.classify.models import Alignment, AlignmentElement, ModelVersion, Origin
from snu.grants.models import Allocation
from snu.lib.money import split_by_weights
from snu.strategy.models import Element, ElementKind, Strategy

BATCH = 2000
SCORE_FLOOR = 0.01  # scores below this are noise; no AlignmentElement row is stored for them
TOP_TERMS = 5  # matched terms kept as evidence per assigned element
CORPUS_SAMPLE = 5000  # unlabelled allocations used for term weights when fitting
WEIGHT_PLACES = Decimal("0.0001")
ALLOCATION_VALUES = (
    "id",
    "title",
    "description",
    "scheme__name",
    "funding_source__name",
    "industry_code",
    "recipient__industry_code",
    "recipient__org_form",
    "amount",
)


# ------------------------------------------------------------------ inputs


def strategy_language(strategy: Strategy) -> str:
    """The language the strategy is written in: the first language of its name (nb for Troms)."""
    for lang in strategy.name or {}:
        if lang in ("nb", "nn", "da", "sv", "en"):
            return "nb" if lang == "nn" else lang
    return "nb"


def element_dicts(strategy: Strategy) -> list[dict]:
    return [
        {
            "kind": e.kind,
            "code": e.code,
            "name": e.name,
            "description": e.description,
            "keywords": e.keywords,
            "industry_codes": e.industry_codes,
        }
        for e in strategy.elements.order_by("kind", "order", "code")
    ]


def row_from_values(v: dict) -> dict:
    """A feature dict for the model from one `.values(*ALLOCATION_VALUES)` row."""
    return {
        "title": v["title"],
        "description": v["description"],
        "scheme": v["scheme__name"] or "",
        "funding_source": v["funding_source__name"] or "",
        "industry_code": v["industry_code"] or v["recipient__industry_code"] or "",
        "org_form": v["recipient__org_form"] or "",
    }


def allocation_row(allocation: Allocation) -> dict:
    recipient = allocation.recipient
    return {
        "title": allocation.title,
        "description": allocation.description,
        "scheme": allocation.scheme.name if allocation.scheme else "",
        "funding_source": allocation.funding_source.name if allocation.funding_source else "",
        "industry_code": allocation.industry_code or (recipient.industry_code if recipient else ""),
        "org_form": recipient.org_form if recipient else "",
    }


def allocation_values(qs: QuerySet[Allocation]) -> Iterator[dict]:
    return qs.values(*ALLOCATION_VALUES).iterator(chunk_size=BATCH)


# ------------------------------------------------------------------ models


_CACHE: dict[tuple, StrategyAligner] = {}


def _fingerprint(strategy: Strategy) -> tuple:
    latest = strategy.elements.aggregate(m=Max("updated_at"), n=Max("id"))
    count = strategy.elements.count()
    active = active_version(strategy)
    return (strategy.pk, count, latest["m"], latest["n"], active.pk if active else None)


def active_version(strategy: Strategy) -> ModelVersion | None:
    return ModelVersion.objects.filter(strategy=strategy, is_active=True).order_by("-created_at").first()


def zero_shot_model(strategy: Strategy, corpus: list[dict] | None = None) -> StrategyAligner:
    if corpus is None:
        corpus = corpus_sample(strategy)
    return StrategyAligner(element_dicts(strategy), language=strategy_language(strategy)).fit(corpus)


def corpus_sample(strategy: Strategy, size: int = CORPUS_SAMPLE) -> list[dict]:
    qs = Allocation.objects.filter(authority_id=strategy.authority_id).order_by("id")
    return [row_from_values(v) for v in qs.values(*ALLOCATION_VALUES)[:size]]


def current_model(strategy: Strategy) -> tuple[StrategyAligner, str]:
    """The active trained model, else a zero-shot one; cached until the elements or the version change."""
    key = _fingerprint(strategy)
    version = active_version(strategy)
    label = version.label if version else "zero-shot"
    model = _CACHE.get(key)
    if model is None:
        model = StrategyAligner.from_bytes(bytes(version.blob)) if version else zero_shot_model(strategy)
        for old in [k for k in _CACHE if k[0] == strategy.pk]:
            del _CACHE[old]
        _CACHE[key] = model
    return model, label


def forget_models() -> None:
    _CACHE.clear()


# ------------------------------------------------------------------ decisions


@dataclass
class Decision:
    """One allocation's alignment as it will be stored."""

    allocation_id: int
    amount: Decimal
    primary: str | None
    confidence: float
    scores: dict[str, float]
    assigned: set[str]
    weights: dict[str, Decimal]
    evidence: dict = field(default_factory=dict)


def exact_weights(weights: dict[str, float]) -> dict[str, Decimal]:
    """Four-decimal weights that add up to exactly 1.0000 (residue on the largest)."""
    if not weights:
        return {}
    out = {code: Decimal(str(w)).quantize(WEIGHT_PLACES) for code, w in weights.items() if w > 0}
    if not out:
        return {}
    top = max(out, key=lambda c: (out[c], c))
    out[top] += Decimal(1) - sum(out.values(), Decimal(0))
    return {code: w for code, w in out.items() if w > 0}


def equal_weights(codes: list[str]) -> dict[str, Decimal]:
    if not codes:
        return {}
    share = (Decimal(1) / len(codes)).quantize(WEIGHT_PLACES)
    weights = dict.fromkeys(codes, share)
    weights[codes[0]] += Decimal(1) - share * len(codes)
    return weights


class Evidence:
    """Fast evidence for many rows: matched terms per assigned element (with field) and rules fired.

    Same content as `StrategyAligner.explain`, computed from the fitted term space and profile so a
    million rows do not each pay for a full `explain`.
    """

    FIELDS = ("title", "description", "scheme", "funding_source")

    def __init__(self, model: StrategyAligner):
        self.model = model
        profile = model.profile_.tocsc()
        ptr, idx = profile.indptr, profile.indices
        self.by_column = {c: idx[ptr[c] : ptr[c + 1]].tolist() for c in np.flatnonzero(np.diff(ptr)).tolist()}
        self.index = model.code_index_
        self.words = model.terms_.words
        self.analyse_token = model.terms_.analyser.analyse_token
        self.cache: dict[str, list[tuple[int, str]]] = {}

    def _columns(self, token: str) -> list[tuple[int, str]]:
        found = self.cache.get(token)
        if found is None:
            stems = self.analyse_token(token)
            found = self.cache[token] = [(self.words[s], s) for s in stems if s in self.words]
        return found

    def for_row(self, x: dict, assigned: Iterable[str]) -> dict:
        from snu.classify.text import tokenise

        wanted = {self.index[c]: c for c in assigned if c in self.index}
        if not wanted:
            return {}
        terms: dict[str, list] = {}
        for fld in self.FIELDS:
            for token in tokenise(x.get(fld)):
                for col, stem in self._columns(token):
                    for j in self.by_column.get(col, ()):
                        code = wanted.get(j)
                        if code is None:
                            continue
                        found = terms.setdefault(code, [])
                        if len(found) < TOP_TERMS and all(t[0] != stem and t[1] != token for t in found):
                            found.append([stem, token, fld])
        rules: dict[str, list] = {}
        code = x.get("industry_code")
        for j, prefix in self.model.rules_for(industry_digits(code)):
            if j in wanted:
                rules.setdefault(wanted[j], []).append(f"industry:{code}:{prefix}")
        return {k: v for k, v in (("terms", terms), ("rules", rules)) if v}


def decide(model: StrategyAligner, rows: list[dict], ids: list[int], amounts: list[Decimal], evidence: Evidence):
    """Model output for a batch, as Decisions (scores below SCORE_FLOOR dropped)."""
    scores = model.predict_scores(rows)
    decided = model.assign(scores)
    codes = model.codes_
    focus = scores[:, model.focus_mask_] if model.focus_mask_.any() else np.zeros((len(rows), 1))
    ordered = -np.sort(-focus, axis=1)
    margin = ordered[:, 0] - (ordered[:, 1] if ordered.shape[1] > 1 else 0)
    out = []
    for i, allocation_id in enumerate(ids):
        assigned = {codes[j] for j in np.flatnonzero(decided["assigned"][i])}
        weights = {codes[j]: float(decided["weights"][i, j]) for j in np.flatnonzero(decided["weights"][i])}
        primary = int(decided["primary"][i])
        row_scores = {codes[j]: round(float(scores[i, j]), 4) for j in np.flatnonzero(scores[i] >= SCORE_FLOOR)}
        out.append(
            Decision(
                allocation_id=allocation_id,
                amount=amounts[i],
                primary=codes[primary] if primary >= 0 else None,
                confidence=round(float(margin[i]), 4),
                scores=row_scores,
                assigned=assigned,
                weights=exact_weights(weights),
                evidence=evidence.for_row(rows[i], assigned),
            )
        )
    return out


def priority(confidence: float, amount: Decimal) -> float:
    """Review order: uncertain and large first (uncertainty × log of the amount)."""
    return round((1.0 - confidence) * math.log1p(max(float(amount), 0.0)), 4)


# ------------------------------------------------------------------ writing


@dataclass
class RunCounts:
    created: int = 0
    updated: int = 0
    kept_person: int = 0
    skipped: int = 0
    seconds: float = 0.0

    @property
    def aligned(self) -> int:
        return self.created + self.updated

    @property
    def per_second(self) -> float:
        return self.aligned / self.seconds if self.seconds else 0.0


def align_queryset(strategy: Strategy, allocations: QuerySet[Allocation], *, only_new: bool = False) -> RunCounts:
    """Align (or re-align) allocations to the strategy in batches. Person decisions are never touched."""
    started = time.perf_counter()
    model, label = current_model(strategy)
    evidence = Evidence(model)
    elements = {e.code: e.pk for e in strategy.elements.all()}
    counts = RunCounts()
    batch: list[dict] = []
    for values in allocation_values(allocations.order_by("id")):
        batch.append(values)
        if len(batch) >= BATCH:
            _align_batch(strategy, model, label, evidence, elements, batch, only_new, counts)
            batch = []
    if batch:
        _align_batch(strategy, model, label, evidence, elements, batch, only_new, counts)
    counts.seconds = time.perf_counter() - started
    return counts


def _align_batch(strategy, model, label, evidence, elements, batch, only_new, counts) -> None:
    ids = [v["id"] for v in batch]
    existing = {
        a["allocation_id"]: a
        for a in Alignment.objects.filter(strategy=strategy, allocation_id__in=ids).values(
            "id", "allocation_id", "origin", "version"
        )
    }
    todo = []
    for v in batch:
        found = existing.get(v["id"])
        if found and found["origin"] == Origin.PERSON:
            counts.kept_person += 1
        elif found and only_new:
            counts.skipped += 1
        else:
            todo.append(v)
    if not todo:
        return
    rows = [row_from_values(v) for v in todo]
    decisions = decide(model, rows, [v["id"] for v in todo], [v["amount"] for v in todo], evidence)
    with transaction.atomic():
        write_decisions(strategy, label, elements, decisions, existing, counts)


def write_decisions(strategy, label, elements, decisions: list[Decision], existing: dict, counts: RunCounts) -> None:
    origin = Origin.RULE if label == "zero-shot" else Origin.MODEL
    new, changed = [], []
    for d in decisions:
        alignment = Alignment(
            allocation_id=d.allocation_id,
            strategy=strategy,
            primary_id=elements.get(d.primary) if d.primary else None,
            origin=origin,
            confidence=d.confidence,
            priority=priority(d.confidence, d.amount),
            evidence=d.evidence,
            model_version=label,
        )
        found = existing.get(d.allocation_id)
        if found:
            alignment.pk = found["id"]
            alignment.version = found["version"] + 1
            changed.append(alignment)
        else:
            new.append(alignment)
    if changed:
        AlignmentElement.objects.filter(alignment_id__in=[a.pk for a in changed]).delete()
        update_alignments(changed)
    if new:
        Alignment.objects.bulk_create(new, batch_size=BATCH)
    by_allocation = {a.allocation_id: a.pk for a in [*new, *changed]}
    rows = []
    for d in decisions:
        rows.extend(element_rows(by_allocation[d.allocation_id], elements, d))
    insert_elements(rows)
    counts.created += len(new)
    counts.updated += len(changed)


def update_alignments(changed: list[Alignment]) -> None:
    """One prepared UPDATE run for many rows: far cheaper than bulk_update's CASE WHEN per field."""
    table = Alignment._meta.db_table
    json_param = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
    sql = (
        f"UPDATE {table} SET primary_id = %s, origin = %s, confidence = %s, priority = %s, "  # noqa: S608 - names from the model, values as parameters
        f"evidence = {json_param}, model_version = %s, version = %s, updated_at = %s WHERE id = %s"
    )
    now = timezone.now()
    params = [
        (
            a.primary_id,
            a.origin,
            a.confidence,
            a.priority,
            json.dumps(a.evidence),
            a.model_version,
            a.version,
            now,
            a.pk,
        )
        for a in changed
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def element_rows(alignment_id: int, elements: dict[str, int], d: Decision) -> list[tuple]:
    """Score rows for one alignment as insert tuples; focus areas carry weight and an exact share of the amount."""
    codes = sorted(set(d.scores) | d.assigned | set(d.weights), key=lambda c: -d.scores.get(c, 0))
    weighted = [c for c in codes if c in d.weights]
    amounts = dict(zip(weighted, split_by_weights(d.amount, [d.weights[c] for c in weighted]), strict=True))
    zero = Decimal(0)
    return [
        (
            alignment_id,
            elements[code],
            d.scores.get(code, 0.0),
            code in d.assigned,
            d.weights.get(code, zero),
            amounts.get(code, zero),
        )
        for code in codes
        if code in elements
    ]


def insert_elements(rows: list[tuple]) -> None:
    """Plain executemany: model instances and bulk_create's per-value preparation cost more than the insert."""
    table = AlignmentElement._meta.db_table
    columns = "alignment_id, element_id, score, assigned, weight, amount"
    sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s)"  # noqa: S608 - names from the model
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 10 * BATCH):
            cursor.executemany(sql, rows[start : start + 10 * BATCH])


def training_rows(strategy: Strategy) -> tuple[list[dict], list[set[str]], list[int]]:
    """(rows, labels, allocation ids) of every person-confirmed alignment of the strategy."""
    confirmed = Alignment.objects.filter(strategy=strategy, origin=Origin.PERSON)
    labels: dict[int, set[str]] = {}
    for allocation_id, code in AlignmentElement.objects.filter(alignment__in=confirmed, assigned=True).values_list(
        "alignment__allocation_id", "element__code"
    ):
        labels.setdefault(allocation_id, set()).add(code)
    for allocation_id in confirmed.values_list("allocation_id", flat=True):
        labels.setdefault(allocation_id, set())
    qs = Allocation.objects.filter(pk__in=list(labels)).order_by("id")
    rows, y, ids = [], [], []
    for v in qs.values(*ALLOCATION_VALUES):
        rows.append(row_from_values(v))
        y.append(labels[v["id"]])
        ids.append(v["id"])
    return rows, y, ids


def focus_codes(strategy: Strategy) -> list[str]:
    return list(strategy.elements.filter(kind=ElementKind.FOCUS_AREA).order_by("order").values_list("code", flat=True))


def element_ids(strategy: Strategy) -> dict[str, int]:
    return dict(Element.objects.filter(strategy=strategy).values_list("code", "id"))
