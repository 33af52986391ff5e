"""Conference analytics: figures, the session leaderboard, CSV exports and SVG charts.

Public like the walls they count: every conference here is public, and analytics are for
organizers and for the curious. Top-contributor lists name only people who stated a handle
(see docs/analytics.md).
"""

from __future__ import annotations

from typing import Any

from flask import Response

from server.api.common import Blueprint, query_args
from server.schemas.analytics import (
    AnalyticsQuerySchema,
    AnalyticsSchema,
    ChartQuerySchema,
    ExportQuerySchema,
    LeaderboardQuerySchema,
    LeaderboardSchema,
)
from server.services import analytics, programme

blp = Blueprint(
    "analytics", __name__, url_prefix="/api/v1/conferences", description="Analytics"
)

#: Charts are images: nothing in them may load or run anything.
SVG_CSP = "default-src 'none'; frame-ancestors 'none'"


def _filters(args: dict[str, Any]) -> analytics.Filters:
    return analytics.Filters(
        day=args.get("day"), talk_id=args.get("session_id"), track=args.get("track")
    )


@blp.route("/<slug>/analytics")
@query_args(blp, AnalyticsQuerySchema)
@blp.response(200, AnalyticsSchema)
def report(args: dict[str, Any], slug: str) -> dict[str, Any]:
    """Posts, participants and impressions, in total and broken down

    Per day and hour (conference time), session, track, hashtag, top contributors and
    most-mentioned speakers; optionally for one day, session or track. Definitions:
    docs/analytics.md.
    """
    conference = programme.get_conference(slug)
    return analytics.report(conference, _filters(args), limit=args["limit"])


@blp.route("/<slug>/analytics/leaderboard")
@query_args(blp, LeaderboardQuerySchema)
@blp.response(200, LeaderboardSchema)
def leaderboard(args: dict[str, Any], slug: str) -> dict[str, Any]:
    """Sessions on now and today's sessions, ranked by posts so far"""
    conference = programme.get_conference(slug)
    return analytics.leaderboard(conference, args["at"], limit=args["limit"])


@blp.route("/<slug>/analytics/export.csv")
@query_args(blp, ExportQuerySchema)
@blp.response(200, content_type="text/csv")
def export(args: dict[str, Any], slug: str) -> Response:
    """One table as CSV (UTF-8 with BOM; cells a spreadsheet would run are escaped)"""
    conference = programme.get_conference(slug)
    body = analytics.export_csv(conference, _filters(args), args["table"])
    response = Response("\ufeff" + body, mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{conference.slug}-{args["table"]}.csv"'
    )
    response.headers["Cache-Control"] = "no-cache"
    return response


@blp.route("/<slug>/analytics/chart/<name>.svg")
@query_args(blp, ChartQuerySchema)
@blp.response(200, content_type="image/svg+xml")
def chart(args: dict[str, Any], slug: str, name: str) -> Response:
    """A chart as SVG: posts_per_hour, top_hashtags or top_sessions"""
    conference = programme.get_conference(slug)
    svg = analytics.chart_svg(conference, _filters(args), name, limit=args["limit"])
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = SVG_CSP
    response.headers["Cache-Control"] = "no-cache"
    return response
