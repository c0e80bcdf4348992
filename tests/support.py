"""Test doubles for the edges we control: a clock we move by hand, a notifier that records.

Everything else in the tests is real: SQLite files, the engine, the dispatcher.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Collection, Sequence
from pathlib import Path
from typing import Any

from bot.deadlines import Rule
from bot.models import Deadline, NewDeadline
from bot.notices import AlertNotice, PermanentSendError, TransientSendError, withdrawn

REPOSITORY = Path(__file__).resolve().parents[1]


def run_bot_cli(*args: str, text: bool = True) -> subprocess.CompletedProcess[Any]:
    """`python -m bot ARGS` as a real subprocess from the repository's root, without the
    machine's BOT_ variables or Discord token (so only the test's own config counts)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_") and k != "DISCORD_TOKEN"}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        cwd=REPOSITORY,
        env=env,
        timeout=60,
        check=False,
        text=text,
    )


# Thu 2025-07-17 08:00 in New York: the morning the Bondi letter went out, an hour before the
# default 09:00 alert time.
START = dt.datetime(2025, 7, 17, 12, 0, tzinfo=dt.UTC)

# The Bondi letter as stored: 30 days under the roll rule, due Mon 2025-08-18 (the pure
# rendering tests' deadline, #12 of guild 1, alerts in channel 10).
BONDI = Deadline(
    guild_id=1, id=12, channel_id=10, title="Bondi letter", start=dt.date(2025, 7, 17),
    rule=Rule.ROLL, calendar="US", period="30 days", due=dt.date(2025, 8, 18),
    due_at=dt.datetime(2025, 8, 19, 3, 59, 59, tzinfo=dt.UTC), has_time=False,
    explanation=("day 0: Thu 2025-07-17 (start date)",), created_by=5,
    created_at=dt.datetime(2025, 7, 17, 12, tzinfo=dt.UTC),
    updated_at=dt.datetime(2025, 7, 17, 12, tzinfo=dt.UTC),
)  # fmt: skip


def records_request(
    n: int, *, guild_id: int, created_by: int, channel_id: int = 55,
    created_at: dt.datetime = START,
) -> NewDeadline:  # fmt: skip
    """Deadline `n` of a storage test: "Records request n", 30 + n calendar days from the
    Bondi letter, due at the end of Aug 16 + n (UTC)."""
    due = dt.date(2025, 8, 16) + dt.timedelta(days=n)
    return NewDeadline(
        guild_id=guild_id,
        channel_id=channel_id,
        title=f"Records request {n}",
        start=dt.date(2025, 7, 17),
        rule=Rule.CALENDAR,
        calendar="US",
        period=f"{30 + n} days",
        due=due,
        due_at=dt.datetime.combine(due, dt.time(23, 59, 59), tzinfo=dt.UTC),
        has_time=False,
        explanation=("day 0",),
        created_by=created_by,
        created_at=created_at,
    )


class FakeClock:
    """A clock that moves only when told; the dispatcher's sleeps follow it."""

    def __init__(self, now: dt.datetime) -> None:
        self._now = now
        self._moved = asyncio.Event()

    def now(self) -> dt.datetime:
        return self._now

    def set(self, now: dt.datetime) -> None:
        self._now = now
        self._moved.set()

    def advance(self, **delta: float) -> None:
        self.set(self._now + dt.timedelta(**delta))

    async def sleep_until(self, when: dt.datetime | None, wake: asyncio.Event) -> None:
        while not wake.is_set() and (when is None or self._now < when):
            self._moved.clear()
            waiters = [
                asyncio.ensure_future(wake.wait()),
                asyncio.ensure_future(self._moved.wait()),
            ]
            try:
                await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiter in waiters:
                    waiter.cancel()


