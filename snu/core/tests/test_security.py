"""Security settings: the deploy check, headers, cookies, password hashing, secrets, and the login rate limit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from snu.core.models import LoginFailure
from snu.test import PASSWORD, BaseTestCase

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION_ENV = {"SNU_HTTPS": "1", "SNU_DEBUG": "0", "SNU_SECRET_KEY": "x" * 20 + "-production-secret-" + "y" * 40}


def _manage(*args: str, env: dict[str, str], tmp: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SNU_") and k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env={**clean, "SNU_DATA_DIR": tmp, **env},
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_it_passes_the_deploy_check_with_production_settings(tmp_path):
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV, tmp=str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_to_start_in_production_without_a_secret_key_from_the_environment(tmp_path):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SNU_SECRET_KEY"}
    result = _manage("check", env=env, tmp=str(tmp_path))
    assert result.returncode != 0
    assert "SNU_SECRET_KEY" in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_it_hashes_passwords_with_a_current_algorithm():
    # The suite swaps in MD5 for speed (snu/conftest.py); the configured list is read from the settings module.
    from snu import settings as snu_settings

    assert snu_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert "MD5" not in " ".join(snu_settings.PASSWORD_HASHERS)


class PasswordLoginTestCase(BaseTestCase):
    def setUp(self):
        # The personas were hashed before the suite's fast hasher was switched on; hash again so real logins work.
        for user in (self.reader, self.advisor):
            user.set_password(PASSWORD)
            user.save()


class SecurityHeadersTestCase(PasswordLoginTestCase):
    def test_it_sends_a_strict_content_security_policy(self):
        response = self.client.get("/about/")
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp
        assert "unsafe-eval" not in csp
        assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
        assert "frame-ancestors 'none'" in csp
        assert "object-src 'none'" in csp

    def test_it_sends_the_other_security_headers(self):
        response = self.client.get("/login/")
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
        assert "camera=()" in response.headers["Permissions-Policy"]

    def test_it_sets_session_cookies_http_only_and_same_site(self):
        assert settings.SESSION_COOKIE_HTTPONLY
        assert settings.SESSION_COOKIE_SAMESITE == "Lax"
        response = self.client.post("/login/", {"username": "reader", "password": PASSWORD})
        cookie = response.cookies[settings.SESSION_COOKIE_NAME]
        assert cookie["httponly"]
        assert cookie["samesite"] == "Lax"

    def test_it_refuses_a_post_without_a_csrf_token(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.advisor)
        response = client.post("/logout/")
        assert response.status_code == 403
        response = Client(enforce_csrf_checks=True).post("/login/", {"username": "reader", "password": PASSWORD})
        assert response.status_code == 403


class LoginRateLimitTestCase(PasswordLoginTestCase):
    def _fail(self, username: str = "reader", ip: str = "10.0.0.1"):
        return self.client.post("/login/", {"username": username, "password": "wrong"}, REMOTE_ADDR=ip)

    @override_settings(SNU_LOGIN_MAX_FAILURES=3)
    def test_it_refuses_logins_after_too_many_failures_with_a_message(self):
        for _ in range(3):
            assert self._fail().status_code == 200
        response = self.client.post(
            "/login/", {"username": "reader", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1", HTTP_ACCEPT_LANGUAGE="nb"
        )
        assert response.status_code == 429
        self.assertContains(response, "For mange mislykkede", status_code=429)
        assert "_auth_user_id" not in self.client.session

    @override_settings(SNU_LOGIN_MAX_FAILURES=3)
    def test_it_counts_per_username_and_address(self):
        for _ in range(3):
            self._fail()
        other_address = self.client.post(
            "/login/", {"username": "reader", "password": PASSWORD}, REMOTE_ADDR="10.0.0.2"
        )
        assert other_address.status_code == 302
        self.client.logout()
        other_user = self.client.post("/login/", {"username": "advisor", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
        assert other_user.status_code == 302

    @override_settings(SNU_LOGIN_MAX_FAILURES=3)
    def test_it_ignores_the_case_of_the_username(self):
        for name in ("reader", "READER", "Reader"):
            self._fail(name)
        assert self._fail("rEaDeR").status_code == 429

    @override_settings(SNU_LOGIN_MAX_FAILURES=3)
    def test_it_forgets_failures_after_a_successful_login(self):
        self._fail()
        self._fail()
        ok = self.client.post("/login/", {"username": "reader", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
        assert ok.status_code == 302
        assert not LoginFailure.objects.filter(username="reader").exists()

    @override_settings(SNU_LOGIN_MAX_FAILURES=2, SNU_LOGIN_WINDOW_SECONDS=60)
    def test_it_lets_the_user_in_again_when_the_window_has_passed(self):
        self._fail()
        self._fail()
        assert self._fail().status_code == 429
        LoginFailure.objects.update(at=LoginFailure.objects.first().at - __import__("datetime").timedelta(minutes=2))
        ok = self.client.post("/login/", {"username": "reader", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
        assert ok.status_code == 302

    def test_it_reads_the_address_from_the_proxy_only_when_told_to(self):
        with override_settings(SNU_LOGIN_MAX_FAILURES=1):
            self.client.post(
                "/login/",
                {"username": "reader", "password": "wrong"},
                REMOTE_ADDR="127.0.0.1",
                HTTP_X_FORWARDED_FOR="1.2.3.4",
            )
            assert LoginFailure.objects.get().ip == "127.0.0.1"
        with override_settings(SNU_TRUST_X_FORWARDED_FOR=True):
            self.client.post(
                "/login/",
                {"username": "advisor", "password": "wrong"},
                REMOTE_ADDR="127.0.0.1",
                HTTP_X_FORWARDED_FOR="6.6.6.6, 1.2.3.4",
            )
            assert LoginFailure.objects.get(username="advisor").ip == "1.2.3.4"
        assert reverse("login") == "/login/"
