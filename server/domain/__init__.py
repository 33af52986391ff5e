"""Pure domain logic: no Flask, SQLAlchemy, marshmallow or Socket.IO (import-linter enforces it)."""
