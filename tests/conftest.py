from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from support import START, FakeClock

from bot.service import Services
from bot.storage import SqliteStore


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "deadlines.sqlite3"


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[SqliteStore]:
    async with SqliteStore.open(db_path) as opened:
        yield opened


@pytest.fixture
def clock() -> FakeClock:
    # Thu 2025-07-17 08:00 in New York: the Bondi letter's date, before the 09:00 alert.
    return FakeClock(START)


@pytest.fixture
def services(store: SqliteStore, clock: FakeClock) -> Services:
    return Services.over(store, clock=clock)
