"""Time the drafter's text functions per call over a generated corpus of conference posts.

    .venv/bin/python bench/bench_text.py [--posts 3000] [--seed 7]

Generates ``--posts`` realistic posts (hashtags, handles of every network, URLs with and
without a protocol, emoji with ZWJ and skin tones, a few CJK/Arabic posts, 40-600 characters)
and sessions to compose from, then times, each call on its own with ``perf_counter_ns``
after one warm-up pass: ``compose`` (every network in turn), ``measure`` (all five networks)
and, when ``server/domain/phi.py`` exists, ``check_phi``. Prints the median and p95 in
microseconds per call. The target from the drafter issue is well under 1 ms per text.
"""

from __future__ import annotations

import argparse
import importlib
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from server.domain.drafting import TEMPLATES, SessionInfo, Speaker, compose
from server.domain.text.measure import NETWORKS, measure

PHRASES = [
    "Fascinating data on dose reduction in pediatric CT",
    "AI triage cut report turnaround by 31% (p<0.01)",
    "Key point: 1.25 mm slices matter for nodule volumetry",
    "Great discussion of NCT04567890 results",
    "Standing room only for this one",
    "Photon-counting CT is here and it is impressive",
    "The speaker argues we should stop over-reading incidentalomas",
    "Slides are excellent, very clear methodology",
    "Sensitivity 94%, specificity 88% on external validation",
    "Important caveat about dataset shift across vendors",
    "Who else is at the tweetup tonight?",
    "Love the patient-centred framing of this talk",
]
EMOJI = [
    "\U0001f44f",
    "\U0001f525",
    "\U0001f44d\U0001f3fd",
    "\U0001f469\U0001f3fd\u200d\U0001f4bb",
    "\U0001f1e8\U0001f1e6",
    "\u2764\ufe0f",
    "\U0001f9e0",
    "\U0001fa7b",
]
TAGS = ["#RSNA24", "#radres", "#AIinRadiology", "#MedEd", "#ChestRad", "#PedsRad", "#SSA01"]
HANDLES = ["@drsmith", "@alice.bsky.social", "@bo@med.social", "@rad_jones", "@j.doe"]
LINKS = [
    "https://doi.org/10.1148/radiol.2024",
    "https://rsna.org/annual-meeting",
    "pubs.rsna.org/doi/10.1148/ryai",
    "https://example.org/slides/ssa01.pdf",
]
OTHER_SCRIPTS = [
    "\u753b\u50cf\u8a3a\u65ad\u306eAI\u304c\u9032\u6b69",
    "\u0627\u0644\u0630\u0643\u0627\u0621 \u0627\u0644\u0627\u0635\u0637\u0646\u0627"
    "\u0639\u064a \u0641\u064a \u0627\u0644\u0623\u0634\u0639\u0629",
]


def make_post(rng: random.Random) -> str:
    words: list[str] = []
    for _ in range(rng.randint(1, 6)):
        words.append(rng.choice(PHRASES) + rng.choice([".", "!", "", ":"]))
        if rng.random() < 0.3:
            words.append(rng.choice(EMOJI))
        if rng.random() < 0.3:
            words.append(rng.choice(HANDLES))
        if rng.random() < 0.08:
            words.append(rng.choice(OTHER_SCRIPTS))
    if rng.random() < 0.5:
        words.append(rng.choice(LINKS))
    words.extend(rng.sample(TAGS, rng.randint(1, 3)))
    return " ".join(words)


def make_session(rng: random.Random, number: int) -> SessionInfo:
    speakers = tuple(
        Speaker(
            f"Speaker {number}-{i}",
            {"x": f"spk{number}_{i}", "mastodon": f"spk{i}@med.social"}
            if rng.random() < 0.7
            else {"bluesky": f"spk{number}-{i}.bsky.social"},
        )
        for i in range(rng.randint(1, 3))
    )
    return SessionInfo(
        title=f"{rng.choice(PHRASES)} (session {number})",
        conference_tag="RSNA24",
        code=f"SSA{number:02d}-{rng.randint(1, 9)}",
        track_tags=("#ChestRad",),
        speakers=speakers,
        room="Hall B",
    )


def time_calls(function: Callable[[int], object], count: int) -> list[float]:
    for index in range(count):  # warm-up: caches, regex compilation
        function(index)
    samples: list[float] = []
    for index in range(count):
        started = time.perf_counter_ns()
        function(index)
        samples.append((time.perf_counter_ns() - started) / 1000)
    return samples


def report(name: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    print(
        f"{name:<10} n={len(samples):>5}  median {statistics.median(samples):8.1f} us"
        f"  p95 {p95:8.1f} us"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    posts = [make_post(rng) for _ in range(args.posts)]
    sessions = [make_session(rng, i) for i in range(50)]
    notes = [post[:200] for post in posts]

    print(
        f"Python {platform.python_version()} on {platform.machine()}; {len(posts)} posts, "
        f"mean {statistics.mean(len(p) for p in posts):.0f} chars"
    )

    def do_compose(i: int) -> object:
        return compose(
            sessions[i % len(sessions)],
            NETWORKS[i % len(NETWORKS)],
            template=TEMPLATES[i % 6] if TEMPLATES[i % 6] != "quote" else "now",
            note=notes[i],
        )

    report("compose", time_calls(do_compose, len(posts)))
    report("measure", time_calls(lambda i: measure(posts[i]), len(posts)))

    if (ROOT / "server" / "domain" / "phi.py").exists():
        check = importlib.import_module("server.domain.phi").check_phi
        report("check_phi", time_calls(lambda i: check(posts[i]), len(posts)))
    else:
        print("check_phi  skipped: server/domain/phi.py does not exist yet")


if __name__ == "__main__":
    main()
