"""Hostile input to the use cases, on a real SQLite file: whatever comes in, the answer is a
UserError (or the change), never an internal error, and nothing is half-written. Text options
are parsed as the slash commands parse them (bot/discord/options.py)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import sqlite3
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hostile_inputs import CHANNEL, DIGITS_100KB, GUILD, USER, inputs, optional_inputs
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from support import START, FakeClock

from bot.deadlines import AbsoluteDue, Period
from bot.discord.options import one_change, parse_option
from bot.service import Actor, Services, UserError
from bot.storage import SqliteStore

# -- the service: only UserErrors, whatever comes in (text parsed as the commands do) ------


@contextlib.contextmanager
def service_on_disk(folder: Path) -> Iterator[tuple[asyncio.Runner, Desk]]:
    """The real services on a real SQLite file, driven from synchronous Hypothesis tests."""
    with asyncio.Runner() as runner:
        store = runner.run(SqliteStore.connect(folder / "deadlines.sqlite3"))
        try:
            yield runner, Desk(Services.over(store, clock=FakeClock(START)))
        finally:
            runner.run(store.close())
        with contextlib.closing(sqlite3.connect(folder / "deadlines.sqlite3")) as conn:
            assert [row[0] for row in conn.execute("PRAGMA integrity_check")] == ["ok"]


ALICE = Actor(USER)  # the creator of every deadline here: may change them all
ADMIN = Actor.everywhere(USER, manage_messages=True, manage_guild=True)


class Desk:
    """The service calls as the slash commands make them: text options parsed the same way
    (bot/discord/options.py), then one use case."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.deadlines = services.deadlines

    async def add(self, **fields: Any) -> Any:
        return (await self.deadlines.add(ALICE, GUILD, channel_id=CHANNEL, **fields)).deadline

    async def extend(
        self, deadline_id: int, *, by: str | None = None, to: str | None = None,
        reason: str | None = None,
    ) -> Any:  # fmt: skip
        change = one_change(
            None if by is None else parse_option(by, "by", Period, "14 days"),
            None if to is None else parse_option(to, "to", AbsoluteDue, "2025-09-15"),
            deadline_id=deadline_id,
        )
        return await self.deadlines.extend(ALICE, GUILD, deadline_id, change=change, reason=reason)

    async def snooze(self, deadline_id: int, until: str) -> Any:
        change = parse_option(until, "until", None, "3 days")
        return await self.deadlines.snooze(ALICE, GUILD, deadline_id, until=change)

    async def edit(self, deadline_id: int, **fields: Any) -> Any:
        return await self.deadlines.edit(ALICE, GUILD, deadline_id, **fields)

    async def done(self, deadline_id: int, note: str | None = None) -> Any:
        return await self.deadlines.done(ALICE, GUILD, deadline_id, note=note)

    async def delete(self, deadline_id: int) -> Any:
        return await self.deadlines.delete(ALICE, GUILD, deadline_id)

    async def status(self, deadline_id: int) -> Any:
        return await self.deadlines.status(GUILD, deadline_id)

    async def settings(self) -> Any:
        return await self.services.settings.get(GUILD)

    async def update_settings(self, **changes: Any) -> Any:
        return await self.services.settings.update(ADMIN, GUILD, **changes)

    async def calc(self, text: str) -> Any:
        return await self.deadlines.calc(text, guild_id=GUILD)

    async def list_all(self) -> Any:
        return await self.deadlines.page(GUILD, show="all")


@pytest.fixture
def desk(services: Services) -> Desk:
    return Desk(services)


def only_service_errors(runner: asyncio.Runner, work: Awaitable[Any]) -> Any:
    """Run `work`; a UserError is an answer (None), anything else fails the test."""
    try:
        return runner.run(work)  # type: ignore[arg-type]
    except UserError as exc:
        if not exc.message:
            raise AssertionError(f"{type(exc).__name__} without a message") from exc
        return None


