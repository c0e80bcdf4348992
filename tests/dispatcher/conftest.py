"""The dispatcher layer's fixtures: a recording notifier, the real dispatcher over the real
store and the fake clock, and the services wired to it as bot/app.py wires them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from support import FakeClock, RecordingNotifier

from bot.dispatcher import Dispatcher
from bot.models import GuildDefaults
from bot.service import Services
from bot.storage import SqliteStore


@pytest.fixture
def notifier() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
async def dispatcher(
    store: SqliteStore, clock: FakeClock, notifier: RecordingNotifier
) -> AsyncIterator[Dispatcher]:
    async with Dispatcher(store, notifier, clock=clock, defaults=GuildDefaults()) as running:
        yield running


@pytest.fixture
def services(store: SqliteStore, clock: FakeClock, dispatcher: Dispatcher) -> Services:
    services = Services.over(store, clock=clock)
    services.changes.subscribe(dispatcher.changed)
    return services
