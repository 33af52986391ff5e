"""Accounts, tokens and profiles on the wire."""

from __future__ import annotations

from marshmallow import fields, validate

from server.domain.programme import NETWORKS
from server.schemas.common import StrictSchema


class SignupSchema(StrictSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=40))
    password = fields.String(required=True, validate=validate.Length(min=1, max=4096))
    display_name = fields.String(required=True, validate=validate.Length(min=1, max=80))


class CredentialsSchema(StrictSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=40))
    password = fields.String(required=True, validate=validate.Length(min=1, max=4096))


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


class SessionLoginSchema(StrictSchema):
    user = fields.Nested(UserSchema, required=True)
    csrf_token = fields.String(required=True)


class ProfileUpdateSchema(StrictSchema):
    display_name = fields.String(validate=validate.Length(min=1, max=80))
    handles = fields.List(fields.Nested(HandleSchema), validate=validate.Length(max=10))
