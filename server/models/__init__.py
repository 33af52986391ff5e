"""SQLAlchemy models: columns, relationships and trivial properties only."""

from server.models.agenda import AgendaItem, ImportRun
from server.models.base import Base
from server.models.conference import Conference, Room, Track
from server.models.connecting import Follow, Tweetchat, TweetchatQuestion, Tweetup, TweetupRsvp
from server.models.draft import Draft
from server.models.moderation import AuditLog, Report, WatchedWord
from server.models.post import Post
from server.models.talk import Speaker, Talk, TalkSpeaker
from server.models.upload import Upload
from server.models.user import AuthToken, User, UserHandle

__all__ = [
    "AgendaItem",
    "AuditLog",
    "AuthToken",
    "Base",
    "Conference",
    "Draft",
    "Follow",
    "ImportRun",
    "Post",
    "Report",
    "Room",
    "Speaker",
    "Talk",
    "TalkSpeaker",
    "Track",
    "Tweetchat",
    "TweetchatQuestion",
    "Tweetup",
    "TweetupRsvp",
    "Upload",
    "User",
    "UserHandle",
    "WatchedWord",
]
