from __future__ import annotations

import csv
from pathlib import Path

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from snu.core.permissions import advisor_required, owned_or_404
from snu.imports import actions, readers, tasks
from snu.imports.forms import RunForm, UploadForm, field_choices
from snu.imports.layouts import layout_label
from snu.imports.models import ImportBatch, SavedMapping

PREVIEW_ROWS = 5


def _batch(request: HttpRequest, pk: int) -> ImportBatch:
    return owned_or_404(ImportBatch.objects.select_related("started_by"), request, pk=pk)  # type: ignore[return-value]


@advisor_required
def index(request: HttpRequest) -> HttpResponse:
    authority = request.authority  # type: ignore[attr-defined]
    form = UploadForm(request.POST or None, request.FILES or None, authority=authority)
    if request.method == "POST" and form.is_valid():
        mapping = form.cleaned_data["mapping"]
        try:
            batch = actions.stage_upload(
                request.user,
                authority,
                form.cleaned_data["file"],
                sheet=form.cleaned_data["sheet"],
                mapping_name=mapping.name if mapping else "",
            )
        except (readers.ReadError, ValueError) as exc:
            form.add_error("file", str(exc))
        else:
            return redirect(batch)
    history = Paginator(ImportBatch.objects.filter(authority=authority).select_related("started_by"), 25)
    context = {
        "form": form,
        "history": history.get_page(request.GET.get("page")),
        "mappings": SavedMapping.objects.filter(authority=authority),
    }
    return render(request, "imports/index.html", context)


def _preview(batch: ImportBatch) -> list[list]:
    try:
        table = readers.open_table(Path(batch.stored_path), batch.file_format or "auto", batch.sheet)
    except (readers.ReadError, OSError):
        return []
    rows = []
    for cells in table.rows:
        if cells:
            rows.append(cells)
        if len(rows) >= PREVIEW_ROWS:
            break
    return rows


@advisor_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    if batch.status == ImportBatch.Status.UPLOADED:
        return _confirm(request, batch)
    if request.method == "POST" and request.POST.get("action") == "import" and batch.status == batch.Status.CHECKED:
        copy = actions.rerun_copy(request.user, batch)
        actions.configure_batch(
            request.user,
            copy,
            columns=batch.columns,
            constants=batch.constants,
            strategy_code=batch.strategy_code,
            skip_invalid=batch.skip_invalid,
        )
        tasks.start_import(copy)
        return redirect(copy)
    context = {"batch": batch, "fraction": tasks.read_progress(batch), "layout": layout_label(batch.layout)}
    return render(request, "imports/batch.html", context)


def _confirm(request: HttpRequest, batch: ImportBatch) -> HttpResponse:
    run = RunForm(request.POST or None, authority=request.authority)  # type: ignore[attr-defined]
    initial = {"funding_source": batch.constants.get("funding_source", "")}
    if request.method != "POST":
        run = RunForm(initial=initial, authority=request.authority)  # type: ignore[attr-defined]
    columns = {h: request.POST.get(f"col-{i}", "") for i, h in enumerate(batch.headers)}
    if request.method == "POST" and run.is_valid():
        strategy = run.cleaned_data["strategy"]
        actions.configure_batch(
            request.user,
            batch,
            columns=columns,
            constants={**batch.constants, "funding_source": run.cleaned_data["funding_source"]},
            strategy_code=strategy.code if strategy else "",
            skip_invalid=run.cleaned_data["skip_invalid"],
            dry_run=request.POST.get("action") != "import",
            save_as=run.cleaned_data["save_as"],
        )
        tasks.start_import(batch)
        return redirect(batch)
    preview = _preview(batch)[:3]
    mapped = [
        (i, h, batch.columns.get(h, ""), [row[i] if i < len(row) else "" for row in preview])
        for i, h in enumerate(batch.headers)
    ]
    context = {
        "batch": batch,
        "mapped": mapped,
        "choices": field_choices(),
        "examples": range(1, len(preview) + 1),
        "run": run,
        "layout": layout_label(batch.layout),
    }
    return render(request, "imports/confirm.html", context)


@advisor_required
def batch_progress(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    response = render(request, "imports/_progress.html", {"batch": batch, "fraction": tasks.read_progress(batch)})
    if batch.is_finished:
        response["HX-Refresh"] = "true"
    return response


@advisor_required
def batch_errors(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-problems.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow([_("Row"), _("Column"), _("Value"), _("Reason")])
    writer.writerows(batch.errors)
    return response


@advisor_required
def batch_skipped(request: HttpRequest, pk: int) -> FileResponse:
    batch = _batch(request, pk)
    path = Path(batch.skipped_path) if batch.skipped_path else None
    if path is None or not path.exists():
        raise Http404
    return FileResponse(open(path, "rb"), as_attachment=True, filename=f"{Path(batch.file_name).stem}.invalid.csv")
