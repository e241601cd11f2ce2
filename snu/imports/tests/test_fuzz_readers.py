"""Property-based tests of the readers: any bytes under any name give a table or `ReadError`, and what a
spreadsheet program or a 360Giving publisher writes is read back cell for cell."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import json
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from snu.imports import readers

# tmp_path is shared by the examples of one test: each example overwrites its file.
FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)
FEW = settings(FUZZ, max_examples=40)

DELIMITERS = [",", ";", "\t", "|"]
# Letters of Norwegian, Northern/Lule/Southern Sami and Kven, none of them a delimiter, a quote or a space.
LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZæøåÆØÅáčđŋšŧžÁČĐŊŠŦŽäöÄÖïÏâÂ0123456789"
# Windows-1252 text that cannot pass for UTF-8: no byte 0x80–0xBF, so no UTF-8 continuation byte.
CP1252_SAFE = LETTERS.encode("ascii", "ignore").decode() + "æøåÆØÅäöüÄÖÜéÉèÈ"


def read_all(path: Path, **kwargs: Any) -> readers.Table | None:
    """Open and exhaust a table; None when the reader refused it (with a message)."""
    try:
        table = readers.open_table(path, **kwargs)
        rows = list(table.rows)
    except readers.ReadError as exc:
        assert str(exc)
        return None
    assert all(isinstance(h, str) for h in table.headers)
    assert all(isinstance(row, list) for row in rows)
    assert 0.0 <= table.progress() <= 1.0
    table.rows = iter(rows)
    return table


# CSV ------------------------------------------------------------------------------------------------------


@FUZZ
@given(st.binary(max_size=2000), st.sampled_from(["f.csv", "f.txt", "f", "f.json", "f.xlsx", "f.ods"]))
@example(b"", "f.csv")
@example(b"\xef\xbb\xbf", "f.csv")
@example(b"\xff\xfe", "f.csv")
@example(b"\xff\xfea\x00", "f.csv")
@example(b" \r\n\t", "f.csv")
@example(b'"a\n', "f.csv")
@example(b"a,b\r\n1,\x00\r\n", "f.csv")
@example(b"\x81\x8d\x8f", "f.csv")  # bytes Windows-1252 leaves undefined
@example(b"{", "f")
@example(b"PK\x03\x04", "f")
def test_it_reads_any_bytes_under_any_name_or_says_why_not(tmp_path, data, name):
    path = tmp_path / name
    path.write_bytes(data)
    read_all(path)


@FUZZ
@given(st.text(max_size=500), st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"]))
def test_it_reads_any_text_in_any_encoding_or_says_why_not(tmp_path, text, encoding):
    path = tmp_path / "f.csv"
    path.write_bytes(text.encode(encoding, errors="replace"))
    read_all(path)


headers_strategy = st.lists(st.text(LETTERS, min_size=1, max_size=12), min_size=2, max_size=6, unique=True)
cell_text = st.text(
    st.characters(blacklist_categories=["Cs"], blacklist_characters=',;\t|"\x00'), max_size=30
) | st.sampled_from(["", "1 234 567,50", "kr 500 000,-", "31.12.2024", "Gáivuotna - Kåfjord - Kaivuono", "a\r\nb"])


@FUZZ
@given(
    headers_strategy,
    st.lists(st.lists(cell_text, max_size=8), max_size=12),
    st.sampled_from(DELIMITERS),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
)
@example(["a", "b"], [["x\ny", "z"], [], ["1", "2", "3", "4"]], ";", "utf-8")  # a quoted line break, ragged rows
@example(["a", "b"], [["\r", ""], [""]], "\t", "utf-8-sig")
def test_it_reads_back_every_cell_a_csv_writer_wrote(tmp_path, headers, rows, delimiter, encoding):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(rows)
    path = tmp_path / "f.csv"
    path.write_bytes(buffer.getvalue().encode(encoding))
    table = readers.open_table(path)
    assert (table.headers, table.delimiter) == (headers, delimiter)
    assert list(table.rows) == [row if any(row) else [] for row in rows]


@FUZZ
@given(
    st.lists(st.text(CP1252_SAFE, min_size=1, max_size=10), min_size=2, max_size=5, unique=True),
    st.lists(st.lists(st.text(CP1252_SAFE + " \n", max_size=20), min_size=1, max_size=5), max_size=8),
    st.sampled_from(DELIMITERS),
)
@example(["PK-nr", "b"], [["1", "2"]], ";")  # starts like a zip file (an XLSX) does: still a CSV
def test_it_reads_windows_1252_as_excel_writes_it(tmp_path, headers, rows, delimiter):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(rows)
    path = tmp_path / "f.csv"
    data = buffer.getvalue().encode("cp1252")
    path.write_bytes(data)
    table = readers.open_table(path)
    assert table.encoding == ("utf-8" if data.isascii() else "cp1252")
    assert table.headers == headers
    assert list(table.rows) == [row if any(row) else [] for row in rows]


@FEW
@given(st.integers(min_value=0, max_value=300_000), st.sampled_from(DELIMITERS))
@example(csv.field_size_limit(), ",")
@example(csv.field_size_limit() + 1, ";")
def test_a_huge_field_is_read_whole_or_refused_naming_the_line(tmp_path, size, delimiter):
    path = tmp_path / "f.csv"
    path.write_text(f'a{delimiter}b\n1{delimiter}"{"x" * size}"\n', encoding="utf-8")
    try:
        table = readers.open_table(path)
        rows = list(table.rows)
    except readers.ReadError as exc:
        assert size > csv.field_size_limit()
        assert "line 2" in str(exc)
        return
    assert rows == [["1", "x" * size]]


@pytest.mark.parametrize("data", [b"", b"   \n\n", b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n"])
def test_an_empty_csv_is_refused(tmp_path, data):
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    with pytest.raises(readers.ReadError, match="empty"):
        list(readers.open_table(path).rows)


# XLSX -----------------------------------------------------------------------------------------------------

xlsx_cells = st.one_of(
    st.none(),
    st.integers(min_value=-(10**15), max_value=10**15),
    # Fifteen significant digits: what a spreadsheet keeps of a number.
    st.floats(min_value=-1e15, max_value=1e15, allow_nan=False).map(lambda f: float(f"{f:.15g}")),
    st.booleans(),
    st.text(st.characters(blacklist_categories=["Cs", "Cc"]), max_size=40),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(9999, 12, 31)),
    # Whole seconds: a spreadsheet keeps a time as a fraction of a day, which rounds microseconds.
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(9999, 12, 31)).map(
        lambda d: d.replace(microsecond=0)
    ),
    st.tuples(st.just("formula"), st.integers(min_value=-1000, max_value=1000)),
)


def write_xlsx(path: Path, sheets: list[tuple[str, list[list[Any]]]]) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    date_format = book.add_format({"num_format": "dd.mm.yyyy"})
    for name, rows in sheets:
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, tuple):
                    sheet.write_formula(r, c, f"={value[1]}+0", None, value[1])
                elif isinstance(value, dt.date):
                    sheet.write_datetime(r, c, value, date_format)
                elif isinstance(value, str):
                    sheet.write_string(r, c, value)
                else:
                    sheet.write(r, c, value)
    book.close()


def expected_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return float(value[1])
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    return value


sheet_names = st.lists(st.text(LETTERS, min_size=1, max_size=20), min_size=1, max_size=3, unique_by=str.lower)
sheet_rows = st.lists(st.lists(xlsx_cells, max_size=6), max_size=8)


@FEW
@given(
    sheet_names.flatmap(
        lambda names: st.tuples(st.just(names), st.lists(sheet_rows, min_size=len(names), max_size=len(names)))
    )
)
@example((["Tom"], [[]]))
@example((["Blank", "Tilsagn"], [[[None, None]], [["a"], [dt.date(2024, 1, 31)]]]))
def test_it_reads_back_every_cell_of_a_real_workbook(tmp_path, book):
    names, contents = book
    path = tmp_path / "f.xlsx"
    write_xlsx(path, list(zip(names, contents, strict=True)))
    for name, rows in zip(names, contents, strict=True):
        table = read_all(path, sheet=name)
        # The used area starts at the first filled row and column; a sheet without a filled cell is refused.
        filled = [(r, c) for r, row in enumerate(rows) for c, v in enumerate(row) if v is not None]
        if not filled:
            assert table is None
            continue
        assert table is not None
        assert (table.sheet, table.sheets) == (name, names)
        top, left = min(r for r, _ in filled), min(c for _, c in filled)
        right = max(c for _, c in filled) + 1
        grid = [[expected_cell(v) for v in (row + [None] * right)[left:right]] for row in rows[top:]]
        grid = grid[: max(r for r, _ in filled) - top + 1]
        want = [[str(_comparable(h)).strip() for h in grid[0]]] + [
            row if any(c not in ("", None) for c in row) else [] for row in grid[1:]
        ]
        got = [table.headers, *table.rows]
        assert [[_comparable(c) for c in row] for row in got] == [[_comparable(c) for c in row] for row in want]


def _comparable(value: Any) -> Any:
    # A date cell comes back as a date or a midnight datetime, depending on its format.
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    return value


@FUZZ
@given(st.binary(max_size=3000), st.sampled_from(["f.xlsx", "f.xlsm", "f.xls", "f.ods"]))
@example(b"PK\x03\x04garbage", "f.xlsx")
@example(b"PK\x05\x06" + b"\x00" * 18, "f.xlsx")  # an empty zip
def test_garbage_with_a_spreadsheet_name_is_refused(tmp_path, data, name):
    path = tmp_path / name
    path.write_bytes(data)
    read_all(path)


@functools.cache
def _small_workbook() -> bytes:
    # Made once: the workbook's metadata holds the time it was written, and the examples must see the same bytes.
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "real.xlsx"
        rows = [["amount", "year", "title"], [1000, 2024, "Fjøs"], [2.5, dt.date(2020, 1, 1), None]]
        write_xlsx(path, [("Tilsagn", rows)])
        return path.read_bytes()


@FUZZ
@given(st.data())
def test_a_damaged_workbook_is_read_or_refused(tmp_path, data):
    """Bytes flipped or cut in a real workbook, or a zip whose members are not spreadsheet XML."""
    original = bytearray(_small_workbook())
    how = data.draw(st.sampled_from(["flip", "cut", "members"]))
    if how == "flip":
        for _ in range(data.draw(st.integers(1, 8))):
            original[data.draw(st.integers(0, len(original) - 1))] = data.draw(st.integers(0, 255))
        damaged = bytes(original)
    elif how == "cut":
        damaged = bytes(original[: data.draw(st.integers(0, len(original)))])
    else:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as z, zipfile.ZipFile(io.BytesIO(bytes(original))) as real:
            for member in real.namelist():
                keep = data.draw(st.sampled_from(["keep", "drop", "garbage"]), label=member)
                if keep == "keep":
                    z.writestr(member, real.read(member))
                elif keep == "garbage":
                    z.writestr(member, data.draw(st.binary(max_size=200)))
        damaged = buffer.getvalue()
    path = tmp_path / "f.xlsx"
    path.write_bytes(damaged)
    read_all(path)
    read_all(path, sheet="Tilsagn")


def test_an_unknown_sheet_is_refused_naming_the_sheets(tmp_path):
    path = tmp_path / "f.xlsx"
    write_xlsx(path, [("Tilsagn", [["amount"], [1]])])
    with pytest.raises(readers.ReadError, match="Tilsagn"):
        readers.open_table(path, sheet="Nope")


# 360Giving JSON ------------------------------------------------------------------------------------------

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
KEYS = [*readers.FLAT_360, *readers.SNU_TWINS.values(), "recipientOrganization", "classifications", "grants"]
grant_like = st.dictionaries(st.sampled_from(KEYS), json_values, max_size=6) | json_values
packages = st.one_of(
    json_values,
    st.lists(grant_like, max_size=4),
    st.fixed_dictionaries({"grants": st.lists(grant_like, max_size=4) | json_values}),
)

TABLE_HEADERS = [readers.FLAT_360[k] for k in readers.FLAT_360 if k != "snu:externalId"]


def check_360(table: readers.Table | None) -> None:
    if table is None:
        return
    assert table.headers == TABLE_HEADERS
    assert all(len(row) == len(TABLE_HEADERS) for row in table.rows)


@FUZZ
@given(packages)
@example([1, 2])
@example({"grants": [[1]]})
@example({"grants": [None, "x"]})
@example({"grants": [{"classifications": [{"code": 5}, {"code": None}, {"code": {"a": 1}}, "x"]}]})
@example({"grants": [{"classifications": "A;B"}]})
@example({"grants": [{"recipientOrganization": [5], "beneficiaryLocation": {"0": 1}}]})
@example({"grants": [{"snu:title": ["x"], "id": {}}]})
def test_it_reads_any_json_structure_or_says_why_not(tmp_path, package):
    path = tmp_path / "f.json"
    path.write_text(json.dumps(package), encoding="utf-8")
    check_360(read_all(path))


@FUZZ
@given(st.binary(max_size=500) | st.text(max_size=300).map(str.encode))
@example(b"[" * 100_000)  # deeper than Python's recursion limit
@example(b'{"grants": [{"amountAwarded": ' + b"9" * 5000 + b"}]}")  # an integer longer than Python reads
@example(b'{"grants": [{"amountAwarded": NaN, "awardDate": Infinity}]}')
@example(b"\xef\xbb\xbf[]")
@example(b'["\\ud800"]')  # a lone surrogate
def test_it_reads_any_bytes_as_json_or_says_why_not(tmp_path, data):
    path = tmp_path / "f.json"
    path.write_bytes(data)
    check_360(read_all(path))


REAL_GRANT = {
    "id": "360G-troms-2024/1",
    "title": "Kai",
    "currency": "NOK",
    "amountAwarded": 500000,
    "awardDate": "2024-05-02",
    "recipientOrganization": [{"id": "NO-BRC-940331102", "name": "Karlsøy kommune", "companyNumber": "940331102"}],
    "fundingOrganization": [{"id": "NO-BRC-974760673", "name": "Troms fylkeskommune"}],
    "beneficiaryLocation": [{"name": "Karlsøy", "geoCode": "5534"}],
    "classifications": [{"code": "GRONT"}, {"code": "HAV"}],
}


@FUZZ
@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=1, max_value=3))
def test_a_truncated_360giving_file_is_refused(tmp_path, cut, copies):
    text = json.dumps({"grants": [REAL_GRANT] * copies}, ensure_ascii=False)
    cut %= len(text)
    path = tmp_path / "f.json"
    path.write_text(text[:cut], encoding="utf-8")
    with pytest.raises(readers.ReadError):
        list(readers.open_table(path).rows)


@FUZZ
@given(st.dictionaries(st.sampled_from(list(readers.FLAT_360)), st.text(max_size=20), max_size=10))
def test_it_reads_back_every_field_of_a_flat_grant(tmp_path, fields):
    """Each standard field lands in its flat-CSV column (SNU's twins, when there, take precedence)."""
    grant: dict[str, Any] = {}
    for dotted, value in fields.items():
        target: Any = grant
        parts = dotted.split(".") if not dotted.startswith("snu:") else [dotted]
        for part, following in zip(parts, [*parts[1:], None], strict=True):
            if following is None:
                target[part] = value
            elif following.isdigit():
                target = target.setdefault(part, [{}])[0]
        # e.g. recipientOrganization.0.name -> {"recipientOrganization": [{"name": ...}]}
    path = tmp_path / "f.json"
    path.write_text(json.dumps({"grants": [grant]}), encoding="utf-8")
    table = readers.open_table(path)
    (row,) = list(table.rows)
    cells = dict(zip(table.headers, row, strict=True))
    for dotted, value in fields.items():
        if dotted == "snu:externalId":
            continue
        twin = readers.SNU_TWINS.get(dotted)
        if twin and twin in fields:
            continue
        if dotted == "beneficiaryLocation.0.geoCode" and not value:
            value = fields.get("beneficiaryLocation.0.name", "")
        assert cells[readers.FLAT_360[dotted]] == value


@FUZZ
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                h: st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=15)
                for h in ["Identifier", "Amount Awarded", "Award Date", "Recipient Org:Name"]
            }
        ),
        max_size=6,
    ),
    st.sampled_from(DELIMITERS),
)
def test_it_reads_a_360giving_flat_csv(tmp_path, grants, delimiter):
    headers = ["Identifier", "Amount Awarded", "Award Date", "Recipient Org:Name"]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, headers, delimiter=delimiter, quoting=csv.QUOTE_ALL)
    writer.writeheader()
    writer.writerows(grants)
    path = tmp_path / "grants.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    table = readers.open_table(path, "360giving")
    assert (table.file_format, table.headers) == ("csv", headers)
    rows = [[g[h] for h in headers] for g in grants]
    assert list(table.rows) == [row if any(row) else [] for row in rows]
