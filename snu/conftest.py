"""Test settings applied to the whole suite."""

import os
from pathlib import Path

import pytest


def pytest_configure(config):
    """Each xdist worker keeps its kept results in a cache folder of its own: the workers share `SNU_DATA_DIR`, and
    a test that clears the cache (a committed set-up does) must not empty another worker's in the middle of a test."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        from django.conf import settings

        cache = settings.CACHES["default"]
        if "LOCATION" in cache:
            cache["LOCATION"] = str(Path(cache["LOCATION"]) / worker)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
