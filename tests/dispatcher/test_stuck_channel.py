"""One stuck channel must not delay every server (issue 12.4): the real dispatcher over real
SQLite, with a notifier whose posts to one channel hang (as a hung connection or a long
rate limit would) while another server's channel answers at once.

Before: eight due alerts in the stuck channel took all eight senders, and the other
server's alert waited for them (37 s behind a 40 s hang). Now a channel has at most one
send in flight, and a send with no answer is abandoned after the send timeout and retried.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Sequence

from support import FakeClock, RecordingNotifier

from bot.dispatcher import Dispatcher
from bot.models import GuildDefaults
from bot.notices import AlertNotice
from bot.service import Actor, Services
from bot.storage import SqliteStore

STUCK, OTHER_GUILD, FINE = 10, 200, 20
REMINDER_AT = dt.datetime(2025, 8, 9, 13, 0, tzinfo=dt.UTC)  # Sat 09:00 New York
HANG_SECONDS = 40.0


class HangingChannel(RecordingNotifier):
    """Posts to STUCK hang for HANG_SECONDS (unless abandoned); others answer at once."""

    def __init__(self) -> None:
        super().__init__()
        self.in_flight = 0
        self.most_in_flight = 0
        self.answered_at: dict[int, float] = {}

    async def send_alert(self, notice: AlertNotice) -> int:
        await self._hang(notice.channel_id)
        message_id = await super().send_alert(notice)
        self.answered_at[notice.channel_id] = time.monotonic()
        return message_id

    async def send_alerts(self, notices: Sequence[AlertNotice], *, nonce: str) -> int:
        await self._hang(notices[0].channel_id)
        message_id = await super().send_alerts(notices, nonce=nonce)
        self.answered_at[notices[0].channel_id] = time.monotonic()
        return message_id

    async def _hang(self, channel_id: int) -> None:
        if channel_id == STUCK:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            try:
                await asyncio.sleep(HANG_SECONDS)
            finally:
                self.in_flight -= 1


async def test_another_servers_alert_is_not_held_up_by_a_hung_channel(
    store: SqliteStore, clock: FakeClock
) -> None:
    notifier = HangingChannel()
    dispatcher = Dispatcher(store, notifier, clock=clock, defaults=GuildDefaults(), send_timeout=2)
    dispatcher.stop_timeout = 0.5
    services = Services.over(store, clock=clock)
    services.changes.subscribe(dispatcher.changed)
    await dispatcher.start()
    try:
        for n in range(8):  # eight requests of one newsroom, all alerting in one channel
            await services.deadlines.add(
                Actor(5), 100, channel_id=STUCK, text=f"Request {n}, 30 days",
                start=dt.date(2025, 7, 17),
            )  # fmt: skip
        await services.deadlines.add(
            Actor(6), OTHER_GUILD, channel_id=FINE, text="Bondi letter, 30 days",
            start=dt.date(2025, 7, 17),
        )  # fmt: skip
        clock.set(REMINDER_AT + dt.timedelta(seconds=1))
        started = time.monotonic()
        dispatcher.wake()
        while FINE not in notifier.answered_at and time.monotonic() - started < 5:
            await asyncio.sleep(0.01)
        late = notifier.answered_at.get(FINE, float("inf")) - started
        print(f"\nanother server's alert while one channel hangs: sent after {late * 1000:.0f} ms")
        assert late < 1.0
        assert notifier.most_in_flight == 1  # one send at a time in the stuck channel
        # The stuck send is abandoned after the send timeout, and retried later: not lost.
        await asyncio.sleep(3.5)
        async with store.transaction() as tx:
            alerts = [a for d in range(1, 9) for a in await tx.alerts_of(100, d)]
        retried = [a for a in alerts if a.attempts == 1 and a.error]
        # The stuck message carried five of the eight (one message of one instant in one
        # channel holds up to five deadlines): each of them is retried.
        assert len(retried) == 5
        assert all("no answer within 2 s" in (a.error or "") for a in retried)
        assert all(a.sent_at is None for a in alerts if a.send_at == REMINDER_AT)
    finally:
        await dispatcher.stop()
    async with store.transaction() as tx:
        assert await tx.release_claims() == 0  # stop released every claim it held
