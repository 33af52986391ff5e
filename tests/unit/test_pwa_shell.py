"""The PWA shell's server side: service worker versioning, precache list, module preloads."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from server.domain.text.browser_rules import browser_rules, browser_rules_module
from server.pwa import RULES_PATH, VENDOR, _worker_source
from tests.shared_data import REPO

pytestmark = pytest.mark.unit

WEB = REPO / "web"


def _precache(source: str) -> list[str]:
    match = re.search(r"const PRECACHE = (\[.*?\]);", source)
    assert match
    return list(json.loads(match.group(1)))


def test_the_worker_precaches_the_whole_shell() -> None:
    source, version = _worker_source(WEB, 0.0)
    urls = _precache(source)
    modules = sorted(
        f"/static/{p.relative_to(WEB / 'static').as_posix()}"
        for p in (WEB / "static" / "js").rglob("*.js")
    )
    assert [u for u in urls if u.startswith("/static/js/")] == modules
    assert {"/", "/offline.html", "/static/app.css", RULES_PATH} <= set(urls)
    assert f'const VERSION = "{version}";' in source


def test_any_change_to_the_shell_gives_a_new_version(tmp_path: Path) -> None:
    web = tmp_path / "web"
    shutil.copytree(WEB, web)
    _, before = _worker_source(web, 1.0)
    app_js = web / "static" / "js" / "app.js"
    app_js.write_text(app_js.read_text(encoding="utf-8") + "\n// changed\n", encoding="utf-8")
    _, after = _worker_source(web, 2.0)
    _, again = _worker_source(web, 3.0)
    assert before != after
    assert after == again


def _static_imports(start: Path) -> set[Path]:
    """Every module ``start`` imports statically, transitively (``import(...)`` excluded)."""
    seen: set[Path] = set()
    todo = [start]
    while todo:
        module = todo.pop()
        source = module.read_text(encoding="utf-8")
        for name in re.findall(r'^import [^;]*? from "([^"]+)";', source, re.M | re.S):
            target = (module.parent / name).resolve()
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def test_index_preloads_the_first_screens_modules() -> None:
    """The first screen's whole module graph is preloaded (one round trip, not one per level)."""
    html = (WEB / "index.html").read_text(encoding="utf-8")
    preloaded = sorted(re.findall(r'<link rel="modulepreload" href="([^"]+)">', html))
    graph = _static_imports(WEB / "static" / "js" / "app.js")
    assert preloaded == sorted(f"/static/{p.relative_to(WEB / 'static').as_posix()}" for p in graph)
    assert "/static/js/composer.js" not in preloaded  # loaded when a page needs it


def test_vendor_files_are_pinned_npm_dependencies() -> None:
    package = json.loads((REPO / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((REPO / "package-lock.json").read_text(encoding="utf-8"))
    packages = {relative.split("/dist/")[0] for relative in VENDOR.values()}
    assert packages == set(package["dependencies"])
    for name in packages:
        assert lock["packages"][f"node_modules/{name}"]["version"] == package["dependencies"][name]


def test_browser_rules_module_is_the_rules_as_json() -> None:
    module = browser_rules_module()
    assert module.startswith("// Generated")
    body = module.split("export default ", 1)[1].rstrip().removesuffix(";")
    assert json.loads(body) == browser_rules()
    assert "\\U" not in browser_rules()["patterns"]["emoji"]
