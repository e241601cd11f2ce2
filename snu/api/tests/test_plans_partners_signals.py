from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import schemathesis

from snu.api.actions import create_token
from snu.api.tests.base import ApiTestCase
from snu.api.tests.data import make_allocations, make_strategy
from snu.api.tests.test_schema import exercise
from snu.core.actions import create_authority
from snu.core.models import AuditEntry, Authority
from snu.partners.models import Agreement, Arena, ArenaKind, Partner, PartnerType
from snu.plans.models import ActionPlan, Measure, PlanRevision
from snu.signals.models import Horizon, Signal, SignalKind
from snu.strategy.models import Element, Strategy

READ_URLS = (
    "/api/plans/",
    "/api/plan-revisions/",
    "/api/measures/",
    "/api/partners/",
    "/api/agreements/",
    "/api/arenas/",
    "/api/signals/",
)
PREFIXES = READ_URLS


def make_network(authority: Authority, strategy: Strategy) -> dict[str, Any]:
    """A plan with an adopted revision and one in progress, a partner, an agreement, an arena and a signal."""
    green = Element.objects.get(strategy=strategy, code="GRONT")
    driver = Element.objects.get(strategy=strategy, code="TEK")
    plan = ActionPlan.objects.create(
        authority=authority, strategy=strategy, name="Handlingsplan grønn omstilling", period_from=2024, period_to=2027
    )
    plan.elements.set([green])
    adopted = PlanRevision.objects.create(plan=plan, number=1)
    old_measure = Measure.objects.create(revision=adopted, code="T1", title="Tang og tare")
    old_measure.elements.set([green])
    PlanRevision.objects.filter(pk=adopted.pk).update(
        status=PlanRevision.Status.ADOPTED, adopted_on=dt.date(2024, 6, 1), decision_reference="FT-sak 12/24"
    )
    draft = PlanRevision.objects.create(plan=plan, number=2, started_from=adopted)
    measure = Measure.objects.create(revision=draft, key=old_measure.key, code="T1", title="Tang og tare", order=1)
    measure.elements.set([green, driver])
    partner = Partner.objects.create(
        authority=authority, name="Arktisk Havbruk AS", org_number="974760673", partner_type=PartnerType.BUSINESS
    )
    partner.focus_areas.set([green])
    agreement = Agreement.objects.create(authority=authority, title="Partnerskap havbruk")
    agreement.parties.set([partner])
    arena = Arena.objects.create(authority=authority, name="Havklyngen", kind=ArenaKind.CLUSTER)
    arena.members.set([partner])
    signal = Signal.objects.create(
        authority=authority, title="Tang som fôr", kind=SignalKind.WEAK_SIGNAL, horizon=Horizon.LONG
    )
    signal.drivers.set([driver])
    return {
        "driver": driver,
        "plan": plan,
        "adopted": adopted,
        "old_measure": old_measure,
        "draft": draft,
        "measure": measure,
        "partner": partner,
        "agreement": agreement,
        "arena": arena,
        "signal": signal,
    }


@pytest.fixture
def keys(transactional_db):
    authority = create_authority(None, code="troms", name="Troms fylkeskommune", region_name="Troms")
    strategy = make_strategy(authority)
    make_allocations(authority, strategy)
    make_network(authority, strategy)
    return {
        role: create_token(None, authority, name=f"schemathesis-{role}", role=role)[1] for role in ("reader", "advisor")
    }


@pytest.mark.parametrize("role", ["reader", "advisor"])
def test_it_answers_the_new_operations_as_the_schema_says_with_data_in_place(live_server, keys, role):
    """test_schema.py runs on a database without plans, partners or signals; this run has some to hit."""
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/?format=json")
    headers = {"Authorization": f"Bearer {keys[role]}"}
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith(PREFIXES):
            continue
        try:
            exercise(operation, live_server.url, headers)
        except Exception as exc:  # collect all operations' failures, then report them together
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)


