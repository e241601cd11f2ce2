from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.urls import reverse

from snu.classify import actions
from snu.classify.models import Alignment, AlignmentElement, Origin
from snu.classify.tests.helpers import ClassifyData
from snu.core.models import AuditEntry
from snu.test import BaseTestCase


class ReviewTestCase(ClassifyData, BaseTestCase):
    def setUp(self):
        super().setUp()
        actions.align_allocations("cli", self.snu2018)
        self.alignment = Alignment.objects.get(allocation=self.allocations[0], strategy=self.snu2018)

    def url(self):
        return reverse("classify:review") + "?strategy=troms-snu-2018"

    def post_decision(self, alignment, **data):
        prefix = f"a{alignment.pk}-"
        payload = {prefix + "version": alignment.version}
        payload.update({prefix + k: v for k, v in data.items()})
        return self.client.post(reverse("classify:decide", args=[alignment.pk]), payload)

    def test_it_shows_the_queue_with_progress_and_evidence(self):
        self.login(self.advisor)
        response = self.client.get(self.url())
        self.assertContains(response, "Vinterturisme og nordlysopplevelser")
        self.assertContains(response, f"0 av {len(self.allocations)} vurdert")
        self.assertContains(response, 'class="snu-term"')

    def test_it_orders_uncertain_and_large_first(self):
        self.login(self.advisor)
        items = [i["x"]["alignment"] for i in self.client.get(self.url()).context["items"]()]
        priorities = [a.priority for a in items]
        self.assertEqual(priorities, sorted(priorities, reverse=True))

    def test_it_is_for_advisors_only(self):
        self.login(self.reader)
        self.assertEqual(self.client.get(self.url()).status_code, 403)

    def test_it_accepts_the_suggestion_when_submitted_unchanged(self):
        self.login(self.advisor)
        self.post_decision(self.alignment, primary="OPP", drivers=[], advantages=[])
        self.alignment.refresh_from_db()
        self.assertEqual(self.alignment.origin, Origin.PERSON)
        self.assertEqual(self.alignment.reviewed_by, self.advisor)
        self.assertTrue(AuditEntry.objects.filter(action="confirm_alignment", actor=self.advisor).exists())

    def test_it_corrects_the_alignment_for_good(self):
        self.login(self.advisor)
        self.post_decision(self.alignment, primary="SVS", focus_areas=["NIM"], drivers=["SAM"])
        self.alignment.refresh_from_db()
        self.assertEqual((self.alignment.primary.code, self.alignment.origin), ("SVS", Origin.PERSON))
        focus = AlignmentElement.objects.filter(alignment=self.alignment, weight__gt=0)
        self.assertEqual({f.element.code for f in focus}, {"SVS", "NIM"})
        self.assertEqual(sum(f.weight for f in focus), Decimal("1.0000"))
        self.assertEqual(sum(f.amount for f in focus), self.allocations[0].amount)
        entry = AuditEntry.objects.get(action="correct_alignment")
        self.assertEqual((entry.before["primary"], entry.after["primary"]), ("OPP", "SVS"))
        actions.align_allocations("cli", self.snu2018)
        self.alignment.refresh_from_db()
        self.assertEqual((self.alignment.primary.code, self.alignment.origin), ("SVS", Origin.PERSON))

    def test_it_marks_an_allocation_outside_the_strategy(self):
        self.login(self.advisor)
        self.post_decision(self.alignment, primary="-")
        self.alignment.refresh_from_db()
        self.assertIsNone(self.alignment.primary)
        self.assertFalse(AlignmentElement.objects.filter(alignment=self.alignment, weight__gt=0).exists())

    def test_it_refuses_a_stale_decision_with_a_message(self):
        stale_version = self.alignment.version
        actions.confirm_alignment(self.admin, self.alignment, expected_version=stale_version)
        with self.assertRaises(actions.StaleAlignment):
            actions.correct_alignment(self.advisor, self.alignment, primary="SVS", expected_version=stale_version)
        self.login(self.advisor)
        self.alignment.version = stale_version
        response = self.post_decision(self.alignment, primary="SVS")
        self.assertEqual(response.status_code, 302)
        self.alignment.refresh_from_db()
        self.assertEqual(self.alignment.reviewed_by, self.admin)
        self.assertEqual(self.alignment.primary.code, "OPP")

    def test_it_rejects_elements_of_another_kind(self):
        with self.assertRaises(ValidationError):
            actions.correct_alignment(self.advisor, self.alignment, primary="TEK")

    def test_it_hides_other_authorities_alignments(self):
        self.login(self.outsider)
        response = self.post_decision(self.alignment, primary="SVS")
        self.assertEqual(response.status_code, 404)

    def test_it_groups_only_confident_suggestions_no_person_has_decided(self):
        from snu.classify import queries

        aligned = Alignment.objects.filter(strategy=self.snu2018).exclude(primary=None).select_related("primary")
        confident = list(aligned[:3])
        Alignment.objects.filter(strategy=self.snu2018).update(confidence=0.1)
        Alignment.objects.filter(pk__in=[a.pk for a in confident]).update(confidence=0.95)
        Alignment.objects.filter(pk=confident[0].pk).update(origin=Origin.PERSON)  # decided: not in a group
        expected: dict[str, list] = {}
        for a in confident[1:]:
            expected.setdefault(a.primary.code, []).append(a.allocation.amount)
        groups = {g["code"]: g for g in queries.high_confidence_groups(self.snu2018)}
        self.assertEqual(set(groups), set(expected))
        for code, amounts in expected.items():
            self.assertEqual(groups[code]["count"], len(amounts))
            self.assertEqual(groups[code]["amount"], sum(amounts, Decimal(0)))

    def test_it_bulk_accepts_a_group_after_confirmation(self):
        Alignment.objects.filter(strategy=self.snu2018, primary__code="OPP").update(confidence=0.95)
        self.login(self.advisor)
        url = reverse("classify:bulk_accept") + "?strategy=troms-snu-2018&primary=OPP"
        response = self.client.get(url)
        self.assertContains(response, "Vinterturisme")
        self.assertFalse(Alignment.objects.filter(origin=Origin.PERSON).exists())
        self.client.post(url, {"strategy": "troms-snu-2018", "primary": "OPP", "confirm": "on"})
        confirmed = Alignment.objects.filter(origin=Origin.PERSON)
        self.assertTrue(confirmed.exists())
        self.assertEqual(AuditEntry.objects.filter(action="bulk_confirm_alignments").count(), confirmed.count())

    def test_it_shows_the_why_on_the_allocation_page(self):
        self.login(self.reader)
        response = self.client.get(reverse("classify:allocation", args=[self.allocations[0].pk]))
        self.assertContains(response, "Kobling til strategien")
        self.assertContains(response, "Næringskode 79.120 begynner med")
        self.assertNotContains(response, "Godta eller endre")

    def test_it_pages_a_focus_areas_allocations_without_counting_them(self):
        from snu.classify.views import Window
        from snu.grants.models import Allocation

        everything = list(Allocation.objects.order_by("pk"))
        pages = [Window(Allocation.objects.order_by("pk"), str(n), 4) for n in (1, 2, 3)]
        self.assertEqual([a for w in pages for a in w.object_list], everything, "pages cover the list once, in order")
        self.assertTrue(pages[0].has_next)
        self.assertFalse(pages[0].has_previous)
        self.assertFalse(pages[1].has_next, "the last page has no next")
        self.assertTrue(pages[1].has_previous)
        self.assertEqual(pages[2].object_list, [])
        self.assertEqual(Window(Allocation.objects.order_by("pk"), "x", 4).number, 1)

        self.login(self.reader)
        url = reverse("classify:element_allocations", args=["troms-snu-2018", "OPP"])
        with self.assertNumQueries(7):  # session, user, membership, strategy, element, totals, one window of rows
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)

    def test_it_lists_a_focus_areas_allocations_with_scores(self):
        self.login(self.reader)
        response = self.client.get(reverse("strategy:element", args=["troms-snu-2018", "OPP"]))
        self.assertContains(response, "Vinterturisme og nordlysopplevelser")
        response = self.client.get(reverse("classify:element_allocations", args=["troms-snu-2018", "OPP"]))
        self.assertContains(response, "Vinterturisme og nordlysopplevelser")
