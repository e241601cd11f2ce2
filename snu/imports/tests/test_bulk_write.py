from __future__ import annotations

import csv
import datetime as dt
import pickle
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path
from unittest import mock

from django.db import connection
from django.db.models import Sum

from snu.core.models import AuditEntry
from snu.grants.models import Allocation
from snu.grants.municipalities import MunicipalityResolver
from snu.imports import actions, readers, writer
from snu.imports.demo import INNOVASJON_NORGE, PUBLIC_HEADERS, PUBLIC_PAGES, public_pages_table
from snu.imports.layouts import Mapping, recognise
from snu.imports.normalise import Context, RowNormaliser
from snu.test import BaseTestCase

CANONICAL = """external_id,title,recipient,org_number,municipality,scheme,amount,amount_paid,status,decision_date,year,tags
A-1,Kai,Visit Senja AS,998146933,Lenvik,Bedriftsutvikling,"1 234 567,50",,granted,23.03.18,,
A-2,Kai,Visit Senja AS,998146933,Atlantis,Bedriftsutvikling,1000,,granted,23.03.18,,
A-3,Bru,Noen SA,871404063,Senja,Bedriftsutvikling,12 3x4,,,2019-01-02,2019?,
A-4,Bru,Noen SA,871404062,1931 Lenvik,Bedriftsutvikling,-500,,,,~2017,a
A-5,Bru,Noen SA,871404062,Troms,Bedriftsutvikling,500,100,paid,,2017,
A-6,,Karlsøy kommune,,Herøy,,500,,tull,31.02.2011,,
A-7,Vei,Karlsøy kommune,,Karlsøy,,500,,søkt,40681,,
"""


