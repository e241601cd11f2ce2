from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path

from django.core.management import call_command

from snu.classify import actions
from snu.classify.models import Alignment
from snu.classify.tests.helpers import ALLOCATIONS, ClassifyData
from snu.test import BaseTestCase


class CommandsTestCase(ClassifyData, BaseTestCase):
    def run_command(self, *args) -> str:
        out = io.StringIO()
        call_command(*args, stdout=out)
        return out.getvalue()

    def test_it_classifies_and_prints_counts_and_time(self):
        out = self.run_command("classify", "--strategy", "troms-snu-2018")
        self.assertIn(f"{len(self.allocations)} created", out)
        self.assertIn("/s)", out)
        out = self.run_command("classify", "--strategy", "troms-snu-2018", "--new")
        self.assertIn(f"{len(self.allocations)} skipped", out)

    def test_it_never_overwrites_a_person_with_all(self):
        self.run_command("classify")
        alignment = Alignment.objects.get(allocation=self.allocations[0], strategy=self.snu2018)
        actions.correct_alignment(self.advisor, alignment, primary="SVS")
        out = self.run_command("classify", "--strategy", "troms-snu-2018", "--all")
        self.assertIn("1 kept", out)
        alignment.refresh_from_db()
        self.assertEqual(alignment.primary.code, "SVS")

    def test_it_exports_alignments_as_csv(self):
        self.run_command("classify", "--strategy", "troms-snu-2018")
        path = Path(tempfile.mkdtemp()) / "a.csv"
        self.run_command("export", "alignments", "--strategy", "troms-snu-2018", "--output", str(path))
        rows = list(csv.DictReader(path.open(encoding="utf-8")))
        self.assertEqual(
            list(rows[0]), ["external_id", "kind", "code", "score", "assigned", "primary", "weight", "origin"]
        )
        primaries = [r for r in rows if r["external_id"] == "2020-0000" and r["primary"] == "1"]
        self.assertEqual([r["code"] for r in primaries], ["OPP"])
        self.assertTrue(all(float(r["score"]) > 0 for r in rows))

    def test_it_evaluates_a_labelled_canonical_csv_beside_baselines(self):
        path = Path(tempfile.mkdtemp()) / "labelled.csv"
        codes = ["OPP", "SIRK", "NIM", "SVS", "OPP", "NIM"]
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["external_id", "title", "description", "industry_code", "amount", "year", "labels"])
            for copy in range(3):
                for i, ((title, description, nace, amount), code) in enumerate(zip(ALLOCATIONS, codes, strict=True)):
                    writer.writerow([f"{copy}-{i}", title, description, nace, amount, 2020, code])
        out = self.run_command("evaluate", str(path), "--strategy", "troms-snu-2018", "--folds", "3")
        for text in ("zero-shot", "k-fold", "majority", "TF-IDF", "primary acc", "Precision / recall / F1"):
            self.assertIn(text, out)
        figures = json.loads(
            self.run_command("evaluate", str(path), "--strategy", "troms-snu-2018", "--folds", "3", "--json")
        )
        self.assertEqual(figures["rows"], 18)
        self.assertIn("focus_area", figures["zero_shot"]["macro_f1"])
