"""Time the PHI check per post over the labelled corpus.

    .venv/bin/python bench/bench_phi.py [--rounds 5]

Every post of ``tests/fixtures/phi_corpus/{positive,negative}.jsonl`` is checked ``rounds``
times (after one warm-up pass); each call is timed on its own with ``perf_counter_ns``. The
budget from ``shared/reference/reliability.md`` P1 is < 2 ms per post.

The module is loaded from its file so the benchmark needs nothing but the standard library
(``server.domain`` is pure; importing the ``server`` package would build the Flask app).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "fixtures" / "phi_corpus"


def load_phi() -> ModuleType:
    spec = importlib.util.spec_from_file_location("phi_bench", ROOT / "server/domain/phi.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def load_posts() -> list[dict[str, Any]]:
    posts: list[dict[str, Any]] = []
    for name in ("positive.jsonl", "negative.jsonl"):
        with (CORPUS / name).open(encoding="utf-8") as fh:
            posts.extend(json.loads(line) for line in fh)
    return posts


def percentile(sorted_values: list[float], q: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    check_phi = load_phi().check_phi
    posts = [
        (p["text"], tuple(p["allow_names"]),
         tuple(date.fromisoformat(d) for d in p["conference_dates"]))
        for p in load_posts()
    ]  # fmt: skip
    for text, names, dates in posts:  # warm-up: compiled patterns, caches
        check_phi(text, allow_names=names, conference_dates=dates)

    # per_post[i][r]: microseconds for post i in round r
    per_post: list[list[float]] = [[] for _ in posts]
    started = time.perf_counter()
    for _ in range(args.rounds):
        for i, (text, names, dates) in enumerate(posts):
            t0 = time.perf_counter_ns()
            check_phi(text, allow_names=names, conference_dates=dates)
            per_post[i].append((time.perf_counter_ns() - t0) / 1000)
    wall = time.perf_counter() - started
    raw = sorted(us for times in per_post for us in times)
    # The median over rounds of each post filters scheduler noise on a shared machine; the raw
    # figures are printed too, so a reader can see how noisy the run was.
    typical = sorted(statistics.median(times) for times in per_post)
    chars = statistics.mean(len(t) for t, _, _ in posts)
    print(f"python {platform.python_version()} on {platform.machine()}, "
          f"{len(posts)} posts (mean {chars:.0f} chars, max {max(len(t) for t, _, _ in posts)})"
          f" x {args.rounds} rounds")
    print(f"per post (median of rounds): median {statistics.median(typical):.1f} us, "
          f"p99 {percentile(typical, 0.99):.1f} us, max {typical[-1]:.1f} us")
    print(f"all calls: median {statistics.median(raw):.1f} us, "
          f"p99 {percentile(raw, 0.99):.1f} us, max {raw[-1]:.1f} us, "
          f"{len(raw) / wall:.0f} posts/s")

if __name__ == "__main__":
    main()
