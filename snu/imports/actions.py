"""Importing allocations: read → map headers → validate every row → report all problems → save all or nothing.

`import_allocations` is the one entry point for the CLI, the web page (through a background task) and the demo.
"""

from __future__ import annotations

import csv
import gc
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from operator import attrgetter
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from snu.core import audit
from snu.core.models import AuditEntry, Authority
from snu.grants.models import Allocation, FundingSource, Organisation, Scheme
from snu.grants.municipalities import MunicipalityResolver
from snu.imports import readers, writer
from snu.imports.alignments import confirm_alignments_from_labels
from snu.imports.layouts import Mapping, recognise, suggest
from snu.imports.models import ImportBatch, SavedMapping
from snu.imports.normalise import Context, Row, RowError, RowNormaliser
from snu.strategy.models import ElementKind, Strategy

VALIDATE_BATCH = 20000  # rows normalised together, column by column
ERRORS_KEPT = 1000  # problems stored on the batch for the page; the full list goes to the report file
Progress = Callable[[str, float], None]

# Funders whose money is the state's (the county administers it on the state's behalf).
STATE_WORDS = (
    "innovasjon norge",
    "departement",
    "kdd",
    "kmd",
    "lmd",
    "nfd",
    "kd ",
    "miljødirektoratet",
    "nkom",
    "forskningsrådet",
    "statsforvalter",
    "13.50",
    "statlig",
    "state",
)


class MappingNeeded(Exception):
    """The headers are not a layout SNU knows: a person has to confirm the mapping."""

    def __init__(self, headers: list[str], suggestion: dict[str, str]) -> None:
        super().__init__(_("The file's headers are not a known layout; confirm how they map."))
        self.headers, self.suggestion = headers, suggestion


@dataclass
class ImportResult:
    batch: ImportBatch
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    total_amount: Decimal = Decimal(0)
    errors: list[RowError] = field(default_factory=list)
    saved: bool = False
    skipped_path: str = ""
    seconds: float = 0.0

    @property
    def refused(self) -> bool:
        return bool(self.errors) and not self.saved and not self.batch.dry_run


def is_state_money(funder: str) -> bool:
    text = f" {funder.lower()} "
    return any(word in text for word in STATE_WORDS)


def _noop(_phase: str, _fraction: float) -> None:
    return None