FUZZ = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_service_add_raises_only_service_errors(tmp_path: Path) -> None:
    with service_on_disk(tmp_path) as (runner, desk):

        @given(
            text=inputs,
            start=st.one_of(st.none(), st.dates()),
            counting=st.one_of(st.none(), st.sampled_from(["roll", "business"]), st.text()),
            link=st.one_of(optional_inputs, st.text().map(lambda t: "https://example.com/" + t)),
            notes=optional_inputs,
        )
        @FUZZ
        def check(
            text: str, start: dt.date | None, counting: str | None, link: str | None,
            notes: str | None,
        ) -> None:  # fmt: skip
            added = only_service_errors(
                runner,
                desk.add(
                    text=text,
                    start=start,
                    counting=counting,
                    link=link,
                    notes=notes,
                ),
            )
            if added is not None:
                assert 1 <= len(added.title) <= 200
                assert added.notes is None or len(added.notes) <= 1000
                status = runner.run(desk.status(added.id))
                assert status.deadline == added

        check()


def test_service_changes_raise_only_service_errors(tmp_path: Path) -> None:
    with service_on_disk(tmp_path) as (runner, desk):
        made = itertools.count(1)

        def fresh() -> int:
            # A new title each time: the same add again would find the one already saved.
            added = runner.run(desk.add(text=f"Bondi {next(made)}, 30 days"))
            return int(added.id)

        operations: dict[str, Callable[[int, str | None, str | None], Awaitable[Any]]] = {
            "extend by": lambda i, a, b: desk.extend(i, by=a or "", reason=b),
            "extend to": lambda i, a, b: desk.extend(i, to=a or "", reason=b),
            "extend both": lambda i, a, b: desk.extend(i, by=a, to=b),
            "snooze": lambda i, a, b: desk.snooze(i, until=a or ""),
            "edit title": lambda i, a, b: desk.edit(i, title=a, notes=b),
            "edit link": lambda i, a, b: desk.edit(i, link=a),
            "done": lambda i, a, b: desk.done(i, note=a),
            "delete": lambda i, a, b: desk.delete(i),
        }

        @given(
            op=st.sampled_from(sorted(operations)), first=optional_inputs, second=optional_inputs
        )
        @example(op="edit title", first="\x00", second=None)  # found by this test
        @FUZZ
        def check(op: str, first: str | None, second: str | None) -> None:
            deadline_id = fresh()
            changed = only_service_errors(runner, operations[op](deadline_id, first, second))
            after = runner.run(desk.status(deadline_id)).deadline
            if changed is None:
                assert after.revision == 0  # refused: nothing changed
            else:
                assert after == changed
                assert 1 <= len(after.title) <= 200

        check()


def test_service_settings_raise_only_service_errors(tmp_path: Path) -> None:
    with service_on_disk(tmp_path) as (runner, desk):
        runner.run(desk.add(text="Bondi, 30 days"))
        snowflakes = st.integers(1, 2**63 - 1)
        changes = st.fixed_dictionaries(
            {},
            optional={
                "timezone": st.one_of(inputs, st.sampled_from(["Europe/Paris", "Etc/GMT+12"])),
                "calendar": st.one_of(inputs, st.sampled_from(["US-CA", "US-ZZ", "FR"])),
                "counting": st.one_of(inputs, st.sampled_from(["roll", "court"])),
                # Whole minutes, as the command sends (the table keeps HH:MM).
                "alert_time": st.times().map(lambda t: t.replace(second=0, microsecond=0)),
                "reminder_days": st.lists(st.integers(), max_size=12).map(tuple),
                "escalate_after": st.integers(),
                "overdue_repeat_days": st.integers(),
                "digest_enabled": st.booleans(),
                "default_channel_id": snowflakes,
                "manager_role_id": snowflakes,
                "escalation_role_id": snowflakes,
            },
        )

        @given(changes)
        @FUZZ
        def check(change: dict[str, Any]) -> None:
            before = runner.run(desk.settings())
            updated = only_service_errors(runner, desk.update_settings(**change))
            after = runner.run(desk.settings())
            assert after == (before if updated is None else updated)

        check()


