"""`snu backup` / `snu restore`: every row of every table survives, within one engine and between SQLite and
PostgreSQL in both directions. The tables are enumerated from the app registry, so new models are covered."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path
from typing import Any

import dj_database_url
import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections, models

from snu.core import backup
from snu.core.actions import create_authority
from snu.core.models import AuditEntry, Authority, Membership
from snu.test import BaseTestCase

ROOT = Path(__file__).resolve().parents[3]
POSTGRES = os.environ.get("SNU_TEST_POSTGRES_SERVER", "postgres://postgres@127.0.0.1:5432")


def _comparable(obj: models.Model, field: models.Field, labels: set[str]) -> Any:
    if field.is_relation and field.related_model._meta.label_lower not in labels:  # type: ignore[union-attr]
        target = getattr(obj, field.name)
        return target.natural_key() if target is not None else None
    value = field.value_from_object(obj)
    return bytes(value) if isinstance(value, memoryview) else value


def table_rows(using: str = "default") -> dict[str, list[tuple]]:
    """Every row of every backed-up table, field by field, for comparing two databases."""
    chosen = backup.backup_models()
    labels = {m._meta.label_lower for m in chosen}
    return {
        model._meta.label_lower: [
            tuple(_comparable(obj, f, labels) for f in model._meta.local_concrete_fields)
            for obj in model._base_manager.using(using).order_by("pk")
        ]
        for model in chosen
    }


def assert_same_tables(before: dict[str, list[tuple]], after: dict[str, list[tuple]]) -> None:
    assert before.keys() == after.keys()
    for label, rows in before.items():
        assert len(after[label]) == len(rows), label
        for old, new in zip(rows, after[label], strict=True):
            assert old == new, (label, old, new)


def test_it_backs_up_every_model_of_every_snu_app_and_the_users():
    labels = {m._meta.label_lower for m in backup.backup_models()}
    expected = {
        m._meta.label_lower
        for m in apps.get_models(include_auto_created=True)
        if m._meta.app_config.name.startswith("snu.") and m._meta.managed and not m._meta.proxy
    }
    # The data version is a cache key: a restore moves it on instead of copying it.
    assert expected - {"core.dataversion"} <= labels
    assert "core.dataversion" not in labels
    assert {"auth.user", "auth.user_groups", "core.auditentry", "core.membership"} <= labels
    assert "sessions.session" not in labels


class BackupTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        call_command("strategy", "load", "--shipped", "--authority", "troms", verbosity=0)

    def _backup(self) -> Path:
        path = Path(self._tmp) / "snu.zip"
        call_command("backup", str(path), verbosity=0)
        return path

    def setUp(self):
        import tempfile

        self._tmp = tempfile.mkdtemp(prefix="snu-backup-test-")

    def test_it_round_trips_every_table_exactly(self):
        before = table_rows()
        assert before["strategy.element"] and before["core.auditentry"] and before["auth.user"]
        path = self._backup()
        call_command("restore", str(path), "--force", "--no-migrate", verbosity=0)
        assert_same_tables(before, table_rows())

    def test_it_writes_a_manifest_with_format_version_migrations_and_counts(self):
        path = self._backup()
        manifest = backup.read_manifest(path)
        assert manifest["format"] == "snu-backup" and manifest["version"] == backup.VERSION
        assert manifest["models"]["core.authority"] == 2
        assert "0001_initial" in manifest["migrations"]["core"]
        with zipfile.ZipFile(path) as archive:
            assert "data/auth.user.jsonl" in archive.namelist()

    def test_it_keeps_timestamps_and_password_hashes(self):
        authority = Authority.objects.get(code="troms")
        Authority.objects.filter(pk=authority.pk).update(created_at="2020-01-02T03:04:05Z")
        hashed = get_user_model().objects.get(username="reader").password
        path = self._backup()
        call_command("restore", str(path), "--force", "--no-migrate", verbosity=0)
        assert Authority.objects.get(code="troms").created_at.year == 2020
        assert get_user_model().objects.get(username="reader").password == hashed

    def test_it_refuses_a_database_with_data_unless_forced(self):
        path = self._backup()
        with self.assertRaisesMessage(CommandError, "not empty"):
            call_command("restore", str(path), "--no-migrate", verbosity=0)

    def test_it_restores_into_an_emptied_database_and_new_rows_get_fresh_ids(self):
        before = table_rows()
        path = self._backup()
        for model in reversed(backup.backup_models()):
            model._base_manager.all()._raw_delete("default")
        call_command("restore", str(path), "--no-migrate", verbosity=0)
        assert_same_tables(before, table_rows())
        created = create_authority(None, code="finnmark", name="Finnmark", region_name="Finnmark")
        assert created.pk > max(pk for pk, *_ in before["core.authority"])
        assert AuditEntry.objects.filter(object_id=str(created.pk), object_type="core.authority").exists()

    def test_it_changes_nothing_when_the_backup_is_broken(self):
        path = self._backup()
        broken = Path(self._tmp) / "broken.zip"
        with zipfile.ZipFile(path) as source, zipfile.ZipFile(broken, "w") as target:
            for name in source.namelist():
                data = source.read(name)
                if name == "data/core.membership.jsonl":
                    data += b'{"id": 999, "user_id": 1, "authority_id": 1, "role": "reader", "nonsense": 1}\n'
                target.writestr(name, data)
        before = table_rows()
        with self.assertRaisesMessage(CommandError, "nonsense"):
            call_command("restore", str(broken), "--force", "--no-migrate", verbosity=0)
        assert_same_tables(before, table_rows())
        assert Membership.objects.count() == 4

    def test_it_refuses_a_file_that_is_not_a_backup(self):
        junk = Path(self._tmp) / "junk.zip"
        junk.write_bytes(b"not a zip")
        with self.assertRaisesMessage(CommandError, "not an SNU backup"):
            call_command("restore", str(junk), "--no-migrate", verbosity=0)
        other = Path(self._tmp) / "other.zip"
        with zipfile.ZipFile(other, "w") as archive:
            archive.writestr("manifest.json", json.dumps({"format": "snu-backup", "version": 99, "models": {}}))
        with self.assertRaisesMessage(CommandError, "version 99"):
            call_command("restore", str(other), "--no-migrate", verbosity=0)

    def test_it_refuses_a_backup_from_a_newer_schema(self):
        path = self._backup()
        newer = Path(self._tmp) / "newer.zip"
        with zipfile.ZipFile(path) as source, zipfile.ZipFile(newer, "w") as target:
            for name in source.namelist():
                data = source.read(name)
                if name == "manifest.json":
                    manifest = json.loads(data)
                    manifest["migrations"]["core"].append("9999_from_the_future")
                    data = json.dumps(manifest).encode()
                target.writestr(name, data)
        with self.assertRaisesMessage(CommandError, "snu migrate"):
            call_command("restore", str(newer), "--force", "--no-migrate", verbosity=0)


# Between engines: real `snu` processes against a SQLite file and scratch PostgreSQL databases.


def _postgres_reachable() -> bool:
    try:
        import psycopg

        psycopg.connect(f"{POSTGRES}/postgres", connect_timeout=3).close()
    except Exception:
        return False
    return True


def _snu(database_url: str, data_dir: Path, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "SNU_TEST_DB_NAME"}}
    env.update({"DATABASE_URL": database_url, "SNU_DATA_DIR": str(data_dir)})
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args], env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, f"snu {' '.join(args)} failed:\n{result.stdout}\n{result.stderr[-3000:]}"


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _open(alias: str, url: str) -> None:
    config = dj_database_url.parse(url)
    configured = connections.configure_settings({"default": dict(connections.settings["default"]), alias: config})
    connections.settings[alias] = configured[alias]


def _close(alias: str) -> None:
    if alias in connections.settings:
        connections[alias].close()
        del connections.settings[alias]


@pytest.mark.skipif(not _postgres_reachable(), reason=f"PostgreSQL is not reachable at {POSTGRES}")
def test_it_round_trips_between_sqlite_and_postgresql_both_ways(tmp_path, django_db_blocker):
    name = f"snu_backup_rt_{uuid.uuid4().hex[:10]}"
    sqlite_source = f"sqlite:///{tmp_path / 'source.sqlite3'}"
    sqlite_target = f"sqlite:///{tmp_path / 'target.sqlite3'}"
    postgres = f"{POSTGRES}/{name}"
    _admin(f'CREATE DATABASE "{name}"')
    try:
        _snu(sqlite_source, tmp_path, "demo", "--no-serve")
        _snu(sqlite_source, tmp_path, "backup", str(tmp_path / "from_sqlite.zip"))
        _snu(postgres, tmp_path, "restore", str(tmp_path / "from_sqlite.zip"))
        _snu(postgres, tmp_path, "backup", str(tmp_path / "from_postgres.zip"))
        _snu(sqlite_target, tmp_path, "restore", str(tmp_path / "from_postgres.zip"))
        with django_db_blocker.unblock():
            for alias, url in (("rt_source", sqlite_source), ("rt_pg", postgres), ("rt_target", sqlite_target)):
                _open(alias, url)
            try:
                source = table_rows("rt_source")
                assert sum(len(rows) for rows in source.values()) > 100
                assert_same_tables(source, table_rows("rt_pg"))
                assert_same_tables(source, table_rows("rt_target"))
            finally:
                for alias in ("rt_source", "rt_pg", "rt_target"):
                    _close(alias)
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
