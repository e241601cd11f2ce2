"""The Django side of the classifier: strategies and allocations in, Alignment rows out.

`model.py` knows nothing about Django; this module turns Strategy/Element rows into element dicts,
Allocation rows into feature dicts, keeps one fitted model per strategy in memory, and writes the
results in batches of set-based statements (PostgreSQL: COPY; SQLite: executemany), never one query or
one model instance per allocation.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.db import connection, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from snu.classify.model import StrategyAligner, industry_digits
from snu.classify.models import Alignment, AlignmentElement, ModelVersion, Origin
from snu.classify.text import tokenise
from snu.core import dataversion
from snu.grants.models import Allocation
from snu.lib.money import to_ore
from snu.strategy.models import Element, ElementKind, Strategy

BATCH = 5000  # allocations per read, prediction and write transaction
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


# ------------------------------------------------------------------ models


_CACHE: dict[tuple, StrategyAligner] = {}
_CACHE_LOCK = threading.Lock()


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
    """The active trained model, else a zero-shot one; cached until the elements or the version change
    (checked once per web request: a page explaining twenty alignments asks once)."""
    return dataversion.per_request(("current_model", strategy.pk), lambda: _current_model(strategy))


def _current_model(strategy: Strategy) -> tuple[StrategyAligner, str]:
    # Elements count in the data version and a new model version is audited (the edit version), so the
    # fingerprint is read from the cache until either moves.
    def read() -> tuple[tuple, int | None, str]:
        version = active_version(strategy)
        return _fingerprint(strategy), version.pk if version else None, version.label if version else "zero-shot"

    key, version_pk, label = dataversion.cached(
        "model-fingerprint", (strategy.pk, dataversion.edits()), read, scope=dataversion.BASE
    )
    model = _CACHE.get(key)
    if model is None:
        # Web processes serve requests in several threads: one builds the model, the others wait for it.
        with _CACHE_LOCK:
            model = _CACHE.get(key)
            if model is None:
                if version_pk is not None:
                    model = StrategyAligner.from_bytes(bytes(ModelVersion.objects.get(pk=version_pk).blob))
                else:
                    model = zero_shot_model(strategy)
                for old in [k for k in list(_CACHE) if k[0] == strategy.pk]:
                    _CACHE.pop(old, None)
                _CACHE[key] = model
    return model, label


def forget_models() -> None:
    with _CACHE_LOCK:
        _CACHE.clear()


# ------------------------------------------------------------------ decisions


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
    million rows do not each pay for a full `explain`. Token → (element, stem) hits are cached, and so
    are whole texts of the fields with few distinct values (scheme, funding source) and the rules per
    industry code.
    """

    FIELDS = ("title", "description", "scheme", "funding_source")
    REPEATED = frozenset(("scheme", "funding_source"))

    def __init__(self, model: StrategyAligner):
        self.model = model
        profile = model.profile_.tocsc()
        ptr, idx = profile.indptr, profile.indices
        self.by_column = {c: idx[ptr[c] : ptr[c + 1]].tolist() for c in np.flatnonzero(np.diff(ptr)).tolist()}
        self.codes = model.codes_
        self.index = model.code_index_
        self.words = model.terms_.words
        self.analyse_token = model.terms_.analyser.analyse_token
        self.token_hits: dict[str, list[tuple[int, str]]] = {}
        self.text_hits: dict[tuple[str, str], list[tuple[int, str, str]]] = {}
        self.rules: dict[str, list[tuple[int, str]]] = {}

    def _token(self, token: str) -> list[tuple[int, str]]:
        found = self.token_hits.get(token)
        if found is None:
            found = self.token_hits[token] = [
                (j, stem)
                for stem in self.analyse_token(token)
                if stem in self.words
                for j in self.by_column.get(self.words[stem], ())
            ]
        return found

    def _hits(self, fld: str, text: str) -> list[tuple[int, str, str]]:
        """(element index, stem, token) of every profile term in the text, in reading order."""
        if fld in self.REPEATED:
            found = self.text_hits.get((fld, text))
            if found is None:
                found = self.text_hits[(fld, text)] = [(j, s, t) for t in tokenise(text) for j, s in self._token(t)]
            return found
        return [(j, s, t) for t in tokenise(text) for j, s in self._token(t)]

    def _rules(self, code: str) -> list[tuple[int, str]]:
        found = self.rules.get(code)
        if found is None:
            found = self.rules[code] = self.model.rules_for(industry_digits(code))
        return found

    def for_row(self, x: dict, assigned: Iterable[str]) -> dict:
        return self.for_columns(x, [self.index[c] for c in assigned if c in self.index])

    def for_columns(self, x: dict, columns: list[int]) -> dict:
        """Evidence for the elements at these model columns (the assigned ones)."""
        if not columns:
            return {}
        wanted = {j: self.codes[j] for j in columns}
        terms: dict[str, list] = {}
        for fld in self.FIELDS:
            text = x.get(fld)
            if not text:
                continue
            for j, stem, token in self._hits(fld, text):
                code = wanted.get(j)
                if code is None:
                    continue
                found = terms.setdefault(code, [])
                if len(found) < TOP_TERMS and all(t[0] != stem and t[1] != token for t in found):
                    found.append([stem, token, fld])
        rules: dict[str, list] = {}
        industry = x.get("industry_code") or ""
        for j, prefix in self._rules(industry):
            if j in wanted:
                rules.setdefault(wanted[j], []).append(f"industry:{industry}:{prefix}")
        return {k: v for k, v in (("terms", terms), ("rules", rules)) if v}


