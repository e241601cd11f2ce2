"""Property-based tests of `import_allocations` (what `snu import` runs) on fuzzed CSV, XLSX and 360Giving files:
it saves, or refuses with `ReadError`/`MappingNeeded` or with problems naming row, column and value — and a
refused file leaves the database exactly as it was."""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from django.db.models import Sum
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from snu.classify.models import Alignment
from snu.grants.models import Allocation, FundingSource, Organisation, Scheme
from snu.imports import actions, readers
from snu.imports.tests.test_fuzz_normalise import cells, field_cells, valid_org_numbers
from snu.imports.tests.test_fuzz_readers import write_xlsx
from snu.test import BaseTestCase

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))

COLUMNS = ["external_id", "title", "recipient", "org_number", "municipality", "scheme", "funding_source"]
COLUMNS += ["industry_code", "amount", "amount_paid", "status", "decision_date", "year", "source_url"]
plausible: dict[str, Any] = {
    "external_id": st.sampled_from(["", "2024/1", "2024/2", "x" * 130]),
    "title": st.sampled_from(["Kai", "Fjøs og\r\nførjulsmarked", "a\x00b", "Á" * 600]),
    "recipient": st.sampled_from(["LANDBRUK NORD SA", "Visit Senja AS", "Gáivuona suohkan", "", "r" * 400]),
    "org_number": valid_org_numbers | st.sampled_from(["", "871404062", "871404063", "NO 974 760 673 MVA"]),
    "scheme": st.sampled_from(["Kaier", "kaier", "S" * 120 + "a", "S" * 120 + "b", "", "Ö" * 250]),
    "funding_source": st.sampled_from(["Innovasjon Norge", "innovasjon-norge", "A.b", "A,b", "KDD 13.50", "!!", ""]),
    "amount": st.sampled_from(["1 234 567", "500", "-50 000", "kr 1 000,50", "0"]),
    "status": st.sampled_from(["", "innvilget", "utbetalt", "Trukket"]),
    "decision_date": st.sampled_from(["", "23.03.18", "2024-12-31", "45000"]),
    "year": st.sampled_from(["", "2020", "2024"]),
}
# Mostly values a real file holds, so that files get saved too; sometimes anything at all.
value_of = {name: plausible.get(name, field_cells[name]) | field_cells[name] for name in COLUMNS}
records = st.lists(st.fixed_dictionaries({name: value_of[name] for name in COLUMNS}), max_size=6)


def _plain(value: Any) -> str:
    return "" if value is None else str(value)


def write_file(folder: Path, how: str, columns: list[str], rows: list[dict[str, Any]]) -> Path:
    if how == "xlsx":
        path = folder / "fuzz.xlsx"
        table = [
            columns,
            *[[row.get(c) if not isinstance(row.get(c), bool) else str(row[c]) for c in columns] for row in rows],
        ]
        write_xlsx(path, [("Tilsagn", [[v if _xlsx_safe(v) else _plain(v) for v in line] for line in table])])
        return path
    if how == "360giving":
        fields = {"external_id": "id", "title": "title", "amount": "amountAwarded", "decision_date": "awardDate"}
        fields |= {
            "status": "snu:status",
            "year": "snu:year",
            "scheme": "grantProgramme",
            "funding_source": "snu:fundingSource",
        }
        grants = []
        for row in rows:
            grant: dict[str, Any] = {fields[c]: _json_safe(row.get(c)) for c in columns if c in fields}
            grant["recipientOrganization"] = [
                {"name": _json_safe(row.get("recipient")), "companyNumber": _json_safe(row.get("org_number"))}
            ]
            grant["beneficiaryLocation"] = [{"geoCode": _json_safe(row.get("municipality"))}]
            if "grantProgramme" in grant:
                grant["grantProgramme"] = [{"title": grant["grantProgramme"]}]
            grants.append(grant)
        path = folder / "fuzz.json"
        path.write_text(json.dumps({"grants": grants}, ensure_ascii=False), encoding="utf-8")
        return path
    delimiter, encoding = how.split(":")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(columns)
    writer.writerows([[_plain(row[c]) for c in columns if c in row] for row in rows])  # short rows stay short
    path = folder / "fuzz.csv"
    path.write_bytes(buffer.getvalue().encode(encoding, errors="replace"))
    return path