class RecordingNotifier:
    """Records every notice; `fail` decides per notice whether to raise instead."""

    def __init__(self) -> None:
        self.notices: list[AlertNotice] = []
        self.digests: list[tuple[int, int, list[Deadline]]] = []
        self.late_digests: list[bool] = []
        self.attempts: list[AlertNotice] = []
        self.fail: Callable[[AlertNotice], Exception | None] = lambda notice: None
        # Posts the notice, then raises what it returns (the answer lost: a 504, a hang).
        self.lose_answer: Callable[[AlertNotice], BaseException | None] = lambda notice: None
        # What the channels show: (channel, posted at, nonce shown as its ref, message id).
        self.posted: list[tuple[int, dt.datetime, str, int]] = []
        self.history_reads: list[tuple[int, frozenset[str], dt.datetime, int | None]] = []
        self.history_error: Exception | None = None  # raised by find_posted
        self.clock: Callable[[], dt.datetime] | None = None  # when posts happen (else now)
        # Every message posted: (its nonce, its id, the notices it carries).
        self.messages: list[tuple[str, int, list[AlertNotice]]] = []
        # Awaited before each post, as the real notifier waits its turn (the pace); then, as
        # it does, a notice whose deadline changed meanwhile is withdrawn (`still_wanted`).
        self.turn: Callable[[], Awaitable[None]] | None = None
        self.per_message = 5  # how many notices `fits` takes in one message
        self._ids = itertools.count(1000)

    async def send_alert(self, notice: AlertNotice) -> int:
        return await self._post([notice], notice.nonce)

    async def send_alerts(self, notices: Sequence[AlertNotice], *, nonce: str) -> int:
        assert 1 < len(notices) <= self.per_message, notices
        assert len({lane_of(n) for n in notices}) == 1, "one message is in one channel"
        assert all(n.dm_user_id is None for n in notices), "a DM copy goes alone"
        return await self._post(list(notices), nonce)

    def fits(self, notices: Sequence[AlertNotice]) -> bool:
        return len(notices) <= self.per_message

    async def _post(self, notices: list[AlertNotice], nonce: str) -> int:
        """One message: refused if `fail` refuses any of its notices."""
        if self.turn is not None:
            await self.turn()
            gone = withdrawn(notices)
            if gone is not None:
                raise gone
        self.attempts.extend(notices)
        for notice in notices:
            error = self.fail(notice)
            if error is not None:
                raise error
        self.notices.extend(notices)
        message_id = self.new_message_id()
        self.messages.append((nonce, message_id, notices))
        for notice in notices:  # each shows its own ref
            at = self.clock() if self.clock else notice.now
            self.posted.append((lane_of(notice), at, notice.nonce, message_id))
        for notice in notices:
            lost = self.lose_answer(notice)
            if lost is not None:
                raise lost
        return message_id

    def new_message_id(self) -> int:
        """The next message id (ids grow, as Discord's do)."""
        return next(self._ids)

    async def find_posted(
        self,
        guild_id: int,
        channel_id: int,
        refs: Collection[str],
        *,
        since: dt.datetime,
        after: int | None = None,
        dm_user_id: int | None = None,
    ) -> dict[str, int]:
        channel_id = channel_id if dm_user_id is None else -dm_user_id
        self.history_reads.append((channel_id, frozenset(refs), since, after))
        if self.history_error is not None:
            raise self.history_error
        return {
            nonce: message_id
            for channel, at, nonce, message_id in self.posted
            if channel == channel_id
            and (message_id > after if after is not None else at >= since)
            and nonce in refs
        }

    async def send_digest(
        self,
        guild_id: int,
        channel_id: int,
        deadlines: Sequence[Deadline],
        *,
        now: dt.datetime,
        late: bool = False,
    ) -> int:
        self.digests.append((guild_id, channel_id, list(deadlines)))
        self.late_digests.append(late)
        return next(self._ids)

    def for_deadline(self, guild_id: int, deadline_id: int) -> list[AlertNotice]:
        return [n for n in self.notices if n.guild_id == guild_id and n.deadline.id == deadline_id]


def lane_of(notice: AlertNotice) -> int:
    """Where the recording notifier files a post: its channel, or for a DM copy the user's
    id negated (as `Group.lane`)."""
    return notice.channel_id if notice.dm_user_id is None else -notice.dm_user_id


def fail_channel(
    channel_id: int, *, permanent: bool, times: int | None = None
) -> Callable[[AlertNotice], Exception | None]:
    """A `fail` policy: sends to `channel_id` fail (`times` times, or always)."""
    remaining = [times]

    def policy(notice: AlertNotice) -> Exception | None:
        if lane_of(notice) != channel_id:
            return None
        if remaining[0] is not None:
            if remaining[0] <= 0:
                return None
            remaining[0] -= 1
        if permanent:
            return PermanentSendError("403 Missing Access")
        return TransientSendError("503 Service Unavailable")

    return policy


def hold_exclusive_lock(database: Path, seconds: float, locked: threading.Event) -> None:
    """Another process's exclusive lock on the database for `seconds` (run in a thread);
    `locked` is set once it holds it."""
    conn = sqlite3.connect(database, timeout=10, isolation_level=None)
    try:
        conn.execute("BEGIN EXCLUSIVE")
        locked.set()
        time.sleep(seconds)
        conn.execute("ROLLBACK")
    finally:
        conn.close()


def without_config_environment(folder: Path, monkeypatch: Any) -> None:
    """Run in `folder` (no ./config.toml to pick up), with no BOT_* or DISCORD_TOKEN
    variables from the outside (names are read case-insensitively)."""
    monkeypatch.chdir(folder)
    for name in list(os.environ):
        if name.upper().startswith("BOT_") or name.upper() == "DISCORD_TOKEN":
            monkeypatch.delenv(name)
