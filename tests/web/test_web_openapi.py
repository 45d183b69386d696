"""Schemathesis against the OpenAPI document: generated requests to every operation get
documented status codes and bodies that match their schemas, never a server error.

Driven through Hypothesis directly: schemathesis's pytest plugin does not load with the pytest
of this project.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from web_testkit import History, context_for

from storage import Database
from watcher.web import create_app

EXAMPLES_PER_OPERATION = 20


def test_the_api_keeps_its_openapi_promises(seeded: tuple[Database, History]) -> None:
    database, history = seeded
    app = create_app(context_for(database, history.seeded.target_ids, write_token="secret"))
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 11
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case: schemathesis.Case) -> None:
            case.call_and_validate()

        call()
