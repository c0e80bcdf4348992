from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from support import START, FakeClock

from bot.service import Services
from bot.storage import SqliteStore


@pytest.fixture(autouse=True, scope="session")
def _private_cache_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """CLI subprocesses keep their holiday cache (bot/holiday_cache.py) in a folder of this
    test run, never in the user's ~/.cache."""
    patch = pytest.MonkeyPatch()
    patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache-home")))
    yield
    patch.undo()


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
