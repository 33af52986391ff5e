"""Tweetups, tweetchats, follows, live pages and digests on the wire."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from server.schemas.common import StrictSchema
from server.schemas.posts import PostSchema

ID = validate.Range(min=1, max=2**31 - 1)
LOCAL_TIME = {"description": "ISO 8601, local time with offset"}


class PersonSchema(StrictSchema):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    display_name = fields.String(required=True)
    handles = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


# --- tweetups -----------------------------------------------------------------------------


class RsvpCountsSchema(StrictSchema):
    going = fields.Integer(required=True)
    maybe = fields.Integer(required=True)
    waitlisted = fields.Integer(required=True)


class TweetupSchema(StrictSchema):
    id = fields.Integer(required=True)
    conference = fields.String(required=True)
    title = fields.String(required=True)
    description = fields.String(allow_none=True, required=True)
    start = fields.String(required=True, metadata=LOCAL_TIME)
    end = fields.String(required=True, metadata=LOCAL_TIME)
    place = fields.String(required=True)
    hashtag = fields.String(allow_none=True, required=True, metadata={"description": "No '#'"})
    capacity = fields.Integer(allow_none=True, required=True)
    spots_left = fields.Integer(allow_none=True, required=True)
    featured = fields.Boolean(required=True)
    hidden = fields.Boolean(required=True)
    cancelled = fields.Boolean(required=True)
    session_id = fields.Integer(allow_none=True, required=True)
    proposer = fields.Nested(PersonSchema, allow_none=True, required=True)
    counts = fields.Nested(RsvpCountsSchema, required=True)
    my_rsvp = fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "going, maybe, not_going, waitlisted or null"},
    )
    room = fields.String(required=True, metadata={"description": "The /live room"})
    url = fields.String(required=True)


class TweetupListSchema(StrictSchema):
    items = fields.List(fields.Nested(TweetupSchema), required=True)


class TweetupQuerySchema(StrictSchema):
    upcoming = fields.Boolean(load_default=False, metadata={"description": "Hide past ones"})


class TweetupCreateSchema(StrictSchema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(allow_none=True, validate=validate.Length(max=5000))
    start = fields.AwareDateTime(required=True)
    end = fields.AwareDateTime(required=True)
    place = fields.String(
        required=True,
        validate=validate.Length(min=1, max=300),
        metadata={"description": "In the venue or nearby"},
    )
    hashtag = fields.String(allow_none=True, validate=validate.Length(max=64))
    capacity = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=100_000))
    session_id = fields.Integer(allow_none=True, validate=ID)


class TweetupPatchSchema(StrictSchema):
    title = fields.String(validate=validate.Length(min=1, max=200))
    description = fields.String(allow_none=True, validate=validate.Length(max=5000))
    start = fields.AwareDateTime()
    end = fields.AwareDateTime()
    place = fields.String(validate=validate.Length(min=1, max=300))
    hashtag = fields.String(allow_none=True, validate=validate.Length(max=64))
    capacity = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=100_000))
    session_id = fields.Integer(allow_none=True, validate=ID)
    cancelled = fields.Boolean(metadata={"description": "Proposer or organizer"})
    featured = fields.Boolean(metadata={"description": "Organizers only"})
    hidden = fields.Boolean(metadata={"description": "Organizers only"})


class RsvpRequestSchema(StrictSchema):
    status = fields.String(
        required=True, validate=validate.OneOf(["going", "maybe", "not_going"])
    )


class RsvpSchema(StrictSchema):
    status = fields.String(
        required=True,
        metadata={"description": "going, maybe, not_going, or waitlisted (at capacity)"},
    )
    tweetup = fields.Nested(TweetupSchema, required=True)


class AttendeesSchema(StrictSchema):
    going = fields.List(fields.Nested(PersonSchema), required=True)
    maybe = fields.List(fields.Nested(PersonSchema), required=True)
    waitlist = fields.List(
        fields.Nested(PersonSchema), required=True, metadata={"description": "In order"}
    )


class SuggestedTimesQuerySchema(StrictSchema):
    day = fields.Date()
    min_minutes = fields.Integer(load_default=30, validate=validate.Range(min=10, max=240))


class SuggestedTimeSchema(StrictSchema):
    day = fields.Date(required=True)
    start = fields.String(required=True, metadata=LOCAL_TIME)
    end = fields.String(required=True, metadata=LOCAL_TIME)
    minutes = fields.Integer(required=True)
    kind = fields.String(
        required=True, validate=validate.OneOf(["morning", "break", "evening"])
    )


class SuggestedTimeListSchema(StrictSchema):
    items = fields.List(fields.Nested(SuggestedTimeSchema), required=True)


# --- tweetchats -----------------------------------------------------------------------------


class ChatQuestionSchema(StrictSchema):
    number = fields.Integer(required=True)
    text = fields.String(required=True)
    released_at = fields.String(allow_none=True, required=True)


class ChatSchema(StrictSchema):
    id = fields.Integer(required=True)
    conference = fields.String(required=True)
    title = fields.String(required=True)
    description = fields.String(allow_none=True, required=True)
    hashtag = fields.String(required=True, metadata={"description": "No '#'"})
    start = fields.String(required=True, metadata=LOCAL_TIME)
    end = fields.String(required=True, metadata=LOCAL_TIME)
    host = fields.Nested(PersonSchema, allow_none=True, required=True)
    state = fields.String(required=True, validate=validate.OneOf(["scheduled", "live", "ended"]))
    question_count = fields.Integer(required=True)
    current_question = fields.Nested(ChatQuestionSchema, allow_none=True, required=True)
    questions = fields.List(
        fields.Nested(ChatQuestionSchema),
        required=True,
        metadata={"description": "Released ones (all of them for the host)"},
    )
    can_host = fields.Boolean(required=True)
    room = fields.String(required=True)
    url = fields.String(required=True)


class ChatListSchema(StrictSchema):
    items = fields.List(fields.Nested(ChatSchema), required=True)


Questions = fields.List(
    fields.String(validate=validate.Length(min=1, max=500)),
    required=True,
    validate=validate.Length(min=1, max=20),
    metadata={"description": "Q1..Qn in order ('Q<n>: ' is added when missing)"},
)


#: The longest description of a chat (the PWA's form says so beside the field).
CHAT_DESCRIPTION_MAX = 5_000
ChatDescription = fields.String(
    allow_none=True,
    validate=validate.Length(max=CHAT_DESCRIPTION_MAX),
    metadata={"description": "What the chat is about: plain text, up to 5,000 characters"},
)


class ChatCreateSchema(StrictSchema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = ChatDescription
    hashtag = fields.String(required=True, validate=validate.Length(min=1, max=64))
    start = fields.AwareDateTime(required=True)
    end = fields.AwareDateTime(required=True)
    questions = Questions


class ChatPatchSchema(StrictSchema):
    title = fields.String(validate=validate.Length(min=1, max=200))
    description = ChatDescription
    hashtag = fields.String(
        validate=validate.Length(min=1, max=64),
        metadata={"description": "Until Q1 is released (409 chat_started after)"},
    )
    start = fields.AwareDateTime(
        metadata={
            "description": "Until Q1 is released (409 chat_started after); sent without "
            "'end', it moves the chat and its length stays"
        }
    )
    end = fields.AwareDateTime(metadata={"description": "Also while the chat runs"})


class ChatQuestionsSchema(StrictSchema):
    questions = Questions


class ReleaseRequestSchema(StrictSchema):
    expected = fields.Integer(
        validate=validate.Range(min=1, max=20),
        metadata={"description": "The number you mean to release: a retry is then harmless"},
    )


class ReleaseSchema(StrictSchema):
    question = fields.Nested(ChatQuestionSchema, required=True)
    chat = fields.Nested(ChatSchema, required=True)


class ChatComposeRequestSchema(StrictSchema):
    note = fields.String(load_default="", validate=validate.Length(max=5000))
    question = fields.Integer(
        validate=validate.Range(min=1, max=20),
        metadata={"description": "Defaults to the current question"},
    )


class ChatComposeSchema(StrictSchema):
    text = fields.String(required=True, metadata={"description": "'A<n> <note> #hashtag'"})
    hashtag = fields.String(required=True)
    question = fields.Nested(ChatQuestionSchema, allow_none=True, required=True)
    networks = fields.Dict(keys=fields.String(), values=fields.Dict(), required=True)


class TranscriptAuthorSchema(StrictSchema):
    username = fields.String(required=True)
    display_name = fields.String(required=True)
    handle = fields.String(required=True)
    handles = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


class TranscriptEntrySchema(StrictSchema):
    id = fields.Integer(required=True)
    seq = fields.Integer(allow_none=True, required=True)
    text = fields.String(required=True)
    created_at = fields.String(required=True)
    reply_to_id = fields.Integer(allow_none=True, required=True)
    depth = fields.Integer(required=True, metadata={"description": "Reply depth in the thread"})
    author = fields.Nested(TranscriptAuthorSchema, required=True)


class TranscriptQuestionSchema(ChatQuestionSchema):
    answers = fields.List(fields.Nested(TranscriptEntrySchema), required=True)


class TranscriptChatSchema(StrictSchema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    description = fields.String(allow_none=True, required=True)
    hashtag = fields.String(required=True)
    conference = fields.String(required=True)
    start = fields.String(required=True)
    end = fields.String(required=True)
    state = fields.String(required=True)
    host = fields.Nested(PersonSchema, allow_none=True, required=True)


class TranscriptSchema(StrictSchema):
    chat = fields.Nested(TranscriptChatSchema, required=True)
    questions = fields.List(fields.Nested(TranscriptQuestionSchema), required=True)
    other = fields.List(
        fields.Nested(TranscriptEntrySchema),
        required=True,
        metadata={"description": "Chat posts not marked as an answer"},
    )
    participants = fields.Integer(required=True)
    posts = fields.Integer(required=True)


# --- following --------------------------------------------------------------------------------


class SessionStatusSchema(StrictSchema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    start = fields.String(required=True)
    end = fields.String(required=True)
    room = fields.String(allow_none=True, required=True)
    state = fields.String(required=True, validate=validate.OneOf(["upcoming", "live", "ended"]))


class LiveContextSchema(StrictSchema):
    at = fields.String(required=True)
    session = fields.Nested(SessionStatusSchema, required=True)
    next_in_room = fields.Nested(SessionStatusSchema, allow_none=True, required=True)
    now = fields.List(fields.Nested(SessionStatusSchema), required=True)
    next = fields.List(fields.Nested(SessionStatusSchema), required=True)
    feed = fields.String(required=True)
    digest = fields.String(required=True)


class FollowCreateSchema(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(["session", "track", "person"]))
    id = fields.Integer(validate=ID, metadata={"description": "Session, track or user id"})
    username = fields.String(
        validate=validate.Length(min=1, max=40), metadata={"description": "For a person"}
    )

    @validates_schema
    def _one_target(self, data: dict[str, object], **_: object) -> None:
        if ("id" in data) == ("username" in data):
            raise ValidationError("Give either id or username.")
        if "username" in data and data["kind"] != "person":
            raise ValidationError("Only people are followed by username.", "username")


class FollowSchema(StrictSchema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    target_id = fields.Integer(required=True)
    title = fields.String(required=True)
    conference = fields.String()
    person = fields.Nested(PersonSchema)
    new_posts = fields.Integer(required=True, metadata={"description": "Since you last looked"})
    seen_at = fields.String(required=True)
    latest = fields.List(fields.Nested(PostSchema), required=True)
    session = fields.Nested(SessionStatusSchema)


class FollowingListSchema(StrictSchema):
    items = fields.List(fields.Nested(FollowSchema), required=True)


class SharedPostSchema(StrictSchema):
    post = fields.Nested(PostSchema, required=True)
    replies = fields.Integer(required=True)
    echoes = fields.Integer(required=True)
    score = fields.Integer(required=True)


class DigestLinkSchema(StrictSchema):
    url = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(["slides", "link"]))
    posts = fields.Integer(required=True)
    first_post_id = fields.Integer(required=True)


class SessionLinkSchema(StrictSchema):
    url = fields.String(required=True)
    title = fields.String(allow_none=True)
    kind = fields.String(allow_none=True)


class DigestSpeakerSchema(StrictSchema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    handles = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    mentioned_in = fields.Integer(required=True)


class DigestContributorSchema(PersonSchema):
    posts = fields.Integer(required=True)


class DigestSchema(StrictSchema):
    session = fields.Nested(SessionStatusSchema, required=True)
    posts = fields.Integer(required=True)
    participants = fields.Integer(required=True)
    most_shared = fields.List(
        fields.Nested(SharedPostSchema),
        required=True,
        metadata={"description": "Score = replies + echoes (copies or links by others)"},
    )
    links = fields.List(fields.Nested(DigestLinkSchema), required=True)
    session_links = fields.List(fields.Nested(SessionLinkSchema), required=True)
    speakers = fields.List(fields.Nested(DigestSpeakerSchema), required=True)
    contributors = fields.List(fields.Nested(DigestContributorSchema), required=True)