def _xlsx_safe(value: Any) -> bool:
    import datetime as dt
    import math

    if isinstance(value, float):
        return math.isfinite(value) and abs(value) < 1e15
    if isinstance(value, int):
        return abs(value) < 10**15
    if isinstance(value, dt.date):
        return dt.date(1900, 3, 1) <= (value.date() if isinstance(value, dt.datetime) else value)
    return value is None or (isinstance(value, str) and len(value) < 32767)


def _json_safe(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else str(value)
    return str(value)


formats = st.sampled_from(["xlsx", "360giving", ",:utf-8", ";:utf-8-sig", "\t:utf-16", ";:cp1252", "|:utf-8"])


class ImportFuzzTestCase(HypothesisTestCase, BaseTestCase):
    def setUp(self):
        super().setUp()
        self.tmp = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.tmp)

    def state(self) -> tuple[int, ...]:
        return tuple(model.objects.count() for model in (Allocation, Organisation, Scheme, FundingSource, Alignment))

    def check_import(self, path: Path, skip_invalid: bool = False) -> actions.ImportResult | None:
        """Import; assert it saved, or refused cleanly. None when the file itself was refused."""
        before = self.state()
        try:
            result = actions.import_allocations("fuzz", self.authority, path, skip_invalid=skip_invalid)
        except (readers.ReadError, actions.MappingNeeded) as exc:
            assert str(exc)
            assert self.state() == before
            event(f"refused: {type(exc).__name__}")
            return None
        for error in result.errors:
            assert isinstance(error.row, int) and error.row >= 2
            assert isinstance(error.column, str) and error.column
            assert isinstance(error.value, str)
            assert isinstance(error.reason, str) and error.reason
        if result.refused:
            assert result.errors and self.state() == before
            event("refused: problems in rows")
            return result
        event("saved")
        assert result.saved
        assert Allocation.objects.count() == before[0] + result.created
        mine = Allocation.objects.filter(authority=self.authority)
        assert (mine.aggregate(s=Sum("amount"))["s"] or 0) == result.total_amount
        if result.errors:
            assert skip_invalid and Path(result.skipped_path).exists()
        return result

    @FUZZ
    @given(formats, records, st.booleans())
    @example(",:utf-8", [dict.fromkeys(COLUMNS, "") | {"amount": "1", "year": "2020", "title": "a\x00b"}], False)
    @example(
        ";:utf-8",
        [dict.fromkeys(COLUMNS, "") | {"amount": "1", "year": "2020", "funding_source": f} for f in ["A.b", "A,b"]],
        False,
    )
    @example(
        "xlsx",
        [dict.fromkeys(COLUMNS, "") | {"amount": "1", "year": "2020", "scheme": "S" * 120 + x} for x in "ab"],
        False,
    )
    def test_a_fuzzed_file_is_saved_whole_or_refused_leaving_nothing_behind(self, how, rows, skip_invalid):
        path = write_file(self.tmp, how, COLUMNS, rows)
        result = self.check_import(path, skip_invalid)
        if result is not None and result.saved and not result.errors:
            again = self.check_import(path)
            assert again is not None and again.saved
            assert (again.created, again.updated, again.unchanged) == (0, 0, result.created + result.unchanged)

    @FUZZ
    @given(
        st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=8, unique=True),
        st.lists(st.lists(cells, max_size=10), max_size=5),
        formats,
    )
    def test_ragged_rows_of_anything_are_saved_or_refused_leaving_nothing_behind(self, columns, raw_rows, how):
        columns += [needed for needed in ("amount", "year") if needed not in columns]
        rows = [dict(zip(columns, values, strict=False)) for values in raw_rows]
        self.check_import(write_file(self.tmp, how, columns, rows))

    @FUZZ
    @given(st.binary(max_size=1000), st.sampled_from(["f.csv", "f.xlsx", "f.json", "f"]))
    def test_random_bytes_are_refused_leaving_nothing_behind(self, data, name):
        path = self.tmp / name
        path.write_bytes(data)
        self.check_import(path)