def text_file(test, name: str, text: str) -> Path:
    """`text` (UTF-8) in a file of its own, removed after the test."""
    folder = Path(tempfile.mkdtemp())
    test.addCleanup(shutil.rmtree, folder)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def schema(table: str) -> list[tuple]:
    """The table's indexes and foreign keys, as the database describes them."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
            found = cursor.fetchall()
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass",
                [table],
            )
            return sorted(found + cursor.fetchall())
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE tbl_name = %s", [table])
        return sorted(cursor.fetchall())


class BatchNormaliseTestCase(BaseTestCase):
    def normalise_both_ways(self, path: Path, table: readers.Table | None = None, mapping: Mapping | None = None):
        table = table or readers.open_table(path)
        mapping = mapping or recognise(table.headers)
        assert mapping is not None
        rows = [(n, cells) for n, cells in enumerate(table.rows, start=2) if cells]
        context = Context(MunicipalityResolver(self.authority.county_number), None)
        one_by_one = RowNormaliser(table.headers, mapping, context)
        expected = [one_by_one.normalise(cells, n) for n, cells in rows]
        batched = RowNormaliser(table.headers, mapping, context)
        # Three batches: the second (large enough) finds which text columns seldom repeat, the third cleans those
        # without remembering their values.
        got = [out for part in (rows[:7], rows[7:1500], rows[1500:]) for out in batched.normalise_batch(part)]
        self.assertEqual(got, expected)
        return batched

    def test_it_normalises_a_batch_exactly_as_row_by_row(self):
        normaliser = self.normalise_both_ways(INNOVASJON_NORGE)
        self.assertIn("recipient", normaliser._unique_text)  # the third batch took the path without the memo
        # Its own layout: constants (status), tags from a column, and two rows without a year.
        mapping = Mapping({h: h for h in PUBLIC_HEADERS}, {"status": "granted"}, layout="public_pages")
        self.normalise_both_ways(PUBLIC_PAGES, public_pages_table(), mapping)

    def test_it_reports_a_batch_problems_exactly_as_row_by_row(self):
        self.normalise_both_ways(text_file(self, "mixed.csv", CANONICAL))

    def test_it_normalises_awkward_text_and_amounts_exactly_as_row_by_row(self):
        self.normalise_both_ways(text_file(self, "awkward.csv", AWKWARD))

    def test_values_met_in_earlier_batches_are_looked_up_with_their_problems(self):
        # The same rows (good and bad) batch after batch: from the third on, every value is known beforehand.
        table = readers.open_table(text_file(self, "mixed.csv", CANONICAL))
        mapping = recognise(table.headers)
        assert mapping is not None
        rows = [(n, cells) for n, cells in enumerate(table.rows, start=2) if cells]
        context = Context(MunicipalityResolver(self.authority.county_number), None)
        expected = [RowNormaliser(table.headers, mapping, context).normalise(cells, n) for n, cells in rows]
        batched = RowNormaliser(table.headers, mapping, context)
        for batch in range(4):
            with self.subTest(batch=batch):
                self.assertEqual(batched.normalise_batch(rows), expected)
        self.assertIn("municipality", batched._all_known)
        self.assertIn("amount", batched._all_known)

    def test_text_needing_cleaning_is_cleaned_beside_text_that_does_not(self):
        # A batch whose municipality and scheme columns are clean but for one value: the clean batch is taken as it
        # is (no lookups), the other is not.
        lines = CANONICAL.splitlines()[:3]
        spaced = lines[2].replace(",Atlantis,Bedriftsutvikling,", ", Senja ,Bedriftsutvikling  ,")
        text = "\n".join([*lines[:2], spaced, *(lines[1].replace("A-1", f"C-{i}") for i in range(9))])
        path = text_file(self, "spaces.csv", text)
        normaliser = self.normalise_both_ways(path)
        table = readers.open_table(path)
        cells = list(table.rows)
        columns, _outs = normaliser.normalise_cells(range(2, 2 + len(cells)), cells)
        assert columns is not None
        self.assertEqual(set(columns[actions.FIELD["municipality_given"]]), {"Lenvik", "Senja"})
        self.assertEqual(set(columns[actions.FIELD["scheme"]]), {"Bedriftsutvikling"})

    def test_rows_hashed_in_part_by_the_checking_are_hashed_alike_by_the_writer(self):
        table = readers.open_table(INNOVASJON_NORGE)
        mapping = recognise(table.headers)
        assert mapping is not None
        rows = [cells for cells in table.rows if cells][:1000]
        context = Context(MunicipalityResolver(self.authority.county_number), None)
        whole = RowNormaliser(table.headers, mapping, context)
        expected, _ = whole.normalise_cells(range(1000), rows)
        assert expected is not None
        for share in (0.0, 0.25, 1.0):
            with self.subTest(share=share):
                normaliser = RowNormaliser(table.headers, mapping, context)
                normaliser.hash_share = share
                columns, _ = normaliser.normalise_cells(range(1000), rows)
                assert columns is not None
                hashes = columns[actions.FIELD["row_hash"]]
                self.assertEqual(hashes.count(None), 1000 - round(1000 * share))
                part = actions.Checked(columns, [], [], 1000, 1.0)
                sent = pickle.loads(pickle.dumps(part))  # noqa: S301 - as the checking child sends it
                self.assertEqual(sent, part)
                sent.hash()
                self.assertEqual(sent.columns, expected)


class IndexRebuildTestCase(BaseTestCase):
    table = Allocation._meta.db_table

    def test_it_builds_the_indexes_again_after_a_large_import(self):
        before = schema(self.table)
        with (
            mock.patch.object(writer, "REBUILD_MIN_ROWS", 1),
            mock.patch.object(writer, "_plain_indexes", wraps=writer._plain_indexes) as plain,
        ):
            result = actions.import_allocations("test", self.authority, INNOVASJON_NORGE)
        self.assertEqual(result.created, 3761)
        self.assertTrue(plain.called)
        self.assertEqual(schema(self.table), before)
        again = actions.import_allocations("test", self.authority, INNOVASJON_NORGE)
        self.assertEqual((again.created, again.updated, again.unchanged), (0, 0, 3761))
        self.assertEqual(Allocation.objects.aggregate(s=Sum("amount"))["s"], 3651980637)

    def test_it_leaves_indexes_and_data_as_they_were_when_an_import_fails(self):
        before = schema(self.table)
        insert = actions._insert

        def insert_then_fail(*args, **kwargs):
            insert(*args, **kwargs)
            self.assertNotEqual(schema(self.table), before)  # the indexes are gone meanwhile
            raise RuntimeError("interrupted")

        with (
            mock.patch.object(writer, "REBUILD_MIN_ROWS", 1),
            mock.patch.object(actions, "_insert", side_effect=insert_then_fail),
            self.assertRaises(RuntimeError),
        ):
            actions.import_allocations("test", self.authority, INNOVASJON_NORGE)
        self.assertEqual(schema(self.table), before)
        self.assertEqual(Allocation.objects.count(), 0)

    def test_it_keeps_the_indexes_for_a_small_import_into_a_large_table(self):
        actions.import_allocations("test", self.authority, INNOVASJON_NORGE)
        path = text_file(self, "two.csv", "\n".join(CANONICAL.splitlines()[:2] + CANONICAL.splitlines()[7:8]) + "\n")
        with mock.patch.object(writer, "REBUILD_MIN_ROWS", 1), mock.patch.object(writer, "_foreign_keys") as keys:
            result = actions.import_allocations("test", self.authority, path)
        self.assertEqual(result.created, 2)
        keys.assert_not_called()


class ManyRowsAStatementTestCase(BaseTestCase):
    """SQLite: into a table without its plain indexes (during a large import), rows go many to a statement."""

    columns = ["a", "b", "c", "d", "e"]

    def setUp(self):
        super().setUp()
        if connection.vendor != "sqlite":
            self.skipTest("SQLite's insert statements (PostgreSQL gets COPY)")
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMPORARY TABLE rows_check (id integer primary key, a int, b text, c decimal, d date, e bool)"
            )
        self.addCleanup(lambda: connection.cursor().execute("DROP TABLE rows_check"))

    def stored(self) -> list[tuple]:
        with connection.cursor() as cursor:
            typed = ", ".join(f"typeof({c}), {c}" for c in self.columns)
            cursor.execute(f"SELECT {typed} FROM rows_check ORDER BY id")
            return cursor.fetchall()

    def write(self, data: list[list], bare: bool) -> list[str]:
        """Write the columns; the statements SQLite ran."""
        statements: list[str] = []
        connection.ensure_connection()
        connection.connection.set_trace_callback(statements.append)
        token = writer._without_indexes.set(frozenset({"rows_check"} if bare else ()))
        try:
            writer.copy_columns("rows_check", self.columns, data, lambda _n: None)
        finally:
            writer._without_indexes.reset(token)
            connection.connection.set_trace_callback(None)
        return [s for s in statements if s.startswith("INSERT")]

    def test_many_rows_a_statement_store_what_a_statement_a_row_stores(self):
        n = 23  # 5 statements of 4 rows, then 3 rows
        data = [
            [7] * n,  # one value throughout: a literal
            [f"O'Brien {i}" if i % 3 else None for i in range(n)],
            [Decimal(i) / 4 for i in range(n)],
            [dt.date(2024, 1, 1 + i) for i in range(n)],
            [i % 2 == 0 for i in range(n)],
        ]
        with mock.patch.object(writer, "SQLITE_ROWS_PER_STATEMENT", 4):
            one_a_row = self.write(data, bare=False)
            first = self.stored()
            connection.cursor().execute("DELETE FROM rows_check")
            many = self.write(data, bare=True)
        self.assertEqual(len(one_a_row), n)
        self.assertEqual(len(many), 6)
        self.assertEqual(many[0].count("), ("), 3)
        self.assertEqual(self.stored(), first)
        self.assertEqual(
            first[4], ("integer", 7, "text", "O'Brien 4", "integer", 1, "text", dt.date(2024, 1, 5), "integer", True)
        )
        self.assertEqual(first[3][2:4], ("null", None))

    def test_a_value_of_another_kind_among_plain_ones_is_stored_as_a_bound_value_would_be(self):
        # Only the first, middle and last values of a column are looked at before writing: the rest are bound.
        b = ["x", Decimal("1.50"), "y", dt.date(2020, 1, 2), "z"]
        c = [Decimal("2.5"), None, Decimal("-0.00"), "3", Decimal("1.0")]
        data = [[1, 2, 3, 4, 5], b, c, [None] * 5, [True, False, True, 1, True]]
        self.write(data, bare=True)
        written = self.stored()
        connection.cursor().execute("DELETE FROM rows_check")
        with connection.cursor() as cursor:  # the same rows through Django, every value a parameter
            for row in zip(*data, strict=True):
                cursor.execute("INSERT INTO rows_check (a, b, c, d, e) VALUES (%s, %s, %s, %s, %s)", row)
        self.assertEqual(written, self.stored())
        self.assertEqual([r[2:4] for r in written[:2]], [("text", "x"), ("text", "1.50")])

    def test_a_statement_stays_within_the_limit_on_parameters(self):
        n = 23
        data = [[7] * n, [str(i) for i in range(n)], list(range(n)), [None] * n, [i % 2 for i in range(n)]]
        with mock.patch.object(writer, "_max_parameters", return_value=8):  # 3 bound columns: 2 rows a statement
            statements = self.write(data, bare=True)
        self.assertEqual(len(statements), 12)
        self.assertEqual([r[3] for r in self.stored()], [str(i) for i in range(n)])
        self.assertGreaterEqual(writer._max_parameters(connection.connection.cursor()), 999)

    def test_rows_made_of_literals_only_are_all_written(self):
        with mock.patch.object(writer, "SQLITE_ROWS_PER_STATEMENT", 4):
            self.write([[1] * 10, ["x"] * 10, [None] * 10, [None] * 10, [True] * 10], bare=True)
        self.assertEqual(len(self.stored()), 10)

    def test_a_large_import_marks_the_table_while_its_indexes_are_away(self):
        table = Allocation._meta.db_table
        cursor = connection.cursor()
        cursor.execute("PRAGMA cache_size = -64000")  # as a set-up with a large page cache might have it
        settings = [cursor.execute(f"PRAGMA {name}").fetchone()[0] for name in ("threads", "cache_size")]
        seen: list[str] = []
        connection.connection.set_trace_callback(seen.append)
        self.addCleanup(connection.connection.set_trace_callback, None)
        with mock.patch.object(writer, "REBUILD_MIN_ROWS", 1), writer.indexes_rebuilt_after(table, 10) as rebuilt:
            self.assertTrue(rebuilt)
            self.assertIn(table, writer._without_indexes.get())
        self.assertNotIn(table, writer._without_indexes.get())
        # The indexes were built with sorting threads and the small page cache, then the settings were restored.
        first_build = next(i for i, sql in enumerate(seen) if sql.startswith("CREATE INDEX"))
        self.assertIn(f"PRAGMA threads = {writer.SQLITE_SORT_THREADS}", seen[:first_build])
        self.assertIn(f"PRAGMA cache_size = {writer.SQLITE_SORT_CACHE_KIB}", seen[:first_build])
        self.assertEqual([cursor.execute(f"PRAGMA {n}").fetchone()[0] for n in ("threads", "cache_size")], settings)


class BulkUpdateTestCase(BaseTestCase):
    def test_it_updates_every_changed_allocation_with_its_own_audit_entry(self):
        actions.import_allocations("test", self.authority, INNOVASJON_NORGE)
        folder = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, folder)
        lines = INNOVASJON_NORGE.read_text(encoding="utf-8").splitlines()
        changed = [lines[0]]
        for line in lines[1:]:
            cells = next(csv.reader([line]))
            cells[4] = str(int(cells[4]) + 1)
            changed.append(",".join(f'"{c}"' if "," in c or '"' in c else c for c in cells))
        path = folder / "changed.csv"
        path.write_text("\n".join(changed) + "\n", encoding="utf-8")
        result = actions.import_allocations("test", self.authority, path)
        self.assertEqual((result.created, result.updated, result.unchanged), (0, 3761, 0))
        self.assertEqual(Allocation.objects.aggregate(s=Sum("amount"))["s"], 3651980637 + 3761)
        self.assertEqual(set(Allocation.objects.values_list("version", flat=True)), {2})
        entries = AuditEntry.objects.filter(verb="update", object_type="grants.allocation")
        self.assertEqual(entries.count(), 3761)
        entry = entries.get(object_id=str(Allocation.objects.order_by("id").first().pk))
        self.assertEqual(Decimal(entry.after["amount"]) - Decimal(entry.before["amount"]), 1)
        self.assertEqual((entry.before["version"], entry.after["version"]), (1, 2))
        self.assertEqual(entry.authority, self.authority)
        again = actions.import_allocations("test", self.authority, path)
        self.assertEqual((again.updated, again.unchanged), (0, 3761))


AWKWARD = (
    "external_id,title,description,recipient,org_number,municipality,scheme,amount,amount_paid,status,"
    "decision_date,year,tags\n"
    'B-1,"Tab\there","Line one\nline two\r\nand a\\\\backslash \\N \\.",Visit Senja AS,998146933,Lenvik,'
    'Bedriftsutvikling,"1,5","1,50",paid,23.03.18,,"a\tb"\n'
    'B-2,Kai,"""quoted"" æøå ŋ ǩ",Karlsøy kommune,,Karlsøy,Ny ordning,1000,,,2019-01-02,2019?,\n'
    "B-3,Kai,,,,Troms,,-500,,,,~2017,\n"
)


