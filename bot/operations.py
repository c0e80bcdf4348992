"""Operating the bot: the invite link, backup and restore, the single-instance lock, and the
health verdict read from the heartbeat the running bot writes into its database.

No discord.py here: these run as short CLI commands next to (or instead of) the bot.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
import fcntl
import json
import os
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from bot.storage.migrations import SCHEMA_VERSION

# View Channel, Send Messages, Manage Messages (to pin the board), Embed Links, Attach Files
# (exports), Read Message History: nothing more.
PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 13) | (1 << 14) | (1 << 15) | (1 << 16)
HEARTBEAT_KEY = "heartbeat"
HEARTBEAT_MAX_AGE = dt.timedelta(seconds=90)
DISPATCHER_MAX_AGE = dt.timedelta(seconds=150)


class OperationError(Exception):
    """An operation that cannot be done; the message is one line for the admin."""


def client_id_from_token(token: str) -> int | None:
    """The application (bot user) id a bot token starts with, base64-encoded; None if not."""
    first = token.split(".", 1)[0]
    try:
        decoded = base64.urlsafe_b64decode(first + "=" * (-len(first) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return int(decoded) if decoded.isdigit() and len(decoded) <= 20 else None


def invite_url(client_id: int) -> str:
    """The link that adds the bot to a server with exactly the permissions it needs."""
    return (
        "https://discord.com/oauth2/authorize"
        f"?client_id={client_id}&scope=bot+applications.commands&permissions={PERMISSIONS}"
    )


# -- single instance ----------------------------------------------------------------------


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


@contextlib.contextmanager
def instance_lock(database: Path) -> Iterator[None]:
    """Held by the running bot: a second bot, or a restore, on the same database is refused."""
    database.parent.mkdir(parents=True, exist_ok=True)
    handle: IO[str] = lock_path(database).open("a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OperationError(
                f"{database} is in use by a running Deadline Desk; stop it first"
            ) from None
        yield
    finally:
        handle.close()  # releases the lock


# -- backup and restore -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BackupReport:
    path: Path
    size: int
    deadlines: int
    schema_version: int


def backup(database: Path, destination: Path) -> BackupReport:
    """A consistent copy of the live database (SQLite's online backup), checked afterwards."""
    if not database.exists():
        raise OperationError(f"no database at {database}")
    # A folder (existing, or named without a file suffix such as .sqlite3) gets a dated copy.
    if destination.is_dir() or (not destination.exists() and not destination.suffix):
        destination.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        destination = destination / f"deadlines-{stamp}.sqlite3"
    if destination.resolve() == database.resolve():
        raise OperationError("the backup must not overwrite the database itself")
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10)
    try:
        target = sqlite3.connect(partial)
        try:
            source.backup(target)
        finally:
            target.close()
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise OperationError(f"backup failed: {exc}") from exc
    finally:
        source.close()
    report = inspect(partial)
    os.replace(partial, destination)  # only a complete, checked copy gets the final name
    return BackupReport(destination, report.size, report.deadlines, report.schema_version)


def inspect(path: Path) -> BackupReport:
    """Check that `path` is an intact Deadline Desk database this version can use."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            count = (
                conn.execute("SELECT COUNT(*) FROM deadlines").fetchone()[0]
                if ("deadlines" in tables)
                else 0
            )
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise OperationError(f"{path} is not a usable database: {exc}") from exc
    if verdict != "ok":
        raise OperationError(f"{path} failed its integrity check: {verdict}")
    if "deadlines" not in tables or version < 1:
        raise OperationError(f"{path} is not a Deadline Desk database")
    if version > SCHEMA_VERSION:
        raise OperationError(
            f"{path} was written by a newer Deadline Desk (schema {version} > {SCHEMA_VERSION})"
        )
    return BackupReport(path, path.stat().st_size, int(count), version)


def restore(source: Path, database: Path) -> tuple[BackupReport, Path | None]:
    """Replace the database with a backup; refused while the bot runs. The replaced
    database is kept next to it; returns the restored report and where the old one went."""
    report = inspect(source)
    if source.resolve() == database.resolve():
        raise OperationError("the backup and the database are the same file")
    with instance_lock(database):
        kept = None
        if database.exists():
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
            kept = database.with_name(f"{database.name}.before-restore-{stamp}")
            # SQLite's backup from the database as it stands, its -wal included (after a
            # crash the last commits live only there), checked; refused if it cannot be made,
            # so nothing of the current database is thrown away.
            try:
                backup(database, kept)
            except OperationError as exc:
                raise OperationError(
                    f"cannot keep a copy of the current database, so it was left as it is: {exc}"
                ) from exc
        for suffix in ("-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        staged = database.with_name(database.name + ".restoring")
        shutil.copyfile(source, staged)
        os.replace(staged, database)
    return report, kept


# -- health -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """What the running bot records every few seconds (in the database's meta table)."""

    at: dt.datetime
    gateway_connected: bool
    dispatcher_beat_at: dt.datetime | None
    pid: int
    # Why the web server cannot take a new client (its last self-check), or None: it can, or
    # it is off.
    web_problem: str | None = None

    def to_json(self) -> str:
        return json.dumps(
            {
                "at": self.at.isoformat(),
                "gateway_connected": self.gateway_connected,
                "dispatcher_beat_at": (
                    self.dispatcher_beat_at.isoformat() if self.dispatcher_beat_at else None
                ),
                "pid": self.pid,
                "web_problem": self.web_problem,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> Heartbeat:
        data = json.loads(text)
        beat = data.get("dispatcher_beat_at")
        return cls(
            at=dt.datetime.fromisoformat(data["at"]),
            gateway_connected=bool(data["gateway_connected"]),
            dispatcher_beat_at=dt.datetime.fromisoformat(beat) if beat else None,
            pid=int(data.get("pid", 0)),
            web_problem=str(data["web_problem"]) if data.get("web_problem") else None,
        )


def verdict(heartbeat: Heartbeat | None, *, now: dt.datetime) -> tuple[bool, str]:
    """Healthy or not, and why: pure, so every case is tested."""
    if heartbeat is None:
        return False, "no heartbeat yet: is the bot running?"
    age = now - heartbeat.at
    if age > HEARTBEAT_MAX_AGE:
        return False, f"last heartbeat {int(age.total_seconds())} s ago (bot stopped or stuck)"
    if not heartbeat.gateway_connected:
        return False, "not connected to Discord's gateway"
    if heartbeat.dispatcher_beat_at is None:
        return False, "the alert dispatcher has not started"
    lag = now - heartbeat.dispatcher_beat_at
    if lag > DISPATCHER_MAX_AGE:
        return False, f"the alert dispatcher last ran {int(lag.total_seconds())} s ago"
    if heartbeat.web_problem:
        return False, heartbeat.web_problem
    return True, f"healthy: heartbeat {int(age.total_seconds())} s ago, gateway connected"


def read_heartbeat(database: Path) -> Heartbeat | None:
    """The bot's last heartbeat, read without writing anything."""
    if not database.exists():
        raise OperationError(f"no database at {database}")
    try:
        conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (HEARTBEAT_KEY,)).fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise OperationError(f"cannot read {database}: {exc}") from exc
    if row is None:
        return None
    try:
        return Heartbeat.from_json(row[0])
    except (ValueError, KeyError, TypeError):
        return None
