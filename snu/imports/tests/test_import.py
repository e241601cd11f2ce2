from __future__ import annotations

import io
import json
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path
from unittest import mock

from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.utils.translation import override

from snu.classify.models import Alignment, AlignmentElement
from snu.core.models import AuditEntry
from snu.grants.models import Allocation, FundingSource, Organisation
from snu.imports import actions, exporters
from snu.imports.demo import INNOVASJON_NORGE
from snu.imports.layouts import Mapping
from snu.imports.models import ImportBatch, SavedMapping
from snu.strategy.models import Strategy
from snu.test import BaseTestCase

HEADER = "Fylkesnavn,Kommunenavn,Org.nr,Navn,Innvilget.beløp,Virkemiddelgruppe,Innvilget.dato,Beslutningsenhet,Næringshovedområde,Næring"
GOOD = [
    "Troms,Balsfjord,871404062,LANDBRUK NORD SA,1350000,Fylkesvise BU-midler,23.03.18,IN Arktis,A1 - Jordbruk/skogbruk,01.620 Tjenester",
    "Troms,Lenvik,998146933,VISIT SENJA AS,165000,Bedriftsutviklingstilskudd,15.11.18,IN Arktis,N - Tjenester,79.903 Opplevelser",
]
BAD = [
    "Troms,Balsfjord,871404063,FEIL AS,100000,Fylkesvise BU-midler,23.03.18,IN Arktis,A1,01.620",
    "Troms,Atlantis,871404062,LANDBRUK NORD SA,200000,Fylkesvise BU-midler,24.03.18,IN Arktis,A1,01.620",
    "Troms,Tromsø,,NOEN AS,12 3x4,Fylkesvise BU-midler,25.03.18,IN Arktis,A1,01.620",
]


