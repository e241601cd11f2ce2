"""Importing allocations: read → map headers → validate every row → report all problems → save all or nothing.

`import_allocations` is the one entry point for the CLI, the web page (through a background task) and the demo.
"""

from __future__ import annotations

import csv
import gc
import pickle
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from snu.core import audit
from snu.core.models import AuditEntry, Authority
from snu.grants.models import Allocation, FundingSource, Organisation, Scheme
from snu.grants.municipalities import MunicipalityResolver
from snu.imports import pipeline, readers, writer
from snu.imports.alignments import confirm_alignments_from_labels
from snu.imports.layouts import Mapping, recognise, suggest
from snu.imports.models import ImportBatch, SavedMapping
from snu.imports.normalise import HASHED_FIELDS, Context, Row, RowError, RowNormaliser, row_hashes
from snu.strategy.models import ElementKind, Strategy

VALIDATE_BATCH = 20000  # rows normalised together, column by column (and written together)
FORK_BYTES = 4 * 1024 * 1024  # from this file size on, the file is checked in a child process (`pipeline`)
HASH_SHARE_STEP = 0.25  # how far the share of rows a checking child hashes moves from one batch to the next
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
    """Check every row of the file and save them all in one transaction, or nothing.

    The file is checked batch by batch, and each good batch is written while the next one is checked (in a
    child process for a large file, see `pipeline`), inside one transaction: as soon as a bad row turns up
    the writing stops, the rest of the file is still checked so that every problem is reported, and the
    transaction is rolled back. With `skip_invalid` the good rows are saved and the bad ones written to
    `<file>.invalid.csv` to fix and re-import. With `dry_run` nothing is written; the result says what would
    happen. Raises MappingNeeded for an unknown layout, readers.ReadError for an unreadable file.
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
            known = set(strategy.elements.values_list("code", flat=True)) if strategy is not None else None
            normaliser = RowNormaliser(
                table.headers, mapping, Context(MunicipalityResolver(authority.county_number), known)
            )
            large = _is_large(path)
            checked = pipeline.run(partial(checked_batches, table, normaliser, skip_invalid), fork=large)
            bad_rows = _save(
                actor, authority, checked, strategy, batch, result, progress, state_money, skip_invalid, dry_run, large
            )
            if result.errors and skip_invalid and not dry_run:
                result.skipped_path = _write_skipped(path, table.headers, bad_rows, skipped_folder)
    except Exception as exc:
        batch.message = str(exc)
        _mark(batch, ImportBatch.Status.FAILED, finished_at=timezone.now())
        raise
    result.seconds = time.monotonic() - started
    _finish(batch, result)
    return result


def _is_large(path: Path) -> bool:
    """Whether a file is worth checking in a child process (and, on SQLite, writing with the foreign keys checked
    by the writer instead of row by row)."""
    try:
        size = path.stat().st_size
    except OSError:
        return False
    return size >= FORK_BYTES


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


@dataclass
class Checked:
    """One batch of the file, checked: the good rows column by column (one list per field of `Row`, in its
    order), every problem found, and (when asked for) the bad rows' cells with what is wrong with them."""

    columns: list[list[Any]]
    errors: list[RowError]
    bad: list[list[Any]]
    rows_read: int
    fraction: float

    def __len__(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def __getstate__(self) -> dict[str, Any]:
        # Sent from the checking child column by column: each column pickled on its own keeps pickle's memo of
        # objects small (a sixth less time to send and take a batch).
        state = dict(self.__dict__)
        state["columns"] = [pickle.dumps(column, protocol=pickle.HIGHEST_PROTOCOL) for column in self.columns]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state["columns"] = [pickle.loads(column) for column in state["columns"]]  # noqa: S301 - from our child
        self.__dict__.update(state)

    def column(self, name: str) -> list[Any]:
        return self.columns[FIELD[name]] if self.columns else []

    def rows(self, indices: Iterable[int]) -> list[Row]:
        return [Row._make(column[i] for column in self.columns) for i in indices]

    def hash(self) -> None:
        """Fill in `row_hash` where the checking left it out (the rows after its `RowNormaliser.hash_share`)."""
        hashes = self.column("row_hash")
        if hashes and hashes[-1] is None:
            start = hashes.index(None)
            # HASHED_FIELDS less the external id: the fields from the title to the source address.
            fields = self.columns[1 : len(HASHED_FIELDS)]
            hashes[start:] = row_hashes([column[start:] for column in fields] if start else fields)

    def taken(self, indices: list[int]) -> list[list[Any]]:
        """The columns of the rows at `indices` only."""
        if len(indices) == len(self):  # every row (a first import): the columns as they are
            return self.columns
        return [[column[i] for i in indices] for column in self.columns]


FIELD = {name: i for i, name in enumerate(Row._fields)}


def checked_batches(table: readers.Table, normaliser: RowNormaliser, keep_bad: bool) -> Iterator[Checked]:
    """Read and check the file batch by batch. An identifier seen on an earlier row makes a row bad. Runs in the
    checking child process for a large file: it touches no database."""
    first_seen: dict[str, int] = {}
    share = HASH_SHARE_STEP * 2

    def check(numbers: Sequence[int], cells_of: list[list[Any]]) -> Checked:
        nonlocal share
        # The rows' hashes are made wherever there is time. In a checking child, a share of each batch's rows,
        # more while the writing process is the busier one (it took the last batch late), less while it waits
        # for batches; the writer hashes the rest (`Checked.hash`).
        if pipeline.in_child():
            share = min(1.0, share + HASH_SHARE_STEP) if pipeline.parent_busy() else max(0.0, share - HASH_SHARE_STEP)
        normaliser.hash_share = share if pipeline.in_child() else 1.0
        columns, outs = normaliser.normalise_cells(numbers, cells_of)
        errors: list[RowError] = []
        bad: list[list[Any]] = []
        if columns is not None:  # the usual batch: every row good
            ids = columns[FIELD["external_id"]]
            if first_seen.keys().isdisjoint(ids) and len(set(ids)) == len(ids):  # and no identifier seen twice
                first_seen.update(zip(ids, columns[FIELD["row_number"]], strict=True))
                return Checked(columns, [], [], len(cells_of), table.progress())
            outs = [Row._make(values) for values in zip(*columns, strict=True)]
        assert outs is not None
        good: list[Row] = []
        for number, cells, out in zip(numbers, cells_of, outs, strict=True):
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
                good.append(out)
            else:
                errors.extend(out)
                if keep_bad:
                    bad.append([*cells, "; ".join(f"{e.column}: {e.reason}" for e in out)])
        columns = [list(c) for c in zip(*good, strict=True)] if good else []
        return Checked(columns, errors, bad, len(cells_of), table.progress())

    # Column by column in batches: each distinct value is parsed once (see `RowNormaliser.normalise_batch`). The
    # rows are taken a batch at a time (empty rows are numbered, then left out), without a step per row here.
    rows = iter(table.rows)
    number = table.first_row_number
    for chunk in iter(lambda: list(islice(rows, VALIDATE_BATCH)), []):
        if all(chunk):  # no empty row (the usual batch)
            part = check(range(number, number + len(chunk)), chunk)
        else:
            kept = [i for i, cells in enumerate(chunk) if cells]
            part = check([number + i for i in kept], [chunk[i] for i in kept])
        number += len(chunk)
        if len(chunk) < VALIDATE_BATCH:  # the last
            part.fraction = 1.0
            yield part
            return
        yield part
    last = check([], [])  # the file ended with a full batch (or had no rows)
    last.fraction = 1.0
    yield last


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


class _Refused(Exception):
    """A bad row and no `skip_invalid`: roll back everything written so far."""


def _save(
    actor: Any,
    authority: Authority,
    checked: Iterator[Checked],
    strategy: Strategy | None,
    batch: ImportBatch,
    result: ImportResult,
    progress: Progress,
    state_money: bool | None,
    skip_invalid: bool,
    dry_run: bool,
    large: bool,
) -> list[list[Any]]:
    """Take the checked batches as they come and write the good rows (unless `dry_run`, or a bad row turned up
    without `skip_invalid`); count what was (or would have been) created, updated and unchanged. Returns the bad
    rows for the skipped-rows file."""
    bad_rows: list[list[Any]] = []
    try:
        # On SQLite a large import checks its foreign keys itself (see `writer.foreign_keys_off`): set before
        # the transaction starts, as SQLite wants.
        with writer.foreign_keys_off(large and not dry_run), transaction.atomic():
            # One import per authority at a time: a second import of the same file waits, then finds every row
            # unchanged.
            if not dry_run:
                Authority.objects.select_for_update().filter(pk=authority.pk).first()
            existing = _existing(authority)
            links = _Links(actor, authority, state_money)
            changed: list[Row] = []
            labelled: list[tuple[str, tuple[str, ...]]] = []
            total = Decimal(0)
            with ExitStack() as rebuilding:
                table = Allocation._meta.db_table
                rebuild_decided = False
                for part in checked:
                    result.rows_read += part.rows_read
                    result.errors.extend(part.errors)
                    result.invalid += len({e.row for e in part.errors})
                    bad_rows.extend(part.bad)
                    progress("reading", part.fraction)
                    if not len(part):
                        continue
                    part.hash()
                    total += sum(part.column("amount"))
                    labelled.extend(
                        (e, ls) for e, ls in zip(part.column("external_id"), part.column("labels"), strict=True) if ls
                    )
                    new, updated = _sorted_out(part, existing, result)
                    if dry_run or (result.errors and not skip_invalid):
                        continue
                    if new and not rebuild_decided:  # from the first batch: how many new rows the file holds
                        estimate = int(len(new) / max(part.fraction, 1e-6))
                        rebuilding.enter_context(writer.indexes_rebuilt_after(table, estimate))
                        rebuild_decided = True
                    if not (new or updated):
                        continue
                    rows_changed = part.rows(updated)
                    links.add(part, new, rows_changed)
                    if new:
                        _insert(authority, part.taken(new), links, lambda _n: None)
                    changed.extend(rows_changed)
                result.total_amount = total
                if dry_run or (result.errors and not skip_invalid):
                    raise _Refused
                progress("saving", 0.0)
            # Leaving the block above built the indexes again (after a large insert).
            progress("saving", 0.5)
            _update(actor, authority, changed, existing, links.sources, links.schemes, links.orgs)
            if strategy is not None and labelled:
                ids = dict(
                    Allocation.objects.filter(authority=authority, external_id__in=[e for e, _ls in labelled])
                    .values_list("external_id", "id")
                    .iterator()
                )
                confirm_alignments_from_labels(actor, strategy, [(ids[e], ls) for e, ls in labelled])
            audit.record(
                actor,
                AuditEntry.Verb.EVENT,
                batch,
                action="import_allocations",
                message=f"{batch.file_name}: {result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged, {result.invalid} skipped",
            )
            progress("saving", 1.0)
            result.saved = True
    except _Refused:
        result.saved = False
    return bad_rows


def _sorted_out(
    part: Checked, existing: dict[str, tuple[int, str]], result: ImportResult
) -> tuple[list[int], list[int]]:
    """The positions of the new and of the changed rows in a batch; the counts go into `result`."""
    ids = part.column("external_id")
    if not existing:
        result.created += len(ids)
        return list(range(len(ids))), []
    new, changed = [], []
    for i, (external_id, digest) in enumerate(zip(ids, part.column("row_hash"), strict=True)):
        known = existing.get(external_id)
        if known is None:
            new.append(i)
        elif known[1] != digest:
            changed.append(i)
    result.created += len(new)
    result.updated += len(changed)
    result.unchanged += len(ids) - len(new) - len(changed)
    return new, changed


class _Links:
    """The funding sources, schemes and recipients the rows point to, by the names the file gives them: loaded
    once per import, then added to as batches bring new ones (created on the spot, in the import's
    transaction)."""

    def __init__(self, actor: Any, authority: Authority, state_money: bool | None) -> None:
        self.actor, self.authority, self.state_money = actor, authority, state_money
        self.sources: dict[str, FundingSource] = {}
        for fs in FundingSource.objects.filter(authority=authority):
            self.sources[fs.name.lower()] = self.sources[fs.code.lower()] = fs
        self.schemes: dict[str, Scheme] = {
            s.code.lower(): s for s in Scheme.objects.filter(authority=authority).select_related("funding_source")
        }
        for s in list(self.schemes.values()):
            self.schemes.setdefault(s.name.lower(), s)
        self.orgs: dict[str, int] = {}
        self.pairs_seen: set[tuple[str, str]] = set()  # (organisation number, name) pairs already looked at
        self.recipients: dict[tuple[str, str], int | None] = {}  # the same pairs → the recipient's id
        self.linked: dict[tuple[str, str], tuple[int | None, int | None]] = {}  # (scheme, source) → their ids
        self.last_org = 0
        for pk, number, name in Organisation.objects.filter(authority=authority).values_list(
            "id", "org_number", "name"
        ):
            self.orgs[number or "name:" + name.lower()] = pk
            self.last_org = max(self.last_org, pk)

    def add(self, part: Checked, new: list[int], changed: list[Row]) -> None:
        """Make sure every source, scheme and recipient of these rows exists."""
        schemes, sources = part.column("scheme"), part.column("funding_source")
        if len(new) != len(part):  # (every row new, as in a first import: the columns as they are)
            schemes, sources = [schemes[i] for i in new], [sources[i] for i in new]
        names = set(sources) | {r.funding_source for r in changed}
        self._add_sources(sorted(n for n in names if n))
        pairs = dict.fromkeys(zip(schemes, sources, strict=True))
        pairs.update(dict.fromkeys((r.scheme, r.funding_source) for r in changed))
        self._add_schemes(pairs)
        self._add_organisations(part, new, changed)

    def _add_sources(self, names: list[str]) -> None:
        """Unknown sources are created, state money guessed from the name."""
        known = self.sources
        for name in names:
            if name.lower() in known:
                continue
            code = slugify(name)[:60] or name[:60]
            if code.lower() in known:  # `A.b` and `A,b` make the same code: the same source
                known[name.lower()] = known[code.lower()]
                continue
            fs = FundingSource.objects.create(
                authority=self.authority,
                code=code,
                name=name,
                is_state=is_state_money(name) if self.state_money is None else self.state_money,
                principal="Innovasjon Norge på vegne av departementene" if name == "Innovasjon Norge" else "",
            )
            audit.record_create(self.actor, fs, action="import_allocations")
            known[name.lower()] = known[code.lower()] = fs

    def _add_schemes(self, pairs: Iterable[tuple[str, str]]) -> None:
        known = self.schemes
        for scheme_name, source_name in pairs:
            key = scheme_name.lower()
            if not key or key in known:
                continue
            if scheme_name[:120].lower() in known:  # names alike in their first 120 characters share the code
                known[key] = known[scheme_name[:120].lower()]
                continue
            scheme = Scheme.objects.create(
                authority=self.authority,
                code=scheme_name[:120],
                name=scheme_name,
                funding_source=self.sources.get(source_name.lower()) if source_name else None,
            )
            audit.record_create(self.actor, scheme, action="import_allocations")
            known[key] = scheme
            known.setdefault(scheme.code.lower(), scheme)

    def _add_organisations(self, part: Checked, new: list[int], changed: list[Row]) -> None:
        """Recipients by organisation number (or by name when a file has none); new ones created in bulk, with
        what the first row naming them says."""
        known = self.orgs
        numbers, names = part.column("org_number"), part.column("recipient_name")
        forms, places = part.column("org_form"), part.column("current_municipality_id")
        industries = part.column("industry_code")
        if len(new) != len(part):
            numbers, names, forms, industries, places = (
                [column[i] for i in new] for column in (numbers, names, forms, industries, places)
            )
        pairs = list(zip(numbers, names, strict=True))
        if not changed and self.pairs_seen.issuperset(pairs):  # (every recipient met in an earlier batch)
            return
        # The first row of each (organisation number, name) not met before, found with dict work done in C.
        first = dict(zip(reversed(pairs), range(len(pairs) - 1, -1, -1), strict=True))
        unseen = sorted(first.keys() - self.pairs_seen, key=first.__getitem__)
        self.pairs_seen.update(unseen)
        candidates = {pair: (*pair, forms[i], industries[i], places[i]) for pair in unseen for i in (first[pair],)}
        for r in changed:
            candidates.setdefault(
                (r.org_number, r.recipient_name),
                (r.org_number, r.recipient_name, r.org_form, r.industry_code, r.current_municipality_id),
            )
        wanted: dict[str, tuple] = {}
        for (org_number, name), values in candidates.items():
            if name or org_number:
                key = org_number or "name:" + name.lower()
                if key not in known:
                    wanted.setdefault(key, values)
        if not wanted:
            return
        now = writer.stored_form(timezone.now())
        rows = [
            (
                self.authority.pk,
                now,
                now,
                org_number,
                name or org_number,
                org_form,
                industry_code,
                place,
                org_form == "ENK" or name.lower().startswith("enkeltpersonforetak"),
            )
            for org_number, name, org_form, industry_code, place in wanted.values()
        ]
        # Straight into the table (as the allocations are): the ORM's bulk_create costs ~0.1 ms an object.
        writer.copy_rows(Organisation._meta.db_table, ORGANISATION_COLUMNS, rows, lambda _n: None)
        for pk, number, name in Organisation.objects.filter(authority=self.authority, id__gt=self.last_org).values_list(
            "id", "org_number", "name"
        ):
            known.setdefault(number or "name:" + name.lower(), pk)
            self.last_org = max(self.last_org, pk)


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


def _insert(authority: Authority, columns: list[list[Any]], links: _Links, progress: Callable[[int], None]) -> None:
    """New allocations, given column by column (`Row`'s fields): the scheme/source lookup, the recipient and the
    tags' JSON are worked out once per distinct value, since files repeat them heavily."""
    if not columns:
        progress(0)
        return
    now = writer.stored_form(timezone.now())
    values = _allocation_columns(
        authority, columns, links.sources, links.schemes, links.orgs, now, links.recipients, links.linked
    )
    writer.copy_columns(Allocation._meta.db_table, ALLOCATION_COLUMNS, values, progress)


def _allocation_columns(
    authority: Authority,
    columns: list[list[Any]],
    sources: dict,
    schemes: dict,
    orgs: dict,
    now: Any,
    recipients: dict,
    linked: dict,
) -> list[Sequence[Any]]:
    """The values of `ALLOCATION_COLUMNS` for new allocations, one list per column (the same values as
    `_field_values` gives for one row). `recipients` and `linked` are kept from batch to batch: the ids found
    for an (organisation number, name) or a (scheme, source) pair stay the same all through an import."""

    def field(name: str) -> list[Any]:
        return columns[FIELD[name]]

    n = len(columns[0])

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

    link_ids = _looked_up(linked, list(zip(field("scheme"), field("funding_source"), strict=True)), link)
    source_ids, scheme_ids = list(map(itemgetter(0), link_ids)), list(map(itemgetter(1), link_ids))
    recipient_ids = _looked_up(
        recipients, list(zip(field("org_number"), field("recipient_name"), strict=True)), recipient
    )
    tags = _looked_up({}, field("tags"), lambda tag_tuple: writer.as_json(list(tag_tuple)))
    return [
        [authority.pk] * n,
        [now] * n,
        [now] * n,
        field("external_id"),
        field("title"),
        field("description"),
        recipient_ids,
        field("recipient_name"),
        field("org_number"),
        source_ids,
        scheme_ids,
        field("municipality_given"),
        field("municipality_id"),
        field("current_municipality_id"),
        field("municipality_needs_review"),
        field("decision_date"),
        field("year"),
        field("amount"),
        field("amount_paid"),
        field("amount_applied"),
        field("status"),
        field("industry_code"),
        field("industry_name"),
        tags,
        field("source_url"),
        field("row_hash"),
        [1] * n,
    ]


def _looked_up(known: dict, keys: list[Any], work_out: Callable[[Any], Any]) -> list[Any]:
    """known[key] for each key, work_out(key) added to `known` first for the keys it does not hold yet."""
    try:
        return list(map(known.__getitem__, keys))  # (the usual batch after the first few: all known)
    except KeyError:
        known.update((key, work_out(key)) for key in dict.fromkeys(keys).keys() - known.keys())
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
