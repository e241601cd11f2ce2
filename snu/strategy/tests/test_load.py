from __future__ import annotations

import io
import tempfile
from pathlib import Path

from django.core.management import CommandError, call_command

from snu.core.models import AuditEntry
from snu.strategy import yamlio
from snu.strategy.models import Element, MappingLink, Strategy
from snu.test import BaseTestCase

GOOD = """\
code: test-2018
name: {nb: "Teststrategi", en: "Test strategy"}
period: {from: 2018, to: 2025}
elements:
  - {kind: focus_area, code: OPP, name: {nb: Opplevelsesøkonomi}, keywords: {nb: [reiseliv, festival]}, industry_codes: ["55", "79"]}
  - {kind: driver, code: TEK, name: {nb: Teknologi}}
  - {kind: target_area, code: OPP-1, parent: OPP, name: {nb: Helårs reiseliv}}
"""


def write(text: str) -> Path:
    handle = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False, encoding="utf-8")
    handle.write(text)
    handle.close()
    return Path(handle.name)


class StrategyLoadTestCase(BaseTestCase):
    def load(self, text: str) -> str:
        out = io.StringIO()
        call_command("strategy", "load", str(write(text)), stdout=out)
        return out.getvalue()

    def test_it_loads_a_strategy_with_its_elements(self):
        self.load(GOOD)
        strategy = Strategy.objects.get(code="test-2018", authority=self.authority)
        self.assertEqual((strategy.period_from, strategy.period_to), (2018, 2025))
        self.assertEqual(strategy.name["en"], "Test strategy")
        opp = strategy.elements.get(code="OPP")
        self.assertEqual(opp.keywords, {"nb": ["reiseliv", "festival"]})
        self.assertEqual(opp.industry_codes, ["55", "79"])
        self.assertEqual(strategy.elements.get(code="OPP-1").parent, opp)

    def test_it_updates_by_code_and_audits_the_change(self):
        self.load(GOOD)
        self.load(GOOD.replace("Teknologi", "Teknologi og digitalisering"))
        self.assertEqual(Strategy.objects.filter(code="test-2018").count(), 1)
        tek = Element.objects.get(code="TEK")
        self.assertEqual(tek.name["nb"], "Teknologi og digitalisering")
        entry = AuditEntry.objects.filter(object_type="strategy.element", object_id=str(tek.pk), verb="update").get()
        self.assertEqual(entry.before["name"], {"nb": "Teknologi"})

    def test_it_refuses_a_broken_file_and_changes_nothing(self):
        self.load(GOOD)
        before = list(Element.objects.values_list("code", "name"))
        broken = GOOD.replace("Teknologi}}", "Teknologi}}\n  - {kind: focus_area, code: OPP, name: {nb: Dobbel}}")
        broken = broken.replace("parent: OPP", "parent: NOPE").replace("kind: driver", "kind: drivers")
        with self.assertRaises(CommandError) as ctx:
            self.load(broken.replace("Teststrategi", "Endret"))
        message = str(ctx.exception)
        self.assertIn("duplicate code 'OPP'", message)
        self.assertIn("unknown parent 'NOPE'", message)
        self.assertIn("unknown kind 'drivers'", message)
        self.assertIn(":6:", message)  # the line of the bad kind
        self.assertEqual(list(Element.objects.values_list("code", "name")), before)
        self.assertEqual(Strategy.objects.get(code="test-2018").name["nb"], "Teststrategi")

    def test_it_names_a_missing_name(self):
        with self.assertRaises(CommandError) as ctx:
            self.load(GOOD.replace("name: {nb: Teknologi}", "name: {}"))
        self.assertIn("element TEK: name is missing", str(ctx.exception))
        self.assertFalse(Strategy.objects.exists())

    def test_it_reports_invalid_yaml_with_its_line(self):
        with self.assertRaises(CommandError) as ctx:
            self.load("code: x\nname: {nb: a\nperiod: [")
        self.assertIn("not valid YAML", str(ctx.exception))

    def test_dump_reads_back_to_the_same_strategy(self):
        self.load(GOOD)
        out = io.StringIO()
        call_command("strategy", "dump", "test-2018", stdout=out)
        data = yamlio.validate_strategy(yamlio.parse_yaml(out.getvalue()))
        self.assertEqual([e.code for e in data.elements], ["TEK", "OPP", "OPP-1"])
        self.assertEqual(data.elements[1].keywords, {"nb": ["reiseliv", "festival"]})

    def test_it_loads_the_shipped_troms_strategies_and_mapping(self):
        call_command("strategy", "load", "--shipped", stdout=io.StringIO())
        snu = Strategy.objects.get(code="troms-snu-2018")
        codes = lambda kind: set(snu.elements.filter(kind=kind).values_list("code", flat=True))  # noqa: E731
        self.assertEqual(codes("advantage"), {"NAT", "GEO", "KUN", "SAMF"})
        self.assertEqual(codes("driver"), {"TEK", "BAER", "FOUI", "SAM"})
        self.assertEqual(codes("focus_area"), {"OPP", "SIRK", "NIM", "SVS"})
        new = Strategy.objects.get(code="troms-2023")
        self.assertEqual(new.elements.filter(kind="focus_area").count(), 4)
        link = MappingLink.objects.get(source_element__code="OPP", mapping__target=new)
        self.assertEqual(link.target_element.code, "ATTR")

    def test_a_mapping_to_an_unknown_element_loads_nothing(self):
        call_command("strategy", "load", "--shipped", stdout=io.StringIO())
        count = MappingLink.objects.count()
        bad = "mapping: {from: troms-snu-2018, to: troms-2023}\nlinks:\n  - {from: OPP, to: NOPE}\n"
        with self.assertRaises(CommandError) as ctx:
            self.load(bad)
        self.assertIn("'NOPE' is not an element of troms-2023", str(ctx.exception))
        self.assertEqual(MappingLink.objects.count(), count)
