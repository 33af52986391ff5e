"""Conferences, sessions, speakers, rooms, tracks, agenda and imports on the wire."""

from __future__ import annotations

from marshmallow import fields, validate

from server.domain.programme import NETWORKS, POLICIES
from server.schemas.common import StrictSchema
from server.schemas.connecting import TweetupSchema

Handles = fields.Dict(keys=fields.String(validate=validate.OneOf(NETWORKS)), values=fields.String())


class ConferenceSchema(StrictSchema):
    slug = fields.String(required=True)
    title = fields.String(required=True)
    acronym = fields.String(allow_none=True)
    hashtag = fields.String(allow_none=True, metadata={"description": "Without '#'"})
    timezone = fields.String(required=True)
    start_date = fields.Date(allow_none=True)
    end_date = fields.Date(allow_none=True)
    description = fields.String(allow_none=True)
    venue = fields.String(allow_none=True)
    url = fields.String(allow_none=True)
    days = fields.List(fields.Date())
    programme_version = fields.Integer()


class ConferenceListSchema(StrictSchema):
    items = fields.List(fields.Nested(ConferenceSchema), required=True)


class ConferenceCreateSchema(StrictSchema):
    slug = fields.String(required=True, validate=validate.Length(min=3, max=64))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    hashtag = fields.String(validate=validate.Length(min=1, max=64))
    timezone = fields.String(load_default="UTC", validate=validate.Length(max=64))
    description = fields.String(validate=validate.Length(max=5000))
    venue = fields.String(validate=validate.Length(max=200))


class ConferenceUpdateSchema(StrictSchema):
    title = fields.String(validate=validate.Length(min=1, max=200))
    hashtag = fields.String(validate=validate.Length(min=1, max=64))
    timezone = fields.String(validate=validate.Length(max=64))
    description = fields.String(allow_none=True, validate=validate.Length(max=5000))
    venue = fields.String(allow_none=True, validate=validate.Length(max=200))


class RoomSchema(StrictSchema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class TrackSchema(StrictSchema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    color = fields.String(allow_none=True)
    hashtags = fields.List(fields.String())


class TrackUpdateSchema(StrictSchema):
    hashtags = fields.List(
        fields.String(validate=validate.Length(min=1, max=64)),
        required=True,
        validate=validate.Length(max=10),
    )


class RoomListSchema(StrictSchema):
    items = fields.List(fields.Nested(RoomSchema), required=True)


class TrackListSchema(StrictSchema):
    items = fields.List(fields.Nested(TrackSchema), required=True)


class SpeakerRefSchema(StrictSchema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    handles = Handles


class LinkSchema(StrictSchema):
    url = fields.String(required=True)
    title = fields.String(allow_none=True)
    kind = fields.String(allow_none=True)


class TalkSummarySchema(StrictSchema):
    id = fields.Integer(required=True)
    conference = fields.String(required=True, metadata={"description": "Conference slug"})
    tag = fields.String(required=True, metadata={"description": "Session tag without '#'"})
    code = fields.String(allow_none=True)
    title = fields.String(required=True)
    subtitle = fields.String(allow_none=True)
    start = fields.String(
        required=True, metadata={"description": "ISO 8601, local time with offset"}
    )
    end = fields.String(required=True)
    day = fields.Date(required=True)
    room = fields.Nested(RoomSchema, allow_none=True)
    track = fields.Nested(TrackSchema, allow_none=True)
    type = fields.String(allow_none=True)
    language = fields.String(allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(["scheduled", "cancelled"]))
    policy = fields.String(required=True, validate=validate.OneOf(POLICIES))
    embargo_until = fields.String(allow_none=True)
    speakers = fields.List(fields.Nested(SpeakerRefSchema), required=True)
    when = fields.String(metadata={"description": "'now' or 'next' in now/next listings"})
    starred = fields.Boolean()
    overlaps = fields.Boolean(metadata={"description": "Clashes with another starred session"})


class TalkDetailSchema(TalkSummarySchema):
    abstract = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    url = fields.String(allow_none=True)
    links = fields.List(fields.Nested(LinkSchema))
    policy_note = fields.String(allow_none=True)
    hashtag = fields.String(allow_none=True, metadata={"description": "Conference hashtag"})
    revision = fields.Integer()


class TalkPageSchema(StrictSchema):
    items = fields.List(fields.Nested(TalkSummarySchema), required=True)
    next = fields.String(allow_none=True, required=True, metadata={"description": "Cursor"})


class NowNextSchema(StrictSchema):
    at = fields.String(required=True)
    now = fields.List(fields.Nested(TalkSummarySchema), required=True)
    next = fields.List(fields.Nested(TalkSummarySchema), required=True)


class TalkQuerySchema(StrictSchema):
    day = fields.Date()
    track = fields.String(validate=validate.Length(min=1, max=200))
    room = fields.String(validate=validate.Length(min=1, max=200))
    type = fields.String(validate=validate.Length(min=1, max=64))
    speaker = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    q = fields.String(validate=validate.Length(min=1, max=200))
    at = fields.String(validate=validate.Length(min=1, max=40))
    cursor = fields.String(validate=validate.Length(min=1, max=200))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))
    include_cancelled = fields.Boolean(load_default=False)


class NowNextQuerySchema(StrictSchema):
    at = fields.String(load_default="now", validate=validate.Length(min=1, max=40))
    track = fields.String(validate=validate.Length(min=1, max=200))
    room = fields.String(validate=validate.Length(min=1, max=200))


class TalkUpdateSchema(StrictSchema):
    tag = fields.String(validate=validate.Length(min=1, max=25))
    policy = fields.String(validate=validate.OneOf(POLICIES))
    policy_note = fields.String(allow_none=True, validate=validate.Length(max=500))
    embargo_until = fields.AwareDateTime(allow_none=True)


class SpeakerSchema(SpeakerRefSchema):
    biography = fields.String(allow_none=True)
    sessions = fields.List(fields.Nested(TalkSummarySchema))


class SpeakerListSchema(StrictSchema):
    items = fields.List(fields.Nested(SpeakerRefSchema), required=True)
    next = fields.Integer(allow_none=True, required=True, metadata={"description": "Next offset"})


class SpeakerQuerySchema(StrictSchema):
    q = fields.String(validate=validate.Length(min=1, max=200))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=2**31 - 1))