@dataclass
class Decided:
    """A batch of model decisions as rows to store, in allocation order."""

    allocation_ids: list[int]
    primary_ids: list[int | None]
    confidence: list[float]
    priority: list[float]
    evidence: list[str]  # JSON text, dumped once per row
    elements: list[tuple]  # (allocation id, element id, score, assigned, weight text, amount text)

    def __len__(self) -> int:
        return len(self.allocation_ids)


def decide(
    model: StrategyAligner,
    evidence: Evidence,
    element_pks: np.ndarray,
    rows: list[dict],
    ids: list[int],
    amounts: list[Decimal],
) -> Decided:
    """Model output for a batch, vectorised: scores below SCORE_FLOOR dropped, focus-area weights to four
    decimals adding up to exactly 1, the amount split by them exactly to the øre (largest remainder).

    `element_pks[j]` is the Element id of model column j (-1 when the strategy no longer has it).
    """
    n = len(rows)
    scores = model.predict_scores(rows)
    decided = model.assign(scores)
    assigned = decided["assigned"]
    focus = scores[:, model.focus_mask_] if model.focus_mask_.any() else np.zeros((n, 1))
    ordered = -np.sort(-focus, axis=1)
    margin = ordered[:, 0] - (ordered[:, 1] if ordered.shape[1] > 1 else 0)
    confidence = np.round(margin, 4)
    ore = np.array([to_ore(a) for a in amounts], dtype=np.int64)
    priority = np.round((1.0 - confidence) * np.log1p(np.maximum(ore / 100, 0.0)), 4)
    weights = _weight_units(decided["weights"], model.codes_)
    amount_ore = _split_ore(ore, weights, scores)
    known = element_pks >= 0
    stored = np.where(scores >= SCORE_FLOOR, np.round(scores, 4), 0.0)
    r, c = np.nonzero(((scores >= SCORE_FLOOR) | assigned | (weights > 0)) & known)
    elements = list(
        zip(
            np.asarray(ids, dtype=np.int64)[r].tolist(),
            element_pks[c].tolist(),
            stored[r, c].tolist(),
            assigned[r, c].tolist(),
            [WEIGHT_TEXT[w] for w in weights[r, c].tolist()],
            [ore_text(a) for a in amount_ore[r, c].tolist()],
            strict=True,
        )
    )
    primary = decided["primary"]
    primary_pks = np.where(primary >= 0, element_pks[np.maximum(primary, 0)], -1).tolist()
    return Decided(
        allocation_ids=list(ids),
        primary_ids=[p if p >= 0 else None for p in primary_pks],
        confidence=confidence.tolist(),
        priority=priority.tolist(),
        evidence=_evidence_json(evidence, rows, assigned),
        elements=elements,
    )


