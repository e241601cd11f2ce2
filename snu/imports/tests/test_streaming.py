"""The file is checked while what was already checked is written (in a child process for a large file): the
outcome must be exactly what checking everything first and then writing would give."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import shutil
import tempfile
import threading
import time
import unittest
from decimal import Decimal
from pathlib import Path
from unittest import mock

from django.db import IntegrityError, connection, transaction
from django.test import SimpleTestCase, TransactionTestCase

from snu.core.actions import create_authority
from snu.core.models import AuditEntry
from snu.grants.models import (
    Allocation,
    FundingSource,
    Municipality,
    MunicipalityName,
    MunicipalitySuccessor,
    Organisation,
    Scheme,
)
from snu.grants.municipalities import load_reference
from snu.imports import actions, pipeline, readers, writer
from snu.imports.models import ImportBatch
from snu.imports.tests.test_bulk_write import CANONICAL
from snu.imports.tests.test_import import BAD, GOOD, HEADER
from snu.test import BaseTestCase

MORE_GOOD = [
    f"Troms,Tromsø,998146933,VISIT SENJA AS,{1000 + i},Bedriftsutviklingstilskudd,{i + 1:02d}.01.19,IN Arktis,N,79.903"
    for i in range(12)
]


def numbers(n: int):
    for i in range(n):
        yield {"i": i, "pid": os.getpid(), "amount": Decimal(i) / 4, "day": dt.date(2024, 1, 1 + i)}


def fails_after(n: int, exc: BaseException):
    yield from numbers(n)
    raise exc


def dies_after(n: int):
    yield from numbers(n)
    os._exit(3)


class Unpicklable(Exception):
    def __init__(self, handle):
        super().__init__("cannot travel")
        self.handle = handle


class PipelineTestCase(SimpleTestCase):
    def test_a_child_gives_the_same_items_as_running_here(self):
        here = list(pipeline.run(lambda: numbers(5), fork=False))
        there = list(pipeline.run(lambda: numbers(5), fork=True))
        self.assertEqual([{**x, "pid": 0} for x in here], [{**x, "pid": 0} for x in there])
        self.assertEqual({x["pid"] for x in here}, {os.getpid()})
        self.assertNotIn(os.getpid(), {x["pid"] for x in there})

    def test_an_exception_in_the_child_is_raised_here_as_itself(self):
        items = pipeline.run(lambda: fails_after(2, readers.ReadError("line 7 is not UTF-8")))
        self.assertEqual(next(items)["i"], 0)
        self.assertEqual(next(items)["i"], 1)
        with self.assertRaisesMessage(readers.ReadError, "line 7 is not UTF-8"):
            next(items)

    def test_an_exception_that_cannot_be_pickled_arrives_as_text(self):
        with self.assertRaisesMessage(pipeline.ChildFailed, "Unpicklable: cannot travel"):
            list(pipeline.run(lambda: fails_after(1, Unpicklable(lambda: None))))

    def test_a_child_that_dies_is_reported(self):
        with self.assertRaisesMessage(pipeline.ChildFailed, "exit code 3"):
            list(pipeline.run(lambda: dies_after(2)))

    def test_a_reader_that_stops_early_leaves_no_child_behind(self):
        items = pipeline.run(lambda: numbers(10_000))
        next(items)
        self.assertTrue(multiprocessing.active_children())
        items.close()  # type: ignore[attr-defined]
        self.assertEqual(multiprocessing.active_children(), [])

    def test_a_lock_held_by_another_thread_at_the_fork_does_not_hang_the_child(self):
        from django.utils.translation import gettext, trans_real

        held, release = threading.Event(), threading.Event()

        def hold() -> None:  # another request's thread, reading the active language right at the fork
            with trans_real._active._lock:  # type: ignore[attr-defined]
                held.set()
                release.wait(20)

        thread = threading.Thread(target=hold)
        thread.start()
        self.assertTrue(held.wait(5))
        try:
            with mock.patch.object(pipeline, "SILENCE_SECONDS", 10):
                items = list(pipeline.run(lambda: iter([gettext("the amount is missing")])))
        finally:
            release.set()
            thread.join()
        self.assertEqual(len(items), 1)

    def test_a_child_that_stops_giving_batches_is_given_up(self):
        with (
            mock.patch.object(pipeline, "SILENCE_SECONDS", 1),
            self.assertRaisesMessage(pipeline.ChildFailed, "no sign of life for 1 s"),
        ):
            list(pipeline.run(lambda: (time.sleep(30) or x for x in [1])))
        self.assertEqual(multiprocessing.active_children(), [])

    def test_it_runs_here_when_forking_is_off(self):
        with self.settings(SNU_IMPORT_FORK=False):
            self.assertEqual({x["pid"] for x in pipeline.run(lambda: numbers(3))}, {os.getpid()})


class StreamingImportTestCase(BaseTestCase):
    """Each test runs the import in both ways: checked here, and checked in a child process."""

    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.tmp)

    def write(self, name: str, lines: list[str]) -> Path:
        path = self.tmp / name
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    def both_ways(self):
        for fork_bytes in (1 << 60, 0):
            with self.subTest(child=fork_bytes == 0), mock.patch.object(actions, "FORK_BYTES", fork_bytes):
                yield fork_bytes == 0

    def stored(self) -> tuple:
        return (
            sorted(Allocation.objects.values_list("external_id", "amount", "recipient__name", "scheme__name")),
            Organisation.objects.count(),
            Scheme.objects.count(),
            FundingSource.objects.count(),
            AuditEntry.objects.count(),
        )

    def test_a_bad_row_after_batches_already_written_leaves_nothing_behind(self):
        self.run_import(self.write("first.csv", [HEADER, GOOD[0]]))
        # New recipients and schemes in the good rows, one batch each, then a bad row at the end.
        good = [
            *GOOD,
            *(line.replace("Bedriftsutviklingstilskudd", f"Ordning {i}") for i, line in enumerate(MORE_GOOD)),
        ]
        path = self.write("late.csv", [HEADER, *good, BAD[1]])
        before = self.stored()
        for _in_child in self.both_ways():
            writes = mock.patch.object(actions, "_insert", wraps=actions._insert)
            with mock.patch.object(actions, "VALIDATE_BATCH", 1), writes as insert:
                result = self.run_import(path)
            self.assertTrue(result.refused)
            self.assertGreater(insert.call_count, 5)  # the good rows were written, then rolled back
            self.assertEqual([(e.row, e.value) for e in result.errors], [(len(good) + 2, "Atlantis")])
            self.assertEqual((result.created, result.updated, result.unchanged), (len(good) - 1, 0, 1))
            self.assertEqual(self.stored(), before)
            self.assertEqual(ImportBatch.objects.latest("pk").status, ImportBatch.Status.REFUSED)

    def test_checking_in_a_child_gives_exactly_what_checking_here_gives(self):
        path = self.tmp / "mixed.csv"
        path.write_text(CANONICAL, encoding="utf-8")
        outcomes = []
        for _in_child in self.both_ways():
            sid = transaction.savepoint()
            with mock.patch.object(actions, "VALIDATE_BATCH", 3):
                result = self.run_import(path, skip_invalid=True, skipped_folder=self.tmp / "skipped")
            outcomes.append(
                (
                    (result.rows_read, result.created, result.invalid, result.total_amount),
                    [tuple(e) for e in result.errors],
                    sorted(Allocation.objects.values_list("external_id", "amount", "row_hash", "decision_date")),
                    Path(result.skipped_path).read_text(encoding="utf-8-sig"),
                )
            )
            transaction.savepoint_rollback(sid)
        self.assertEqual(outcomes[0], outcomes[1])
        self.assertEqual(outcomes[0][0][:3], (7, 4, 3))

    def test_empty_rows_keep_the_row_numbers_and_a_file_may_end_on_a_full_batch(self):
        # Batches of three lines: [good, empty, good] [good, empty, bad], and the file ends there.
        path = self.write("gaps.csv", [HEADER, GOOD[0], "", GOOD[1], MORE_GOOD[0], ",,,", BAD[1]])
        for _in_child in self.both_ways():
            sid = transaction.savepoint()
            with mock.patch.object(actions, "VALIDATE_BATCH", 3):
                result = self.run_import(path, skip_invalid=True, skipped_folder=self.tmp / "skipped")
            self.assertEqual([(e.row, e.value) for e in result.errors], [(7, "Atlantis")])
            self.assertEqual((result.rows_read, result.created, result.invalid), (4, 3, 1))
            self.assertEqual(Allocation.objects.count(), 3)
            transaction.savepoint_rollback(sid)

    def test_a_file_unreadable_half_way_fails_with_the_reader_message(self):
        lines = [HEADER, *(GOOD * 600)]
        path = self.tmp / "broken.csv"
        path.write_bytes("\n".join(lines).encode() + b"\nTroms,Troms\xf8,1,X\n")
        for _in_child in self.both_ways():
            with self.assertRaisesMessage(readers.ReadError, "cannot be read as CSV at line"):
                self.run_import(path)
            self.assertEqual(Allocation.objects.count(), 0)
            self.assertEqual(ImportBatch.objects.latest("pk").status, ImportBatch.Status.FAILED)

    def run_import(self, path: Path, **kw):
        return actions.import_allocations("test", self.authority, path, **kw)


@unittest.skipUnless(connection.vendor == "sqlite", "SQLite's foreign-key enforcement")
class ForeignKeysOffTestCase(TransactionTestCase):
    """A large import on SQLite checks its foreign keys itself, once per distinct value."""

    def setUp(self):
        if not Municipality.objects.exists():  # emptied by an earlier committed test's flush: load it again
            load_reference(Municipality, MunicipalityName, MunicipalitySuccessor)
        self.authority = create_authority(None, code="troms", name="Troms fylkeskommune", region_name="Troms")

    def enforced(self) -> int:
        with connection.cursor() as cursor:
            return cursor.execute("PRAGMA foreign_keys").fetchone()[0]

    def test_a_value_pointing_nowhere_is_refused_by_name(self):
        columns = ["authority_id", "created_at", "updated_at", "org_number", "name", "org_form", "industry_code",
                   "municipality_id", "is_sole_proprietor"]  # fmt: skip
        now = writer.stored_form(dt.datetime.now(dt.UTC))
        good = (self.authority.pk, now, now, "", "A", "", "", None, False)
        with writer.foreign_keys_off() as off, self.assertRaisesMessage(IntegrityError, "municipality_id = 999999"):
            self.assertTrue(off)
            self.assertEqual(self.enforced(), 0)
            with transaction.atomic():
                writer.copy_rows(
                    Organisation._meta.db_table, columns, [good, (*good[:7], 999999, False)], lambda _n: None
                )
        self.assertEqual(self.enforced(), 1)
        self.assertEqual(Organisation.objects.count(), 0)
        with writer.foreign_keys_off(), transaction.atomic():
            writer.copy_rows(Organisation._meta.db_table, columns, [good], lambda _n: None)
        self.assertEqual(Organisation.objects.count(), 1)

    def test_inside_a_transaction_it_leaves_the_checks_on(self):
        with transaction.atomic(), writer.foreign_keys_off() as off:
            self.assertFalse(off)
            self.assertEqual(self.enforced(), 1)

    def test_a_large_import_stores_every_reference_right(self):
        with mock.patch.object(actions, "FORK_BYTES", 0), mock.patch.object(actions, "VALIDATE_BATCH", 500):
            result = actions.import_allocations("test", self.authority, actions_demo_file())
        self.assertEqual(result.created, 3761)
        self.assertEqual(self.enforced(), 1)
        with connection.cursor() as cursor:
            self.assertEqual(cursor.execute("PRAGMA foreign_key_check").fetchall(), [])
        self.assertEqual(Allocation.objects.filter(recipient=None).exclude(recipient_name="", org_number="").count(), 0)


def actions_demo_file() -> Path:
    from snu.imports.demo import INNOVASJON_NORGE

    return INNOVASJON_NORGE