def start_batch(actor: Any, authority: Authority, path: Path, *, file_name: str = "", **options: Any) -> ImportBatch:
    """The history row for one import, made before reading so a crash is still on record."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return ImportBatch.objects.create(
        authority=authority,
        file_name=file_name or path.name,
        stored_path=str(path),
        file_size=path.stat().st_size if path.exists() else 0,
        started_by=user,
        started_by_name=user.get_username() if user else str(actor or "system"),
        **options,
    )


def resolve_mapping(authority: Authority, headers: list[str], mapping_name: str = "") -> Mapping:
    if mapping_name:
        saved = SavedMapping.objects.filter(authority=authority, name=mapping_name).first()
        if saved is None:
            raise ValueError(_("No saved mapping is called %(name)s.") % {"name": mapping_name})
        return Mapping(dict(saved.columns), dict(saved.constants), layout=f"mapping:{saved.name}")
    mapping = recognise(headers)
    if mapping is None:
        raise MappingNeeded(headers, suggest(headers))
    return mapping


def import_allocations(
    actor: Any,
    authority: Authority,
    path: Path | str,
    *,
    batch: ImportBatch | None = None,
    file_format: str = "auto",
    sheet: str = "",
    mapping: Mapping | None = None,
    mapping_name: str = "",
    strategy_code: str = "",
    skip_invalid: bool = False,
    dry_run: bool = False,
    progress: Progress = _noop,
    table: readers.Table | None = None,
    state_money: bool | None = None,
    skipped_folder: Path | None = None,
) -> ImportResult:
    """Validate the whole file, then save every row in one transaction (or nothing).

    With `skip_invalid` the good rows are saved and the bad ones written to `<file>.invalid.csv` to fix and
    re-import. With `dry_run` nothing is saved; the result says what would happen. Raises MappingNeeded for an
    unknown layout, readers.ReadError for an unreadable file.
    """
    path = Path(path)
    started = time.monotonic()
    if batch is None:
        batch = start_batch(
            actor,
            authority,
            path,
            strategy_code=strategy_code,
            skip_invalid=skip_invalid,
            dry_run=dry_run,
            mapping_name=mapping_name,
        )
    _mark(batch, ImportBatch.Status.RUNNING, started_at=timezone.now())
    try:
        with _cycle_collection_paused():
            table = table or readers.open_table(path, file_format, sheet)
            mapping = mapping or resolve_mapping(authority, table.headers, mapping_name)
            batch.file_format, batch.sheet, batch.headers = table.file_format, table.sheet, table.headers
            batch.layout, batch.columns, batch.constants = mapping.layout, mapping.columns, mapping.constants
            missing = mapping.missing_required()
            if missing:
                raise ValueError(_("No column is mapped to: %(fields)s") % {"fields": ", ".join(missing)})
            strategy = _strategy(authority, strategy_code)
            result = ImportResult(batch)
            rows, bad_rows = _validate(authority, table, mapping, strategy, result, progress, skip_invalid)
            if result.errors and skip_invalid and not dry_run:
                result.skipped_path = _write_skipped(path, table.headers, bad_rows, skipped_folder)
            if dry_run or (result.errors and not skip_invalid):
                _plan(authority, rows, result)
            else:
                _save(actor, authority, rows, strategy, batch, result, progress, state_money)
                result.saved = True
    except Exception as exc:
        batch.message = str(exc)
        _mark(batch, ImportBatch.Status.FAILED, finished_at=timezone.now())
        raise
    result.seconds = time.monotonic() - started
    _finish(batch, result)
    return result


_gc_lock = threading.Lock()
_gc_state = {"holders": 0, "was_enabled": True}


@contextmanager
def _cycle_collection_paused() -> Iterator[None]:
    """Python's cycle collector walks every live container again and again while an import builds hundreds of
    thousands of rows (a third of the CPU time at 200,000 rows); an import makes next to no cycles, so pause it.
    Counted, since the web process may run imports in threads."""
    with _gc_lock:
        if _gc_state["holders"] == 0:
            _gc_state["was_enabled"] = gc.isenabled()
            gc.disable()
        _gc_state["holders"] += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_state["holders"] -= 1
            if _gc_state["holders"] == 0 and _gc_state["was_enabled"]:
                gc.enable()


def _strategy(authority: Authority, code: str) -> Strategy | None:
    if not code:
        return None
    strategy = Strategy.objects.filter(authority=authority, code=code).first()
    if strategy is None:
        raise ValueError(_("No strategy has the code %(code)s.") % {"code": code})
    return strategy


def _validate(
    authority: Authority,
    table: readers.Table,
    mapping: Mapping,
    strategy: Strategy | None,
    result: ImportResult,
    progress: Progress,
    keep_bad: bool,
) -> tuple[list[Row], list[list[Any]]]:
    known = None
    if strategy is not None:
        known = set(strategy.elements.values_list("code", flat=True))
    context = Context(MunicipalityResolver(authority.county_number), known)
    normaliser = RowNormaliser(table.headers, mapping, context)
    rows: list[Row] = []
    bad: list[list[Any]] = []
    first_seen: dict[str, int] = {}
    total = Decimal(0)
    number = table.first_row_number - 1
    batch: list[tuple[int, list[Any]]] = []

    def check(batch: list[tuple[int, list[Any]]]) -> None:
        nonlocal total
        outs = normaliser.normalise_batch(batch)
        if all(type(out) is Row for out in outs):  # the usual batch: every row good, no identifier seen twice
            good = cast(list[Row], outs)
            ids = [row.external_id for row in good]
            if first_seen.keys().isdisjoint(ids) and len(set(ids)) == len(ids):
                first_seen.update(zip(ids, (number for number, _cells in batch), strict=True))
                rows.extend(good)
                total += sum(map(attrgetter("amount"), good))
                return
        for (number, cells), out in zip(batch, outs, strict=True):
            if isinstance(out, Row) and out.external_id in first_seen:
                out = [
                    RowError(
                        number,
                        normaliser.column("external_id"),
                        out.external_id,
                        _("the identifier is also on row %(row)s") % {"row": first_seen[out.external_id]},
                    )
                ]
            if isinstance(out, Row):
                first_seen[out.external_id] = number
                rows.append(out)
                total += out.amount
            else:
                result.invalid += 1
                result.errors.extend(out)
                if keep_bad:
                    bad.append([*cells, "; ".join(f"{e.column}: {e.reason}" for e in out)])

    # Column by column in batches: each distinct value is parsed once (see `RowNormaliser.normalise_batch`).
    for cells in table.rows:
        number += 1
        if not cells:
            continue
        batch.append((number, cells))
        if len(batch) == VALIDATE_BATCH:
            check(batch)
            result.rows_read += len(batch)
            batch = []
            progress("reading", table.progress())
    check(batch)
    result.rows_read += len(batch)
    progress("reading", 1.0)
    result.total_amount = total
    return rows, bad


def _write_skipped(path: Path, headers: list[str], bad_rows: list[list[Any]], folder: Path | None) -> str:
    """The rows left out, with what is wrong, as a CSV to fix and import again (`snu_errors` is ignored then)."""
    target = (folder or path.parent) / (path.stem + ".invalid.csv")
    if folder:
        folder.mkdir(parents=True, exist_ok=True)
    if not _writable(target.parent):
        target = Path(settings.MEDIA_ROOT) / "imports" / target.name
        target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "w", encoding="utf-8-sig", newline="") as f:
        out = csv.writer(f, delimiter=";")
        out.writerow([*headers, "snu_errors"])
        out.writerows(bad_rows)
    return str(target)


def _writable(folder: Path) -> bool:
    import os

    return os.access(folder, os.W_OK)


def _existing(authority: Authority) -> dict[str, tuple[int, str]]:
    return {
        ext: (pk, digest)
        for ext, pk, digest in Allocation.objects.filter(authority=authority)
        .values_list("external_id", "id", "row_hash")
        .iterator(chunk_size=20000)
    }


def _plan(authority: Authority, rows: list[Row], result: ImportResult) -> None:
    """What saving would do, without saving."""
    existing = _existing(authority)
    for row in rows:
        known = existing.get(row.external_id)
        if known is None:
            result.created += 1
        elif known[1] == row.row_hash:
            result.unchanged += 1
        else:
            result.updated += 1


@transaction.atomic
def _save(
    actor: Any,
    authority: Authority,
    rows: list[Row],
    strategy: Strategy | None,
    batch: ImportBatch,
    result: ImportResult,
    progress: Progress,
    state_money: bool | None,
) -> None:
    # One import per authority at a time: a second import of the same file waits, then finds every row unchanged.
    Authority.objects.select_for_update().filter(pk=authority.pk).first()
    existing = _existing(authority)
    new = [r for r in rows if r.external_id not in existing] if existing else rows
    changed = [r for r in rows if r.external_id in existing and existing[r.external_id][1] != r.row_hash]
    result.created, result.updated = len(new), len(changed)
    result.unchanged = len(rows) - len(new) - len(changed)
    touched = new + changed
    sources = _funding_sources(actor, authority, touched, state_money)
    schemes = _schemes(actor, authority, touched, sources)
    orgs = _organisations(authority, touched)
    total = max(len(touched), 1)
    with writer.indexes_rebuilt_after(Allocation._meta.db_table, len(new)):
        _insert(authority, new, sources, schemes, orgs, lambda n: progress("saving", n / total))
    _update(actor, authority, changed, existing, sources, schemes, orgs)
    progress("saving", 1.0)
    if strategy is not None:
        labelled = [r for r in rows if r.labels]
        ids = dict(
            Allocation.objects.filter(authority=authority, external_id__in=[r.external_id for r in labelled])
            .values_list("external_id", "id")
            .iterator()
        )
        confirm_alignments_from_labels(actor, strategy, [(ids[r.external_id], r.labels) for r in labelled])
    audit.record(
        actor,
        AuditEntry.Verb.EVENT,
        batch,
        action="import_allocations",
        message=f"{batch.file_name}: {result.created} created, {result.updated} updated, "
        f"{result.unchanged} unchanged, {result.invalid} skipped",
    )


def _source_for(row: Row, schemes_fs: dict[str, str]) -> str:
    return row.funding_source or schemes_fs.get(row.scheme.lower(), "")


def _funding_sources(
    actor: Any, authority: Authority, rows: list[Row], state_money: bool | None
) -> dict[str, FundingSource]:
    """Funding source by lower-case name (or code); unknown ones are created, state money guessed from the name."""
    known: dict[str, FundingSource] = {}
    for fs in FundingSource.objects.filter(authority=authority):
        known[fs.name.lower()] = known[fs.code.lower()] = fs
    for name in sorted({r.funding_source for r in rows if r.funding_source}):
        if name.lower() in known:
            continue
        code = slugify(name)[:60] or name[:60]
        if code.lower() in known:  # `A.b` and `A,b` make the same code: the same source
            known[name.lower()] = known[code.lower()]
            continue
        fs = FundingSource.objects.create(
            authority=authority,
            code=code,
            name=name,
            is_state=is_state_money(name) if state_money is None else state_money,
            principal="Innovasjon Norge på vegne av departementene" if name == "Innovasjon Norge" else "",
        )
        audit.record_create(actor, fs, action="import_allocations")
        known[name.lower()] = known[code.lower()] = fs
    return known


def _schemes(actor: Any, authority: Authority, rows: list[Row], sources: dict[str, FundingSource]) -> dict:
    known = {s.code.lower(): s for s in Scheme.objects.filter(authority=authority).select_related("funding_source")}
    for s in list(known.values()):
        known.setdefault(s.name.lower(), s)
    for row in rows:
        key = row.scheme.lower()
        if not key or key in known:
            continue
        if row.scheme[:120].lower() in known:  # names alike in their first 120 characters share the code
            known[key] = known[row.scheme[:120].lower()]
            continue
        scheme = Scheme.objects.create(
            authority=authority,
            code=row.scheme[:120],
            name=row.scheme,
            funding_source=sources.get(row.funding_source.lower()) if row.funding_source else None,
        )
        audit.record_create(actor, scheme, action="import_allocations")
        known[key] = scheme
        known.setdefault(scheme.code.lower(), scheme)
    return known


def _org_key(row: Row) -> str:
    return row.org_number or "name:" + row.recipient_name.lower()


ORGANISATION_COLUMNS = [
    "authority_id",
    "created_at",
    "updated_at",
    "org_number",
    "name",
    "org_form",
    "industry_code",
    "municipality_id",
    "is_sole_proprietor",
]


def _organisations(authority: Authority, rows: list[Row]) -> dict[str, int]:
    """Recipients by organisation number (or by name when a file has none); new ones created in bulk."""
    known: dict[str, int] = {}
    for pk, number, name in Organisation.objects.filter(authority=authority).values_list("id", "org_number", "name"):
        known[number or "name:" + name.lower()] = pk
    # The first row of each distinct (organisation number, name), found with dict work done in C.
    pairs = list(zip(map(attrgetter("org_number"), rows), map(attrgetter("recipient_name"), rows), strict=True))
    first_row = dict(zip(reversed(pairs), reversed(rows), strict=True))
    wanted: dict[str, Row] = {}
    for org_number, name in dict.fromkeys(pairs):
        if name or org_number:
            key = org_number or "name:" + name.lower()
            if key not in known:
                wanted.setdefault(key, first_row[org_number, name])
    now = writer.stored_form(timezone.now())
    new = [
        (
            authority.pk,
            now,
            now,
            row.org_number,
            row.recipient_name or row.org_number,
            row.org_form,
            row.industry_code,
            row.current_municipality_id,
            row.org_form == "ENK" or row.recipient_name.lower().startswith("enkeltpersonforetak"),
        )
        for row in wanted.values()
    ]
    # Straight into the table (as the allocations are): the ORM's bulk_create costs ~0.1 ms an object.
    writer.copy_rows(Organisation._meta.db_table, ORGANISATION_COLUMNS, new, lambda _n: None)
    if new:
        for pk, number, name in Organisation.objects.filter(authority=authority).values_list(
            "id", "org_number", "name"
        ):
            known.setdefault(number or "name:" + name.lower(), pk)
    return known


ALLOCATION_COLUMNS = [
    "authority_id",
    "created_at",
    "updated_at",
    "external_id",
    "title",
    "description",
    "recipient_id",
    "recipient_name",
    "org_number",
    "funding_source_id",
    "scheme_id",
    "municipality_given",
    "municipality_id",
    "current_municipality_id",
    "municipality_needs_review",
    "decision_date",
    "year",
    "amount",
    "amount_paid",
    "amount_applied",
    "status",
    "industry_code",
    "industry_name",
    "tags",
    "source_url",
    "row_hash",
    "version",
]


UPDATE_BATCH = 500
UPDATED_FIELDS = [
    f.name
    for f in Allocation._meta.concrete_fields
    if f.attname in ALLOCATION_COLUMNS and f.name not in {"authority", "created_at"}
]


def _field_values(row: Row, sources: dict, schemes: dict, orgs: dict) -> dict[str, Any]:
    scheme = schemes.get(row.scheme.lower()) if row.scheme else None
    source = sources.get(row.funding_source.lower()) if row.funding_source else None
    if source is None and scheme is not None:
        source = scheme.funding_source
    return {
        "external_id": row.external_id,
        "title": row.title,
        "description": row.description,
        "recipient_id": orgs.get(_org_key(row)) if (row.recipient_name or row.org_number) else None,
        "recipient_name": row.recipient_name,
        "org_number": row.org_number,
        "funding_source_id": source.pk if source else None,
        "scheme_id": scheme.pk if scheme else None,
        "municipality_given": row.municipality_given,
        "municipality_id": row.municipality_id,
        "current_municipality_id": row.current_municipality_id,
        "municipality_needs_review": row.municipality_needs_review,
        "decision_date": row.decision_date,
        "year": row.year,
        "amount": row.amount,
        "amount_paid": row.amount_paid,
        "amount_applied": row.amount_applied,
        "status": row.status,
        "industry_code": row.industry_code,
        "industry_name": row.industry_name,
        "tags": list(row.tags),
        "source_url": row.source_url,
        "row_hash": row.row_hash,
    }


INSERT_CHUNK = 100_000  # rows turned into columns at a time: the columns of a whole large file cost memory


def _insert(authority: Authority, rows: list[Row], sources: dict, schemes: dict, orgs: dict, progress: Any) -> None:
    """The same values as `_field_values`, built column by column: the scheme/source lookup, the recipient and the
    tags' JSON are worked out once per distinct value, since files repeat them heavily."""
    if not rows:
        progress(0)
        return
    now = writer.stored_form(timezone.now())
    for start in range(0, len(rows), INSERT_CHUNK):
        columns = _allocation_columns(authority, rows[start : start + INSERT_CHUNK], sources, schemes, orgs, now)
        writer.copy_columns(Allocation._meta.db_table, ALLOCATION_COLUMNS, columns, partial(_offset, progress, start))


