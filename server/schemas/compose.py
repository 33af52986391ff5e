"""The drafter on the wire: measure, check, compose, thread, intents, drafts."""

from __future__ import annotations

from marshmallow import fields, validate

from server.domain.drafting import TEMPLATES
from server.domain.instances import MAX_LIMIT, MIN_LIMIT
from server.domain.programme import NETWORKS
from server.schemas.common import StrictSchema

Text = fields.String(required=True, validate=validate.Length(max=100_000))
MastodonLimit = fields.Integer(
    allow_none=True,
    validate=validate.Range(min=MIN_LIMIT, max=MAX_LIMIT),
    metadata={
        "description": "Your Mastodon instance's max_characters; absent or null: the limit "
        "stored in your profile (PATCH /api/v1/me), else 500"
    },
)
NetworkField = fields.String(required=True, validate=validate.OneOf(NETWORKS))


class MeasurementSchema(StrictSchema):
    length = fields.Integer(required=True)
    limit = fields.Integer(required=True)
    valid = fields.Boolean(required=True)


class NetworksSchema(StrictSchema):
    x = fields.Nested(MeasurementSchema, required=True)
    bluesky = fields.Nested(MeasurementSchema, required=True)
    mastodon = fields.Nested(MeasurementSchema, required=True)
    threads = fields.Nested(MeasurementSchema, required=True)
    linkedin = fields.Nested(MeasurementSchema, required=True)


class MeasureRequestSchema(StrictSchema):
    text = Text
    mastodon_limit = MastodonLimit


class MeasureSchema(StrictSchema):
    networks = fields.Nested(NetworksSchema, required=True)


class FindingSchema(StrictSchema):
    rule = fields.String(required=True)
    start = fields.Integer(required=True, metadata={"description": "Code point offset"})
    end = fields.Integer(required=True, metadata={"description": "Code point offset, exclusive"})
    message = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(["phi", "policy"]))


class CheckRequestSchema(StrictSchema):
    text = Text
    session_id = fields.Integer(allow_none=True, validate=validate.Range(min=1))


class CheckSchema(StrictSchema):
    findings = fields.List(fields.Nested(FindingSchema), required=True)
    requires_confirmation = fields.Boolean(required=True)


class ComposeRequestSchema(StrictSchema):
    session_id = fields.Integer(required=True, validate=validate.Range(min=1))
    network = NetworkField
    template = fields.String(load_default="now", validate=validate.OneOf(TEMPLATES))
    note = fields.String(allow_none=True, validate=validate.Length(max=100_000))
    quote = fields.String(allow_none=True, validate=validate.Length(max=100_000))
    link = fields.String(allow_none=True, validate=validate.Length(max=2000))
    speaker = fields.Integer(
        allow_none=True, metadata={"description": "Index of the quoted speaker"}
    )
    mastodon_limit = MastodonLimit


class DraftPartsSchema(StrictSchema):
    lead = fields.String()
    note = fields.String(allow_none=True)
    quote = fields.String(allow_none=True)
    link = fields.String(allow_none=True)
    mentions = fields.List(fields.String())
    named = fields.List(fields.String())
    tags = fields.List(fields.String())
    tags_already_present = fields.List(fields.String())


class SuggestionSchema(StrictSchema):
    tag = fields.String(required=True)
    source = fields.String(required=True)
    reason = fields.String(required=True)
    in_text = fields.Boolean(required=True)


class ComposeSchema(StrictSchema):
    network = fields.String(required=True)
    template = fields.String(required=True)
    text = fields.String(required=True)
    valid = fields.Boolean(required=True)
    parts = fields.Nested(DraftPartsSchema, required=True)
    networks = fields.Nested(NetworksSchema, required=True)
    findings = fields.List(fields.Nested(FindingSchema), required=True)
    suggestions = fields.List(fields.Nested(SuggestionSchema), required=True)


class SuggestionListSchema(StrictSchema):
    items = fields.List(fields.Nested(SuggestionSchema), required=True)


class SuggestionQuerySchema(StrictSchema):
    text = fields.String(load_default="", validate=validate.Length(max=10_000))


class ThreadRequestSchema(StrictSchema):
    text = Text
    network = NetworkField
    session_id = fields.Integer(allow_none=True, validate=validate.Range(min=1))
    mastodon_limit = MastodonLimit


class ThreadPartSchema(StrictSchema):
    text = fields.String(required=True)
    length = fields.Integer(required=True)
    valid = fields.Boolean(required=True)


class ThreadSchema(StrictSchema):
    network = fields.String(required=True)
    limit = fields.Integer(required=True)
    parts = fields.List(fields.Nested(ThreadPartSchema), required=True)


class IntentRequestSchema(StrictSchema):
    text = Text
    link = fields.String(allow_none=True, validate=validate.Length(max=2000))
    mastodon_instance = fields.String(allow_none=True, validate=validate.Length(max=253))
    mastodon_limit = MastodonLimit


class IntentSchema(StrictSchema):
    url = fields.String(allow_none=True, required=True)
    valid = fields.Boolean(required=True)
    length = fields.Integer(required=True)
    limit = fields.Integer(required=True)
    reason = fields.String(allow_none=True)


class WebShareSchema(StrictSchema):
    text = fields.String(required=True)
    url = fields.String(allow_none=True)


class IntentsSchema(StrictSchema):
    text = fields.String(required=True)
    intents = fields.Dict(keys=fields.String(), values=fields.Nested(IntentSchema), required=True)
    web_share = fields.Nested(WebShareSchema, required=True)


class DraftSaveSchema(StrictSchema):
    text = fields.String(required=True, validate=validate.Length(max=100_000))
    session_id = fields.Integer(allow_none=True, validate=validate.Range(min=1))
    network = fields.String(allow_none=True, validate=validate.OneOf(NETWORKS))
    revision = fields.Integer(
        allow_none=True,
        validate=validate.Range(min=0),
        metadata={"description": "The revision this save is based on (absent when creating)"},
    )


class DraftSchema(StrictSchema):
    id = fields.String(required=True)
    text = fields.String(required=True)
    session_id = fields.Integer(allow_none=True)
    network = fields.String(allow_none=True)
    revision = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    networks = fields.Nested(NetworksSchema, required=True)
    findings = fields.List(fields.Nested(FindingSchema), required=True)


class DraftListSchema(StrictSchema):
    items = fields.List(fields.Nested(DraftSchema), required=True)
