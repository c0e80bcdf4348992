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

# View Channel, Send Messages, Embed Links, Attach Files (exports), Read Message History and
# Pin Messages (1 << 51: the board; since February 2026 Discord no longer lets Manage Messages
# pin, so that one is not asked for): nothing more.
PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 51)
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


def read_only_uri(path: Path, *, immutable: bool = False) -> str:
    """An SQLite URI that opens `path` read-only. Percent-quoted: in `file:{path}?mode=ro` a
    `#` or `?` in a folder's name would end the path there, and SQLite would create (and
    write) the file named by what came before it. `immutable`: for a file nobody writes (a
    backup): read as it is, without the -wal and -shm files a WAL database gets next to it."""
    return f"{path.absolute().as_uri()}?mode=ro{'&immutable=1' if immutable else ''}"


# -- single instance ----------------------------------------------------------------------


def lock_path(database: Path) -> Path:
    """The lock file of the database a path leads to: next to the file itself, after every
    symlink (to the file or to a folder on the way), so all paths to it share one lock."""
    real = database.resolve()
    return real.with_name(real.name + ".lock")


@contextlib.contextmanager
def instance_lock(database: Path) -> Iterator[None]:
    """Held by the running bot: a second bot, or a restore, on the same database is refused.
    Raises OperationError, also when the lock file cannot be made."""
    lock = lock_path(database)
    try:
        lock.parent.mkdir(parents=True, exist_ok=True)
        handle: IO[str] = lock.open("a+")
    except OSError as exc:
        raise OperationError(f"cannot make the lock file {lock}: {why(exc, lock)}") from None
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
    """A consistent copy of the live database (SQLite's online backup), checked afterwards.
    Raises OperationError; a failed backup leaves nothing behind but the folders it made."""
    if not database.exists():
        raise OperationError(f"no database at {database}")
    named = destination
    try:
        # A folder (existing, or named without a file suffix such as .sqlite3) gets a dated
        # copy.
        if destination.is_dir() or (not destination.exists() and not destination.suffix):
            destination.mkdir(parents=True, exist_ok=True)
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
            destination = destination / f"deadlines-{stamp}.sqlite3"
        if destination.resolve() == database.resolve():
            raise OperationError("the backup must not overwrite the database itself")
        destination.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OperationError(f"cannot write a backup to {named}: {why(exc, named)}") from None
    partial = destination.with_name(destination.name + ".partial")
    try:
        # Made here first, so that a folder that takes no files says so in its own words.
        partial.open("wb").close()
        _copy_database(database, partial)
        report = inspect(partial)
        os.replace(partial, destination)  # only a complete, checked copy gets the final name
    except OSError as exc:
        _discard(partial)
        raise OperationError(f"cannot write a backup to {named}: {why(exc, partial)}") from None
    except BaseException:
        _discard(partial)
        raise
    return BackupReport(destination, report.size, report.deadlines, report.schema_version)


def _copy_database(database: Path, target_path: Path) -> None:
    """SQLite's online backup of `database` (read-only) into `target_path`."""
    try:
        source = sqlite3.connect(read_only_uri(database), uri=True, timeout=10)
        try:
            target = sqlite3.connect(target_path)
            try:
                source.backup(target)
                # The copy is in WAL mode, as the database is: every later opening (the check
                # below, a restore's) would leave -wal and -shm files next to it. One file.
                target.execute("PRAGMA journal_mode = DELETE")
            finally:
                target.close()
        finally:
            source.close()
    except sqlite3.Error as exc:
        raise OperationError(f"backup failed: {exc}") from exc


def _discard(path: Path) -> None:
    """Remove a file this module was making, if it is there and can be removed."""
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


def why(error: OSError, path: Path) -> str:
    """What went wrong making `path`, in a few words: a file where a folder must be is named
    (the system only says "file exists" or "not a directory")."""
    for part in path.parents:
        if part.exists():
            if not part.is_dir():
                return f"{part} is a file, not a folder"
            break
    reason = (error.strerror or str(error)).lower()
    return f"{reason}: {error.filename}" if error.filename else reason


def inspect(path: Path) -> BackupReport:
    """Check that `path` is an intact Deadline Desk database this version can use."""
    if path.is_dir():
        raise OperationError(f"{path} is a folder, not a database file")
    if not path.exists():
        raise OperationError(f"no file at {path}")
    try:
        # Immutable: exactly the bytes a restore copies, and nothing written next to them.
        conn = sqlite3.connect(read_only_uri(path, immutable=True), uri=True)
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
    database is kept next to it; returns the restored report and where the old one went.
    Through a symlink, the file it points to is replaced (the link stays)."""
    database = database.resolve()
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
        staged = database.with_name(database.name + ".restoring")
        try:
            # Staged first: a copy that fails (a full disk) leaves the database and its -wal.
            shutil.copyfile(source, staged)
            for suffix in ("-wal", "-shm"):
                Path(f"{database}{suffix}").unlink(missing_ok=True)
            os.replace(staged, database)
        except OSError as exc:
            _discard(staged)
            raise OperationError(f"cannot restore to {database}: {why(exc, staged)}") from None
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
        conn = sqlite3.connect(read_only_uri(database), uri=True, timeout=5)
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
