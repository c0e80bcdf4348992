"""Checks only some commands need: the database's folder is writable; and the masked form of
the token for display."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Final

from pydantic import (
    SecretStr,
)

from bot.config_sources import ConfigError

from .sections import EXAMPLES

_MASK_KEEP: Final = 4


def masked(token: str | SecretStr) -> str:
    """The token with only its first and last 4 characters: "MTIz…wxyz"; "(not set)" if empty.

    A value too short to keep 4 + 4 characters and still hide most of it shows as "****".
    """
    if isinstance(token, SecretStr):
        token = token.get_secret_value()
    token = token.strip()
    if not token:
        return "(not set)"
    if len(token) < 4 * _MASK_KEEP:
        return "****"
    return f"{token[:_MASK_KEEP]}…{token[-_MASK_KEEP:]}"


def check_database_path(path: str | Path) -> None:
    """Make sure the SQLite file can be created or written; raises ConfigError.

    Leaves everything as it was: a missing folder is not made (the bot makes it when it
    starts), but the nearest folder that exists must take a new folder. Really tries, with a
    scratch folder or file it removes again, because permission bits lie (root, ACLs,
    read-only mounts).
    """
    db = Path(path)
    folder = db.parent
    if db.is_dir():
        raise ConfigError(f"database.path: {db} is a folder; name a file inside it")
    existing = next((p for p in (folder, *folder.parents) if p.exists()), Path("."))
    try:
        if not existing.is_dir():
            raise NotADirectoryError(f"{existing} is a file, not a folder")
        if existing != folder:
            os.rmdir(tempfile.mkdtemp(dir=existing, prefix=".deadline-desk-check-"))
            return
    except OSError as exc:
        raise ConfigError(
            f"database.path: cannot create the folder {folder} for {db}: {_reason(exc)} "
            f"(for example: {EXAMPLES['database.path']})"
        ) from None
    try:
        # SQLite also creates journal files next to the database, so the folder must be writable.
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".deadline-desk-check-"):
            pass
    except OSError as exc:
        raise ConfigError(
            f"database.path: cannot create files in the folder {folder}: {_reason(exc)}"
        ) from None
    try:
        if db.exists():
            # r+b neither truncates nor changes the file; it only proves we may write it.
            with db.open("r+b"):
                pass
    except OSError as exc:
        raise ConfigError(f"database.path: cannot write to {db}: {_reason(exc)}") from None


def _reason(exc: OSError) -> str:
    # An OSError made with a message only (no errno) is ours, and says it as it is.
    return exc.strerror.lower() if exc.strerror else str(exc)