class SpeakerUpdateSchema(StrictSchema):
    handles = fields.Dict(
        keys=fields.String(validate=validate.OneOf(NETWORKS)),
        values=fields.String(validate=validate.Length(max=200)),
        required=True,
        metadata={"description": "network -> handle; an empty string hides the file's handle"},
    )


class AgendaSchema(StrictSchema):
    items = fields.List(fields.Nested(TalkSummarySchema), required=True)
    tweetups = fields.List(
        fields.Nested(TweetupSchema),
        metadata={"description": "Tweetups I go to, might go to or wait for (my_rsvp)"},
    )


class AgendaQuerySchema(StrictSchema):
    conference = fields.String(validate=validate.Length(min=1, max=64))


class CalendarFeedSchema(StrictSchema):
    url = fields.String(required=True)


class ImportSummarySchema(StrictSchema):
    sessions = fields.Integer()
    speakers = fields.Integer()
    rooms = fields.Integer()
    added = fields.Integer()
    changed = fields.Integer()
    moved = fields.Integer()
    cancelled = fields.Integer()
    restored = fields.Integer()
    unchanged = fields.Integer()


class ImportReportSchema(StrictSchema):
    format = fields.String(required=True)
    conference = fields.String(required=True)
    summary = fields.Nested(ImportSummarySchema, required=True)
    added = fields.List(fields.Dict())
    changed = fields.List(fields.Dict())
    moved = fields.List(fields.Dict())
    cancelled = fields.List(fields.Dict())
    restored = fields.List(fields.Dict())


class ImportFromUrlSchema(StrictSchema):
    url = fields.Url(required=True, schemes={"http", "https"}, require_tld=False)
    refresh_minutes = fields.Integer(
        allow_none=True,
        validate=validate.Range(min=5, max=24 * 60),
        metadata={"description": "Refresh the programme from this URL every N minutes"},
    )
    timezone = fields.String(validate=validate.Length(min=1, max=64))


class ImportUploadQuerySchema(StrictSchema):
    timezone = fields.String(validate=validate.Length(min=1, max=64))