def test_service_treats_any_deadline_id_it_does_not_have_as_not_found(tmp_path: Path) -> None:
    with service_on_disk(tmp_path) as (runner, desk):
        runner.run(desk.add(text="Bondi, 30 days"))

        @given(
            deadline_id=st.one_of(
                st.integers(), st.sampled_from([0, -1, 2**63, 10**30, -(10**30)])
            ).filter(lambda i: i != 1),
            op=st.sampled_from(["status", "done", "extend", "edit", "snooze", "delete"]),
        )
        @FUZZ
        def check(deadline_id: int, op: str) -> None:
            calls = {
                "status": lambda: desk.status(deadline_id),
                "done": lambda: desk.done(deadline_id),
                "extend": lambda: desk.extend(deadline_id, by="3 days"),
                "edit": lambda: desk.edit(deadline_id, title="x"),
                "snooze": lambda: desk.snooze(deadline_id, until="1 day"),
                "delete": lambda: desk.delete(deadline_id),
            }
            with pytest.raises(UserError) as raised:
                runner.run(calls[op]())
            assert raised.value.message == f"there is no deadline #{deadline_id} in this server"

        check()


@pytest.mark.parametrize(
    "operation", ["add", "extend", "snooze", "edit title", "notes", "calc", "start"]
)
async def test_100kb_of_digits_is_refused_by_the_service_in_milliseconds(
    desk: Desk, operation: str
) -> None:
    added = await desk.add(text="Bondi, 30 days")
    calls: dict[str, Callable[[], Awaitable[Any]]] = {
        "add": lambda: desk.add(text=DIGITS_100KB),
        "extend": lambda: desk.extend(added.id, by=DIGITS_100KB),
        "snooze": lambda: desk.snooze(added.id, until=DIGITS_100KB),
        "edit title": lambda: desk.edit(added.id, title=DIGITS_100KB),
        "notes": lambda: desk.edit(added.id, notes=DIGITS_100KB),
        "calc": lambda: desk.calc(DIGITS_100KB),
        "start": lambda: desk.add(text=f"x, {DIGITS_100KB} days from 7/17"),
    }
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        with pytest.raises(UserError):
            await calls[operation]()
        best = min(best, time.perf_counter() - started)
    assert best < 0.05, f"{best * 1000:.1f} ms"
    assert (await desk.status(added.id)).deadline == added


# Not characters a person types, but JSON carries them ("\\ud800", "\\u0000"): a lone
# surrogate cannot be encoded as UTF-8; SQLite's length() stops at a NUL.
STRANGE_TEXT = {"lone surrogate": "Bondi \ud800 letter", "only a NUL": "\x00"}


@pytest.mark.parametrize("kind", sorted(STRANGE_TEXT))
@pytest.mark.parametrize(
    "field",
    ["add text", "add notes", "add link", "edit title", "edit notes", "edit link",
     "extend reason", "done note", "snooze until", "calc"],
)  # fmt: skip
async def test_strange_text_is_refused_or_kept_never_an_internal_error(
    desk: Desk, field: str, kind: str
) -> None:
    added = await desk.add(text="Bondi, 30 days")
    bad = STRANGE_TEXT[kind]
    link = f"https://example.com/{bad.replace(' ', '')}"
    calls: dict[str, Callable[[], Awaitable[Any]]] = {
        "add text": lambda: desk.add(text=f"{bad}, 30 days"),
        "add notes": lambda: desk.add(text="Bondi, 30 days", notes=bad),
        "add link": lambda: desk.add(text="Bondi, 30 days", link=link),
        "edit title": lambda: desk.edit(added.id, title=bad),
        "edit notes": lambda: desk.edit(added.id, notes=bad),
        "edit link": lambda: desk.edit(added.id, link=link),
        "extend reason": lambda: desk.extend(added.id, by="3 days", reason=bad),
        "done note": lambda: desk.done(added.id, note=bad),
        "snooze until": lambda: desk.snooze(added.id, until=bad),
        "calc": lambda: desk.calc(f"{bad}, 30 days"),
    }
    try:
        await calls[field]()
    except UserError:
        assert (await desk.status(added.id)).deadline == added
    # Whatever was accepted can be read back.
    for deadline in (await desk.list_all()).deadlines:
        await desk.status(deadline.id)
