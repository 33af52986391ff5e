"""Analytics on the wire: figures per slice, rankings, the leaderboard, and their queries."""

from __future__ import annotations

from marshmallow import fields, validate

from server.domain.analytics import EXPORT_TABLES
from server.schemas.common import StrictSchema

MAX_ID = 2**31 - 1


class AnalyticsFiltersSchema(StrictSchema):
    day = fields.Date(metadata={"description": "A day in the conference's timezone"})
    session_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    track = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "Track id or name (case-insensitive)"},
    )


class AnalyticsQuerySchema(AnalyticsFiltersSchema):
    limit = fields.Integer(
        load_default=10,
        validate=validate.Range(min=1, max=100),
        metadata={"description": "Length of the top lists (hashtags, contributors, speakers)"},
    )


class ExportQuerySchema(AnalyticsFiltersSchema):
    table = fields.String(required=True, validate=validate.OneOf(EXPORT_TABLES))


class ChartQuerySchema(AnalyticsFiltersSchema):
    limit = fields.Integer(load_default=10, validate=validate.Range(min=1, max=30))


class LeaderboardQuerySchema(StrictSchema):
    at = fields.String(
        load_default="now",
        validate=validate.Length(min=1, max=40),
        metadata={"description": "'now', or an ISO instant (naive: conference time)"},
    )
    limit = fields.Integer(load_default=10, validate=validate.Range(min=1, max=50))


class FiguresSchema(StrictSchema):
    posts = fields.Integer(required=True, metadata={"description": "Visible posts"})
    participants = fields.Integer(required=True, metadata={"description": "Distinct authors"})
    impressions = fields.Integer(
        required=True,
        metadata={"description": "Sum over posts of the author's largest stated follower count"},
    )


class SummarySchema(FiguresSchema):
    sessions_with_posts = fields.Integer(required=True)
    posts_outside_sessions = fields.Integer(required=True)
    hashtags = fields.Integer(required=True, metadata={"description": "Distinct hashtags"})
    first_post_at = fields.String(allow_none=True, required=True)
    last_post_at = fields.String(allow_none=True, required=True)


class DayFiguresSchema(FiguresSchema):
    day = fields.String(required=True)


class HourFiguresSchema(FiguresSchema):
    hour = fields.String(
        required=True, metadata={"description": "Local start of the hour, with its UTC offset"}
    )
    day = fields.String(required=True)


class SessionFiguresSchema(FiguresSchema):
    id = fields.Integer(required=True)
    code = fields.String(allow_none=True, required=True)
    title = fields.String(required=True)
    track = fields.String(allow_none=True, required=True)
    room = fields.String(allow_none=True, required=True)
    start_at = fields.String(required=True)
    end_at = fields.String(required=True)


class TrackFiguresSchema(FiguresSchema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    sessions = fields.Integer(required=True, metadata={"description": "Sessions with posts"})


class HashtagFiguresSchema(FiguresSchema):
    hashtag = fields.String(required=True, metadata={"description": "Most used spelling"})
    key = fields.String(required=True, metadata={"description": "Case-folded comparison key"})


class TopContributorSchema(StrictSchema):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    display_name = fields.String(required=True)
    handles = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    followers = fields.Integer(
        required=True, metadata={"description": "Largest stated follower count (reach)"}
    )
    posts = fields.Integer(required=True)
    impressions = fields.Integer(required=True)


class TopContributorListsSchema(StrictSchema):
    by_posts = fields.List(fields.Nested(TopContributorSchema), required=True)
    by_impressions = fields.List(fields.Nested(TopContributorSchema), required=True)


class SpeakerFiguresSchema(FiguresSchema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    handles = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    by_network = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        metadata={"description": "Posts that used the speaker's mention form per network"},
    )


class AnalyticsConferenceSchema(StrictSchema):
    slug = fields.String(required=True)
    title = fields.String(required=True)
    hashtag = fields.String(allow_none=True, required=True)
    timezone = fields.String(required=True)


class AppliedFiltersSchema(StrictSchema):
    day = fields.String(allow_none=True, required=True)
    session_id = fields.Integer(allow_none=True, required=True)
    track = fields.String(allow_none=True, required=True)


class AnalyticsSchema(StrictSchema):
    conference = fields.Nested(AnalyticsConferenceSchema, required=True)
    filters = fields.Nested(AppliedFiltersSchema, required=True)
    generated_at = fields.String(required=True)
    summary = fields.Nested(SummarySchema, required=True)
    by_day = fields.List(fields.Nested(DayFiguresSchema), required=True)
    by_hour = fields.List(fields.Nested(HourFiguresSchema), required=True)
    sessions = fields.List(fields.Nested(SessionFiguresSchema), required=True)
    outside_sessions = fields.Nested(FiguresSchema, required=True)
    tracks = fields.List(fields.Nested(TrackFiguresSchema), required=True)
    hashtags = fields.List(fields.Nested(HashtagFiguresSchema), required=True)
    top_contributors = fields.Nested(TopContributorListsSchema, required=True)
    speakers = fields.List(fields.Nested(SpeakerFiguresSchema), required=True)


class LeaderboardSchema(StrictSchema):
    at = fields.String(required=True)
    day = fields.String(required=True)
    now = fields.List(fields.Nested(SessionFiguresSchema), required=True)
    today = fields.List(fields.Nested(SessionFiguresSchema), required=True)
