"""A web process answers in several threads: they share one model per strategy and never trip over its cache."""

from __future__ import annotations

import threading
import time
from unittest import mock

from django.core.cache import cache
from django.db import connection
from django.test import TransactionTestCase

from snu.classify import engine
from snu.classify.tests.helpers import DATA
from snu.core.actions import create_authority
from snu.strategy.actions import load_file


class ModelCacheThreadTests(TransactionTestCase):
    def setUp(self) -> None:
        cache.clear()
        engine.forget_models()
        authority = create_authority(None, code="troms", name="Troms fylkeskommune", region_name="Troms")
        self.strategy = load_file(None, authority, DATA / "troms-2023.yaml")

    def tearDown(self) -> None:
        engine.forget_models()

    def test_threads_asking_at_once_share_one_model_built_once(self):
        built = []

        def slow_zero_shot(strategy, corpus=None):
            time.sleep(0.2)  # long enough for every thread to arrive while the first one builds
            model = object()
            built.append(model)
            return model

        results, errors = [], []
        start = threading.Barrier(6)

        def ask() -> None:
            try:
                start.wait()
                results.append(engine._current_model(self.strategy)[0])
            except Exception as exc:  # pragma: no cover - the assertion below shows it
                errors.append(exc)
            finally:
                connection.close()

        with mock.patch.object(engine, "zero_shot_model", slow_zero_shot):
            threads = [threading.Thread(target=ask) for _ in range(6)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(30)
        self.assertEqual(errors, [])
        self.assertEqual(len(results), 6)
        self.assertEqual(len(built), 1, "the model should be built by one thread and shared")
        self.assertTrue(all(r is built[0] for r in results))