WEIGHT_UNITS = 10_000  # weights are stored with four decimals
WEIGHT_TEXT = [f"{w // WEIGHT_UNITS}.{w % WEIGHT_UNITS:04d}" for w in range(WEIGHT_UNITS + 1)]


def _weight_units(weights: np.ndarray, codes: list[str]) -> np.ndarray:
    """Weights in units of 0.0001; a row's rounding residue goes to its largest weight (ties: highest code)."""
    units = np.rint(weights * WEIGHT_UNITS).astype(np.int64)
    units[units < 0] = 0
    residue = np.where(units.any(axis=1), WEIGHT_UNITS - units.sum(axis=1), 0)
    for i in np.flatnonzero(residue).tolist():  # rare: the model already puts the residue on the top weight
        top = max(np.flatnonzero(units[i]).tolist(), key=lambda j: (units[i, j], codes[j]))
        units[i, top] = max(units[i, top] + residue[i], 0)
    return units


def _split_ore(ore: np.ndarray, units: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Each row's amount (øre) split by its weights so the parts add up exactly: floors, then one øre more to
    the largest remainders (ties: the higher score). Same result as `snu.lib.money.split_by_weights`."""
    out = np.zeros(units.shape, dtype=np.int64)
    r, c = np.nonzero(units)
    if not len(r):
        return out
    total = units.sum(axis=1)[r]
    whole = np.abs(ore)[r] * units[r, c]
    parts, remainder = whole // total, whole % total
    left = np.abs(ore) - np.bincount(r, weights=parts, minlength=len(ore)).astype(np.int64)
    order = np.lexsort((-scores[r, c], -remainder, r))
    r, c, parts = r[order], c[order], parts[order]
    rank = np.arange(len(r)) - np.searchsorted(r, r, side="left")
    parts = parts + (rank < left[r])
    out[r, c] = parts * np.where(ore < 0, -1, 1)[r]
    return out


def ore_text(ore: int) -> str:
    if not ore:
        return "0.00"
    whole, cents = divmod(abs(ore), 100)
    return f"{'-' if ore < 0 else ''}{whole}.{cents:02d}"


def _evidence_json(evidence: Evidence, rows: list[dict], assigned: np.ndarray) -> list[str]:
    r, c = np.nonzero(assigned)
    bounds = np.searchsorted(r, np.arange(len(rows) + 1)).tolist()
    columns = c.tolist()
    out = []
    for i, x in enumerate(rows):
        found = evidence.for_columns(x, columns[bounds[i] : bounds[i + 1]])
        out.append(json.dumps(found, ensure_ascii=False, separators=(",", ":")) if found else "{}")
    return out


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


def allocation_batches(qs: QuerySet[Allocation], size: int | None = None) -> Iterator[list[tuple]]:
    """`ALLOCATION_VALUES` tuples in id order, a batch at a time.

    The ids come first (one narrow query), then each batch is read by its id range: a bounded range
    scan whatever the planner thinks of a freshly loaded table, where `id > last ORDER BY id LIMIT n`
    can turn into joining and sorting every remaining row for each page.
    """
    size = size or BATCH
    ids = list(qs.order_by("pk").values_list("pk", flat=True))
    values = qs.order_by("pk").values_list(*ALLOCATION_VALUES)
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        yield list(values.filter(pk__gte=chunk[0], pk__lte=chunk[-1]))


def row_from_tuple(v: tuple) -> dict:
    """A feature dict for the model from one `ALLOCATION_VALUES` tuple."""
    return {
        "title": v[1],
        "description": v[2],
        "scheme": v[3] or "",
        "funding_source": v[4] or "",
        "industry_code": v[5] or v[6] or "",
        "org_form": v[7] or "",
    }


def align_queryset(strategy: Strategy, allocations: QuerySet[Allocation], *, only_new: bool = False) -> RunCounts:
    """Align (or re-align) allocations to the strategy in batches. Person decisions are never touched.

    Each batch is written in its own transaction, so a long run never holds SQLite's write lock for
    more than a moment; a run that stops half way leaves whole batches, and the next run completes it.
    """
    started = time.perf_counter()
    model, label = current_model(strategy)
    evidence = Evidence(model)
    elements = dict(strategy.elements.values_list("code", "id"))
    element_pks = np.array([elements.get(code, -1) for code in model.codes_], dtype=np.int64)
    counts = RunCounts()
    with sqlite_page_cache():
        _align_batches(strategy, allocations, model, label, evidence, element_pks, only_new, counts)
    counts.seconds = time.perf_counter() - started
    if counts.aligned:
        # The rows above bypass the ORM's signals: move the data and base versions (not the allocation version,
        # which alignments do not change) once they are committed.
        dataversion.bump_on_commit(counter=dataversion.ALIGNMENTS)
    return counts


SQLITE_CACHE_KIB = 256 * 1024


@contextmanager
def sqlite_page_cache():
    """A 256 MB page cache on SQLite while a run writes: with the default 2 MB, the score-row indexes of
    a million allocations no longer fit and a re-run at 1 M costs about 40 % more CPU (measured)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def _align_batches(strategy, allocations, model, label, evidence, element_pks, only_new, counts: RunCounts) -> None:
    origin = Origin.RULE if label == "zero-shot" else Origin.MODEL
    for batch in allocation_batches(allocations):
        # By allocation id only, the strategy checked here: given "strategy_id = ?" too, SQLite's planner
        # (no statistics) picks the strategy index and scans every alignment of the strategy per batch.
        existing = {
            allocation_id: found_origin
            for allocation_id, strategy_id, found_origin in Alignment.objects.filter(
                allocation_id__gte=batch[0][0], allocation_id__lte=batch[-1][0]
            ).values_list("allocation_id", "strategy_id", "origin")
            if strategy_id == strategy.pk
        }
        todo = []
        for v in batch:
            found = existing.get(v[0])
            if found == Origin.PERSON:
                counts.kept_person += 1
            elif found is not None and only_new:
                counts.skipped += 1
            else:
                todo.append(v)
        if not todo:
            continue
        rows = [row_from_tuple(v) for v in todo]
        decided = decide(model, evidence, element_pks, rows, [v[0] for v in todo], [v[8] for v in todo])
        with transaction.atomic():
            created, updated = write_decided(strategy.pk, origin, label, decided, set(existing))
        counts.created += created
        counts.updated += updated


ALIGNMENT_TABLE = Alignment._meta.db_table
ELEMENT_TABLE = AlignmentElement._meta.db_table
ELEMENT_COLUMNS = "alignment_id, element_id, score, assigned, weight, amount"
ALIGNMENT_COLUMNS = (
    "allocation_id, strategy_id, primary_id, origin, confidence, priority, evidence, model_version, version, "
    "created_at, updated_at"
)
# Insert, or update unless a person decided (the check is in the statement, so a decision taken while the
# run goes on is kept too). An update moves the optimistic-locking version on.
UPSERT_TAIL = (
    f" ON CONFLICT (allocation_id, strategy_id) DO UPDATE SET primary_id = excluded.primary_id, "
    f"origin = excluded.origin, confidence = excluded.confidence, priority = excluded.priority, "
    f"evidence = excluded.evidence, model_version = excluded.model_version, "
    f"version = {ALIGNMENT_TABLE}.version + 1, updated_at = excluded.updated_at "
    f"WHERE {ALIGNMENT_TABLE}.origin <> '{Origin.PERSON.value}'"
)


def write_decided(
    strategy_id: int, origin: str, label: str, decided: Decided, existed: set[int], *, copy: bool | None = None
) -> tuple[int, int]:
    """Store a batch (inside the caller's transaction): alignments upserted, their score rows replaced.

    PostgreSQL uses COPY into a temporary table and set-based statements; otherwise (SQLite, or
    `copy=False`) one executemany per statement. Returns (created, updated).
    """
    if copy is None:
        copy = connection.vendor == "postgresql"
    if copy:
        return _write_with_copy(strategy_id, origin, label, decided)
    return _write_with_executemany(strategy_id, origin, label, decided, existed)


def _write_with_executemany(strategy_id, origin, label, decided: Decided, existed: set[int]) -> tuple[int, int]:
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    postgres = connection.vendor == "postgresql"
    sql = (
        f"INSERT INTO {ALIGNMENT_TABLE} ({ALIGNMENT_COLUMNS}) "  # noqa: S608 - names from the model, values as parameters
        f"VALUES (%s, %s, %s, %s, %s, %s, {'%s::jsonb' if postgres else '%s'}, %s, 1, %s, %s)" + UPSERT_TAIL
    )
    rows = zip(
        decided.allocation_ids,
        [strategy_id] * len(decided),
        decided.primary_ids,
        [origin] * len(decided),
        decided.confidence,
        decided.priority,
        decided.evidence,
        [label] * len(decided),
        [now] * len(decided),
        [now] * len(decided),
        strict=True,
    )
    ids = decided.allocation_ids
    with connection.cursor() as cursor:
        cursor.executemany(sql, list(rows))
        cursor.execute(
            f"SELECT allocation_id, id, strategy_id, origin FROM {ALIGNMENT_TABLE} "  # noqa: S608 - names from the model
            f"WHERE allocation_id >= %s AND allocation_id <= %s",
            [min(ids), max(ids)],
        )
        wanted = set(ids)
        written = {
            allocation_id: pk
            for allocation_id, pk, strategy, found in cursor.fetchall()
            if strategy == strategy_id and found != Origin.PERSON and allocation_id in wanted
        }
        replaced = [pk for allocation_id, pk in written.items() if allocation_id in existed]
        if replaced:
            members = "= ANY(%s)" if postgres else "IN (SELECT value FROM json_each(%s))"
            cursor.execute(
                f"DELETE FROM {ELEMENT_TABLE} WHERE alignment_id {members}",  # noqa: S608 - names from the model
                [replaced if postgres else json.dumps(replaced)],
            )
        cursor.executemany(
            f"INSERT INTO {ELEMENT_TABLE} ({ELEMENT_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s)",  # noqa: S608 - names from the model
            [(written[e[0]], *e[1:]) for e in decided.elements if e[0] in written],
        )
    return len(written) - len(replaced), len(replaced)


def _write_with_copy(strategy_id, origin, label, decided: Decided) -> tuple[int, int]:
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE snu_classify_batch (allocation_id bigint, primary_id bigint, "
            "confidence double precision, priority double precision, evidence jsonb) ON COMMIT DROP"
        )
        with cursor.copy("COPY snu_classify_batch FROM STDIN") as copy:
            for row in zip(
                decided.allocation_ids,
                decided.primary_ids,
                decided.confidence,
                decided.priority,
                decided.evidence,
                strict=True,
            ):
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {ALIGNMENT_TABLE} ({ALIGNMENT_COLUMNS}) "  # noqa: S608 - names from the model, values as parameters
            f"SELECT allocation_id, %s, primary_id, %s, confidence, priority, evidence, %s, 1, %s, %s "
            f"FROM snu_classify_batch" + UPSERT_TAIL + " RETURNING allocation_id, id, xmax = 0",
            [strategy_id, origin, label, now, now],
        )
        returned = cursor.fetchall()
        written = {allocation_id: pk for allocation_id, pk, _inserted in returned}
        replaced = [pk for _allocation_id, pk, inserted in returned if not inserted]
        if replaced:
            cursor.execute(f"DELETE FROM {ELEMENT_TABLE} WHERE alignment_id = ANY(%s)", [replaced])  # noqa: S608 - names from the model
        with cursor.copy(f"COPY {ELEMENT_TABLE} ({ELEMENT_COLUMNS}) FROM STDIN") as copy:
            for e in decided.elements:
                pk = written.get(e[0])
                if pk is not None:
                    copy.write_row((pk, *e[1:]))
        cursor.execute("DROP TABLE snu_classify_batch")
    return len(written) - len(replaced), len(replaced)


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
