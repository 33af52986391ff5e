"""Schemathesis against /api/openapi.json, in process: no generated request is a server error.

Every operation of the OpenAPI document gets generated requests (valid and invalid) as a
signed-in organizer, over the demo congress. Besides ``not_a_server_error`` the answers
must use a status the document lists, the content type it lists, and (for documented
statuses) match the response schema. A modest number of examples keeps this under a minute.

The document is read once at collection from an app of its own (schemathesis' lazy
fixture loader relies on a pytest internal that pytest 9 removed); the requests go to the
session app through its WSGI interface.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from server.app import create_app
from server.extensions import db
from server.services.demo import do_load_demo
from tests.conftest import Api, base_config

pytestmark = pytest.mark.db

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


@pytest.fixture()
def demo(clean_app: Flask) -> None:
    with clean_app.app_context():
        do_load_demo()
        db.session.remove()


@schema.parametrize()
@settings(max_examples=6, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_operation_answers_with_a_server_error(
    case: Any, clean_app: Flask, demo: None, organizer: Api
) -> None:
    case.call_and_validate(
        app=clean_app,
        headers={"Authorization": f"Bearer {organizer.token}", "Accept-Encoding": "identity"},
        checks=CHECKS,
    )
