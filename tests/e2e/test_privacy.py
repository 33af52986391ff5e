"""Your data in the PWA: sign up, post, download the export, delete the account (a wrong
password first) while another browser watches the post leave its wall live."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

LIVE_MS = 20_000
PASSWORD = "a long enough passphrase"


def test_download_my_data_then_delete_my_account(
    context_factory: Any, live_server: Any, shot: Any, tmp_path: Path
) -> None:
    viewer = context_factory().new_page()
    viewer.goto("/wall")
    expect(viewer.locator(".wall .live-status")).to_have_text("Live", timeout=LIVE_MS)

    page = context_factory(accept_downloads=True).new_page()
    page.goto("/profile")
    username = f"gone{uuid.uuid4().hex[:8]}"
    signup = page.locator("#sign-up")
    signup.get_by_label("Your name").fill("Dr Leaving Soon")
    signup.get_by_label("Username").fill(username)
    signup.get_by_label("Password").fill(PASSWORD)
    signup.get_by_role("button", name="Create account").click()
    expect(page.locator("#toast")).to_contain_text("Welcome, Dr Leaving Soon")

    text = f"A pearl I may regret {uuid.uuid4().hex[:6]}"
    page.goto("/wall")
    expect(page.locator(".wall .live-status")).to_have_text("Live", timeout=LIVE_MS)
    page.get_by_label("Your post").fill(text)
    page.get_by_role("button", name="Post to the wall").click()
    expect(page.locator("#toast")).to_have_text("Posted to the wall")
    expect(viewer.locator(".wall .post", has_text=text)).to_have_count(1, timeout=LIVE_MS)

    page.goto("/profile")
    with page.expect_download() as waiting:
        page.get_by_role("link", name="Download my data").click()
    download = waiting.value
    assert download.suggested_filename.startswith(f"backchannel-export-{username}-")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    document = json.loads(saved.read_text())
    assert document["profile"]["username"] == username
    assert [p["text"] for p in document["posts"]] == [text]

    page.get_by_role("button", name="Delete my account…").click()
    form = page.locator("#delete-account-form")
    expect(form).to_contain_text("Your posts disappear from every wall")
    expect(form.get_by_label("Your password")).to_be_focused()
    form.scroll_into_view_if_needed()
    shot(page, "profile-delete-account-confirm", full_page=False)
    form.get_by_label("Your password").fill("not my password")
    form.get_by_role("button", name="Delete my account for good").click()
    expect(form.locator(".field__error")).to_contain_text("password is not right")
    expect(viewer.locator(".wall .post", has_text=text)).to_have_count(1)

    form.get_by_label("Your password").fill(PASSWORD)
    form.get_by_role("button", name="Delete my account for good").click()

    expect(page.locator("#toast")).to_have_text("Your account was deleted")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(viewer.locator(".wall .post", has_text=text)).to_have_count(0, timeout=LIVE_MS)
    refused = page.request.get("/api/v1/me")
    assert refused.status == 401
    signin = page.request.post(
        "/api/v1/auth/session", data={"username": username, "password": PASSWORD}
    )
    assert signin.status == 401
