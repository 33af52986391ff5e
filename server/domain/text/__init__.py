"""Text rules for posts: validation, per-network length, entities and thread splitting.

Everything the drafter, the API and the live wall need to agree on about a post's text is
here, pure and exhaustively tested, so the browser's live counter can be checked against
the same vectors (``tests/fixtures/length_vectors.json``, see :mod:`.vectors`).
"""

from server.domain.text.entities import (
    Entity,
    extract_entities,
    extract_fediverse_mentions_with_indices,
    extract_hashtags,
    extract_hashtags_with_indices,
    extract_mentions,
    extract_mentions_or_lists_with_indices,
    extract_mentions_with_indices,
    extract_urls_with_indices,
    hashtag_from_code,
    hashtag_key,
    normalize_hashtag,
)
from server.domain.text.measure import (
    DEFAULT_LIMITS,
    NETWORKS,
    Measurement,
    Network,
    XConfig,
    XCount,
    count_graphemes,
    count_linkedin,
    count_mastodon,
    count_threads,
    count_x,
    is_network,
    measure,
    measure_one,
)
from server.domain.text.threads import Thread, ThreadPart, ThreadSplitError, split_thread
from server.domain.text.validation import MAX_TEXT_CHARS, TextValidationError, validate_text

__all__ = [
    "DEFAULT_LIMITS",
    "MAX_TEXT_CHARS",
    "NETWORKS",
    "Entity",
    "Measurement",
    "Network",
    "TextValidationError",
    "Thread",
    "ThreadPart",
    "ThreadSplitError",
    "XConfig",
    "XCount",
    "count_graphemes",
    "count_linkedin",
    "count_mastodon",
    "count_threads",
    "count_x",
    "extract_entities",
    "extract_fediverse_mentions_with_indices",
    "extract_hashtags",
    "extract_hashtags_with_indices",
    "extract_mentions",
    "extract_mentions_or_lists_with_indices",
    "extract_mentions_with_indices",
    "extract_urls_with_indices",
    "hashtag_from_code",
    "hashtag_key",
    "is_network",
    "measure",
    "measure_one",
    "normalize_hashtag",
    "split_thread",
    "validate_text",
]
