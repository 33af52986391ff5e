"""The analytics dashboard in a real Chromium at phone size: the figures match the API
(which tests/api/test_analytics.py checks against independent counts), the server-drawn
charts load, and the CSV downloads are offered."""

from __future__ import annotations

import json
import urllib.request
import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _token(live_server: Any) -> str:
    username = f"ana{uuid.uuid4().hex[:6]}"
    password = "a long enough passphrase"
    live_server.api(
        "POST", "/auth/signup", {"username": username, "password": password, "display_name": "Ana"}
    )
    live_server.api("POST", "/auth/token", {"username": username, "password": password})
    token: str = live_server.api(
        "POST", "/auth/token", {"username": username, "password": password}
    )["token"]
    live_server.api(
        "PATCH",
        "/me",
        {"handles": [{"network": "x", "handle": "ana_rad", "followers": 1234}]},
        token,
    )
    return token


def _post(live_server: Any, token: str, text: str) -> None:
    request = urllib.request.Request(
        f"{live_server.url}/api/v1/conferences/{live_server.slug}/posts",
        data=json.dumps({"text": text}).encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {token}",
            "Idempotency-Key": str(uuid.uuid4()),
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201


def test_the_dashboard_shows_the_figures_and_charts(
    context_factory: Any, live_server: Any, shot: Any
) -> None:
    token = _token(live_server)
    _post(live_server, token, f"Dashboards! #dataviz {uuid.uuid4().hex[:4]}")
    figures = live_server.api("GET", f"/conferences/{live_server.slug}/analytics")["summary"]
    page = context_factory().new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto("/wall")
    page.get_by_role("link", name="Analytics").click()

    expect(page.locator("h1")).to_have_text("Analytics")
    totals = page.locator(".figures .figure-value")
    expect(totals).to_have_count(4)
    shown = [
        int(t.replace(",", "").replace("\u202f", "").replace("\xa0", ""))
        for t in totals.all_inner_texts()
    ]
    assert shown[:3] == [figures["posts"], figures["participants"], figures["impressions"]]
    assert figures["impressions"] >= 1234
    charts = page.locator("figure.chart img")
    expect(charts).to_have_count(3)
    for index in range(3):
        charts.nth(index).scroll_into_view_if_needed()
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=charts.nth(index).element_handle()
        )
    expect(page.get_by_text("dataviz", exact=False).first).to_be_visible()
    csv_link = page.get_by_role("link", name="contributors (CSV)")
    csv = page.request.get(csv_link.get_attribute("href") or "")
    assert csv.ok and csv.headers["content-type"].startswith("text/csv")
    shot(page, "analytics-dashboard")
    assert errors == []
