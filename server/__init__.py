"""Backchannel: the live-posting companion for professional conferences."""

from server.app import create_app

__all__ = ["create_app"]
