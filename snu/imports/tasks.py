"""Imports run as background tasks (django-tasks, database backend: `snu db_worker`).

So that a fresh demo works without a worker, the web process also starts the import in a thread
(`SNU_IMPORT_RUNNER=thread`, the default). Whoever claims the batch first runs it; the other does nothing.
Tests use `inline` (run within the request).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connections
from django_tasks import task

from snu.imports.layouts import Mapping
from snu.imports.models import ImportBatch

log = logging.getLogger(__name__)
READ_SHARE = 0.8  # of the progress bar: reading, checking and writing as it goes; the rest is the indexes and history


def runner() -> str:
    return getattr(settings, "SNU_IMPORT_RUNNER", os.environ.get("SNU_IMPORT_RUNNER", "thread"))


def progress_path(batch_id: int) -> Path:
    folder = Path(settings.DATA_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"progress-{batch_id}.json"


def read_progress(batch: ImportBatch) -> float:
    if batch.is_finished:
        return 1.0
    try:
        return float(json.loads(progress_path(batch.pk).read_text())["fraction"])
    except (OSError, ValueError, KeyError):
        return 0.0


def _progress_writer(batch_id: int):
    path = progress_path(batch_id)

    def write(phase: str, fraction: float) -> None:
        overall = fraction * READ_SHARE if phase == "reading" else READ_SHARE + fraction * (1 - READ_SHARE)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"phase": phase, "fraction": round(overall, 3)}))
        tmp.replace(path)

    return write


def start_import(batch: ImportBatch) -> None:
    """Queue the batch; run it now (inline) or in a thread as well, per `runner()`."""
    batch.status = ImportBatch.Status.QUEUED
    batch.save(update_fields=["status", "updated_at"])
    mode = runner()
    if mode == "inline":
        run_batch(batch.pk)
        return
    result = run_import.enqueue(batch.pk)
    ImportBatch.objects.filter(pk=batch.pk).update(task_id=str(result.id))
    if mode == "thread":
        threading.Thread(target=_in_thread, args=(batch.pk,), daemon=True, name=f"import-{batch.pk}").start()


def _in_thread(batch_id: int) -> None:
    try:
        run_batch(batch_id)
    except Exception:  # the batch records the failure; nothing else to tell
        log.exception("import %s failed", batch_id)
    finally:
        connections.close_all()


@task()
def run_import(batch_id: int) -> None:
    close_old_connections()
    run_batch(batch_id)


def run_batch(batch_id: int) -> None:
    from snu.imports.actions import import_allocations

    claimed = ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.QUEUED).update(
        status=ImportBatch.Status.RUNNING
    )
    if not claimed:
        return
    batch = ImportBatch.objects.select_related("authority", "started_by").get(pk=batch_id)
    try:
        import_allocations(
            batch.started_by or batch.started_by_name,
            batch.authority,
            Path(batch.stored_path),
            batch=batch,
            file_format=batch.file_format or "auto",
            sheet=batch.sheet,
            mapping=Mapping(batch.columns, batch.constants, batch.layout),
            strategy_code=batch.strategy_code,
            skip_invalid=batch.skip_invalid,
            dry_run=batch.dry_run,
            progress=_progress_writer(batch_id),
        )
    except Exception:
        log.exception("import %s failed", batch_id)
    finally:
        progress_path(batch_id).unlink(missing_ok=True)
