"""`snu.core.cache.FileCache`: a write does not list the whole cache folder, and the folder is still culled."""

from __future__ import annotations

import tempfile
from unittest import mock

from django.test import SimpleTestCase

from snu.core import cache as file_cache
from snu.core.cache import FileCache


class FileCacheTests(SimpleTestCase):
    def make(self, folder: str) -> FileCache:
        return FileCache(folder, {"OPTIONS": {"MAX_ENTRIES": 10, "CULL_FREQUENCY": 2}})

    def test_it_lists_the_folder_at_most_once_a_minute_per_process_thread(self):
        with tempfile.TemporaryDirectory() as folder:
            cache = self.make(folder)
            with mock.patch.object(cache, "_list_cache_files", wraps=cache._list_cache_files) as listing:
                for i in range(50):
                    cache.set(f"k{i}", i)
            self.assertEqual(listing.call_count, 1, "Django's file cache lists the folder on every write")
            self.assertEqual(cache.get("k49"), 49)

    def test_it_still_culls_a_full_folder_on_its_next_look(self):
        with tempfile.TemporaryDirectory() as folder:
            cache = self.make(folder)
            for i in range(30):
                cache.set(f"k{i}", i)
            self.assertEqual(len(cache._list_cache_files()), 30, "between looks the folder may grow")
            with mock.patch.object(file_cache.time, "monotonic", return_value=10**9):  # a minute and more later
                cache.set("late", 1)
            self.assertLessEqual(len(cache._list_cache_files()), 16, "the next look culls half of a full folder")
