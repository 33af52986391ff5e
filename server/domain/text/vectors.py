"""Shared length test vectors: the browser's live counter must agree with the server.

The PWA counts as you type (JavaScript: twitter-text, ``Intl.Segmenter``); the server counts
with :func:`server.domain.text.measure.measure`. If they disagree, the person sees "fits" and
the API says "too long". So both are tested against one file, generated from the Python
counters over texts chosen to break naive counters::

    .venv/bin/python -m server.domain.text.vectors > tests/fixtures/length_vectors.json

``mastodon_limit_vectors`` count the same way against instance limits other than 500 (a
person's profile states theirs). ``tests/unit/text/test_vectors.py`` fails when the file and
the counters drift apart.
The file is ASCII JSON (``\\u`` escapes) so editors cannot mangle invisible characters.
"""

from __future__ import annotations

import json
import sys
from typing import Any, Final

from server.domain.text.measure import DEFAULT_LIMITS, NETWORKS, measure

FORMAT_VERSION: Final = 1

#: (description, text): emoji sequences, flags, skin tones, CJK, URLs with and without a
#: protocol, Mastodon remote mentions, combining marks, RTL and directional marks, limits.
TRICKY_TEXTS: Final[tuple[tuple[str, str], ...]] = (
    ("empty", ""),
    ("single space", " "),
    ("plain ascii", "Great session on dose reduction #RSNA24"),
    ("ascii with newlines", "Line one\nLine two\n\nLine four"),
    ("crlf line ending", "first\r\nsecond"),
    ("tab", "col1\tcol2"),
    ("latin accents precomposed", "caf\u00e9 M\u00fcnchen se\u00f1or"),
    ("latin accents decomposed", "cafe\u0301 Mu\u0308nchen"),
    ("stacked combining marks", "Z\u0351\u036b\u0343\u036a\u0302\u036b\u033d\u034f\u0334\u0319a"),
    ("single emoji", "\U0001f44d"),
    ("emoji with text", "Loved it \U0001f44f\U0001f44f"),
    ("emoji with skin tone", "\U0001f44d\U0001f3fd"),
    ("zwj family", "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"),
    ("zwj profession with tone", "\U0001f469\U0001f3fd\u200d\U0001f4bb coding"),
    ("rainbow flag", "\U0001f3f3\ufe0f\u200d\U0001f308"),
    ("country flags", "\U0001f1eb\U0001f1f7\U0001f1e9\U0001f1ea\U0001f1ef\U0001f1f5"),
    ("subdivision flag", "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"),
    ("keycap", "#\ufe0f\u20e3 1\ufe0f\u20e3 done"),
    ("heart with vs16", "\u2764\ufe0f thanks"),
    ("heart text presentation", "\u2764 thanks"),
    ("copyright and trademark", "\u00a9 2024 Acme\u2122"),
    ("new emoji (Unicode 15)", "\U0001fae8 shaking"),
    ("phoenix zwj (Unicode 15.1)", "\U0001f426\u200d\U0001f525"),
    ("lone regional indicator", "\U0001f1fa alone"),
    ("cjk japanese", "\u753b\u50cf\u8a3a\u65ad\u306e\u6700\u65b0\u52d5\u5411"),
    ("cjk chinese with hashtag", "\u653e\u5c04\u79d1 #\u533b\u5b66"),
    ("korean", "\ud2b8\uc704\ud130 \ud68c\uc758"),
    ("hangul jamo decomposed", "\u1112\u1161\u11ab"),
    ("cjk ext b astral", "\U00020021\U00020022 text"),
    ("fullwidth alnum", "\uff48\uff41\uff53\uff48\uff54\uff41\uff47\uff11\uff12\uff13"),
    ("halfwidth katakana with voiced marks", "\uff8a\uff9f\uff8b\uff9f\uff8c\uff9f"),
    ("arabic", "\u0645\u0624\u062a\u0645\u0631 \u0627\u0644\u0623\u0634\u0639\u0629"),
    ("hebrew with points", "\u05e2\u05b7\u05dc\u05be\u05d9\u05b0\u05d3\u05b5\u05d9"),
    ("rtl with ltr url", "\u0631\u0627\u0628\u0637 https://example.org \u0647\u0646\u0627"),
    ("directional marks", "\u2066\u202ahttp://foobar.example/\u202c\u2069"),
    ("lrm rlm", "abc\u200e\u200fdef"),
    ("devanagari", "\u0928\u092e\u0938\u094d\u0924\u0947 \u0926\u0941\u0928\u093f\u092f\u093e"),
    ("thai", "\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35\u0e04\u0e23\u0e31\u0e1a"),
    ("tamil", "\u0ba4\u0bae\u0bbf\u0bb4\u0bcd"),
    ("url https", "Slides: https://example.org/slides/2024/ssa01.pdf"),
    ("url http short", "Hi http://test.co"),
    ("url very long", "See https://example.org/" + "a" * 120 + "?q=1&r=2"),
    ("url without protocol", "Paper at doi.org/10.1000/xyz123 today"),
    ("bare domain", "Visit rsna.org for details"),
    ("url with fragment hash", "https://example.org/page#section-2"),
    ("two urls", "https://a.example/x and http://b.example/y"),
    ("url with unicode path", "https://example.org/\u00fcber/\u65e5\u672c"),
    ("x mention", "Great point by @alice_c"),
    ("bluesky mention", "with @alice.bsky.social today"),
    ("mastodon remote mention", "Great talk by @alice@fosstodon.org on #rustlang"),
    ("mastodon mention long domain", "cc @radiologist@very-long-instance-name.example.social"),
    ("email address", "write to info@example.org"),
    (
        "reference counter text",
        "Great talk by @alice@fosstodon.org on #rustlang "
        "\U0001f469\U0001f3fd\u200d\U0001f4bb https://example.org/a/very/long/path?q=1",
    ),
    ("280 ascii", "a" * 280),
    ("281 ascii", "a" * 281),
    ("140 cjk", "\u6f22" * 140),
    ("141 cjk", "\u6f22" * 141),
    ("140 family emoji", "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466" * 140),
    ("300 emoji", "\U0001f44d" * 300),
    ("500 ascii", "b" * 500),
    ("501 ascii", "b" * 501),
    ("bom and nonchar", "abc\ufeffdef"),
    ("zero width space", "a\u200bb"),
    (
        "mixed everything",
        "Now: \u201cAI in \u4e73\u817a screening\u201d with @dr_x & "
        "@bo@med.social \U0001f3e5\U0001f1e8\U0001f1e6 https://ex.org/p #RSNA24 #SSA01",
    ),
)