def _offset(progress: Callable[[int], None], start: int, done: int) -> None:
    progress(start + done)


def _allocation_columns(
    authority: Authority, rows: list[Row], sources: dict, schemes: dict, orgs: dict, now: Any
) -> list[Sequence[Any]]:
    """The values of `ALLOCATION_COLUMNS` for new allocations, one list per column."""
    n = len(rows)
    (
        external_ids,
        titles,
        descriptions,
        recipient_names,
        org_numbers,
        _org_forms,
        givens,
        municipality_ids,
        current_ids,
        needs_review,
        scheme_names,
        source_names,
        industry_codes,
        industry_names,
        amounts,
        paid,
        applied,
        statuses,
        dates,
        years,
        tag_tuples,
        urls,
        _labels,
        row_hashes,
        _numbers,
    ) = zip(*rows, strict=True)

    def link(key: tuple[str, str]) -> tuple[int | None, int | None]:
        scheme_name, source_name = key
        scheme = schemes.get(scheme_name.lower()) if scheme_name else None
        source = sources.get(source_name.lower()) if source_name else None
        if source is None and scheme is not None:
            source = scheme.funding_source
        return (source.pk if source else None, scheme.pk if scheme else None)

    def recipient(key: tuple[str, str]) -> int | None:
        org_number, name = key
        if org_number:
            return orgs.get(org_number)
        return orgs.get("name:" + name.lower()) if name else None

    links = _per_distinct(link, list(zip(scheme_names, source_names, strict=True)))
    source_ids = [pair[0] for pair in links]
    scheme_ids = [pair[1] for pair in links]
    recipient_ids = _per_distinct(recipient, list(zip(org_numbers, recipient_names, strict=True)))
    tags = _per_distinct(lambda tag_tuple: writer.as_json(list(tag_tuple)), tag_tuples)
    return [
        [authority.pk] * n,
        [now] * n,
        [now] * n,
        external_ids,
        titles,
        descriptions,
        recipient_ids,
        recipient_names,
        org_numbers,
        source_ids,
        scheme_ids,
        givens,
        municipality_ids,
        current_ids,
        needs_review,
        dates,
        years,
        amounts,
        paid,
        applied,
        statuses,
        industry_codes,
        industry_names,
        tags,
        urls,
        row_hashes,
        [1] * n,
    ]