class ColumnWiseTestCase(BaseTestCase):
    """Rows are hashed and written column by column; what is stored must be what the row-by-row code gives."""

    def awkward_file(self) -> Path:
        return text_file(self, "awkward.csv", AWKWARD)

    def test_it_stores_text_numbers_and_dates_as_the_orm_would(self):
        path = self.awkward_file()
        result = actions.import_allocations("test", self.authority, path)
        self.assertEqual((result.created, result.invalid), (3, 0))
        table = readers.open_table(path)
        mapping = recognise(table.headers)
        assert mapping is not None
        normaliser = RowNormaliser(table.headers, mapping, Context(MunicipalityResolver(self.authority.county_number)))
        expected = {
            row.external_id: row
            for row in (normaliser.normalise(cells, n) for n, cells in enumerate(table.rows, start=2))
            if not isinstance(row, list)
        }
        stored = {a.external_id: a for a in Allocation.objects.select_related("scheme", "recipient")}
        self.assertEqual(stored.keys(), expected.keys())
        for external_id, row in expected.items():
            allocation = stored[external_id]
            self.assertEqual(allocation.title, row.title)
            self.assertEqual(allocation.description, row.description)
            self.assertEqual(allocation.recipient_name, row.recipient_name)
            self.assertEqual(allocation.amount, row.amount)
            self.assertEqual(allocation.amount_paid, row.amount_paid)
            self.assertEqual(allocation.status, row.status)
            self.assertEqual(allocation.decision_date, row.decision_date)
            self.assertEqual(allocation.year, row.year)
            self.assertEqual(allocation.tags, list(row.tags))
            self.assertEqual(allocation.row_hash, row.row_hash)
            self.assertEqual(allocation.municipality_id, row.municipality_id)
            self.assertEqual(allocation.current_municipality_id, row.current_municipality_id)
            self.assertEqual(allocation.scheme.name if allocation.scheme else "", row.scheme)
            self.assertEqual(allocation.recipient.org_number if allocation.recipient else "", row.org_number)
        self.assertEqual(stored["B-1"].description, "Line one\nline two\r\nand a\\\\backslash \\N \\.")
        self.assertEqual(stored["B-1"].tags, ["a\tb"])
        self.assertIsNone(stored["B-3"].recipient)
        again = actions.import_allocations("test", self.authority, path)
        self.assertEqual((again.created, again.updated, again.unchanged), (0, 0, 3))

    def test_copy_columns_writes_what_copy_rows_writes(self):
        rows = [
            (self.authority.pk, "Tab\there", "\\N", None, True, Decimal("1.50"), dt.date(2020, 1, 2)),
            (self.authority.pk, "", "line\nbreak\r", "x", False, Decimal("-0.00"), None),
        ]
        columns = ["authority_id", "code", "name", "principal", "is_state", "amount", "day"]
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMPORARY TABLE copy_check (id serial, authority_id int, code text, name text, principal text, "
                "is_state boolean, amount numeric(15, 2), day date)"
                if connection.vendor == "postgresql"
                else "CREATE TEMPORARY TABLE copy_check (id integer primary key, authority_id int, code text, "
                "name text, principal text, is_state bool, amount decimal, day date)"
            )
        self.addCleanup(lambda: connection.cursor().execute("DROP TABLE copy_check"))
        writer.copy_rows("copy_check", columns, rows, lambda _n: None)
        writer.copy_columns("copy_check", columns, [list(c) for c in zip(*rows, strict=True)], lambda _n: None)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT authority_id, code, name, principal, is_state, amount, day FROM copy_check ORDER BY id"
            )
            stored = cursor.fetchall()
        first, second = stored[:2], stored[2:]
        self.assertEqual(first, second)
        self.assertEqual([r[1:3] for r in first], [("Tab\there", "\\N"), ("", "line\nbreak\r")])
        self.assertEqual(first[0][3], None)

    def test_a_column_with_one_value_throughout_is_stored_as_a_bound_value_would_be(self):
        if connection.vendor != "sqlite":
            self.skipTest("literals in the statement: SQLite only (PostgreSQL gets COPY text)")
        columns = ["a", "b", "c", "d", "e", "f", "g", "h"]
        row = (7, True, None, "O'Brien; --", "", Decimal("1.50"), dt.date(2020, 1, 2), "0012")
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMPORARY TABLE constant_check (id integer primary key, a int, b bool, c text, d varchar(20), "
                "e text, f decimal, g date, h varchar(10))"
            )
        self.addCleanup(lambda: connection.cursor().execute("DROP TABLE constant_check"))
        literals = [writer._literal(writer._sqlite_column([value] * 3)) for value in row]
        self.assertEqual(literals, ["7", "1", "NULL", "'O''Brien; --'", "''", "'1.50'", "'2020-01-02'", "'0012'"])
        writer.copy_columns("constant_check", columns, [[value] * 3 for value in row], lambda _n: None)
        with connection.cursor() as cursor:  # the same row through Django, every value a parameter
            cursor.execute(f"INSERT INTO constant_check ({', '.join(columns)}) VALUES ({', '.join(['%s'] * 8)})", row)
            typed = ", ".join(f"typeof({c}), {c}" for c in columns)
            cursor.execute(f"SELECT {typed} FROM constant_check ORDER BY id")
            stored = cursor.fetchall()
        self.assertEqual(len(set(stored)), 1, stored)
        # Mixed kinds that compare equal are bound, not written as one literal.
        self.assertIsNone(writer._literal([True, 1]))
        self.assertIsNone(writer._literal(["a", "b"]))
        self.assertIsNone(writer._literal([1.0, 1.0]))

    def test_equal_values_of_other_kinds_are_written_apart(self):
        values = [1, True, 1, False, 0, None, Decimal("1.0"), Decimal("1.00"), -0.0, 0.0, dt.date(2020, 1, 2)]
        self.assertEqual(
            writer._copy_column(values),
            ["1", "t", "1", "f", "0", "\\N", "1.0", "1.00", "-0.0", "0.0", "2020-01-02"],
        )
        self.assertEqual(writer._copy_column([True, 1, None]), ["t", "1", "\\N"])
        self.assertEqual(writer._copy_column(["a\\b", "c\td", "e"]), ["a\\\\b", "c\\td", "e"])

    def test_it_writes_a_large_file_batch_by_batch_with_steady_progress(self):
        seen: list[tuple[str, float]] = []
        with mock.patch.object(actions, "VALIDATE_BATCH", 1000):
            result = actions.import_allocations(
                "test", self.authority, INNOVASJON_NORGE, progress=lambda phase, share: seen.append((phase, share))
            )
        self.assertEqual(result.created, 3761)
        self.assertEqual(Allocation.objects.aggregate(s=Sum("amount"))["s"], 3651980637)
        self.assertEqual(len(set(Allocation.objects.values_list("external_id", flat=True))), 3761)
        reading = [share for phase, share in seen if phase == "reading"]
        self.assertEqual(reading, sorted(reading))
        self.assertGreaterEqual(len(set(reading)), 4)  # a step per batch of 1,000 at least
        self.assertEqual(reading[-1], 1.0)
        saving = [share for phase, share in seen if phase == "saving"]
        self.assertEqual(saving, sorted(saving))
        self.assertEqual(saving[-1], 1.0)
        self.assertEqual(seen.index(("reading", 1.0)), len(reading) - 1)  # saving ends after the reading
        again = actions.import_allocations("test", self.authority, INNOVASJON_NORGE)
        self.assertEqual((again.created, again.updated, again.unchanged), (0, 0, 3761))
