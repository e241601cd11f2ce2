from __future__ import annotations

from django.test import TestCase

from snu.grants.models import Municipality
from snu.grants.municipalities import MunicipalityError, MunicipalityResolver, name_forms, normalise_name


class MunicipalityResolverTestCase(TestCase):
    def setUp(self):
        self.resolver = MunicipalityResolver("55")

    def numbers(self, text, year=None):
        r = self.resolver.resolve(text, year)
        by_id = self.resolver.number_of_id
        return by_id.get(r.municipality_id), by_id.get(r.current_id)

    def test_it_maps_pre_2020_names_to_todays_municipality(self):
        self.assertEqual(self.numbers("Lenvik"), ("1931", "5530"))
        self.assertEqual(self.numbers("Skånland"), ("1913", "5512"))
        self.assertEqual(self.numbers("Bjarkøy", 2011), ("1915", "5503"))

    def test_it_reads_numbers_from_every_numbering(self):
        self.assertEqual(self.numbers("1902"), ("1902", "5501"))
        self.assertEqual(self.numbers("5401"), ("5401", "5501"))
        self.assertEqual(self.numbers("5501"), ("5501", "5501"))
        self.assertEqual(self.numbers("5421 Senja"), ("5421", "5530"))
        self.assertEqual(self.numbers("301"), ("0301", "0301"))

    def test_it_knows_sami_and_kven_names(self):
        self.assertEqual(self.numbers("Gáivuotna")[1], "5540")
        self.assertEqual(self.numbers("Kaivuono")[1], "5540")
        self.assertEqual(self.numbers("Dielddanuorri")[1], "5512")
        self.assertEqual(self.numbers("Hárstták")[1], "5503")
        self.assertEqual(self.numbers("ráisa")[1], "5544")

    def test_it_ignores_case_dashes_and_the_word_kommune(self):
        self.assertEqual(self.numbers("STORFJORD KOMMUNE")[1], "5538")
        self.assertEqual(self.numbers("Loabák – Lavangen")[1], "5518")

    def test_a_split_municipality_is_flagged_for_a_person(self):
        r = self.resolver.resolve("1850")
        self.assertTrue(r.needs_review)
        split = Municipality.objects.get(number="1850")
        shares = dict(split.successors.values_list("successor__number", "share"))
        self.assertEqual(set(shares), {"1875", "1806"})
        self.assertEqual(split.current.number, "1875")

    def test_a_county_is_not_a_municipality_but_not_an_error(self):
        r = self.resolver.resolve("Troms")
        self.assertTrue(r.county_level)
        self.assertIsNone(r.municipality_id)
        self.assertTrue(self.resolver.resolve("(Nord-Troms)").county_level)

    def test_unknown_and_ambiguous_names_are_errors(self):
        with self.assertRaises(MunicipalityError):
            self.resolver.resolve("Atlantis")
        with self.assertRaisesRegex(MunicipalityError, "ambiguous"):
            self.resolver.resolve("Herøy")
        with self.assertRaises(MunicipalityError):
            self.resolver.resolve("9999")

    def test_it_splits_names_into_their_forms(self):
        self.assertEqual(
            name_forms("Nordreisa - Ráisa - Raisi"), ["Nordreisa - Ráisa - Raisi", "Nordreisa", "Ráisa", "Raisi"]
        )
        self.assertEqual(normalise_name(" Tromsø  kommune "), "tromsø")
