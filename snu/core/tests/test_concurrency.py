"""Two people at once: edits of the same alignment or measure never silently overwrite each other, and two imports
of the same file give one result. The threaded tests need PostgreSQL (SQLite serialises every writer anyway)."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import TransactionTestCase

from snu.classify import actions as classify_actions
from snu.classify.models import Alignment
from snu.core.actions import add_member, create_authority
from snu.core.models import Role
from snu.grants.models import Allocation
from snu.plans import actions as plan_actions
from snu.plans.models import Measure
from snu.test import BaseTestCase

DEMO_CSV = Path(__file__).resolve().parents[2] / "imports" / "data" / "demo" / "innovasjon_norge_troms_2010_2018.csv"
needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="threads need PostgreSQL row locks")


def _load_demo(authority) -> None:
    from importlib import import_module

    call_command("strategy", "load", "--shipped", "--authority", authority.code, stdout=io.StringIO())
    for app in ("imports", "classify", "plans"):
        import_module(f"snu.{app}.demo").load(authority, io.StringIO())


class OptimisticLockingTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        _load_demo(cls.authority)

    def test_it_refuses_a_second_decision_on_an_alignment_made_from_the_same_version(self):
        alignment = Alignment.objects.filter(allocation__authority=self.authority).first()
        seen = alignment.version
        classify_actions.confirm_alignment(self.advisor, alignment, expected_version=seen)
        with pytest.raises(classify_actions.StaleAlignment) as caught:
            classify_actions.correct_alignment(self.admin, alignment, primary=None, expected_version=seen)
        assert "Noen andre endret" in " ".join(caught.value.messages)  # the clear message, in bokmål
        alignment.refresh_from_db()
        assert alignment.version == seen + 1
        assert alignment.reviewed_by == self.advisor

    def test_it_refuses_a_second_edit_of_a_measure_made_from_the_same_version(self):
        measure = Measure.objects.filter(revision__plan__authority=self.authority, revision__status="draft").first()
        seen = measure.version
        plan_actions.update_measure(self.advisor, measure, expected_version=seen, title="First advisor's title")
        with pytest.raises(plan_actions.StaleEdit):
            plan_actions.update_measure(self.admin, measure, expected_version=seen, title="Second advisor's title")
        measure.refresh_from_db()
        assert measure.title == "First advisor's title"


@needs_postgres
class SimultaneousEditsTestCase(TransactionTestCase):
    """Real threads with their own database connections, started together."""

    def setUp(self):
        self.authority = create_authority(None, code="troms", name="Troms fylkeskommune", region_name="Troms")
        self.users = [
            add_member(None, self.authority, username=f"a{i}", password="x" * 12, role=Role.ADVISOR).user
            for i in range(2)
        ]
        _load_demo(self.authority)

    def _race(self, work) -> list[object]:
        barrier = threading.Barrier(2)
        outcomes: list[object] = [None, None]

        def run(i: int) -> None:
            try:
                barrier.wait()
                outcomes[i] = work(i)
            except Exception as exc:
                outcomes[i] = exc
            finally:
                connection.close()

        threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        return outcomes

    def test_it_lets_exactly_one_of_two_simultaneous_measure_edits_through(self):
        measure = Measure.objects.filter(revision__plan__authority=self.authority, revision__status="draft").first()
        seen = measure.version

        def edit(i: int):
            return plan_actions.update_measure(
                self.users[i], Measure.objects.get(pk=measure.pk), expected_version=seen, title=f"title {i}"
            )

        outcomes = self._race(edit)
        assert sum(isinstance(o, Measure) for o in outcomes) == 1, outcomes
        assert sum(isinstance(o, plan_actions.StaleEdit) for o in outcomes) == 1, outcomes

    def test_it_lets_exactly_one_of_two_simultaneous_alignment_decisions_through(self):
        alignment = Alignment.objects.filter(allocation__authority=self.authority).first()
        seen = alignment.version

        def decide(i: int):
            return classify_actions.confirm_alignment(
                self.users[i], Alignment.objects.get(pk=alignment.pk), expected_version=seen
            )

        outcomes = self._race(decide)
        assert sum(isinstance(o, Alignment) for o in outcomes) == 1, outcomes
        assert sum(isinstance(o, classify_actions.StaleAlignment) for o in outcomes) == 1, outcomes


@needs_postgres
class SimultaneousImportsTestCase(TransactionTestCase):
    def setUp(self):
        # The municipality reference data comes from a data migration; earlier transactional tests flush it.
        from snu.grants.models import Municipality, MunicipalityName, MunicipalitySuccessor
        from snu.grants.municipalities import load_reference

        if not Municipality.objects.exists():
            load_reference(Municipality, MunicipalityName, MunicipalitySuccessor)
        self.authority = create_authority(None, code="troms", name="Troms fylkeskommune", region_name="Troms")
        call_command("strategy", "load", "--shipped", "--authority", "troms", stdout=io.StringIO())

    def test_it_gives_one_result_for_two_imports_of_the_same_file_at_once(self):
        from snu.imports import actions as import_actions

        path = Path(self._tmp()) / "same.csv"
        path.write_text("".join(DEMO_CSV.read_text(encoding="utf-8").splitlines(keepends=True)[:200]))
        barrier = threading.Barrier(2)
        outcomes: list[object] = [None, None]

        def run(i: int) -> None:
            try:
                barrier.wait()
                outcomes[i] = import_actions.import_allocations("cli", self.authority, path)
            except Exception as exc:
                outcomes[i] = exc
            finally:
                connection.close()

        threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
        assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
        external_ids = list(Allocation.objects.filter(authority=self.authority).values_list("external_id", flat=True))
        assert len(external_ids) == len(set(external_ids)) == 199
        created = sorted(o.created for o in outcomes)  # type: ignore[attr-defined]
        assert created == [0, 199]

    def _tmp(self) -> str:
        import tempfile

        return tempfile.mkdtemp(prefix="snu-concurrent-import-")
