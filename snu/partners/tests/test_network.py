from __future__ import annotations

import datetime as dt

from django.test import SimpleTestCase

from snu.partners import actions, network, queries
from snu.partners.models import Agreement, Arena, ArenaKind, Partner
from snu.partners.tests.helpers import allocate
from snu.test import BaseTestCase


class GraphMeasuresTestCase(SimpleTestCase):
    # Two triangles joined through c–d:  a-b-c triangle, c-d bridge, d-e-f triangle, g alone.
    edges = [("a", "b"), ("b", "c"), ("a", "c"), ("c", "d"), ("d", "e"), ("e", "f"), ("d", "f")]

    def graph(self):
        return network.build_graph("abcdefg", self.edges)

    def test_it_counts_degree_and_components(self):
        g = self.graph()
        self.assertEqual(network.degree(g)["c"], 3)
        self.assertEqual(network.degree(g)["g"], 0)
        self.assertEqual(network.components(g), [["a", "b", "c", "d", "e", "f"], ["g"]])

    def test_it_finds_who_connects_otherwise_separate_groups(self):
        g = self.graph()
        self.assertEqual(network.articulation_points(g), {"c", "d"})
        self.assertEqual(network.bridges(g), {frozenset(("c", "d"))})

    def test_it_computes_betweenness_like_the_textbook(self):
        # A path a-b-c: b lies on the only path between a and c -> normalised 1.0
        path = network.build_graph("abc", [("a", "b"), ("b", "c")])
        self.assertEqual(network.betweenness(path), {"a": 0.0, "b": 1.0, "c": 0.0})
        # A star: the centre lies on all 3 pairs of leaves; normalised by (n-1)(n-2)/2 = 3.
        star = network.build_graph("cxyz", [("c", "x"), ("c", "y"), ("c", "z")])
        self.assertAlmostEqual(network.betweenness(star)["c"], 1.0)
        g = self.graph()
        between = network.betweenness(g, normalised=False)
        # c: pairs (a|b) x (d|e|f) = 6 paths; d likewise 6.
        self.assertEqual(between["c"], 6.0)
        self.assertEqual(between["d"], 6.0)
        self.assertEqual(between["a"], 0.0)

    def test_a_cycle_has_no_cut_points(self):
        ring = network.build_graph("abcd", [("a", "b"), ("b", "c"), ("c", "d"), ("d", "a")])
        self.assertEqual(network.articulation_points(ring), set())
        self.assertEqual(network.bridges(ring), set())

    def test_the_layout_is_deterministic_and_inside_the_box(self):
        g = self.graph()
        first, second = network.layout(g, 800, 520), network.layout(g, 800, 520)
        self.assertEqual(first, second)
        for x, y in first.values():
            self.assertTrue(0 <= x <= 800 and 0 <= y <= 520)


class PartnerNetworkTestCase(BaseTestCase):
    def setUp(self):
        def partner(name, org=""):
            return actions.save_partner("test", Partner(authority=self.authority, name=name, org_number=org))

        self.a, self.b, self.c = partner("A", "970422528"), partner("B", "922334455"), partner("C")
        self.d, self.e = partner("D"), partner("E")
        agreement = actions.save_agreement(
            "test", Agreement(authority=self.authority, title="Avtale"), parties=[self.c, self.d]
        )
        self.assertTrue(agreement.pk)
        actions.save_arena(
            "test", Arena(authority=self.authority, name="Klynge", kind=ArenaKind.CLUSTER), members=[self.b, self.c]
        )
        allocate(self.authority, "100.00", org_number="970422528", title="Felles  Pilot")
        allocate(self.authority, "200.00", org_number="922334455", title="felles pilot")

    def test_it_links_partners_through_agreements_arenas_and_co_funded_projects(self):
        edges = queries.network_edges(self.authority)
        self.assertEqual(len(edges[frozenset((self.a.pk, self.b.pk))]["project"]), 1)
        self.assertEqual(edges[frozenset((self.b.pk, self.c.pk))]["arena"], ["Klynge"])
        self.assertEqual(edges[frozenset((self.c.pk, self.d.pk))]["agreement"], ["Avtale"])
        self.assertEqual(len(edges), 3)

    def test_the_network_page_shows_a_drawing_and_the_measures_in_a_table(self):
        graph = queries.partner_network(self.authority)
        by_name = {n["name"]: n for n in graph["nodes"]}
        self.assertEqual(by_name["B"]["degree"], 2)
        self.assertTrue(by_name["B"]["is_cut_point"])
        self.assertTrue(by_name["C"]["is_cut_point"])
        self.assertFalse(by_name["A"]["is_cut_point"])
        self.assertEqual([p.name for p in graph["isolated"]], ["E"])
        self.assertEqual(graph["groups"], 1)
        self.login(self.reader)
        r = self.client.get("/partners/network/")
        self.assertContains(r, "<svg")
        self.assertContains(r, 'role="img"')
        self.assertContains(r, "<table", count=2)
        r = self.client.get("/partners/network/?format=csv")
        self.assertIn("B,2,", r.content.decode())

    def test_it_warns_about_brokers_and_money_concentration(self):
        warnings = queries.concentration_warnings(self.authority, None)
        kinds = {(w["kind"], w["subject"]) for w in warnings}
        self.assertIn(("broker", "B"), kinds)
        self.assertIn(("money", "B"), kinds)  # 200 of 300
        self.assertIn(("money", "A"), kinds)  # 100 of 300 > 25 %

    def test_another_authority_sees_none_of_it(self):
        self.assertEqual(queries.partner_network(self.other_authority)["nodes"], [])
        self.login(self.outsider)
        self.assertNotContains(self.client.get("/partners/network/"), "Klynge")
        self.assertEqual(self.client.get(f"/partners/arenas/{Arena.objects.get().pk}/").status_code, 404)


class ExpiringAgreementsTestCase(BaseTestCase):
    def test_it_flags_agreements_up_for_renewal_soon(self):
        today = dt.date(2025, 3, 1)
        soon = Agreement.objects.create(authority=self.authority, title="Snart", renewal_date=dt.date(2025, 4, 1))
        Agreement.objects.create(authority=self.authority, title="Senere", renewal_date=dt.date(2026, 4, 1))
        Agreement.objects.create(
            authority=self.authority, title="Avsluttet", renewal_date=dt.date(2025, 4, 1), status="ended"
        )
        Agreement.objects.create(authority=self.authority, title="Utløpt", ends_on=dt.date(2025, 1, 1))
        self.assertEqual([a.title for a in queries.expiring_agreements(self.authority, today)], ["Utløpt", "Snart"])
        self.assertTrue(soon.is_expiring(today))