class PlansPartnersSignalsTestCase(ApiTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        for name, value in make_network(cls.authority, cls.strategy).items():
            setattr(cls, name, value)

    def measure_url(self, measure: Measure | None = None) -> str:
        return f"/api/measures/{(measure or self.measure).pk}/"

    def test_it_lets_a_reader_read(self):
        api = self.api(self.reader_key)
        for url in READ_URLS:
            r = api.get(url)
            self.assertEqual(r.status_code, 200, url)
            self.assertGreater(r.json()["count"], 0, url)
        plan = api.get(f"/api/plans/{self.plan.pk}/").json()
        self.assertEqual(plan["revision_in_force"], self.adopted.pk)
        self.assertEqual(plan["revision_in_progress"], self.draft.pk)
        revision = api.get(f"/api/plan-revisions/{self.draft.pk}/").json()
        self.assertEqual([m["code"] for m in revision["measures"]], ["T1"])
        measure = api.get(self.measure_url()).json()
        self.assertEqual(measure["version"], 1)
        self.assertEqual(set(measure["elements"]), {self.driver.pk, self.measure.elements.get(code="GRONT").pk})
        self.assertEqual(api.get(f"/api/partners/{self.partner.pk}/").json()["org_number"], "974760673")
        self.assertEqual(api.get(f"/api/arenas/{self.arena.pk}/").json()["members"], [self.partner.pk])
        self.assertEqual(api.get(f"/api/signals/{self.signal.pk}/").json()["drivers"], [self.driver.pk])

    def test_it_filters_the_new_lists(self):
        api = self.api(self.reader_key)

        def ids(url: str) -> list:
            r = api.get(url)
            self.assertEqual(r.status_code, 200, r.content)
            return [row["id"] for row in r.json()["results"]]

        self.assertEqual(ids(f"/api/measures/?revision={self.draft.pk}"), [self.measure.pk])
        self.assertEqual(ids("/api/measures/?element=TEK"), [self.measure.pk])
        self.assertEqual(len(ids(f"/api/measures/?plan={self.plan.pk}&key={self.measure.key}")), 2)
        self.assertEqual(ids("/api/measures/?status=done"), [])
        self.assertEqual(ids("/api/plan-revisions/?status=adopted"), [self.adopted.pk])
        self.assertEqual(ids("/api/plans/?element=GRONT&strategy=troms-2023"), [self.plan.pk])
        self.assertEqual(ids("/api/partners/?partner_type=business&org_number=974760673"), [self.partner.pk])
        self.assertEqual(ids("/api/partners/?partner_type=cluster"), [])
        self.assertEqual(ids(f"/api/agreements/?partner={self.partner.pk}"), [self.agreement.pk])
        self.assertEqual(ids("/api/arenas/?kind=cluster"), [self.arena.pk])
        self.assertEqual(ids("/api/signals/?kind=weak_signal&horizon=long&driver=TEK"), [self.signal.pk])
        self.assertEqual(ids("/api/signals/?horizon=short"), [])
        for url, field in (
            ("/api/measures/?status=green", "status"),
            ("/api/measures/?revision=x", "revision"),
            ("/api/partners/?org_number=12", "org_number"),
            ("/api/signals/?horizon=soon", "horizon"),
        ):
            r = api.get(url)
            self.assertEqual(r.status_code, 400, url)
            self.assertIn(field, r.json()["error"]["fields"], url)

    def test_it_does_not_let_a_reader_write(self):
        api = self.api(self.reader_key)
        calls = (
            ("patch", self.measure_url(), {"title": "Endret", "expected_version": 1}),
            ("post", "/api/measures/", {"revision": self.draft.pk, "title": "Nytt"}),
            ("post", "/api/partners/", {"name": "Ny partner"}),
            ("patch", f"/api/partners/{self.partner.pk}/", {"name": "Endret"}),
            ("delete", f"/api/partners/{self.partner.pk}/", None),
            ("post", "/api/agreements/", {"title": "Ny avtale"}),
            ("post", "/api/signals/", {"title": "Nytt signal"}),
            ("patch", f"/api/signals/{self.signal.pk}/", {"title": "Endret"}),
            ("post", f"/api/signals/{self.signal.pk}/review/", {}),
        )
        for method, url, body in calls:
            r = getattr(api, method)(url, body, format="json")
            self.assertEqual(r.status_code, 403, url)
            self.assertEqual(r.json()["error"]["code"], "permission_denied")
        self.measure.refresh_from_db()
        self.assertEqual((self.measure.title, self.measure.version), ("Tang og tare", 1))
        self.assertEqual(Measure.objects.filter(revision=self.draft).count(), 1)
        self.assertEqual(Partner.objects.get(pk=self.partner.pk).name, "Arktisk Havbruk AS")
        self.assertEqual(Agreement.objects.count(), 1)
        self.assertEqual(Signal.objects.get().title, "Tang som fôr")
        self.assertFalse(AuditEntry.objects.filter(actor_name="api-token:dashboard").exists())

    def test_it_lets_an_advisor_change_and_add_measures_through_the_actions(self):
        api = self.api(self.advisor_key)
        r = api.patch(
            self.measure_url(),
            {"title": "Tang, tare og skjell", "status": "at_risk", "expected_version": 1, "elements": [self.driver.pk]},
            format="json",
        )
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual(r.json()["version"], 2)
        self.assertEqual(r.json()["elements"], [self.driver.pk])
        self.measure.refresh_from_db()
        self.assertEqual(
            (self.measure.title, self.measure.status, self.measure.version), ("Tang, tare og skjell", "at_risk", 2)
        )
        self.assertIsNotNone(self.measure.status_date)
        entry = AuditEntry.objects.get(action="update_measure", object_id=str(self.measure.pk))
        self.assertEqual(entry.actor_name, "api-token:sync")
        self.assertEqual(entry.authority, self.authority)

        r = api.post(
            "/api/measures/",
            {"revision": self.draft.pk, "title": "Kompetanseløft", "budget": "250000.50"},
            format="json",
        )
        self.assertEqual(r.status_code, 201, r.content)
        self.assertEqual(r.json()["code"], "T2")
        self.assertEqual(r.json()["budget"], "250000.50")
        self.assertTrue(AuditEntry.objects.filter(action="add_measure", object_id=str(r.json()["id"])).exists())

    def test_it_answers_a_stale_measure_version_with_409(self):
        api = self.api(self.advisor_key)
        self.assertEqual(
            api.patch(self.measure_url(), {"title": "Først", "expected_version": 1}, format="json").status_code, 200
        )
        r = api.patch(self.measure_url(), {"title": "Sist", "expected_version": 1}, format="json")
        self.assertEqual(r.status_code, 409)
        self.assertEqual(r.json()["error"]["code"], "stale")
        self.measure.refresh_from_db()
        self.assertEqual((self.measure.title, self.measure.version), ("Først", 2))
        r = api.patch(self.measure_url(), {"title": "Uten versjon"}, format="json")
        self.assertEqual(r.status_code, 400)
        self.assertIn("expected_version", r.json()["error"]["fields"])

    def test_it_refuses_changes_to_an_adopted_revision(self):
        api = self.api(self.advisor_key)
        r = api.patch(self.measure_url(self.old_measure), {"title": "Omskrevet", "expected_version": 1}, format="json")
        self.assertEqual(r.status_code, 409)
        self.assertEqual(r.json()["error"]["code"], "frozen")
        self.assertIn("vedtatt", r.json()["error"]["message"])  # "adopted", in bokmål
        r = api.post("/api/measures/", {"revision": self.adopted.pk, "title": "Sniker inn"}, format="json")
        self.assertEqual(r.status_code, 409)
        self.assertEqual(Measure.objects.filter(revision=self.adopted).count(), 1)
        self.assertEqual(Measure.objects.get(pk=self.old_measure.pk).title, "Tang og tare")

    def test_it_checks_measure_elements_and_dates(self):
        from snu.api.tests.data import make_strategy

        other = make_strategy(self.authority, code="troms-2030")
        api = self.api(self.advisor_key)
        r = api.patch(
            self.measure_url(), {"elements": [other.elements.first().pk], "expected_version": 1}, format="json"
        )
        self.assertEqual(r.status_code, 400)
        self.assertIn("elements", r.json()["error"]["fields"])
        r = api.patch(
            self.measure_url(),
            {"starts_on": "2025-01-01", "ends_on": "2024-01-01", "expected_version": 1},
            format="json",
        )
        self.assertEqual(r.status_code, 400)
        self.assertIn("ends_on", r.json()["error"]["fields"])

    def test_it_lets_an_advisor_write_partners_agreements_and_signals(self):
        api = self.api(self.advisor_key)
        green = self.partner.focus_areas.get()
        r = api.post(
            "/api/partners/",
            {"name": "Nordlys Forskning", "org_number": "NO 912 345 688 MVA", "partner_type": "research",
             "focus_areas": [green.pk], "contact_role": "Innovasjonsleder"},
            format="json",
        )  # fmt: skip
        self.assertEqual(r.status_code, 201, r.content)
        partner = Partner.objects.get(name="Nordlys Forskning")
        self.assertEqual(partner.org_number, "912345688")
        self.assertEqual(partner.authority, self.authority)
        self.assertEqual(
            AuditEntry.objects.get(action="save_partner", object_id=str(partner.pk)).actor_name, "api-token:sync"
        )
        r = api.post("/api/partners/", {"name": "Kopi", "org_number": "974760673"}, format="json")
        self.assertEqual(r.status_code, 400)
        self.assertIn("org_number", r.json()["error"]["fields"])
        r = api.post("/api/partners/", {"name": "Feil", "org_number": "123456789"}, format="json")
        self.assertEqual(r.status_code, 400)

        r = api.patch(
            f"/api/agreements/{self.agreement.pk}/",
            {"parties": [self.partner.pk, partner.pk], "renewal_date": "2026-01-31"},
            format="json",
        )
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual(self.agreement.parties.count(), 2)
        self.assertTrue(AuditEntry.objects.filter(action="save_agreement", object_id=str(self.agreement.pk)).exists())

        r = api.post(
            "/api/signals/",
            {"title": "Flere eldre", "kind": "trend", "horizon": "long", "drivers": [self.driver.pk]},
            format="json",
        )
        self.assertEqual(r.status_code, 201, r.content)
        signal = Signal.objects.get(title="Flere eldre")
        self.assertEqual(list(signal.drivers.all()), [self.driver])
        self.assertTrue(AuditEntry.objects.filter(action="save_signal", object_id=str(signal.pk)).exists())
        r = api.post(f"/api/signals/{signal.pk}/", {"drivers": [green.pk]}, format="json")
        self.assertEqual(r.status_code, 405)
        r = api.patch(f"/api/signals/{signal.pk}/", {"drivers": [green.pk]}, format="json")
        self.assertEqual(r.status_code, 400)  # a focus area is not a driver
        r = api.post(f"/api/signals/{signal.pk}/review/", {"next_review": "2030-01-01"}, format="json")
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual(r.json()["review_date"], "2030-01-01")
        self.assertEqual(api.delete(f"/api/signals/{signal.pk}/").status_code, 204)
        self.assertTrue(AuditEntry.objects.filter(action="delete_signal", object_id=str(signal.pk)).exists())
        self.assertEqual(api.delete(f"/api/partners/{partner.pk}/").status_code, 204)
        self.assertFalse(Partner.objects.filter(pk=partner.pk).exists())

    def test_it_shows_an_outsider_token_nothing_of_this_authority(self):
        api = self.api(self.outsider_key)
        for url in READ_URLS:
            r = api.get(url)
            self.assertEqual(r.status_code, 200, url)
            self.assertEqual(r.json()["count"], 0, url)
        for url in (
            f"/api/plans/{self.plan.pk}/",
            f"/api/plan-revisions/{self.draft.pk}/",
            self.measure_url(),
            f"/api/partners/{self.partner.pk}/",
            f"/api/agreements/{self.agreement.pk}/",
            f"/api/arenas/{self.arena.pk}/",
            f"/api/signals/{self.signal.pk}/",
        ):
            r = api.get(url)
            self.assertEqual(r.status_code, 404, url)
            self.assertEqual(r.json()["error"]["code"], "not_found")
        r = api.patch(self.measure_url(), {"title": "Kapret", "expected_version": 1}, format="json")
        self.assertEqual(r.status_code, 404)
        self.assertEqual(api.delete(f"/api/partners/{self.partner.pk}/").status_code, 404)
        self.assertEqual(api.post(f"/api/signals/{self.signal.pk}/review/", {}, format="json").status_code, 404)
        r = api.post("/api/measures/", {"revision": self.draft.pk, "title": "Kapret"}, format="json")
        self.assertEqual(r.status_code, 400)
        self.assertIn("revision", r.json()["error"]["fields"])
        r = api.post(
            "/api/partners/", {"name": "Lån", "focus_areas": [self.partner.focus_areas.get().pk]}, format="json"
        )
        self.assertEqual(r.status_code, 400)
        self.assertIn("focus_areas", r.json()["error"]["fields"])
        self.measure.refresh_from_db()
        self.assertEqual(self.measure.title, "Tang og tare")
        self.assertTrue(Partner.objects.filter(pk=self.partner.pk).exists())
        self.assertFalse(Partner.objects.filter(name="Lån").exists())
