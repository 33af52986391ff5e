"""Accounts, tokens and profiles on the wire."""

from __future__ import annotations

from marshmallow import fields, validate

from server.domain.instances import MAX_LIMIT, MIN_LIMIT
from server.domain.programme import NETWORKS
from server.schemas.common import StrictSchema


class SignupSchema(StrictSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=40))
    password = fields.String(required=True, validate=validate.Length(min=1, max=4096))
    display_name = fields.String(required=True, validate=validate.Length(min=1, max=80))


class CredentialsSchema(StrictSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=40))
    password = fields.String(required=True, validate=validate.Length(min=1, max=4096))


class DeleteAccountSchema(StrictSchema):
    password = fields.String(
        required=True,
        validate=validate.Length(min=1, max=4096),
        metadata={"description": "The account's password again (re-authentication)"},
    )


class TokenSchema(StrictSchema):
    token = fields.String(required=True)


class HandleSchema(StrictSchema):
    network = fields.String(required=True, validate=validate.OneOf(NETWORKS))
    handle = fields.String(required=True, validate=validate.Length(max=200))
    followers = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10**10))


class UserSchema(StrictSchema):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    display_name = fields.String(required=True)
    role = fields.String(required=True)
    handles = fields.List(fields.Nested(HandleSchema), required=True)
    mastodon_limit = fields.Integer(
        required=True,
        allow_none=True,
        metadata={
            "description": "The post limit of your Mastodon instance; null: not stated, the "
            "drafter counts Mastodon against the default 500"
        },
    )


class SessionLoginSchema(StrictSchema):
    user = fields.Nested(UserSchema, required=True)
    csrf_token = fields.String(required=True)


class ProfileUpdateSchema(StrictSchema):
    display_name = fields.String(validate=validate.Length(min=1, max=80))
    handles = fields.List(fields.Nested(HandleSchema), validate=validate.Length(max=10))
    mastodon_limit = fields.Integer(
        strict=True,
        allow_none=True,
        validate=validate.Range(min=MIN_LIMIT, max=MAX_LIMIT),
        metadata={
            "description": f"Your Mastodon instance's post limit ({MIN_LIMIT}-{MAX_LIMIT:,}; "
            "GET /api/v1/mastodon/instance-limit looks it up); null forgets it (back to 500). "
            "The drafter counts Mastodon against it when a request gives no mastodon_limit."
        },
    )


class InstanceLimitQuerySchema(StrictSchema):
    host = fields.String(
        required=True,
        validate=validate.Length(min=1, max=300),
        metadata={
            "description": "The instance: a DNS name (med.social), or a handle (ada@med.social)"
        },
    )


class InstanceLimitSchema(StrictSchema):
    host = fields.String(required=True, metadata={"description": "The instance's DNS name"})
    max_characters = fields.Integer(
        required=True, metadata={"description": "Its post limit, as Backchannel counts it"}
    )
    source = fields.String(
        required=True,
        validate=validate.OneOf(["v2", "v1", "default"]),
        metadata={
            "description": "v2: /api/v2/instance; v1: /api/v1/instance (forks); default: "
            "the instance did not say, Mastodon's 500 is assumed"
        },
    )
    note = fields.String(
        required=True, allow_none=True, metadata={"description": "Something worth telling"}
    )
