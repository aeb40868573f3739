"""A generation's manifest: written last, so a generation without one never happened."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr

from realtime.settings import Settings

GENERATIONS = "generations/"


class StoredObject(BaseModel):
    """One encrypted object of a generation."""

    name: str
    sha256: str
    size: int


class Manifest(BaseModel):
    """What one backup generation holds and from where replay continues."""

    format: int = 1
    generation: str
    backend: Literal["sqlite", "postgresql"]
    started_at: datetime
    snapshot_at: datetime = Field(description="Restores to this time or later can use it.")
    finished_at: datetime
    last_txid: int | None = None  # SQLite: last journaled transaction in the snapshot
    segment: int | None = None  # SQLite: first journal segment replay needs
    wal_start: str | None = None  # PostgreSQL: first WAL file the base backup needs
    schema_revision: str | None = None
    objects: list[StoredObject] = Field(default_factory=list)
    media: dict[str, str] = Field(default_factory=dict)  # media path -> SHA-256
    settings: dict[str, Any] = Field(default_factory=dict)


def manifest_name(generation: str) -> str:
    return f"{GENERATIONS}{generation}/manifest.json"


def settings_snapshot(settings: Settings) -> dict[str, Any]:
    """The settings without secrets: a secret is recorded only as set or not set."""
    data: dict[str, Any] = {}
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            data[name] = {"secret": True, "set": bool(value.get_secret_value())}
        elif name == "database_url" and value:
            from sqlalchemy.engine import make_url

            data[name] = make_url(value).render_as_string(hide_password=True)
        else:
            data[name] = value if isinstance(value, int | float | bool | type(None)) else str(value)
    return data
