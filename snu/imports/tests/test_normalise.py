from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.test import SimpleTestCase
from django.utils.translation import override

from snu.imports.layouts import normalise_header, recognise, suggest
from snu.imports.normalise import check_org_number, guess_org_form, parse_date
from snu.imports.readers import detect_delimiter, detect_encoding
from snu.lib.money import parse_amount


class NormaliseTestCase(SimpleTestCase):
    def test_it_reads_norwegian_amounts(self):
        self.assertEqual(parse_amount("1 234 567"), Decimal("1234567.00"))
        self.assertEqual(parse_amount("1.234.567,50"), Decimal("1234567.50"))
        self.assertEqual(parse_amount("kr 1 234 567,-"), Decimal("1234567.00"))
        self.assertEqual(parse_amount("-50 000"), Decimal("-50000.00"))

    def test_it_reads_dates_in_every_common_form(self):
        self.assertEqual(parse_date("18.05.11"), dt.date(2011, 5, 18))
        self.assertEqual(parse_date("18.05.2011"), dt.date(2011, 5, 18))
        self.assertEqual(parse_date("2011-05-18"), dt.date(2011, 5, 18))
        self.assertEqual(parse_date("2011-05-18T00:00:00"), dt.date(2011, 5, 18))
        self.assertEqual(parse_date(40681), dt.date(2011, 5, 18))
        self.assertEqual(parse_date("40681"), dt.date(2011, 5, 18))
        with self.assertRaises(ValueError):
            parse_date("31.02.2011")

    @override("en")
    def test_it_checks_organisation_numbers(self):
        self.assertIsNone(check_org_number("871404062"))
        self.assertIn("check digit", check_org_number("871404063"))
        self.assertIn("9 digits", check_org_number("87140406"))

    def test_it_guesses_the_organisation_form(self):
        self.assertEqual(guess_org_form("LANDBRUK NORD SA"), "SA")
        self.assertEqual(guess_org_form("Visit Senja AS"), "AS")
        self.assertEqual(guess_org_form("Karlsøy kommune"), "KOMM")
        self.assertEqual(guess_org_form("Enkeltpersonforetak 0001 (anonymisert)"), "ENK")

    def test_it_detects_encoding_and_delimiter(self):
        self.assertEqual(detect_encoding("æøå".encode("cp1252")), "cp1252")
        self.assertEqual(detect_encoding("\ufeffæøå".encode()), "utf-8-sig")
        self.assertEqual(detect_encoding("æøå".encode()), "utf-8")
        self.assertEqual(detect_delimiter("a;b;c\n1;2;3\n"), ";")
        self.assertEqual(detect_delimiter("a\tb\tc\n1\t2\t3\n"), "\t")

    def test_it_recognises_known_layouts_by_their_headers(self):
        innovasjon = [
            "Fylkesnavn",
            "Kommunenavn",
            "Org.nr",
            "Navn",
            "Innvilget.beløp",
            "Virkemiddelgruppe",
            "Innvilget.dato",
            "Beslutningsenhet",
            "Næringshovedområde",
            "Næring",
        ]
        self.assertEqual(recognise(innovasjon).layout, "innovasjon_norge")
        case = [
            "Saksnummer",
            "Prosjektnavn",
            "Søker",
            "Organisasjonsnummer",
            "Kommune",
            "Tilskuddsordning",
            "Innvilget beløp",
            "Vedtaksdato",
            "Status",
        ]
        mapping = recognise(case)
        self.assertEqual(mapping.layout, "case_system")
        self.assertEqual(mapping.columns["Innvilget beløp"], "amount")
        self.assertIsNone(recognise(["Kolonne A", "Beløpet"]))

    def test_it_suggests_mappings_for_unknown_headers(self):
        self.assertEqual(
            suggest(["Tilskuddsmottaker", "Sum innvilget", "Sak"]),
            {"Tilskuddsmottaker": "recipient", "Sum innvilget": "", "Sak": "external_id"},
        )
        self.assertEqual(normalise_header("Innvilget.beløp"), normalise_header("innvilget beløp"))
