"""Schema-driven run: schemathesis generates requests from /api/schema/ and checks every answer against it.

It runs against a live server with a reader token and an advisor token; examples per operation are kept
few (SNU_SCHEMA_EXAMPLES, default 10) so the suite stays fast. For writes, "a schema-valid body must be
accepted" is not checked: a body can be valid by the schema and still name a strategy or element that does
not exist, which is rightly a 400.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import positive_data_acceptance

from snu.api.actions import create_token
from snu.api.tests.data import make_allocations, make_strategy
from snu.core.actions import create_authority

EXAMPLES = int(os.environ.get("SNU_SCHEMA_EXAMPLES", "10"))


@pytest.fixture
def keys(transactional_db):
    authority = create_authority(None, code="troms", name="Troms fylkeskommune", region_name="Troms")
    make_allocations(authority, make_strategy(authority))
    return {
        role: create_token(None, authority, name=f"schemathesis-{role}", role=role)[1] for role in ("reader", "advisor")
    }


@pytest.mark.parametrize("role", ["reader", "advisor"])
def test_it_answers_every_operation_as_the_schema_says(live_server, keys, role, settings):
    settings.SNU_CLASSIFY_AUTO_RETRAIN = False
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/?format=json")
    headers = {"Authorization": f"Bearer {keys[role]}"}
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        try:
            exercise(operation, live_server.url, headers)
        except Exception as exc:  # collect all operations' failures, then report them together
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)


def exercise(operation, base_url: str, headers: dict) -> None:
    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def run(data):
        case = data.draw(operation.as_strategy())
        excluded = [positive_data_acceptance] if operation.method.upper() != "GET" else []
        case.call_and_validate(base_url=base_url, headers=headers, excluded_checks=excluded)

    run()
