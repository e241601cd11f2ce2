"""A file cache that does not list its whole folder on every write.

Django's `FileBasedCache.set` first lists every file in the folder to see whether `MAX_ENTRIES` is reached
(`_cull`). Kept results are written often (every kept page made again, every result computed at a new version), and
the folder holds thousands of entries: at 6,000 entries the listing costs about 9 ms of CPU per write, at the
20,000 of `MAX_ENTRIES` about 30 ms. `FileCache` looks at most once a minute per process thread; between two looks
the folder may grow past `MAX_ENTRIES` by what was written meanwhile, which the next look culls.
"""

from __future__ import annotations

import time

from django.core.cache.backends.filebased import FileBasedCache

CULL_EVERY_SECONDS = 60.0


class FileCache(FileBasedCache):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._next_cull = 0.0  # Django makes one backend object per thread: no lock needed

    def _cull(self) -> None:
        now = time.monotonic()
        if now < self._next_cull:
            return
        self._next_cull = now + CULL_EVERY_SECONDS
        super()._cull()  # type: ignore[misc]  # private in the stubs, stable in Django since 1.x