def _per_distinct(work_out: Callable[[Any], Any], keys: Sequence[Any]) -> list[Any]:
    """work_out(key) for each key, computed once per distinct key."""
    known = {key: work_out(key) for key in dict.fromkeys(keys)}
    return list(map(known.__getitem__, keys))


def _update(
    actor: Any,
    authority: Authority,
    rows: list[Row],
    existing: dict[str, tuple[int, str]],
    sources: dict,
    schemes: dict,
    orgs: dict,
) -> None:
    """A changed row updates its allocation, with an audit entry showing before and after.

    In bulk: one UPDATE per 500 allocations and the audit entries inserted together (the same entries
    `audit.record_update` writes, one per allocation whose stored values changed)."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    actor_name = user.get_username() if user else (str(actor) if actor else "system")
    now = timezone.now()
    for start in range(0, len(rows), UPDATE_BATCH):
        chunk = rows[start : start + UPDATE_BATCH]
        objects = Allocation.objects.in_bulk([existing[r.external_id][0] for r in chunk])
        changed, entries = [], []
        for row in chunk:
            allocation = objects[existing[row.external_id][0]]
            before = audit.snapshot(allocation)
            for name, value in _field_values(row, sources, schemes, orgs).items():
                setattr(allocation, name, value)
            allocation.version += 1
            allocation.updated_at = now
            changed.append(allocation)
            after = audit.snapshot(allocation)
            if before != after:
                entries.append(
                    AuditEntry(
                        authority=authority,
                        actor=user,
                        actor_name=actor_name,
                        verb=AuditEntry.Verb.UPDATE,
                        action="import_allocations",
                        object_type=audit.object_type(allocation),
                        object_id=str(allocation.pk),
                        object_repr=str(allocation)[:300],
                        before=before,
                        after=after,
                    )
                )
        Allocation.objects.bulk_update(changed, UPDATED_FIELDS)
        AuditEntry.objects.bulk_create(entries)


def _mark(batch: ImportBatch, status: str, **fields: Any) -> None:
    batch.status = status
    for name, value in fields.items():
        setattr(batch, name, value)
    batch.save()


def _finish(batch: ImportBatch, result: ImportResult) -> None:
    if batch.dry_run:
        status = ImportBatch.Status.CHECKED
    elif result.saved:
        status = ImportBatch.Status.DONE
    else:
        status = ImportBatch.Status.REFUSED
    batch.rows_read, batch.created, batch.updated = result.rows_read, result.created, result.updated
    batch.unchanged, batch.invalid, batch.total_amount = result.unchanged, result.invalid, result.total_amount
    batch.errors = [list(e) for e in result.errors[:ERRORS_KEPT]]
    batch.error_count = len(result.errors)
    batch.skipped_path = result.skipped_path
    _mark(batch, status, finished_at=timezone.now())


@transaction.atomic
def save_mapping(actor: Any, authority: Authority, name: str, columns: dict, constants: dict | None = None):
    """Keep a confirmed mapping under a name, to reuse for the next file of the same layout."""
    saved, created = SavedMapping.objects.get_or_create(authority=authority, name=name)
    before = audit.snapshot(saved)
    saved.columns, saved.constants = columns, constants or {}
    saved.created_by = actor if getattr(actor, "is_authenticated", False) else saved.created_by
    saved.save()
    if created:
        audit.record_create(actor, saved, action="save_mapping")
    else:
        audit.record_update(actor, saved, before, action="save_mapping")
    return saved


def focus_area_codes(strategy: Strategy) -> set[str]:
    return set(strategy.elements.filter(kind=ElementKind.FOCUS_AREA).values_list("code", flat=True))


@transaction.atomic
def stage_upload(actor: Any, authority: Authority, uploaded: Any, *, sheet: str = "", mapping_name: str = ""):
    """Keep an uploaded file and note its headers and the mapping SNU suggests; nothing is imported yet."""
    import uuid

    folder = Path(settings.MEDIA_ROOT) / "imports" / authority.code
    folder.mkdir(parents=True, exist_ok=True)
    safe = slugify(Path(uploaded.name).stem)[:60] or "file"
    target = folder / f"{uuid.uuid4().hex[:12]}-{safe}{Path(uploaded.name).suffix.lower()}"
    with open(target, "wb") as f:
        for chunk in uploaded.chunks():
            f.write(chunk)
    batch = start_batch(actor, authority, target, file_name=uploaded.name, sheet=sheet, mapping_name=mapping_name)
    table = readers.open_table(target, "auto", sheet)
    batch.file_format, batch.sheet, batch.headers = table.file_format, table.sheet, table.headers
    try:
        mapping = resolve_mapping(authority, table.headers, mapping_name)
        batch.columns, batch.constants, batch.layout = mapping.columns, mapping.constants, mapping.layout
    except MappingNeeded as exc:
        batch.columns, batch.layout = exc.suggestion, ""
    batch.save()
    audit.record_create(actor, batch, action="stage_upload")
    return batch


def configure_batch(
    actor: Any,
    batch: ImportBatch,
    *,
    columns: dict[str, str],
    constants: dict[str, str],
    strategy_code: str = "",
    skip_invalid: bool = False,
    dry_run: bool = False,
    save_as: str = "",
) -> ImportBatch:
    """Confirm the mapping and options for an uploaded file (and keep the mapping by name if asked)."""
    with transaction.atomic():
        batch.columns, batch.constants = columns, {k: v for k, v in constants.items() if v}
        batch.layout = batch.layout or (f"mapping:{save_as}" if save_as else "confirmed")
        batch.strategy_code, batch.skip_invalid, batch.dry_run = strategy_code, skip_invalid, dry_run
        batch.started_by = actor if getattr(actor, "is_authenticated", False) else batch.started_by
        batch.save()
        if save_as:
            save_mapping(actor, batch.authority, save_as, columns, batch.constants)
    return batch


def rerun_copy(actor: Any, batch: ImportBatch) -> ImportBatch:
    """A fresh batch for the same stored file (to import after a check)."""
    copy = start_batch(
        actor,
        batch.authority,
        Path(batch.stored_path),
        file_name=batch.file_name,
        sheet=batch.sheet,
        mapping_name=batch.mapping_name,
    )
    copy.file_format, copy.headers, copy.columns = batch.file_format, batch.headers, batch.columns
    copy.constants, copy.layout, copy.strategy_code = batch.constants, batch.layout, batch.strategy_code
    copy.save()
    return copy
