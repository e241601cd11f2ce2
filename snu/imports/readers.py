"""Readers: a grant file in, a header row and a stream of rows out. CSV, XLSX and 360Giving (JSON and flat CSV).

Each reader returns a `Table` whose `rows` iterate lists of cells (str, or typed values from XLSX). Progress
is the share of the file read so far, so a page can show a bar before the number of rows is known.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from django.utils.translation import gettext as _

FORMATS = ("auto", "csv", "xlsx", "360giving")
SNIFF_BYTES = 64 * 1024


class ReadError(ValueError):
    pass


@dataclass
class Table:
    headers: list[str]
    rows: Iterator[list[Any]]
    file_format: str
    encoding: str = ""
    delimiter: str = ""
    sheet: str = ""
    sheets: list[str] = field(default_factory=list)
    progress: Callable[[], float] = lambda: 0.0
    first_row_number: int = 2  # the header is row 1, as a spreadsheet shows it


def detect_format(path: Path, requested: str = "auto") -> str:
    if requested != "auto":
        return requested
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm", ".xls", ".ods"}:
        return "xlsx"
    if suffix == ".json":
        return "360giving"
    with open(path, "rb") as f:
        head = f.read(4)
    if head == b"PK\x03\x04" and suffix not in {".csv", ".txt", ".tsv"}:  # a zip (a workbook), not "PK-nr;…"
        return "xlsx"
    if head.lstrip(b"\xef\xbb\xbf \r\n\t").startswith((b"{", b"[")):
        return "360giving"
    return "csv"


def open_table(path: Path | str, file_format: str = "auto", sheet: str = "") -> Table:
    path = Path(path)
    if not path.exists():
        raise ReadError(f"no such file: {path}")
    fmt = detect_format(path, file_format)
    if fmt == "xlsx":
        return read_xlsx(path, sheet)
    if fmt == "360giving" and path.suffix.lower() != ".csv":
        return read_360giving_json(path)
    return read_csv(path)


def detect_encoding(sample: bytes) -> str:
    """UTF-8 (with or without BOM) when it decodes as such, otherwise Windows-1252 (Excel's Norwegian default)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still UTF-8.
        if exc.reason != "unexpected end of data":
            return "cp1252"
    return "utf-8"


def detect_delimiter(text: str) -> str:
    first_lines = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(first_lines, delimiters=",;\t|").delimiter
    except csv.Error:
        header = text.splitlines()[0] if text else ""
        counts = {d: header.count(d) for d in ",;\t|"}
        return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


class _CountingReader(io.RawIOBase):
    """Counts bytes read from the underlying file, for the progress bar."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw, self.count = raw, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.count += n
        return n


def read_csv(path: Path) -> Table:
    with open(path, "rb") as f:
        sample = f.read(SNIFF_BYTES)
    if not sample.removeprefix(codecs.BOM_UTF8).strip():
        raise ReadError("the file is empty")
    encoding = detect_encoding(sample)
    try:
        text_sample = sample.decode(encoding, errors="ignore")
    except LookupError as exc:  # pragma: no cover
        raise ReadError(str(exc)) from exc
    delimiter = detect_delimiter(text_sample.lstrip("\ufeff"))
    size = max(path.stat().st_size, 1)
    raw = open(path, "rb")  # noqa: SIM115 - closed when the rows are exhausted
    counter = _CountingReader(raw)
    text = io.TextIOWrapper(io.BufferedReader(counter, 1 << 20), encoding=encoding, newline="")
    reader = csv.reader(text, delimiter=delimiter)
    try:
        headers = [h.strip().lstrip("\ufeff") for h in next(reader)]
    except StopIteration as exc:
        raw.close()
        raise ReadError("the file is empty") from exc
    except (UnicodeDecodeError, csv.Error) as exc:
        raw.close()
        raise ReadError(f"the file cannot be read as CSV: {exc}") from exc

    def rows() -> Iterator[list[Any]]:
        try:
            for row in reader:
                if row and any(row):
                    yield row
                else:
                    yield []  # keep row numbers right; empty rows are skipped by the caller
        except (UnicodeDecodeError, csv.Error) as exc:
            raise ReadError(f"the file cannot be read as CSV at line {reader.line_num}: {exc}") from exc
        finally:
            raw.close()

    return Table(
        headers,
        rows(),
        "csv",
        encoding=encoding,
        delimiter=delimiter,
        progress=lambda: min(counter.count / size, 1.0),
    )


def xlsx_sheet_names(path: Path) -> list[str]:
    from python_calamine import CalamineWorkbook

    return list(CalamineWorkbook.from_path(str(path)).sheet_names)


def read_xlsx(path: Path, sheet: str = "") -> Table:
    """The first sheet, or the one named. Cells keep their types (numbers, dates)."""
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types
        raise ReadError(f"the file cannot be read as a spreadsheet: {exc}") from exc
    names = list(workbook.sheet_names)
    if sheet and sheet not in names:
        raise ReadError(f"no sheet named {sheet!r}; the sheets are: {', '.join(names)}")
    if not names:
        raise ReadError(_("the workbook has no sheets"))
    chosen = sheet or names[0]
    try:
        # Rows are made as they are read (in the checking process, for a large file), not all at once.
        found = workbook.get_sheet_by_name(chosen)
        cells: Iterator[list[Any]] = iter(found.iter_rows())
        # The headers are the used area's first row. calamine gives the rows above it too (empty): skip them,
        # counted, so that rows are numbered as the spreadsheet numbers them.
        skipped = found.start[0] if found.start else 0
        for _row in itertools.islice(cells, skipped):
            pass
        first = next(cells, None)
    except Exception as exc:  # a damaged sheet: calamine's own error types again
        raise ReadError(f"the file cannot be read as a spreadsheet: {exc}") from exc
    if first is None:
        raise ReadError("the sheet is empty")
    headers = [str(h).strip() for h in first]
    total = max(found.height - 1, 1)
    state = {"i": 0}

    def rows() -> Iterator[list[Any]]:
        try:
            for row in cells:
                state["i"] += 1
                # Empty unless some cell is neither "" nor None (counted in C: a generator per row cost more).
                yield row if row.count("") + row.count(None) < len(row) else []
        except Exception as exc:  # calamine's own error types
            raise ReadError(f"the file cannot be read as a spreadsheet at row {state['i'] + 1}: {exc}") from exc

    return Table(
        headers,
        rows(),
        "xlsx",
        sheet=chosen,
        sheets=names,
        progress=lambda: min(state["i"] / total, 1.0),
        first_row_number=skipped + 2,
    )


# 360Giving: the JSON package is flattened to the standard's own flat-CSV headers, so one mapping serves both.
FLAT_360 = {
    "id": "Identifier",
    "title": "Title",
    "description": "Description",
    "currency": "Currency",
    "amountAwarded": "Amount Awarded",
    "amountAppliedFor": "Amount Applied For",
    "amountDisbursed": "Amount Disbursed",
    "awardDate": "Award Date",
    "url": "URL",
    "recipientOrganization.0.id": "Recipient Org:Identifier",
    "recipientOrganization.0.name": "Recipient Org:Name",
    "recipientOrganization.0.companyNumber": "Recipient Org:Company Number",
    "recipientOrganization.0.organisationType": "Recipient Org:Organisation Type",
    "fundingOrganization.0.id": "Funding Org:Identifier",
    "fundingOrganization.0.name": "Funding Org:Name",
    "fundingOrganization.0.department": "Funding Org:Department",
    "grantProgramme.0.code": "Grant Programme:Code",
    "grantProgramme.0.title": "Grant Programme:Title",
    "beneficiaryLocation.0.name": "Beneficiary Location:Name",
    "beneficiaryLocation.0.geoCode": "Beneficiary Location:Geographic Code",
    "classifications": "Classifications",
    "snu:status": "SNU:Status",
    "snu:externalId": "SNU:External Id",
    "snu:year": "SNU:Year",
    "snu:industryCode": "SNU:Industry Code",
    "snu:industryName": "SNU:Industry Name",
    "snu:fundingSource": "SNU:Funding Source",
    "snu:tags": "SNU:Tags",
}


# SNU's own export keeps the exact values beside the standard's fields (which must not be empty).
SNU_TWINS = {
    "id": "snu:externalId",
    "title": "snu:title",
    "description": "snu:description",
    "recipientOrganization.0.name": "snu:recipient",
}


def _dig(grant: dict, dotted: str) -> Any:
    value: Any = grant
    for part in dotted.split("."):
        if isinstance(value, list):
            value = value[int(part)] if part.isdigit() and len(value) > int(part) else None
        elif isinstance(value, dict):
            value = value.get(part)
        else:
            return None
    return value


def read_360giving_json(path: Path) -> Table:
    try:
        with open(path, "rb") as f:
            package = json.load(f)
    except (ValueError, RecursionError) as exc:  # also bad UTF-8, nesting too deep, an integer too long to read
        raise ReadError(f"the file is not valid JSON: {exc}") from exc
    grants = package.get("grants") if isinstance(package, dict) else package
    if not isinstance(grants, list):
        raise ReadError("a 360Giving file has a list of grants under 'grants'")
    keys = [k for k in FLAT_360 if k != "snu:externalId"]
    total = max(len(grants), 1)
    state = {"i": 0}

    def rows() -> Iterator[list[Any]]:
        for i, grant in enumerate(grants):
            state["i"] = i + 1
            if not isinstance(grant, dict):
                raise ReadError(_("grant number %(n)s in the file is not a JSON object") % {"n": i + 1})
            cells = []
            for key in keys:
                if key == "snu:externalId":
                    continue
                twin = SNU_TWINS.get(key)
                if twin and twin in grant:
                    value = grant[twin]
                elif key.startswith("snu:"):
                    value = grant.get(key)
                else:
                    value = _dig(grant, key)
                if key == "beneficiaryLocation.0.geoCode" and not value:
                    value = _dig(grant, "beneficiaryLocation.0.name")
                if key == "classifications" and isinstance(value, list):
                    value = ";".join(str(c["code"]) for c in value if isinstance(c, dict) and c.get("code"))
                cells.append("" if value is None else value)
            yield cells

    return Table([FLAT_360[k] for k in keys], rows(), "360giving", progress=lambda: state["i"] / total)
