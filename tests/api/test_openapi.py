"""The OpenAPI document: served, valid JSON, and naming the contract's paths."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient

pytestmark = pytest.mark.db

CONTRACT = {
    "/api/v1/auth/signup": {"post"},
    "/api/v1/auth/token": {"post"},
    "/api/v1/conferences": {"get"},
    "/api/v1/conferences/{slug}": {"get"},
    "/api/v1/conferences/{slug}/sessions": {"get"},
    "/api/v1/sessions/{talk_id}": {"get"},
}


@pytest.fixture()
def document(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    parsed = json.loads(response.data)
    assert isinstance(parsed, dict)
    return parsed


def test_document_names_the_contract_paths(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "Backchannel API"
    for path, methods in CONTRACT.items():
        assert path in document["paths"], path
        assert methods <= set(document["paths"][path]), path


def test_sessions_listing_documents_its_filters(document: dict[str, Any]) -> None:
    operation = document["paths"]["/api/v1/conferences/{slug}/sessions"]["get"]
    names = {p["name"] for p in operation["parameters"] if p["in"] == "query"}

    assert names >= {"day", "track", "room", "type", "speaker", "q", "at", "cursor", "limit",
                     "include_cancelled"}
    assert "200" in operation["responses"]


def test_every_operation_has_a_summary_and_responses(document: dict[str, Any]) -> None:
    missing = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            if not operation.get("summary") or not operation.get("responses"):
                missing.append(f"{method.upper()} {path}")
    assert missing == []


def test_every_reference_resolves(document: dict[str, Any]) -> None:
    refs: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref" and isinstance(value, str):
                    refs.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    assert refs
    for ref in refs:
        assert ref.startswith("#/"), ref
        node: Any = document
        for part in ref[2:].split("/"):
            assert part in node, ref
            node = node[part]


def test_bearer_security_scheme_is_declared(document: dict[str, Any]) -> None:
    scheme = document["components"]["securitySchemes"]["bearer"]

    assert scheme == {"type": "http", "scheme": "bearer"}
