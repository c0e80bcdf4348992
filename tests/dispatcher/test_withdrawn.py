"""A deadline changed while its alert waited for its turn to post (the pace kept for Discord's
rate limits: seconds in a burst) is not posted: the notifier asks right before the request,
and the claim is released (what the change kept is claimed afresh). Real dispatcher, real
SQLite file, fake clock; the recording notifier waits its turn as the real one does."""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from pathlib import Path

from support import FakeClock, RecordingNotifier

from bot.discord.options import parse_when
from bot.dispatcher import Dispatcher
from bot.notices import PermanentSendError
from bot.service import Actor, Services

GUILD, USER, CHANNEL = 100, 5, 10
CREATOR = Actor(USER)
REMINDER_AT = dt.datetime(2025, 8, 9, 13, 0, tzinfo=dt.UTC)  # Sat 09:00 New York: 7 days left


async def add(services: Services, title: str) -> int:
    added = await services.deadlines.add(
        CREATOR, GUILD, channel_id=CHANNEL, text=f"{title}, 30 days", start=dt.date(2025, 7, 17)
    )
    return added.deadline.id


def sent(db_path: Path) -> list[tuple[int, str]]:
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        return conn.execute(
            "SELECT deadline_id, kind FROM alerts WHERE sent_at IS NOT NULL ORDER BY id"
        ).fetchall()


async def test_an_alert_whose_deadline_is_done_while_it_waits_its_turn_is_not_posted(
    services: Services,
    dispatcher: Dispatcher,
    clock: FakeClock,
    notifier: RecordingNotifier,
    db_path: Path,
) -> None:
    deadline_id = await add(services, "Bondi letter")

    async def turn() -> None:  # someone presses Mark done while the post waits its turn
        notifier.turn = None
        await services.deadlines.done(CREATOR, GUILD, deadline_id)

    notifier.turn = turn
    clock.set(REMINDER_AT)
    await dispatcher.settle()
    assert notifier.notices == []  # nothing posted: the deadline was done before the request
    assert sent(db_path) == []
    clock.set(REMINDER_AT + dt.timedelta(days=30))  # and nothing later either: it is done
    await dispatcher.settle()
    assert notifier.notices == []


async def test_a_message_of_several_is_withdrawn_whole_and_the_unchanged_go_out_next(
    services: Services,
    dispatcher: Dispatcher,
    clock: FakeClock,
    notifier: RecordingNotifier,
    db_path: Path,
) -> None:
    ids = [await add(services, f"Request {n}") for n in range(3)]

    async def turn() -> None:  # the second is snoozed while their message waits its turn
        notifier.turn = None
        await services.deadlines.snooze(CREATOR, GUILD, ids[1], until=parse_when("1 day"))

    notifier.turn = turn
    clock.set(REMINDER_AT)
    await dispatcher.settle()
    # The message of three was not posted; the two unchanged went out after, together, and
    # the snoozed one did not.
    assert [[n.deadline.id for n in m[2]] for m in notifier.messages] == [[ids[0], ids[2]]]
    assert sorted(d for d, _ in sent(db_path)) == [ids[0], ids[2]]


async def test_a_fallback_withdrawn_while_it_waits_is_claimed_again_not_failed(
    services: Services,
    dispatcher: Dispatcher,
    clock: FakeClock,
    notifier: RecordingNotifier,
    db_path: Path,
) -> None:
    admin = Actor.everywhere(USER, manage_guild=True)
    await services.settings.update(admin, GUILD, default_channel_id=20)
    await add(services, "Bondi letter")
    # The deadline's channel was deleted: Discord refuses for good, the fallback follows.
    notifier.fail = lambda n: (
        PermanentSendError("10003 Unknown Channel") if n.channel_id == CHANNEL else None
    )

    async def turn() -> None:  # while the fallback waits, the server's alert channel moves
        if notifier.attempts and notifier.turn is not None:
            notifier.turn = None
            await services.settings.update(admin, GUILD, default_channel_id=30)

    notifier.turn = turn
    clock.set(REMINDER_AT)
    await dispatcher.settle()
    clock.set(REMINDER_AT + dt.timedelta(minutes=5))
    await dispatcher.settle()
    fallbacks = [n.channel_id for n in notifier.notices if n.fallback]
    assert fallbacks == [30]  # reached the server's alert channel as it now is, once
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        told = [a for (a,) in conn.execute("SELECT action FROM history WHERE deadline_id = 1")]
    assert told.count("alert sent to the default channel") == 1
