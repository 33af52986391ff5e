"""Schemathesis against /api/openapi.json, in process: no generated request is a server error.

Every operation of the OpenAPI document gets generated requests, valid ones and ones that
break the schema, as a signed-in organizer over the demo congress. Besides
``not_a_server_error`` the answers must use a status the document lists, the content type
it lists, and match the documented response schema.

The document is read at collection from an app of its own (schemathesis' lazy fixture
loader relies on a pytest internal that pytest 9 removed). All operations run in one test
over one set of data, which keeps this under a minute on PostgreSQL too; a failure lists
every operation that failed with its reproduction.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from server.app import create_app
from server.extensions import db
from server.models import User
from server.services.accounts import do_issue_token
from server.services.demo import do_load_demo
from tests.conftest import Api, base_config

pytestmark = pytest.mark.db

#: Raise for a longer hunt (nightly): SCHEMATHESIS_EXAMPLES=100.
EXAMPLES_PER_OPERATION = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "6"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _openapi_document() -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix="openapi-"))
    app = create_app(base_config(f"sqlite:///{root / 'unused.db'}", root))
    document: dict[str, Any] = app.test_client().get("/api/openapi.json").get_json()
    return document


schema = schemathesis.openapi.from_dict(_openapi_document())
OPERATIONS = [result.ok() for result in schema.get_all_operations()]


def _fresh_token(app: Flask, username: str) -> str:
    """A new token per operation: DELETE /auth/token revokes the one it is called with."""
    with app.app_context():
        user = db.session.query(User).filter_by(username=username).one()
        token = do_issue_token(user, "api")
        db.session.remove()
    return token


def test_the_document_has_operations() -> None:
    assert len(OPERATIONS) >= 40
    assert {"POST /api/v1/conferences/{slug}/posts", "POST /api/v1/uploads"} <= {
        op.label for op in OPERATIONS
    }


def test_no_operation_answers_with_a_server_error(clean_app: Flask, organizer: Api) -> None:
    with clean_app.app_context():
        do_load_demo()
        db.session.remove()
    username = organizer.get("/api/v1/me").get_json()["username"]
    failures: list[str] = []

    for operation in OPERATIONS:
        headers = {
            "Authorization": f"Bearer {_fresh_token(clean_app, username)}",
            "Accept-Encoding": "identity",  # the checks read the body as sent
        }
        cases = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=cases)
        def run(case: Any) -> None:
            case.call_and_validate(app=clean_app, headers=headers, checks=CHECKS)  # noqa: B023

        try:
            run()
        except Exception as exc:  # collected: one report for every failing operation
            failures.append(f"{operation.label}:\n{exc}")

    assert failures == []
