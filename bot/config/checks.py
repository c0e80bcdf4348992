"""Checks only some commands need: the database's folder is writable; and the masked form of
the token for display."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Final

from pydantic import (
    SecretStr,
)

from .sections import EXAMPLES, ConfigError

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

    Really tries: creates the folder (kept, since the bot would create it anyway) and
    creates and deletes a scratch file in it, because permission bits lie (root, ACLs,
    read-only mounts).
    """
    db = Path(path)
    folder = db.parent
    if db.is_dir():
        raise ConfigError(f"database.path: {db} is a folder; name a file inside it")
    try:
        folder.mkdir(parents=True, exist_ok=True)
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
    return (exc.strerror or str(exc)).lower()