class ImportTestCase(BaseTestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.tmp)

    def write(self, name: str, text: str, encoding: str = "utf-8") -> Path:
        path = self.tmp / name
        path.write_bytes(text.encode(encoding))
        return path

    def run_import(self, path, **kw):
        return actions.import_allocations("test", self.authority, path, **kw)

    def test_it_imports_the_innovasjon_norge_file_exactly_and_again_changes_nothing(self):
        result = self.run_import(INNOVASJON_NORGE)
        self.assertEqual(result.created, 3761)
        total = Allocation.objects.filter(authority=self.authority).aggregate(s=Sum("amount"))["s"]
        self.assertEqual(total, Decimal("3651980637"))
        self.assertEqual(result.total_amount, Decimal("3651980637"))
        again = self.run_import(INNOVASJON_NORGE)
        self.assertEqual((again.created, again.updated, again.unchanged), (0, 0, 3761))
        self.assertEqual(Allocation.objects.count(), 3761)
        lenvik = (
            Allocation.objects.filter(municipality_given="Lenvik")
            .select_related("municipality", "current_municipality")
            .first()
        )
        self.assertEqual(lenvik.municipality.name, "Lenvik")
        self.assertEqual(lenvik.current_municipality.name, "Senja")
        self.assertTrue(FundingSource.objects.get(name="Innovasjon Norge").is_state)
        self.assertTrue(Organisation.objects.filter(is_sole_proprietor=True).exists())

    @override("en")
    def test_a_file_with_bad_rows_is_refused_with_every_problem_and_nothing_saved(self):
        path = self.write("bad.csv", "\n".join([HEADER, *GOOD, *BAD]) + "\n")
        before = (Allocation.objects.count(), Organisation.objects.count(), AuditEntry.objects.count())
        result = self.run_import(path)
        self.assertTrue(result.refused)
        self.assertEqual(
            [(e.row, e.column, e.value) for e in result.errors],
            [(4, "Org.nr", "871404063"), (5, "Kommunenavn", "Atlantis"), (6, "Innvilget.beløp", "12 3x4")],
        )
        self.assertIn("check digit", result.errors[0].reason)
        self.assertIn("unknown municipality", result.errors[1].reason)
        self.assertIn("not an amount", result.errors[2].reason)
        self.assertEqual(before[:2], (Allocation.objects.count(), Organisation.objects.count()))
        self.assertEqual(ImportBatch.objects.get().status, ImportBatch.Status.REFUSED)

    def test_the_cli_exits_non_zero_when_it_saved_nothing(self):
        path = self.write("bad.csv", "\n".join([HEADER, *GOOD, *BAD]) + "\n")
        err = io.StringIO()
        with self.assertRaisesMessage(CommandError, "nothing was saved"):
            call_command("import", str(path), stdout=io.StringIO(), stderr=err)
        self.assertIn("row 5, column 'Kommunenavn', value 'Atlantis'", err.getvalue())
        self.assertEqual(Allocation.objects.count(), 0)

    def test_skip_invalid_saves_the_good_rows_and_writes_the_bad_ones_to_a_file(self):
        path = self.write("bad.csv", "\n".join([HEADER, *GOOD, *BAD]) + "\n")
        out = io.StringIO()
        call_command("import", str(path), "--skip-invalid", stdout=out, stderr=io.StringIO())
        self.assertIn("created: 2", out.getvalue())
        skipped = self.tmp / "bad.invalid.csv"
        self.assertTrue(skipped.exists())
        text = skipped.read_text(encoding="utf-8-sig")
        self.assertIn("Atlantis", text)
        self.assertIn("snu_errors", text)
        # The fixed file imports with the same layout (the errors column is ignored).
        skipped.write_text(
            text.replace("871404063", "871404062").replace("Atlantis", "Tromsø").replace("12 3x4", "12 304"),
            encoding="utf-8-sig",
        )
        again = self.run_import(skipped)
        self.assertEqual(again.created, 3)

    def test_a_changed_row_updates_its_allocation_with_an_audit_entry(self):
        self.run_import(self.write("a.csv", "\n".join([HEADER, *GOOD]) + "\n"))
        changed = GOOD[0].replace("1350000", "1400000")
        result = self.run_import(self.write("b.csv", "\n".join([HEADER, changed, GOOD[1]]) + "\n"))
        self.assertEqual((result.created, result.updated, result.unchanged), (0, 1, 1))
        allocation = Allocation.objects.get(recipient_name="LANDBRUK NORD SA")
        self.assertEqual(allocation.amount, Decimal("1400000"))
        self.assertEqual(allocation.version, 2)
        entry = AuditEntry.objects.get(object_type="grants.allocation", object_id=str(allocation.pk), verb="update")
        self.assertEqual(entry.before["amount"], "1350000.00")

    def test_an_interrupted_import_leaves_the_database_as_before(self):
        self.run_import(self.write("a.csv", "\n".join([HEADER, GOOD[0]]) + "\n"))
        before = list(Allocation.objects.values_list("external_id", "amount"))
        path = self.write("b.csv", "\n".join([HEADER, GOOD[0].replace("1350000", "1"), GOOD[1]]) + "\n")
        with (
            mock.patch("snu.imports.actions._update", side_effect=RuntimeError("power cut")),
            self.assertRaises(RuntimeError),
        ):
            self.run_import(path)
        self.assertEqual(list(Allocation.objects.values_list("external_id", "amount")), before)
        self.assertEqual(Organisation.objects.count(), 1)

    def test_it_reads_windows_1252_semicolons_and_quoted_line_breaks(self):
        text = 'saksnummer;prosjektnavn;søker;kommune;innvilget beløp;vedtaksdato;status\r\n2024/1;"Fjøs og\r\nførjulsmarked";Bonde Ås;Målselv;"1.234.567,50";01.02.2024;innvilget\r\n'
        result = self.run_import(self.write("sak.csv", text, "cp1252"))
        self.assertEqual(result.created, 1)
        a = Allocation.objects.get()
        self.assertEqual(
            (a.external_id, a.title, a.amount), ("2024/1", "Fjøs og\r\nførjulsmarked", Decimal("1234567.50"))
        )
        self.assertEqual(a.current_municipality.number, "5524")

    def test_it_reads_utf8_with_bom_and_the_canonical_headers(self):
        text = '\ufeffexternal_id,title,recipient,org_number,municipality,scheme,funding_source,amount,status,decision_date,year\nX-1,Kai,Karlsøy kommune,940 331 102,1936,Kaier,Troms fylkeskommune,"kr 500 000,-",withdrawn,2019-06-01,\n'
        self.run_import(self.write("c.csv", text))
        a = Allocation.objects.get()
        self.assertEqual(
            (a.org_number, a.status, a.year, a.current_municipality.number), ("940331102", "withdrawn", 2019, "5534")
        )
        self.assertFalse(a.funding_source.is_state)

    def test_it_reads_xlsx_with_typed_cells_and_a_named_sheet(self):
        import datetime as dt

        import xlsxwriter

        path = self.tmp / "grants.xlsx"
        wb = xlsxwriter.Workbook(str(path))
        wb.add_worksheet("Notes").write_row(0, 0, ["nothing here"])
        ws = wb.add_worksheet("Tilsagn")
        ws.write_row(0, 0, ["saksnummer", "søker", "organisasjonsnummer", "kommune", "innvilget beløp", "vedtaksdato"])
        ws.write_row(1, 0, ["2023/7", "Visit Senja AS", 998146933, 5421, 250000.5])
        ws.write_datetime(1, 5, dt.datetime(2023, 4, 1), wb.add_format({"num_format": "dd.mm.yyyy"}))
        wb.close()
        result = self.run_import(path, sheet="Tilsagn")
        self.assertEqual(result.created, 1, result.errors)
        a = Allocation.objects.get()
        self.assertEqual(
            (a.org_number, a.amount, a.decision_date, a.current_municipality.number),
            ("998146933", Decimal("250000.50"), dt.date(2023, 4, 1), "5530"),
        )

    def test_it_finds_the_headers_below_empty_rows_and_right_of_empty_columns(self):
        import xlsxwriter

        path = self.tmp / "offset.xlsx"
        wb = xlsxwriter.Workbook(str(path))
        ws = wb.add_worksheet("Tilsagn")
        ws.write_row(2, 1, ["saksnummer", "søker", "kommune", "innvilget beløp", "vedtaksdato"])
        ws.write_row(3, 1, ["2023/7", "Visit Senja AS", "Senja", 250000, "01.04.2023"])
        ws.write_row(5, 1, ["2023/8", "Noen AS", "Tromsø", "12 x", "02.04.2023"])  # after an empty row
        wb.close()
        result = self.run_import(path)
        self.assertEqual(ImportBatch.objects.get().headers[:2], ["saksnummer", "søker"])
        self.assertEqual([(e.row, e.value) for e in result.errors], [(6, "12 x")])  # as the spreadsheet numbers it
        self.assertEqual(self.run_import(path, skip_invalid=True).created, 1)

    def test_labels_become_alignments_confirmed_by_a_person(self):
        call_command("strategy", "load", "--shipped", stdout=io.StringIO())
        strategy = Strategy.objects.get(authority=self.authority, code="troms-snu-2018")
        focus = list(strategy.elements.filter(kind="focus_area").values_list("code", flat=True)[:2])
        text = f"external_id,recipient,amount,year,labels\nL-1,A AS,1000.01,2020,{focus[0]};{focus[1]}\nL-2,B AS,50,2020,\n"
        self.run_import(self.write("l.csv", text), strategy_code=strategy.code)
        alignment = Alignment.objects.get(allocation__external_id="L-1", strategy=strategy)
        self.assertEqual(alignment.origin, "person")
        parts = AlignmentElement.objects.filter(alignment=alignment)
        self.assertEqual(sum(p.weight for p in parts), 1)
        self.assertEqual(sum(p.amount for p in parts), Decimal("1000.01"))
        self.assertTrue(all(p.assigned for p in parts))

    @override("en")
    def test_labels_without_a_strategy_or_unknown_codes_are_problems(self):
        result = self.run_import(self.write("l.csv", "recipient,amount,year,labels\nA,1,2020,OPP\n"))
        self.assertIn("strategy", result.errors[0].reason)

    def test_an_unknown_layout_needs_a_mapping_which_can_be_saved_and_reused(self):
        path = self.write("u.csv", "Mottakar;Sum kroner;Året\nLag;1 000;2021\n")
        with self.assertRaises(actions.MappingNeeded) as caught:
            self.run_import(path)
        self.assertEqual(caught.exception.suggestion["Mottakar"], "recipient")  # nynorsk, close to «mottaker»
        actions.save_mapping(
            "test", self.authority, "mitt-format", {"Mottakar": "recipient", "Sum kroner": "amount", "Året": "year"}
        )
        self.assertTrue(SavedMapping.objects.filter(name="mitt-format").exists())
        result = self.run_import(path, mapping_name="mitt-format")
        self.assertEqual(result.created, 1)

    def test_dry_run_saves_nothing_but_says_what_would_happen(self):
        result = self.run_import(INNOVASJON_NORGE, dry_run=True)
        self.assertEqual(result.created, 3761)
        self.assertEqual(Allocation.objects.count(), 0)

    def _round_trip(self, fmt: str, suffix: str):
        # Every 8th row of the real file: all layouts of values, in a fraction of the time.
        lines = INNOVASJON_NORGE.read_text(encoding="utf-8").splitlines()
        self.run_import(self.write("subset.csv", "\n".join([lines[0], *lines[1::8]]) + "\n"))
        count = len(lines[1::8])
        path = self.tmp / f"export.{suffix}"
        call_command("export", "allocations", "--format", fmt, "--output", str(path), stdout=io.StringIO())
        fields = [
            "external_id",
            "title",
            "recipient_name",
            "org_number",
            "municipality__number",
            "current_municipality__number",
            "scheme__name",
            "funding_source__name",
            "amount",
            "status",
            "decision_date",
            "year",
            "industry_code",
            "industry_name",
            "municipality_given",
        ]
        before = list(Allocation.objects.order_by("external_id").values_list(*fields))
        Allocation.objects.all().delete()
        Organisation.objects.all().delete()
        result = self.run_import(path)
        self.assertEqual(result.created, count, result.errors[:3])
        after = list(Allocation.objects.order_by("external_id").values_list(*fields))
        return before, after, path

    def test_csv_export_round_trips(self):
        before, after, _ = self._round_trip("csv", "csv")
        self.assertEqual([r[:-1] for r in before], [r[:-1] for r in after])

    def test_xlsx_export_round_trips(self):
        before, after, _ = self._round_trip("xlsx", "xlsx")
        self.assertEqual([r[:-1] for r in before], [r[:-1] for r in after])

    def test_360giving_export_validates_and_round_trips(self):
        before, after, path = self._round_trip("360giving", "json")
        self.assertEqual(exporters.validate_360giving(json.loads(path.read_text())), [])
        self.assertEqual([r[:-1] for r in before], [r[:-1] for r in after])

    def test_the_public_pages_file_loads_with_its_own_mapping(self):
        from snu.imports.demo import load

        load(self.authority, io.StringIO())
        public = (
            Allocation.objects.filter(tags__contains="public-page")
            if False
            else Allocation.objects.exclude(source_url="")
        )
        self.assertEqual(public.count(), 73)
        kdd = FundingSource.objects.get(name__startswith="KDD")
        self.assertTrue(kdd.is_state)
        self.assertFalse(FundingSource.objects.get(name="Troms Holding AS").is_state)

    def test_a_mapping_object_can_be_passed_in(self):
        path = self.write("m.csv", "A;B;C\nLag;1 000;2021\n")
        mapping = Mapping({"A": "recipient", "B": "amount", "C": "year"})
        self.assertEqual(self.run_import(path, mapping=mapping).created, 1)
