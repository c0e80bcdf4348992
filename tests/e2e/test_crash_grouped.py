"""Exactly once for messages of several deadlines (issue 16), end to end: `python -m bot run`
killed after Discord posted a message carrying five deadlines' alerts but before the bot
recorded it, and restarted once Discord has forgotten the nonce (the fake's `nonce_window` 0):
every alert is found by its embed's footer and recorded with that message, none is posted
twice, none is lost, and the alerts that had not gone out yet go out together.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import re
import signal
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from bot_process import start_bot, write_config
from fakediscord import FakeDiscord
from support import records_request

from bot.models import AlertKind, PlannedAlert
from bot.storage import SqliteStore

FOOTER = re.compile(r"Deadline #(\d+) \u00b7 .* \u00b7 ref dda(\d+)")
SEVEN = 7  # alerts of one instant in one channel: a message of five, then one of two


def refs_of(message: dict[str, Any]) -> list[int]:
    """The alert ids a message shows (one embed footer each)."""
    return [
        int(found[2])
        for embed in message.get("embeds") or []
        if (found := FOOTER.fullmatch((embed.get("footer") or {}).get("text", "")))
    ]


def alert_rows(database: Path) -> dict[int, tuple[int | None, int | None, str | None]]:
    """alert id -> (message id, claimed, attempted_at), read as another process would."""
    with contextlib.closing(sqlite3.connect(database)) as conn:
        rows = conn.execute(
            "SELECT id, message_id, claimed_at IS NOT NULL, attempted_at FROM alerts"
        ).fetchall()
    return {alert: (message, claimed, attempted) for alert, message, claimed, attempted in rows}


async def seven_due_now(database: Path, guild_id: int, channel_id: int) -> None:
    """Seven deadlines in one channel whose one-day reminders are due at one instant: now."""
    now = dt.datetime.now(dt.UTC)
    due = now.replace(microsecond=0)
    batch = []
    for n in range(SEVEN):
        new = records_request(n, guild_id=guild_id, created_by=1, channel_id=channel_id)
        new = dataclasses.replace(new, created_at=now)
        batch.append((new, [PlannedAlert(AlertKind.REMINDER, due, days_before=1)]))
    async with SqliteStore.open(database) as store, store.transaction() as tx:
        await tx.insert_deadlines(batch)


@pytest.mark.timeout(180)
async def test_killed_after_a_grouped_post_every_alert_is_found_and_none_posted_twice(
    tmp_path: Path,
) -> None:
    async with FakeDiscord(nonce_window=0.0) as fake:  # no help from Discord's nonce at all
        guild = fake.add_guild("Newsroom", channels=["general", "alerts"])
        alerts = guild.channel_id("alerts")
        config, database = tmp_path / "config.toml", tmp_path / "deadlines.sqlite3"
        write_config(config, fake, guild.id, database)
        await seven_due_now(database, int(guild.id), int(alerts))
        # Discord posts the first message, and its answer never comes back.
        hang = fake.fail_next("POST", rf"/channels/{alerts}/messages", 504, handled=True,
                              delay=120)  # fmt: skip

        first_log = tmp_path / "first.log"
        process = await start_bot(config, first_log)
        try:
            for _ in range(300):
                if fake.messages_in(alerts):
                    break
                await asyncio.sleep(0.05)
            (posted,) = fake.messages_in(alerts)
            assert hang.hits == 1, first_log.read_text()
        finally:
            process.send_signal(signal.SIGKILL)  # before its answer: nothing recorded
            await asyncio.wait_for(process.wait(), timeout=10)
        first = refs_of(posted)
        assert len(first) == 5
        assert re.fullmatch(r"ddg[0-9a-f]{16}", posted["nonce"])
        rows = alert_rows(database)
        assert len(rows) == SEVEN
        assert all(message is None for message, _, _ in rows.values())  # none recorded
        assert set(first) <= {alert for alert, (_, claimed, _) in rows.items() if claimed}

        second_log = tmp_path / "second.log"
        process = await start_bot(config, second_log)
        try:
            for _ in range(300):
                if all(message is not None for message, _, _ in alert_rows(database).values()):
                    break
                await asyncio.sleep(0.1)
        finally:
            process.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(process.wait(), timeout=15) == 0
        messages = fake.messages_in(alerts)
        posts = fake.requests_to("POST", rf"/channels/{alerts}/messages")
        rows = alert_rows(database)

    log = second_log.read_text()
    # None lost: every alert recorded, with the message that shows it.
    shown = {alert: int(m["id"]) for m in messages for alert in refs_of(m)}
    assert {alert: message for alert, (message, _, _) in rows.items()} == shown, log
    # None posted twice: each alert's ref in one message; the first five found, not resent.
    assert Counter(a for m in messages for a in refs_of(m)).most_common(1)[0][1] == 1
    assert [len(refs_of(m)) for m in messages] == [5, 2]
    assert shown.keys() == rows.keys()
    assert len(posts) == 1  # the second run's one message (the first run's was held)
    assert re.fullmatch(r"ddg[0-9a-f]{16}", posts[0].json["nonce"])
    assert posts[0].json["nonce"] != posted["nonce"]
    assert log.count("already posted") == 5
    assert "Traceback" not in log
    with contextlib.closing(sqlite3.connect(database)) as conn:
        found = conn.execute(
            "SELECT COUNT(*) FROM history WHERE action = 'alert already posted'"
        ).fetchone()[0]
    assert found == 5
