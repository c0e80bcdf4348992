"""The desk records a clean stop as its last write, and only when nothing failed on the way
down (issue 16): the next start then skips the integrity check, which reads the whole file."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakediscord import FakeDiscord, pointed_at
from newsroom import desk_options
from support import START, FakeClock

from bot.app import open_desk
from bot.storage import SqliteStore


async def test_a_clean_stop_is_recorded_and_an_unclean_one_is_not(tmp_path: Path) -> None:
    database = tmp_path / "deadlines.sqlite3"
    async with FakeDiscord() as fake:
        guild = fake.add_guild("Newsroom")
        options = desk_options(database, FakeClock(START), [guild.id])
        with pointed_at(fake):
            async with open_desk(options, token="fake-token"):
                pass
            async with SqliteStore.open(database) as store:
                assert not (await store.check_at_start()).checked  # marker taken
            with pytest.raises(RuntimeError, match="boom"):
                async with open_desk(options, token="fake-token"):
                    raise RuntimeError("boom")
    async with SqliteStore.open(database) as store:
        start = await store.check_at_start()
    assert start.checked
    assert "did not stop cleanly" in start.reason
