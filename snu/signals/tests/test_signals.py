from __future__ import annotations

import datetime as dt

from django.utils import timezone

from snu.core.models import AuditEntry
from snu.partners.tests.helpers import element, load_strategies
from snu.signals import actions, queries
from snu.signals.models import Horizon, Signal, SignalKind
from snu.strategy.models import Strategy
from snu.test import BaseTestCase


class SignalTestCase(BaseTestCase):
    def setUp(self):
        load_strategies()
        self.tek = element(self.authority, "TEK")
        self.signal = actions.save_signal(
            "test",
            Signal(
                authority=self.authority,
                title="Færre unge i distriktene",
                kind=SignalKind.TREND,
                horizon=Horizon.LONG,
                source_title="OECD Territorial Reviews: Northern Sparsely Populated Areas (2017)",
                source_url="https://doi.org/10.1787/9789264268234-en",
                so_what="Attraktive arbeidsplasser i distriktene",
                review_date=dt.date.today() + dt.timedelta(days=5),
            ),
            drivers=[self.tek],
            focus_areas=[element(self.authority, "SVS")],
        )

    def test_a_signal_linked_to_a_driver_shows_on_the_drivers_page(self):
        self.login(self.reader)
        r = self.client.get("/strategy/troms-snu-2018/elements/TEK/")
        self.assertContains(r, "Færre unge i distriktene")
        r = self.client.get("/strategy/troms-snu-2018/elements/BAER/")
        self.assertNotContains(r, "Færre unge i distriktene")
        r = self.client.get("/strategy/troms-snu-2018/elements/SVS/")
        self.assertContains(r, "Færre unge i distriktene")

    def test_the_overview_shows_signals_by_driver_and_horizon(self):
        strategy = Strategy.objects.get(authority=self.authority, code="troms-snu-2018")
        grid = queries.overview(self.authority, strategy, queries.signals_for(self.authority))
        row = next(r for r in grid["rows"] if r["driver"] == self.tek)
        cell = next(c for c in row["cells"] if c["horizon"] == Horizon.LONG)
        self.assertEqual(cell["signals"], [self.signal])
        self.login(self.reader)
        r = self.client.get("/signals/?strategy=troms-snu-2018")
        self.assertContains(r, "Færre unge i distriktene")
        self.assertContains(r, "Teknologi")

    def test_the_home_page_lists_signals_due_for_review(self):
        Signal.objects.create(
            authority=self.authority, title="Senere", review_date=dt.date.today() + dt.timedelta(days=300)
        )
        self.assertEqual(queries.due_for_review(self.authority), [self.signal])
        self.login(self.reader)
        r = self.client.get("/")
        self.assertContains(r, "Færre unge i distriktene")
        self.assertNotContains(r, "Senere")

    def test_an_advisor_marks_a_signal_as_reviewed(self):
        self.login(self.advisor)
        r = self.client.post(f"/signals/{self.signal.pk}/review/", {"next_review": "2030-01-31"})
        self.assertRedirects(r, self.signal.get_absolute_url())
        self.signal.refresh_from_db()
        self.assertEqual(self.signal.review_date, dt.date(2030, 1, 31))
        self.assertEqual(self.signal.last_reviewed_on, dt.date.today())
        self.assertEqual(queries.due_for_review(self.authority), [])
        self.assertTrue(AuditEntry.objects.filter(action="review_signal", actor=self.advisor).exists())

    def test_an_advisor_creates_edits_and_deletes_a_signal(self):
        self.login(self.advisor)
        r = self.client.post(
            "/signals/new/",
            {
                "title": "Hydrogen i hurtigbåter",
                "kind": "weak_signal",
                "horizon": "medium",
                "strength": "weak",
                "source_url": "https://example.org/rapport",
                "drivers": [self.tek.pk],
                "owner": self.advisor.pk,
            },
        )
        signal = Signal.objects.get(title="Hydrogen i hurtigbåter")
        self.assertRedirects(r, signal.get_absolute_url())
        self.assertEqual(list(signal.drivers.all()), [self.tek])
        self.assertEqual(signal.owner, self.advisor)
        r = self.client.post(
            f"/signals/{signal.pk}/edit/",
            {
                "title": "Hydrogen i hurtigbåter",
                "kind": "trend",
                "horizon": "medium",
                "strength": "moderate",
            },
        )
        signal.refresh_from_db()
        self.assertEqual(signal.kind, "trend")
        self.assertEqual(list(signal.drivers.all()), [])
        self.client.post(f"/signals/{signal.pk}/delete/")
        self.assertFalse(Signal.objects.filter(pk=signal.pk).exists())
        self.assertEqual(
            AuditEntry.objects.filter(object_type="snu_signals.signal", object_id=str(signal.pk)).count(), 3
        )

    def test_a_reader_sees_but_cannot_change_signals(self):
        self.login(self.reader)
        r = self.client.get(self.signal.get_absolute_url())
        self.assertContains(r, "Attraktive arbeidsplasser i distriktene")
        self.assertContains(r, "https://doi.org/10.1787/9789264268234-en")
        self.assertNotContains(r, f"/signals/{self.signal.pk}/edit/")
        self.assertEqual(self.client.get("/signals/new/").status_code, 403)
        self.assertEqual(self.client.post(f"/signals/{self.signal.pk}/review/").status_code, 403)
        self.assertEqual(self.client.post(f"/signals/{self.signal.pk}/delete/").status_code, 403)

    def test_an_outsider_cannot_see_the_signal(self):
        self.login(self.outsider)
        self.assertEqual(self.client.get(self.signal.get_absolute_url()).status_code, 404)
        self.assertNotContains(self.client.get("/signals/"), "Færre unge")
        self.assertEqual(self.client.post(f"/signals/{self.signal.pk}/delete/").status_code, 404)

    def test_signals_since_gives_new_and_changed_signals(self):
        old = Signal.objects.create(authority=self.authority, title="Gammel")
        Signal.objects.filter(pk=old.pk).update(
            created_at=timezone.now() - dt.timedelta(days=400), updated_at=timezone.now() - dt.timedelta(days=400)
        )
        Signal.objects.create(authority=self.other_authority, title="Fremmed")
        Signal.objects.create(authority=self.authority, title="Arkivert", is_archived=True)
        since = dt.date.today() - dt.timedelta(days=30)
        self.assertEqual([s.title for s in queries.signals_since(self.authority, since)], ["Færre unge i distriktene"])


