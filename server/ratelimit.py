"""Rate limits per account, since a congress shares a few NAT addresses.

Signed-in callers are counted per account; anonymous ones per address. The same budgets
apply over HTTP (Flask-Limiter, in Redis when ``REDIS_URL`` is set) and, for posting, over
the socket (:mod:`server.realtime.throttle`, in the same storage).
"""

from __future__ import annotations

from flask import g, request

#: Live posters do burst (a slide goes up, three posts follow); ten in ten seconds is a lot.
POST_LIMIT = "10 per 10 seconds;300 per hour"
#: Posts in the short window of :data:`POST_LIMIT` (a live poster's burst).
POST_BURST = 10
UPLOAD_LIMIT = "10 per minute;100 per hour"
REPORT_LIMIT = "10 per minute;60 per hour"
#: Looking up a Mastodon instance's post limit fetches from another server: a person does
#: it once or twice; more would make Backchannel a fetching service for someone else.
INSTANCE_LOOKUP_LIMIT = "10 per minute;60 per hour"
#: Deleting one's account asks for the password again: a stolen session must not become a
#: way to guess it. One deletion is all anyone needs; a few typos are allowed.
ACCOUNT_DELETE_LIMIT = "5 per hour"
#: The export reads everything the person has: a few downloads an hour are plenty.
EXPORT_LIMIT = "10 per hour"


def rate_limit_key() -> str:
    user = getattr(g, "current_user", None)
    if user is not None:
        return f"user:{user.id}"
    return f"ip:{request.remote_addr or 'unknown'}"