#: (description, text, Mastodon limit): counting against an instance's own limit (a person's
#: profile says it; the browser and the server must agree on "fits" at every limit).
MASTODON_LIMIT_TEXTS: Final[tuple[tuple[str, str, int], ...]] = (
    ("700 ascii at 1000", "a" * 700, 1000),
    ("1000 ascii at 1000", "c" * 1000, 1000),
    ("1001 ascii at 1000", "c" * 1001, 1000),
    ("long url counts 23 at 1000", "x" * 976 + " https://example.org/" + "p" * 200, 1000),
    ("long url one over 1000", "x" * 977 + " https://example.org/" + "p" * 200, 1000),
    ("remote mention counts as local at 9", "@alice@fosstodon.org hi", 9),
    ("remote mention one over 8", "@alice@fosstodon.org hi", 8),
    (
        "900 family emoji at 900",
        "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466" * 900,
        900,
    ),
    ("5001 ascii at 5000", "d" * 5001, 5000),
    ("one emoji at 1", "\U0001f44d", 1),
    ("two letters at 1", "ab", 1),
    ("empty at 1000", "", 1000),
)


def build_vectors(*, mastodon_limit: int = 500) -> dict[str, Any]:
    """The vectors document: limits, then one entry per text with every network's count."""
    vectors = []
    for description, text in TRICKY_TEXTS:
        counted = measure(text, mastodon_limit=mastodon_limit)
        vectors.append(
            {
                "description": description,
                "text": text,
                "expected": {network: counted[network].as_dict() for network in NETWORKS},
            }
        )
    return {
        "version": FORMAT_VERSION,
        "generator": "python -m server.domain.text.vectors",
        "networks": list(NETWORKS),
        "limits": {**DEFAULT_LIMITS, "mastodon": mastodon_limit},
        "vectors": vectors,
        "mastodon_limit_vectors": [
            {
                "description": description,
                "text": text,
                "mastodon_limit": limit,
                "expected": {
                    network: counted.as_dict()
                    for network, counted in measure(text, mastodon_limit=limit).items()
                },
            }
            for description, text, limit in MASTODON_LIMIT_TEXTS
        ],
    }


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=True, indent=2) + "\n"


def main() -> None:
    sys.stdout.write(render(build_vectors()))


if __name__ == "__main__":
    main()
