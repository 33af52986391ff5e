"""Mastodon instances: look up the post limit of the one a person is on."""

from __future__ import annotations

from typing import Any

from server.api.common import Blueprint, query_args
from server.api.security import require_user
from server.extensions import limiter
from server.ratelimit import INSTANCE_LOOKUP_LIMIT
from server.schemas.accounts import InstanceLimitQuerySchema, InstanceLimitSchema
from server.services import mastodon_instance

blp = Blueprint("mastodon", __name__, url_prefix="/api/v1", description="Mastodon instances")


@blp.route("/mastodon/instance-limit")
@limiter.limit(INSTANCE_LOOKUP_LIMIT)
@query_args(blp, InstanceLimitQuerySchema)
@blp.response(200, InstanceLimitSchema)
def instance_limit(args: dict[str, Any]) -> dict[str, Any]:
    """Look up a Mastodon instance's post limit (signed-in people).

    Asks ``https://<host>/api/v2/instance`` (``configuration.statuses.max_characters``), then
    ``/api/v1/instance`` (``max_toot_chars``, forks); when neither says, 500 with a ``note``.
    Only public servers by DNS name are asked (422 ``host_not_allowed``); an instance that
    does not answer in 3 s or answers something else is 502/504 ``instance_unreachable`` or
    502 ``instance_invalid``. Answers are kept for an hour.
    """
    require_user()
    return mastodon_instance.look_up(args["host"]).as_dict()