class RevisionProposalTestCase(BaseTestCase):
    def setUp(self):
        from snu.plans import actions as plan_actions

        load_strategies()
        strategy = Strategy.objects.get(authority=self.authority, code="troms-snu-2018")
        self.plan = plan_actions.create_plan(
            "test",
            self.authority,
            name="Handlingsplan for opplevelsesøkonomi",
            strategy=strategy,
            elements=[element(self.authority, "OPP")],
            period_from=2024,
            period_to=2027,
        )
        self.signal = actions.save_signal(
            "test",
            Signal(authority=self.authority, title="Lavutslipps reiseliv", so_what="Krav om merking"),
            drivers=[element(self.authority, "BAER")],
        )

    def test_a_signal_raises_a_proposal_that_appears_in_the_plans_next_revision(self):
        from snu.plans import actions as plan_actions
        from snu.plans.models import RevisionProposal

        self.login(self.advisor)
        r = self.client.get(self.signal.get_absolute_url())
        self.assertContains(r, "Handlingsplan for opplevelsesøkonomi")
        r = self.client.post(f"/signals/{self.signal.pk}/propose/", {"plan": self.plan.pk, "text": ""})
        self.assertRedirects(r, self.signal.get_absolute_url())
        proposal = RevisionProposal.objects.get()
        self.assertEqual(proposal.title, "Lavutslipps reiseliv")
        self.assertIn("Krav om merking", proposal.text)
        self.assertTrue(proposal.source_url.endswith(self.signal.get_absolute_url()))
        self.assertTrue(AuditEntry.objects.filter(action="raise_revision_proposal").exists())
        self.assertContains(self.client.get(self.plan.get_absolute_url()), "Lavutslipps reiseliv")
        draft = self.plan.draft()
        plan_actions.decide_proposal(self.advisor, proposal, accept=True)
        self.assertEqual(list(draft.proposals.all()), [proposal])

    def test_a_reader_cannot_raise_a_proposal(self):
        from snu.plans.models import RevisionProposal

        self.login(self.reader)
        r = self.client.post(f"/signals/{self.signal.pk}/propose/", {"plan": self.plan.pk})
        self.assertEqual(r.status_code, 403)
        self.assertFalse(RevisionProposal.objects.exists())

    def test_an_outsider_cannot_raise_a_proposal_on_our_plan(self):
        from snu.plans.models import RevisionProposal

        mine = actions.save_signal("test", Signal(authority=self.other_authority, title="Nordlandssignal"))
        self.login(self.outsider)
        self.client.post(f"/signals/{mine.pk}/propose/", {"plan": self.plan.pk})
        self.assertFalse(RevisionProposal.objects.exists())
