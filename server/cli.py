"""The ``backchannel`` command: serve, import, demo, users and database upgrades."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from flask import Flask


def _app() -> Flask:
    from server.app import create_app  # noqa: PLC0415 -- serve must monkey-patch first

    return create_app()


@click.group()
def main() -> None:
    """Backchannel: the live-posting companion for professional conferences."""


@main.command()
@click.option(
    "--host", default=lambda: os.environ.get("HOST", "127.0.0.1"), show_default="127.0.0.1"
)
@click.option(
    "--port", default=lambda: int(os.environ.get("PORT", "5000")), type=int, show_default="5000"
)
@click.option("--no-upgrade", is_flag=True, help="Do not apply pending database migrations.")
def serve(host: str, port: int, no_upgrade: bool) -> None:
    """Serve the app and the live wall with gevent (one process)."""
    from gevent import monkey  # noqa: PLC0415 -- must run before anything imports ssl/socket

    monkey.patch_all()
    app = _app()
    from server.extensions import socketio  # noqa: PLC0415 -- after patching
    from server.gcpolicy import freeze_startup_objects  # noqa: PLC0415
    from server.services.background import start_background_jobs  # noqa: PLC0415

    if not no_upgrade:
        _upgrade(app)
    start_background_jobs(app, socketio)
    freeze_startup_objects()  # again after the analytics warm-up (server/gcpolicy.py)
    click.echo(f"Backchannel on http://{host}:{port}  (database: {_safe_url(app)})")
    socketio.run(
        app,
        host=host,
        port=port,
        log_output=False,
        allow_unsafe_werkzeug=False,
        handler_class=_no_delay_handler(),
    )


def _no_delay_handler() -> type:
    """gevent's WSGI handler with TCP_NODELAY on each connection.

    Acks and live frames are small writes on kept-alive connections; with Nagle's algorithm
    each waits for the peer's delayed ACK (40 ms on Linux) before it leaves.
    """
    import socket  # noqa: PLC0415 -- after patching
    from contextlib import suppress  # noqa: PLC0415

    from server.realtime.broadcast import DetachableWSGIHandler  # noqa: PLC0415

    class NoDelayHandler(DetachableWSGIHandler):  # live websockets leave their greenlet
        def handle(self) -> None:
            with suppress(OSError):  # not a TCP socket (a unix socket)
                self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            super().handle()

    return NoDelayHandler


def _safe_url(app: Flask) -> str:
    from sqlalchemy.engine import make_url  # noqa: PLC0415

    return make_url(app.config["SQLALCHEMY_DATABASE_URI"]).render_as_string(hide_password=True)


def _upgrade(app: Flask) -> None:
    from flask_migrate import upgrade as alembic_upgrade  # noqa: PLC0415

    with app.app_context():
        alembic_upgrade()


@main.command()
def upgrade() -> None:
    """Create or upgrade the database schema (Alembic migrations)."""
    _upgrade(_app())
    click.echo("database is up to date")


@main.command(name="import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--conference", "slug", required=True, help="Conference slug (created if new).")
@click.option("--timezone", default=None, help="IANA timezone for files that lack one.")
def import_command(file: Path, slug: str, timezone: str | None) -> None:
    """Import a schedule FILE (frab/pretalx JSON or XML, schedule v2, pentabarf, CSV)."""
    from tqdm import tqdm  # noqa: PLC0415

    from server.errors import AppError  # noqa: PLC0415
    from server.services.programme_import import do_import_programme  # noqa: PLC0415

    app = _app()
    _upgrade(app)
    data = file.read_bytes()
    with app.app_context():
        bar = tqdm(total=0, unit="session", desc=f"importing {file.name}", leave=True)

        def progress(done: int, total: int) -> None:
            if bar.total != total:
                bar.reset(total=total)
            bar.n = done
            bar.refresh()

        try:
            report = do_import_programme(
                data, slug=slug, source="cli", default_timezone=timezone, progress=progress
            )
        except AppError as exc:
            bar.close()
            location = exc.details.get("location")
            click.echo(
                f"error: {exc.message}" + (f"\n  at {location}" if location else ""), err=True
            )
            sys.exit(1)
        bar.close()
    summary = report.to_dict()["summary"]
    click.echo(
        f"{slug}: {summary['sessions']} sessions ({report.format}); added {summary['added']}, "
        f"changed {summary['changed']}, moved {summary['moved']}, "
        f"cancelled {summary['cancelled']}, restored {summary['restored']}, "
        f"unchanged {summary['unchanged']}"
    )


@main.command()
def demo() -> None:
    """Create or refresh the demo conference (dates moved so that it runs this week)."""
    from server.services.demo import do_load_demo  # noqa: PLC0415

    app = _app()
    _upgrade(app)
    with app.app_context():
        result = do_load_demo()
    click.echo(result)


@main.group()
def user() -> None:
    """Manage accounts."""


@user.command("create")
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice(["attendee", "moderator", "organizer"]),
    default="attendee",
    show_default=True,
)
@click.option("--display-name", default=None)
@click.password_option(envvar="BACKCHANNEL_PASSWORD")
def user_create(username: str, role: str, display_name: str | None, password: str) -> None:
    """Create an account (the password is asked for, or read from BACKCHANNEL_PASSWORD)."""
    from server.errors import AppError  # noqa: PLC0415
    from server.services.accounts import do_create_user  # noqa: PLC0415

    app = _app()
    _upgrade(app)
    with app.app_context():
        try:
            created = do_create_user(username, password, display_name or username, role=role)
        except AppError as exc:
            click.echo(f"error: {exc.message}", err=True)
            sys.exit(1)
        click.echo(f"created {created.username} ({created.role})")


if __name__ == "__main__":  # pragma: no cover
    main()
