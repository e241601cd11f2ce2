"""Every URL of the app, visited as every persona, answers with an allowed status.

The URLs are read from the resolver when the test runs, so a page added by any app is visited too. Each URL
name needs an access rule in ACCESS and, if it takes arguments, a sample in SAMPLES (filled from the demo
data of every app); a URL without them fails `test_it_has_a_rule_for_every_url`.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterator
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from snu.core.management.commands.demo import DEMO_APPS
from snu.test import BaseTestCase

PUBLIC, READ, EDIT, ADMIN = "public", "read", "edit", "admin"
POST_ONLY, ADMIN_POST_ONLY, PUBLIC_POST_ONLY = "post-only", "admin-post-only", "public-post-only"

# Who may see what. PUBLIC: anyone. READ: members (reader and up). EDIT: advisors and administrators.
# ADMIN: administrators. POST_ONLY: an action without a page (GET is 405 or a redirect for those allowed).
ACCESS: dict[str, str] = {
    "home": PUBLIC,
    "login": PUBLIC,
    "logout": POST_ONLY,
    "about": PUBLIC,
    "set_language": PUBLIC_POST_ONLY,
    "core:audit_log": ADMIN,
    "core:object_audit": READ,
    "strategy:list": READ,
    "strategy:detail": READ,
    "strategy:edit": EDIT,
    "strategy:yaml": READ,
    "strategy:element_new": EDIT,
    "strategy:element": READ,
    "strategy:element_edit": EDIT,
    "grants:allocation_list": READ,
    "grants:allocation_detail": READ,
    "imports:index": EDIT,
    "imports:batch": EDIT,
    "imports:progress": EDIT,
    "imports:errors": EDIT,
    "imports:skipped": EDIT,
    "classify:review": EDIT,
    "classify:bulk_accept": EDIT,
    "classify:decide": POST_ONLY,
    "classify:allocation": READ,
    "classify:element_allocations": READ,
    "analytics:dashboard": READ,
    "analytics:dashboard_json": READ,
    "analytics:panel": READ,
    "analytics:allocations": READ,
    "analytics:allocations_export": READ,
    "plans:index": READ,
    "plans:plan_new": EDIT,
    "plans:plan": READ,
    "plans:plan_edit": EDIT,
    "plans:revision_start": POST_ONLY,
    "plans:revision": READ,
    "plans:diff": READ,
    "plans:adopt": POST_ONLY,
    "plans:brief": READ,
    "plans:brief_pdf": READ,
    "plans:measure_new": EDIT,
    "plans:measure": READ,
    "plans:measure_edit": EDIT,
    "plans:measure_stop": EDIT,
    "plans:measure_remove": POST_ONLY,
    "plans:measure_report": POST_ONLY,
    "plans:measure_link": POST_ONLY,
    "plans:evaluate": EDIT,
    "plans:indicator_new": EDIT,
    "plans:indicator": READ,
    "plans:indicator_edit": EDIT,
    "plans:proposal_new": EDIT,
    "plans:proposal_decide": POST_ONLY,
    "partners:index": READ,
    "partners:partner_new": EDIT,
    "partners:import": EDIT,
    "partners:coverage": READ,
    "partners:network": READ,
    "partners:partner": READ,
    "partners:partner_edit": EDIT,
    "partners:partner_delete": EDIT,
    "partners:partner_fill": POST_ONLY,
    "partners:arenas": READ,
    "partners:arena_new": EDIT,
    "partners:arena": READ,
    "partners:arena_edit": EDIT,
    "partners:arena_delete": EDIT,
    "partners:arena_activity_add": POST_ONLY,
    "partners:arena_activity_delete": POST_ONLY,
    "partners:agreements": READ,
    "partners:agreement_new": EDIT,
    "partners:agreement": READ,
    "partners:agreement_edit": EDIT,
    "partners:agreement_delete": EDIT,
    "signals:index": READ,
    "signals:signal_new": EDIT,
    "signals:signal": READ,
    "signals:signal_edit": EDIT,
    "signals:signal_delete": EDIT,
    "signals:signal_review": POST_ONLY,
    "signals:signal_propose": POST_ONLY,
    "reports:index": READ,
    "reports:preview": READ,
    "reports:download": READ,
    "reports:texts": EDIT,
    # The API's description is public, like any open API's documentation; its data is not.
    "api:schema": PUBLIC,
    "api:docs": PUBLIC,
    "api:tokens": ADMIN,
    "api:token_revoke": ADMIN_POST_ONLY,
    "api:strategy-list": READ,
    "api:strategy-detail": READ,
    "api:element-list": READ,
    "api:element-detail": READ,
    "api:allocation-list": READ,
    "api:allocation-detail": READ,
    "api:scheme-list": READ,
    "api:scheme-detail": READ,
    "api:funding-source-list": READ,
    "api:funding-source-detail": READ,
    "api:alignment-list": READ,
    "api:alignment-detail": READ,
    "api:alignment-confirm": POST_ONLY,
    "api:alignment-correct": POST_ONLY,
    "api:plan-list": READ,
    "api:plan-detail": READ,
    "api:plan-revision-list": READ,
    "api:plan-revision-detail": READ,
    "api:measure-list": READ,
    "api:measure-detail": READ,
    "api:partner-list": READ,
    "api:partner-detail": READ,
    "api:agreement-list": READ,
    "api:agreement-detail": READ,
    "api:arena-list": READ,
    "api:arena-detail": READ,
    "api:signal-list": READ,
    "api:signal-detail": READ,
    "api:signal-review": POST_ONLY,
    "public:index": PUBLIC,
    "public:allocations": PUBLIC,
    "public:csv": PUBLIC,
    "public:json360": PUBLIC,
    "public:about": PUBLIC,
    "public:focus_areas": PUBLIC,
    "public:focus_area": PUBLIC,
    "public:municipalities": PUBLIC,
    "public:municipality": PUBLIC,
    "public:allocation": PUBLIC,
}

RANK = {"anonymous": 0, "reader": 1, "advisor": 2, "admin": 3}
NEEDED = {PUBLIC: 0, READ: 1, EDIT: 2, ADMIN: 3, POST_ONLY: 2, ADMIN_POST_ONLY: 3, PUBLIC_POST_ONLY: 0}
DENIED_ANONYMOUS = {302, 401, 403}  # a page sends you to the login; the API answers 401/403
ALLOWED_OK = {200}
ALLOWED_POST_ONLY = {302, 405}


def _first(model_path: str, **lookup: Any) -> Any:
    app, name = model_path.rsplit(".", 1)
    model = getattr(import_module(f"snu.{app}.models"), name)
    obj = model._default_manager.filter(**lookup).order_by("pk").first()
    if obj is None:
        raise LookupError(f"no {model_path} in the demo data")
    return obj


def _plan(ctx: dict) -> dict:
    return {"pk": ctx["plan"].pk}


def _revision(ctx: dict) -> dict:
    return {"pk": ctx["revision"].plan_id, "number": ctx["revision"].number}


def _measure(ctx: dict) -> dict:
    return {**_revision(ctx), "key": ctx["measure"].key}


def _panel_name() -> str:
    from snu.analytics import queries

    return next(iter(queries.PANELS))


def _public_focus_area(authority: Any) -> Any:
    from snu.public import queries

    strategy = queries.public_strategy(authority)
    return _first("strategy.Element", strategy=strategy, kind="focus_area")


def _pk(name: str) -> Callable[[dict], dict]:
    return lambda ctx: {"pk": ctx[name].pk}


SAMPLES: dict[str, Callable[[dict], dict]] = {
    "core:object_audit": lambda c: {"object_type": "core.authority", "object_id": str(c["authority"].pk)},
    "strategy:detail": lambda c: {"code": c["strategy"].code},
    "strategy:edit": lambda c: {"code": c["strategy"].code},
    "strategy:yaml": lambda c: {"code": c["strategy"].code},
    "strategy:element_new": lambda c: {"code": c["strategy"].code},
    "strategy:element": lambda c: {"code": c["strategy"].code, "element_code": c["element"].code},
    "strategy:element_edit": lambda c: {"code": c["strategy"].code, "element_code": c["element"].code},
    "grants:allocation_detail": _pk("allocation"),
    "imports:batch": _pk("batch"),
    "imports:progress": _pk("batch"),
    "imports:errors": _pk("batch"),
    "imports:skipped": _pk("batch"),
    "classify:decide": _pk("alignment"),
    "classify:bulk_accept": lambda c: {"?": f"primary={c['focus_area'].code}"},
    "classify:allocation": _pk("allocation"),
    "classify:element_allocations": lambda c: {"code": c["strategy"].code, "element_code": c["element"].code},
    "analytics:panel": lambda c: {"name": _panel_name(), "fmt": "csv"},
    "analytics:allocations_export": lambda c: {"fmt": "csv"},
    "plans:plan": _plan,
    "plans:plan_edit": _plan,
    "plans:revision_start": _plan,
    "plans:revision": _revision,
    "plans:diff": _revision,
    "plans:adopt": _revision,
    "plans:brief": _revision,
    "plans:brief_pdf": _revision,
    "plans:measure_new": _revision,
    "plans:measure": _measure,
    "plans:measure_edit": _measure,
    "plans:measure_stop": _measure,
    "plans:measure_remove": _measure,
    "plans:measure_report": _measure,
    "plans:measure_link": _measure,
    "plans:evaluate": _measure,
    "plans:indicator_new": _plan,
    "plans:indicator": lambda c: {"pk": c["plan"].pk, "indicator_id": c["indicator"].pk},
    "plans:indicator_edit": lambda c: {"pk": c["plan"].pk, "indicator_id": c["indicator"].pk},
    "plans:proposal_new": _plan,
    "plans:proposal_decide": lambda c: {"pk": c["plan"].pk, "proposal_id": c["proposal"].pk},
    "partners:partner": _pk("partner"),
    "partners:partner_edit": _pk("partner"),
    "partners:partner_delete": _pk("partner"),
    "partners:partner_fill": _pk("partner"),
    "partners:arena": _pk("arena"),
    "partners:arena_edit": _pk("arena"),
    "partners:arena_delete": _pk("arena"),
    "partners:arena_activity_add": _pk("arena"),
    "partners:arena_activity_delete": lambda c: {"pk": c["activity"].arena_id, "activity_pk": c["activity"].pk},
    "partners:agreement": _pk("agreement"),
    "partners:agreement_edit": _pk("agreement"),
    "partners:agreement_delete": _pk("agreement"),
    "signals:signal": _pk("signal"),
    "signals:signal_edit": _pk("signal"),
    "signals:signal_delete": _pk("signal"),
    "signals:signal_review": _pk("signal"),
    "signals:signal_propose": _pk("signal"),
    "reports:preview": lambda c: {"year": c["year"]},
    "reports:download": lambda c: {"year": c["year"], "fmt": "docx"},
    "reports:texts": lambda c: {"year": c["year"]},
    "api:token_revoke": _pk("token"),
    "api:strategy-detail": lambda c: {"code": c["strategy"].code},
    "api:element-detail": _pk("element"),
    "api:allocation-detail": _pk("allocation"),
    "api:scheme-detail": lambda c: {"code": c["scheme"].code},
    "api:funding-source-detail": lambda c: {"code": c["funding_source"].code},
    "api:alignment-detail": _pk("alignment"),
    "api:alignment-confirm": _pk("alignment"),
    "api:alignment-correct": _pk("alignment"),
    "api:plan-detail": _pk("plan"),
    "api:plan-revision-detail": _pk("revision"),
    "api:measure-detail": _pk("measure"),
    "api:partner-detail": _pk("partner"),
    "api:agreement-detail": _pk("agreement"),
    "api:arena-detail": _pk("arena"),
    "api:signal-detail": _pk("signal"),
    "api:signal-review": _pk("signal"),
    "public:allocations": lambda c: {"authority_code": c["authority"].code},
    "public:csv": lambda c: {"authority_code": c["authority"].code},
    "public:json360": lambda c: {"authority_code": c["authority"].code},
    "public:about": lambda c: {"authority_code": c["authority"].code},
    "public:focus_areas": lambda c: {"authority_code": c["authority"].code},
    "public:focus_area": lambda c: {"authority_code": c["authority"].code, "code": c["focus_area"].code},
    "public:municipalities": lambda c: {"authority_code": c["authority"].code},
    "public:municipality": lambda c: {"authority_code": c["authority"].code, "number": c["municipality"]},
    "public:allocation": lambda c: {"authority_code": c["authority"].code, "external_id": c["public_allocation"]},
}

# URL names the test cannot visit, each with the reason. Keep this short.
SKIP: dict[str, str] = {
    "imports:skipped": "the demo import skips no rows, so there is no file to download (a 404 by design)",
}

# Objects of another authority look like they do not exist: these must answer 404 to the outsider.
NOT_OWNED_BY_OUTSIDER_OK = {PUBLIC}


def url_patterns() -> Iterator[tuple[str, URLPattern]]:
    """(namespaced name, pattern) of every named URL, walked from the root resolver."""

    def walk(resolver: URLResolver, namespace: str) -> Iterator[tuple[str, URLPattern]]:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace
                yield from walk(entry, inner or namespace)
            elif entry.name:
                yield (f"{namespace}:{entry.name}" if namespace else entry.name), entry

    seen: set[str] = set()
    for name, pattern in walk(get_resolver(), ""):
        if name not in seen:
            seen.add(name)
            yield name, pattern


def _takes_arguments(pattern: URLPattern) -> bool:
    converters = getattr(pattern.pattern, "converters", {})
    regex = getattr(pattern.pattern, "regex", None)
    groups = set(regex.groupindex) - {"format"} if regex is not None else set()
    return bool(converters) or bool(groups)


def test_it_has_a_rule_for_every_url():
    missing_rule = [name for name, _ in url_patterns() if name not in ACCESS and name not in SKIP]
    missing_sample = [
        name
        for name, pattern in url_patterns()
        if _takes_arguments(pattern) and name not in SAMPLES and name not in SKIP
    ]
    assert not missing_rule, f"add these URL names to ACCESS in {__name__}: {missing_rule}"
    assert not missing_sample, f"add a sample for these URL names to SAMPLES in {__name__}: {missing_sample}"


class PermissionsMatrixTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        call_command("strategy", "load", "--shipped", "--authority", cls.authority.code, stdout=io.StringIO())
        for app in DEMO_APPS:
            if find_spec(f"snu.{app}.demo") is not None:
                import_module(f"snu.{app}.demo").load(cls.authority, io.StringIO())

    def _context(self) -> dict[str, Any]:
        a = self.authority
        getters: dict[str, Callable[[], Any]] = {
            "authority": lambda: a,
            "strategy": lambda: _first("strategy.Strategy", authority=a),
            "element": lambda: _first("strategy.Element", strategy__authority=a, kind="focus_area"),
            "focus_area": lambda: _public_focus_area(a),
            "allocation": lambda: _first("grants.Allocation", authority=a),
            "scheme": lambda: _first("grants.Scheme", authority=a),
            "funding_source": lambda: _first("grants.FundingSource", authority=a),
            "batch": lambda: _first("imports.ImportBatch", authority=a),
            "alignment": lambda: _first("classify.Alignment", allocation__authority=a),
            "plan": lambda: _first("plans.ActionPlan", authority=a),
            "revision": lambda: _first("plans.PlanRevision", plan__authority=a, status="draft"),
            "measure": lambda: _first("plans.Measure", revision__plan__authority=a, revision__status="draft"),
            "indicator": lambda: _first("plans.Indicator", plan__authority=a),
            "proposal": lambda: _first("plans.RevisionProposal", authority=a),
            "partner": lambda: _first("partners.Partner", authority=a),
            "arena": lambda: _first("partners.Arena", authority=a),
            "activity": lambda: _first("partners.ArenaActivity", arena__authority=a),
            "agreement": lambda: _first("partners.Agreement", authority=a),
            "signal": lambda: _first("signals.Signal", authority=a),
            "token": lambda: self._token(),
            "year": lambda: _first("grants.Allocation", authority=a).year,
            "municipality": lambda: (
                _first("grants.Allocation", authority=a, municipality__isnull=False).municipality.number
            ),
            "public_allocation": lambda: _first("grants.Allocation", authority=a).external_id,
        }
        ctx: dict[str, Any] = {}
        for key, get in getters.items():
            with contextlib.suppress(LookupError, ImportError, AttributeError):
                ctx[key] = get()
        return ctx

    def _token(self) -> Any:
        from snu.api.models import ApiToken

        token = ApiToken.objects.filter(authority=self.authority).first()
        if token is None:
            from snu.api import actions

            actions.create_token(self.admin, self.authority, name="matrix", role="reader")  # type: ignore[attr-defined]
            token = ApiToken.objects.filter(authority=self.authority).first()
        return token

    def _urls(self) -> tuple[list[tuple[str, str, str]], list[str]]:
        ctx = self._context()
        urls, unfilled = [], []
        for name, pattern in url_patterns():
            if name in SKIP or name not in ACCESS:
                continue
            if not _takes_arguments(pattern) and name not in SAMPLES:
                if getattr(pattern.pattern, "regex", None) is not None and "^.*$" in str(pattern.pattern):
                    continue
                urls.append((name, reverse(name), ACCESS[name]))
                continue
            try:
                kwargs = dict(SAMPLES[name](ctx))
                query = kwargs.pop("?", "")
                url = reverse(name, kwargs=kwargs) + (f"?{query}" if query else "")
                urls.append((name, url, ACCESS[name]))
            except (KeyError, LookupError) as exc:
                unfilled.append(f"{name} ({exc})")
        return urls, unfilled

    def _expected(self, persona: str, access: str, status: int) -> bool:
        allowed = RANK[persona] >= NEEDED[access]
        if access == PUBLIC_POST_ONLY:
            return status in ALLOWED_POST_ONLY
        if access in {POST_ONLY, ADMIN_POST_ONLY}:
            if persona == "anonymous":
                return status in DENIED_ANONYMOUS | {405}
            return status in (ALLOWED_POST_ONLY if allowed else {403, 405})
        if allowed:
            # The login page sends someone already logged in on to the home page.
            return status in ALLOWED_OK or (access == PUBLIC and status == 302 and persona != "anonymous")
        if persona == "anonymous":
            return status in DENIED_ANONYMOUS
        return status == 403

    def test_it_answers_every_url_with_the_allowed_status_for_every_persona(self):
        urls, unfilled = self._urls()
        assert not unfilled, f"no demo object to fill these URLs (add one, or list them in SKIP): {unfilled}"
        personas = {"anonymous": None, "reader": self.reader, "advisor": self.advisor, "admin": self.admin}
        violations = []
        for persona, user in personas.items():
            client = Client()
            if user is not None:
                client.force_login(user)
            for name, url, access in urls:
                status = client.get(url).status_code
                if not self._expected(persona, access, status):
                    violations.append(f"{persona:9} GET {url} ({name}, {access}) → {status}")
        assert not violations, "\n" + "\n".join(violations)

    def test_it_refuses_changes_by_readers_and_the_public(self):
        urls, _ = self._urls()
        violations = []
        for persona, user in {"anonymous": None, "reader": self.reader}.items():
            client = Client()
            if user is not None:
                client.force_login(user)
            for name, url, access in urls:
                if access not in {EDIT, ADMIN, POST_ONLY, ADMIN_POST_ONLY} or name == "logout":
                    continue
                status = client.post(url, {}).status_code
                ok = status in (DENIED_ANONYMOUS if user is None else {403})
                if not ok:
                    violations.append(f"{persona:9} POST {url} ({name}) → {status}")
        assert not violations, "\n" + "\n".join(violations)

    def test_it_hides_this_authoritys_objects_from_another_authority(self):
        urls, _ = self._urls()
        client = Client()
        client.force_login(self.outsider)
        violations = []
        for name, url, access in urls:
            if access == PUBLIC or name not in SAMPLES or name.startswith("core:"):
                continue
            if name in {"analytics:panel", "analytics:allocations_export", "classify:bulk_accept"} or name.startswith(
                "reports:"
            ):
                continue  # no object in the URL: these show the outsider's own (empty) data
            status = client.get(url).status_code
            if status not in {404, 403, 405}:
                violations.append(f"outsider GET {url} ({name}) → {status}")
        assert not violations, "\n" + "\n".join(violations)
