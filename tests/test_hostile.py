"""Hostile input: fuzzed phrases and service inputs, huge and foreign ids, mentions, markdown
and invisible characters, SQL metacharacters, and members acting where they may not.

The pure and service tests run the real engine and the real service on a real SQLite file;
the end-to-end ones run the real bot against the fake Discord server.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import re
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fakediscord import MANAGE_GUILD, MANAGE_MESSAGES, FakeDiscord, running_client
from fakediscord.world import FakeGuild, FakeUser
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from support import START, FakeClock, make_bot

from bot.deadlines import DeadlineError, calculate, parse_phrase, parse_start_date
from bot.discord.client import DeadlineBot
from bot.models import Status
from bot.service import DeadlineService, ServiceError
from bot.storage import SqliteStore

GUILD, USER, CHANNEL = 1, 5, 10
EPHEMERAL = 64
DIGITS_100KB = "7" * 100_000

# Pieces of what people type, so that fuzzing reaches deep into the grammar, not only the
# "could not find a period" exit.
TOKENS = [
    " ", ",", ":", ";", "|", " - ", "-", "+", " and ", " plus ", "&", ".", "!", "?", "'",
    "0", "1", "7", "10", "30", "999999", "1234567", "9" * 20, "-1", "one", "twenty-one",
    "thirty", "a ", "an ", "another ", "additional ", "day", "days", "week", "weeks", "month",
    "months", "year", "years", "calendar ", "business ", "working ", "court ", "extension",
    "deadline", "within ", "in ", " from ", " after ", " since ", "by ", "due ", "on ",
    "until ", "2025-07-17", "2025-02-30", "0000-01-01", "9999-12-31", "7/17", "13/45/2025",
    "jul 17", "July", "17th of july", "feb 29", "2200-12-31", "1899-12-31", " 5pm", " 13pm",
    " 0am", " 23:59", " 24:00", " 99:99", " noon", "at ", "Bondi letter", "@everyone",
    "<@&123>", "**", "\u200b", "\u202e", "\u0130", "\ufb03", "\n", "\x00", "\ud7ff", "\U0001f600",
    "\u0661\u0662", "\uff11\uff12", "\u00b2",
]  # fmt: skip
phrase_like = st.lists(st.sampled_from(TOKENS), max_size=30).map("".join)
any_text = st.one_of(st.text(max_size=600), phrase_like)
hostile_strings = st.sampled_from(
    [
        "", " ", "\x00", "'", '"', "\\", "%", "_", "'; DROP TABLE deadlines;--",
        "Robert'); DROP TABLE alerts;--", "1' OR '1'='1", DIGITS_100KB[:600], "\u202e" * 50,
        "@everyone", "<@&1>", "<@1>", "**#2 Fake** due", "https://", "http://[::1",
        "javascript:alert(1)", "https://example.com/" + "a" * 600,
    ]
)  # fmt: skip
inputs = st.one_of(any_text, hostile_strings)
optional_inputs = st.one_of(st.none(), inputs)


# -- the engine: only its own errors, fast -----------------------------------------------------


@given(inputs)
@settings(max_examples=1500, deadline=None)
def test_the_phrase_parser_raises_only_its_own_errors(text: str) -> None:
    try:
        parsed = parse_phrase(text)
    except DeadlineError:
        return
    assert parsed.title is None or parsed.title.strip() == parsed.title


@given(
    text=inputs,
    start=st.dates(),
    rule=st.one_of(st.sampled_from(["calendar", "roll", "court", "business"]), st.text()),
    calendar=st.one_of(st.sampled_from(["US", "US-CA", "us-ny"]), st.text(max_size=10)),
    tz=st.one_of(st.sampled_from(["America/New_York", "UTC", "Pacific/Kiritimati"]), st.text()),
)
@settings(max_examples=800, deadline=None)
def test_the_calculator_raises_only_its_own_errors(
    text: str, start: dt.date, rule: str, calendar: str, tz: str
) -> None:
    try:
        result = calculate(text, start=start, rule=rule, calendar=calendar, tz=tz)
    except DeadlineError:
        return
    assert dt.date(1900, 1, 1) <= result.due.due <= dt.date(2200, 12, 31)
    assert result.due.due_at.tzinfo is not None


@given(text=inputs, near=st.dates())
@settings(max_examples=500, deadline=None)
def test_start_dates_raise_only_their_own_errors(text: str, near: dt.date) -> None:
    with contextlib.suppress(DeadlineError):
        parse_start_date(text, near=near)


def timed(call: Callable[[], object]) -> tuple[float, BaseException | None]:
    """Seconds `call` took (best of three, so a busy machine does not fail it) and what it
    raised."""
    best, raised = float("inf"), None
    for _ in range(3):
        started = time.perf_counter()
        try:
            call()
            raised = None
        except BaseException as exc:
            raised = exc
        best = min(best, time.perf_counter() - started)
    return best, raised


PATHOLOGICAL = [
    DIGITS_100KB,
    DIGITS_100KB + " days",
    "Title, " + DIGITS_100KB + " business days",
    "9" * 499,
    "1 day + " * 62,
    "a, " * 166,
    ", " * 250,
    " - " * 166,
    "1 " * 250,
    "by " * 166,
    "x from " * 70,
    "1 day from " * 45,
    "jul 17 " * 70,
    "1" + " " * 497 + "d",
    "\u200b" * 499 + "1 day",
]


@pytest.mark.parametrize("text", PATHOLOGICAL, ids=lambda t: f"{t[:12]!r}x{len(t)}")
def test_huge_and_pathological_phrases_are_answered_in_milliseconds(text: str) -> None:
    near = dt.date(2025, 7, 17)
    for call in (
        lambda: parse_phrase(text),
        lambda: calculate(text, start=near),
        lambda: parse_start_date(text, near=near),
    ):
        took, raised = timed(call)
        assert took < 0.05, f"{took * 1000:.1f} ms"
        assert raised is None or isinstance(raised, DeadlineError), repr(raised)


# -- the service: only ServiceError, whatever comes in ----------------------------------------


@contextlib.contextmanager
def service_on_disk(folder: Path) -> Iterator[tuple[asyncio.Runner, DeadlineService]]:
    """The real service on a real SQLite file, driven from synchronous Hypothesis tests."""
    with asyncio.Runner() as runner:
        store = runner.run(SqliteStore.connect(folder / "deadlines.sqlite3"))
        try:
            yield runner, DeadlineService(store, clock=FakeClock(START))
        finally:
            runner.run(store.close())
        with contextlib.closing(sqlite3.connect(folder / "deadlines.sqlite3")) as conn:
            assert [row[0] for row in conn.execute("PRAGMA integrity_check")] == ["ok"]


def only_service_errors(runner: asyncio.Runner, work: Awaitable[Any]) -> Any:
    """Run `work`; a ServiceError is an answer (None), anything else fails the test."""
    try:
        return runner.run(work)  # type: ignore[arg-type]
    except ServiceError as exc:
        if not exc.message:
            raise AssertionError(f"{type(exc).__name__} without a message") from exc
        return None


FUZZ = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_service_add_raises_only_service_errors(tmp_path: Path) -> None:
    with service_on_disk(tmp_path) as (runner, service):

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
                service.add(
                    GUILD,
                    actor_id=USER,
                    channel_id=CHANNEL,
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
                status = runner.run(service.status(GUILD, added.id))
                assert status.deadline == added

        check()


def test_service_changes_raise_only_service_errors(tmp_path: Path) -> None:
    with service_on_disk(tmp_path) as (runner, service):

        def fresh() -> int:
            added = runner.run(
                service.add(GUILD, actor_id=USER, channel_id=CHANNEL, text="Bondi, 30 days")
            )
            return added.id

        operations: dict[str, Callable[[int, str | None, str | None], Awaitable[Any]]] = {
            "extend by": lambda i, a, b: service.extend(
                GUILD, i, actor_id=USER, by=a or "", reason=b
            ),
            "extend to": lambda i, a, b: service.extend(
                GUILD, i, actor_id=USER, to=a or "", reason=b
            ),
            "extend both": lambda i, a, b: service.extend(GUILD, i, actor_id=USER, by=a, to=b),
            "snooze": lambda i, a, b: service.snooze(GUILD, i, actor_id=USER, until=a or ""),
            "edit title": lambda i, a, b: service.edit(GUILD, i, actor_id=USER, title=a, notes=b),
            "edit link": lambda i, a, b: service.edit(GUILD, i, actor_id=USER, link=a),
            "done": lambda i, a, b: service.done(GUILD, i, actor_id=USER, note=a),
            "delete": lambda i, a, b: service.delete(GUILD, i, actor_id=USER),
        }

        @given(
            op=st.sampled_from(sorted(operations)), first=optional_inputs, second=optional_inputs
        )
        @example(op="edit title", first="\x00", second=None)  # found by this test
        @FUZZ
        def check(op: str, first: str | None, second: str | None) -> None:
            deadline_id = fresh()
            changed = only_service_errors(runner, operations[op](deadline_id, first, second))
            after = runner.run(service.status(GUILD, deadline_id)).deadline
            if changed is None:
                assert after.revision == 0  # refused: nothing changed
            else:
                assert after == changed
                assert 1 <= len(after.title) <= 200

        check()


def test_service_settings_raise_only_service_errors(tmp_path: Path) -> None:
    with service_on_disk(tmp_path) as (runner, service):
        runner.run(service.add(GUILD, actor_id=USER, channel_id=CHANNEL, text="Bondi, 30 days"))
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
            before = runner.run(service.settings(GUILD))
            updated = only_service_errors(
                runner, service.update_settings(GUILD, actor_id=USER, **change)
            )
            after = runner.run(service.settings(GUILD))
            assert after == (before if updated is None else updated)

        check()


def test_service_treats_any_deadline_id_it_does_not_have_as_not_found(tmp_path: Path) -> None:
    with service_on_disk(tmp_path) as (runner, service):
        runner.run(service.add(GUILD, actor_id=USER, channel_id=CHANNEL, text="Bondi, 30 days"))

        @given(
            deadline_id=st.one_of(
                st.integers(), st.sampled_from([0, -1, 2**63, 10**30, -(10**30)])
            ).filter(lambda i: i != 1),
            op=st.sampled_from(["status", "done", "extend", "edit", "snooze", "delete"]),
        )
        @FUZZ
        def check(deadline_id: int, op: str) -> None:
            calls = {
                "status": lambda: service.status(GUILD, deadline_id),
                "done": lambda: service.done(GUILD, deadline_id, actor_id=USER),
                "extend": lambda: service.extend(GUILD, deadline_id, actor_id=USER, by="3 days"),
                "edit": lambda: service.edit(GUILD, deadline_id, actor_id=USER, title="x"),
                "snooze": lambda: service.snooze(GUILD, deadline_id, actor_id=USER, until="1 day"),
                "delete": lambda: service.delete(GUILD, deadline_id, actor_id=USER),
            }
            with pytest.raises(ServiceError) as raised:
                runner.run(calls[op]())
            assert raised.value.message == f"there is no deadline #{deadline_id} in this server"

        check()


@pytest.mark.parametrize(
    "operation", ["add", "extend", "snooze", "edit title", "notes", "calc", "start"]
)
async def test_100kb_of_digits_is_refused_by_the_service_in_milliseconds(
    service: DeadlineService, operation: str
) -> None:
    added = await service.add(GUILD, actor_id=USER, channel_id=CHANNEL, text="Bondi, 30 days")
    calls: dict[str, Callable[[], Awaitable[Any]]] = {
        "add": lambda: service.add(GUILD, actor_id=USER, channel_id=CHANNEL, text=DIGITS_100KB),
        "extend": lambda: service.extend(GUILD, added.id, actor_id=USER, by=DIGITS_100KB),
        "snooze": lambda: service.snooze(GUILD, added.id, actor_id=USER, until=DIGITS_100KB),
        "edit title": lambda: service.edit(GUILD, added.id, actor_id=USER, title=DIGITS_100KB),
        "notes": lambda: service.edit(GUILD, added.id, actor_id=USER, notes=DIGITS_100KB),
        "calc": lambda: service.calc(DIGITS_100KB, guild_id=GUILD),
        "start": lambda: service.add(
            GUILD, actor_id=USER, channel_id=CHANNEL, text=f"x, {DIGITS_100KB} days from 7/17"
        ),
    }
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        with pytest.raises(ServiceError):
            await calls[operation]()
        best = min(best, time.perf_counter() - started)
    assert best < 0.05, f"{best * 1000:.1f} ms"
    assert (await service.status(GUILD, added.id)).deadline == added


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
    service: DeadlineService, field: str, kind: str
) -> None:
    added = await service.add(GUILD, actor_id=USER, channel_id=CHANNEL, text="Bondi, 30 days")
    bad = STRANGE_TEXT[kind]
    link = f"https://example.com/{bad.replace(' ', '')}"
    calls: dict[str, Callable[[], Awaitable[Any]]] = {
        "add text": lambda: service.add(
            GUILD, actor_id=USER, channel_id=CHANNEL, text=f"{bad}, 30 days"
        ),
        "add notes": lambda: service.add(
            GUILD, actor_id=USER, channel_id=CHANNEL, text="Bondi, 30 days", notes=bad
        ),
        "add link": lambda: service.add(
            GUILD, actor_id=USER, channel_id=CHANNEL, text="Bondi, 30 days", link=link
        ),
        "edit title": lambda: service.edit(GUILD, added.id, actor_id=USER, title=bad),
        "edit notes": lambda: service.edit(GUILD, added.id, actor_id=USER, notes=bad),
        "edit link": lambda: service.edit(GUILD, added.id, actor_id=USER, link=link),
        "extend reason": lambda: service.extend(
            GUILD, added.id, actor_id=USER, by="3 days", reason=bad
        ),
        "done note": lambda: service.done(GUILD, added.id, actor_id=USER, note=bad),
        "snooze until": lambda: service.snooze(GUILD, added.id, actor_id=USER, until=bad),
        "calc": lambda: service.calc(f"{bad}, 30 days", guild_id=GUILD),
    }
    try:
        await calls[field]()
    except ServiceError:
        assert (await service.status(GUILD, added.id)).deadline == added
    # Whatever was accepted can be read back.
    for deadline in (await service.list_deadlines(GUILD, show="all")).deadlines:
        await service.status(GUILD, deadline.id)


# -- end to end -------------------------------------------------------------------------------


@dataclass
class Newsroom:
    fake: FakeDiscord
    bot: DeadlineBot
    clock: FakeClock
    guild: FakeGuild
    other: FakeGuild  # another server where alice and bob are members too
    alice: FakeUser  # a reporter: adds the deadlines
    bob: FakeUser  # another reporter, no special permissions
    carol: FakeUser  # has the editors role
    editors: str
    escalators: str
    database: Path

    def channel(self, name: str, guild: FakeGuild | None = None) -> str:
        return (guild or self.guild).channel_id(name)

    async def command(
        self, name: str, options: dict[str, Any] | None = None, *, user: FakeUser | None = None,
        guild: FakeGuild | None = None, permissions: int | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        guild = guild or self.guild
        handle = await self.fake.send_slash_command(
            guild.id, guild.channel_id("general"), (user or self.alice).id,
            f"deadline {name}", options or {}, permissions=permissions,
        )  # fmt: skip
        response: dict[str, Any] = await handle.response(timeout=10)
        if response.get("type") == 5:  # deferred: the answer is the first follow-up
            response = {"type": 4, "data": await handle.followup(timeout=10)}
        return response

    async def press(
        self, custom_id: str, message_id: str, *, user: FakeUser,
        guild: FakeGuild | None = None, permissions: int | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        guild = guild or self.guild
        handle = await self.fake.send_component_interaction(
            guild.id, None, user.id, message_id, custom_id, permissions=permissions
        )
        response: dict[str, Any] = await handle.response(timeout=10)
        return response

    async def settle(self) -> None:
        assert self.bot.dispatcher is not None
        await self.bot.dispatcher.settle()

    async def deadline(self, deadline_id: int = 1) -> Any:
        return (await self.bot.service.status(int(self.guild.id), deadline_id)).deadline

    def alert_posts(self, channel: str = "alerts") -> list[dict[str, Any]]:
        posts = self.fake.requests_to("POST", rf"/channels/{self.channel(channel)}/messages")
        return [p.json for p in posts if p.ok]

    def row(self, sql: str, *params: Any) -> Any:
        with contextlib.closing(
            sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=10)
        ) as conn:
            return conn.execute(sql, params).fetchone()


@pytest.fixture
async def room(tmp_path: Path) -> AsyncIterator[Newsroom]:
    async with FakeDiscord() as fake:
        guild = fake.add_guild("Newsroom", channels=["general", "alerts"])
        other = fake.add_guild("Rival paper", channels=["general"])
        alice, bob, carol = fake.add_user("alice"), fake.add_user("bob"), fake.add_user("carol")
        editors = fake.add_role(guild.id, "editors")
        escalators = fake.add_role(guild.id, "managing editors")
        for user in (alice, bob):
            fake.add_member(guild.id, user)
            fake.add_member(other.id, user)
        fake.add_member(guild.id, carol, roles=[editors])
        clock = FakeClock(START)
        database = tmp_path / "deadlines.sqlite3"
        bot = make_bot(database, clock, [guild.id, other.id])
        async with running_client(fake, bot):
            yield Newsroom(
                fake, bot, clock, guild, other, alice, bob, carol, editors.id, escalators.id,
                database,
            )  # fmt: skip


def unescape(text: str) -> str:
    """What Discord shows for text escaped by the bot: backslashes gone, mentions defused."""
    return re.sub(r"\\(.)", r"\1", text).replace("@\u200b", "@")


def unescaped_mentions(text: str) -> list[str]:
    """Mentions Discord would resolve in `text` (not preceded by a backslash)."""
    found = re.findall(r"(?<!\\)<@[&!]?\d+>", text)
    found += re.findall(r"@(?:everyone|here)", text)
    return found


def fields(embed: dict[str, Any]) -> dict[str, str]:
    return {field["name"]: field["value"] for field in embed.get("fields", [])}


def is_refusal(response: dict[str, Any], *needles: str) -> bool:
    data = response.get("data") or {}
    content = data.get("content") or ""
    return bool(data.get("flags", 0) & EPHEMERAL) and all(n in content for n in needles)


# -- mentions, markdown, invisible characters --------------------------------------------------


@pytest.mark.parametrize("mention", ["role", "user", "none"])
async def test_alerts_ping_only_the_configured_mention_never_names_in_user_text(
    room: Newsroom, mention: str
) -> None:
    owner = room.fake.owner
    await room.command(
        "settings escalation", {"role": room.escalators, "after": 1}, user=owner,
        permissions=MANAGE_GUILD,
    )  # fmt: skip
    hostile = f"@everyone @here <@&{room.editors}> <@{room.bob.id}> <@!{room.bob.id}>"
    options: dict[str, Any] = {
        "text": f"{hostile} ping, by 2025-01-02",
        "channel": room.channel("alerts"),
        "notes": f"@everyone <@&{room.editors}> <@{room.carol.id}>",
    }
    target = {"role": room.editors, "user": room.bob.id, "none": None}[mention]
    if target is not None:
        options["mention"] = target
    added = await room.command("add", options)
    assert added["data"]["allowed_mentions"] == {"parse": []}
    await room.settle()
    (body,) = room.alert_posts()
    roles = [int(room.escalators)] + ([int(room.editors)] if mention == "role" else [])
    users = [int(room.bob.id)] if mention == "user" else []
    allowed = body["allowed_mentions"]
    assert allowed["parse"] == []
    assert sorted(allowed["roles"]) == sorted(roles)
    assert allowed["users"] == users
    expected = [f"<@&{target}>"] if mention == "role" else [f"<@{target}>"] if target else []
    assert unescaped_mentions(body["content"]) == [*expected, f"<@&{room.escalators}>"]
    for embed in body["embeds"]:
        text = " ".join([embed.get("title", ""), embed.get("description", "")])
        text += " ".join(fields(embed).values())
        assert unescaped_mentions(text) == []
    # Every reply to a command pings nobody either.
    for callback in room.fake.requests_to("POST", r"/interactions/.*/callback"):
        assert callback.json["data"].get("allowed_mentions") == {"parse": []}


async def test_markdown_newlines_and_invisible_characters_cannot_fake_another_deadline(
    room: Newsroom,
) -> None:
    await room.command("add", {"text": "Bondi letter, 30 days", "from": "2025-07-17"})
    sneaky = "Quiet one\n**#1 Bondi letter** \u2014 Due Mon 2025-08-18\n> done"
    added = await room.command(
        "add",
        {
            "text": "Inv\u200bisi\u2060ble\u202e, by 2025-07-18",
            "channel": room.channel("alerts"),
            "notes": "line one\n**#1 Bondi letter** is DONE\n```\n\u200b",
        },
    )
    assert added["data"]["embeds"][0]["title"] == "#2 Invisible"
    edited = await room.command("edit", {"deadline": "2", "title": sneaky})
    title = edited["data"]["embeds"][0]["title"]
    assert "\n" not in title
    assert title.startswith("#2 Quiet one \\*\\*\\#1 Bondi letter\\*\\*")
    assert unescape(title) == "#2 " + " ".join(sneaky.split())
    assert (await room.deadline(2)).title == " ".join(sneaky.split())
    notes = fields((await room.command("status", {"deadline": "2"}))["data"]["embeds"][0])["Notes"]
    assert "\n" not in notes
    assert "\u200b" not in notes
    assert "**#1" not in notes
    assert "\\`\\`\\`" in notes

    # The list shows exactly two deadlines, one line each: the title cannot add a third.
    listed = (await room.command("list"))["data"]["embeds"][0]["description"]
    lines = listed.splitlines()
    assert len(lines) == 2
    assert [re.match(r"(?:\S+ \*\*OVERDUE\*\* )?\*\*#(\d+)\*\*", line)[1] for line in lines] == [
        "2", "1",
    ]  # fmt: skip
    assert all(line.count("**#") == 1 for line in lines)

    # The alert for #2 (its one-day reminder, Thu 09:00): one line of content, bold only
    # where the bot puts it.
    room.clock.set(dt.datetime(2025, 7, 17, 13, 0, tzinfo=dt.UTC))
    await room.settle()
    (body,) = room.alert_posts()
    assert "\n" not in body["content"]
    assert len(re.findall(r"(?<!\\)\*\*", body["content"])) == 2
    assert body["content"].endswith("**#2 Quiet one \\*\\*\\#1 Bondi letter\\*\\* \u2014 Due Mon "
                                     "2025\\-08\\-18 \\> done**")  # fmt: skip
    embed_title = body["embeds"][0]["title"]
    assert "\n" not in embed_title
    assert not re.search(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]", embed_title)


# -- ids from nowhere, from elsewhere, and of the wrong shape ---------------------------------

BAD_IDS = [
    "abc", "#", "1e3", "-1", "0", "+1", "1.0", "0x1", str(10**30), "9223372036854775808",
    "1 OR 1=1", "1; DROP TABLE deadlines", "%", "_", "<@1>",
    "\u00b2", "\u2460", "\u0661\u0662\u0663",  # superscript 2, circled 1, Arabic-Indic 123
]  # fmt: skip
# What each command taking a `deadline` needs besides it.
EXTRA_OPTIONS: dict[str, dict[str, Any]] = {
    "status": {},
    "done": {},
    "extend": {"by": "3 days"},
    "edit": {"title": "Hijacked"},
    "snooze": {"until": "3 days"},
    "delete": {},
}


def commands_taking_a_deadline(fake: FakeDiscord, guild_id: str) -> list[str]:
    deadline = fake.commands(guild_id)["deadline"]
    return sorted(
        sub["name"]
        for sub in deadline["options"]
        if any(option["name"] == "deadline" for option in sub.get("options", []))
    )


async def test_malformed_deadline_ids_get_a_clear_ephemeral_error_in_every_command(
    room: Newsroom,
) -> None:
    names = commands_taking_a_deadline(room.fake, room.guild.id)
    assert set(names) == set(EXTRA_OPTIONS), "add the new command to EXTRA_OPTIONS"
    await room.command("add", {"text": "Bondi letter, 30 days", "from": "2025-07-17"})
    unclear = []
    for name in names:
        for value in BAD_IDS:
            response = await room.command(name, {"deadline": value, **EXTRA_OPTIONS[name]})
            ok = is_refusal(response, "is not a deadline number")
            if value in ("\u0661\u0662\u0663",):  # Arabic-Indic 123: a number, just not ours
                ok = ok or is_refusal(response, "there is no deadline #123 in this server")
            if not ok:
                unclear.append((name, value, response["data"].get("content")))
    assert unclear == [], "\n".join(map(repr, unclear))
    after = await room.deadline(1)
    assert after.status is Status.ACTIVE
    assert after.revision == 0


async def test_foreign_and_unknown_ids_get_the_same_answer_and_change_nothing(
    room: Newsroom,
) -> None:
    await room.command("add", {"text": "Bondi letter, 30 days", "from": "2025-07-17"})
    names = commands_taking_a_deadline(room.fake, room.guild.id)
    for name in names:
        options = EXTRA_OPTIONS[name]
        for permissions in (None, MANAGE_MESSAGES | MANAGE_GUILD):
            foreign = await room.command(
                name, {"deadline": "1", **options}, guild=room.other, user=room.alice,
                permissions=permissions,
            )  # fmt: skip
            unknown = await room.command(
                name, {"deadline": "4242", **options}, guild=room.other, user=room.alice,
                permissions=permissions,
            )  # fmt: skip
            assert is_refusal(foreign, "there is no deadline #1 in this server"), (name, foreign)
            assert foreign["data"]["content"] == unknown["data"]["content"].replace("4242", "1")
            assert foreign["data"].get("embeds") in (None, [])
            assert foreign["data"].get("components") in (None, [])
    # An id the autocomplete offered in the other server is just as unknown here.
    handle = await room.fake.send_autocomplete(
        room.guild.id, room.channel("general"), room.alice.id, "deadline status",
        {"deadline": "1"}, "deadline",
    )  # fmt: skip
    assert [c["value"] for c in (await handle.response())["data"]["choices"]] == ["1"]
    handle = await room.fake.send_autocomplete(
        room.other.id, room.channel("general", room.other), room.alice.id, "deadline done",
        {"deadline": "1"}, "deadline",
    )  # fmt: skip
    assert (await handle.response())["data"]["choices"] == []
    after = await room.deadline(1)
    assert after.status is Status.ACTIVE
    assert after.revision == 0
    assert after.title == "Bondi letter"


# -- SQL metacharacters -----------------------------------------------------------------------

SQL_TITLE = 'Robert\'); DROP TABLE deadlines;-- "quoted" 100% _x_ \\back'
SQL_NOTES = '\'; DELETE FROM alerts WHERE 1=1; -- %_\\ "q" `tick` /* c */ UNION SELECT *'
SQL_LINK = "https://example.com/a'%3B--/%_?q=1'OR'1'='1&x=\"y\";DROP"
SQL_REASON = "county said 'yes'; DROP TABLE history;--"
SQL_SNOOZE = "3 days; DROP TABLE deadlines;--"


async def test_sql_metacharacters_are_stored_and_shown_verbatim(room: Newsroom) -> None:
    added = await room.command(
        "add",
        {"text": f"{SQL_TITLE}, 30 days", "from": "2025-07-17", "notes": SQL_NOTES,
         "link": SQL_LINK},
    )  # fmt: skip
    assert unescape(added["data"]["embeds"][0]["title"]) == f"#1 {SQL_TITLE}"
    extended = await room.command(
        "extend", {"deadline": "1", "by": "14 days", "reason": SQL_REASON}
    )
    assert "now due" in extended["data"]["content"]
    refused = await room.command("snooze", {"deadline": "1", "until": SQL_SNOOZE})
    assert is_refusal(refused, SQL_SNOOZE)
    snoozed = await room.command("snooze", {"deadline": "1", "until": f"{SQL_TITLE}, 3 days"})
    assert "no alerts until" in snoozed["data"]["content"]
    await room.command("edit", {"deadline": "1", "title": SQL_NOTES[:200]})
    await room.command("edit", {"deadline": "1", "title": SQL_TITLE})

    assert room.row("SELECT title, notes, link FROM deadlines WHERE id = 1") == (
        SQL_TITLE, SQL_NOTES, SQL_LINK,
    )  # fmt: skip
    (detail,) = room.row("SELECT detail FROM history WHERE action = 'extended'")
    assert detail.endswith(f"({SQL_REASON})")
    tables = {row for (row,) in [room.row("SELECT group_concat(name) FROM sqlite_master")]}
    assert {"deadlines", "alerts", "history"} <= set(next(iter(tables)).split(","))
    assert room.row("SELECT COUNT(*) FROM alerts")[0] > 0

    status = (await room.command("status", {"deadline": "1"}))["data"]["embeds"][0]
    assert unescape(status["title"]) == f"#1 {SQL_TITLE}"
    shown = fields(status)
    assert unescape(shown["Notes"]) == SQL_NOTES
    assert shown["Link"] == SQL_LINK
    assert SQL_REASON in unescape(shown["History"])
    assert "Snoozed until" in shown
    listed = (await room.command("list", {"show": "all"}))["data"]["embeds"][0]
    assert SQL_TITLE in unescape(listed["description"])


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("%", ["100% sure"]), ("_", ["snake_case"]), ("\\", ["back\\slash"]),
     ("' OR '1'='1", []), ("%' --", []), ("", ["100% sure", "snake_case", "back\\slash",
     "plain"])],
)  # fmt: skip
async def test_autocomplete_matches_like_metacharacters_literally(
    room: Newsroom, typed: str, expected: list[str]
) -> None:
    for title in ("100% sure", "snake_case", "back\\slash", "plain"):
        await room.command("add", {"text": f"{title}, 30 days", "from": "2025-07-17"})
    handle = await room.fake.send_autocomplete(
        room.guild.id, room.channel("general"), room.alice.id, "deadline status",
        {"deadline": typed}, "deadline",
    )  # fmt: skip
    choices = (await handle.response())["data"]["choices"]
    titles = [re.match(r"#\d+ (.*) \u2014 due", c["name"])[1] for c in choices]
    assert sorted(titles) == sorted(expected)


# -- who may do what ----------------------------------------------------------------------------

MUTATING = {
    "done": {"deadline": "1"},
    "extend": {"deadline": "1", "by": "3 days"},
    "edit": {"deadline": "1", "title": "Hijacked"},
    "snooze": {"deadline": "1", "until": "3 days"},
    "delete": {"deadline": "1"},
}


def settings_commands(room: Newsroom) -> dict[str, dict[str, Any]]:
    return {
        "timezone": {"zone": "America/Los_Angeles"},
        "alert-time": {"time": "08:30"},
        "reminders": {"days": "5,2"},
        "calendar": {"name": "US-CA"},
        "counting": {"rule": "business"},
        "channel": {"channel": room.channel("alerts")},
        "manager-role": {"role": room.escalators},
        "escalation": {"role": room.escalators, "after": 2},
        "digest": {"enabled": True},
        "calendar-feed": {"rotate": True},
    }


async def test_members_who_may_not_change_a_deadline_are_refused_by_every_command(
    room: Newsroom,
) -> None:
    owner = room.fake.owner
    await room.command(
        "settings manager-role", {"role": room.editors}, user=owner, permissions=MANAGE_GUILD
    )
    await room.command("add", {"text": "Bondi letter, 30 days", "from": "2025-07-17"})
    before = await room.deadline(1)
    deadline_commands = {
        sub["name"]
        for sub in room.fake.commands(room.guild.id)["deadline"]["options"]
        if any(o["name"] == "deadline" for o in sub.get("options", []))
    }
    assert deadline_commands - {"status"} == set(MUTATING), "add the new command to MUTATING"
    for name, options in MUTATING.items():
        response = await room.command(name, options, user=room.bob)
        assert is_refusal(response, "you cannot change #1", "Manage Messages"), (name, response)
    after = await room.deadline(1)
    assert after == before
    history = (await room.bot.service.status(int(room.guild.id), 1)).history
    assert [entry.action for entry in history] == ["created"]

    # The creator, Manage Messages and the manager role may.
    extended = await room.command("extend", {"deadline": "1", "by": "3 days"},
                                  user=room.bob, permissions=MANAGE_MESSAGES)  # fmt: skip
    assert "now due" in extended["data"]["content"]
    edited = await room.command("edit", {"deadline": "1", "title": "Renamed"}, user=room.carol)
    assert edited["data"]["embeds"][0]["title"] == "#1 Renamed"
    snoozed = await room.command("snooze", {"deadline": "1", "until": "1 day"}, user=room.alice)
    assert "no alerts until" in snoozed["data"]["content"]


async def test_only_manage_server_changes_settings(room: Newsroom) -> None:
    registered = {
        option["name"]
        for sub in room.fake.commands(room.guild.id)["deadline"]["options"]
        if sub["name"] == "settings"
        for option in sub["options"]
    }
    table = settings_commands(room)
    assert registered - {"show"} == set(table), "add the new settings command to the table"
    owner = room.fake.owner
    await room.command(
        "settings manager-role", {"role": room.editors}, user=owner, permissions=MANAGE_GUILD
    )
    before = await room.bot.service.settings(int(room.guild.id))
    for name, options in table.items():
        for user, permissions in (
            (room.bob, None),
            (room.bob, MANAGE_MESSAGES),
            (room.carol, None),  # the manager role changes deadlines, not settings
            (room.alice, MANAGE_MESSAGES),
        ):
            response = await room.command(
                f"settings {name}", options, user=user, permissions=permissions
            )
            assert is_refusal(response, "Manage Server"), (name, user.username, response)
    assert await room.bot.service.settings(int(room.guild.id)) == before
    assert room.row("SELECT COUNT(*) FROM history WHERE action = 'settings'")[0] == 1


def planted_message(room: Newsroom, channel_id: str, custom_id: str) -> str:
    """A bot message carrying a button `custom_id` that the bot never made there (copied or
    forged): Discord only sends presses of buttons a message really has."""
    button = {"type": 2, "style": 1, "label": "Press", "custom_id": custom_id}
    message = room.fake.world.create_message(
        channel_id, {"content": "press me", "components": [{"type": 1, "components": [button]}]}
    )
    message_id: str = message["id"]
    return message_id


async def alert_message_id(room: Newsroom) -> str:
    await room.command(
        "add", {"text": "Old request, by 2025-01-02", "channel": room.channel("alerts")}
    )
    await room.settle()
    (message,) = room.fake.messages_in(room.channel("alerts"))
    message_id: str = message["id"]
    return message_id


@pytest.mark.parametrize("action", ["done", "snooze", "extend"])
async def test_alert_buttons_refuse_members_who_may_not_change_the_deadline(
    room: Newsroom, action: str
) -> None:
    message_id = await alert_message_id(room)
    before = await room.deadline(1)
    custom_id = f"dd:{action}:{room.guild.id}:1"
    refused = await room.press(custom_id, message_id, user=room.bob)
    assert is_refusal(refused, "you cannot change #1"), refused
    # A button of this server pressed in another one, even by someone powerful there.
    elsewhere = planted_message(room, room.channel("general", room.other), custom_id)
    foreign = await room.press(
        custom_id, elsewhere, user=room.bob, guild=room.other,
        permissions=MANAGE_MESSAGES | MANAGE_GUILD,
    )  # fmt: skip
    assert is_refusal(foreign, "belongs to another server"), foreign
    assert await room.deadline(1) == before
    message = room.fake.message(message_id)
    assert message["components"], "the alert keeps its buttons"
    # The creator may.
    allowed = await room.press(custom_id, message_id, user=room.alice)
    assert allowed["type"] in (7, 9)


async def test_the_extend_form_cannot_be_submitted_by_a_member_who_may_not_extend(
    room: Newsroom,
) -> None:
    message_id = await alert_message_id(room)
    opened = await room.press(f"dd:extend:{room.guild.id}:1", message_id, user=room.alice)
    assert opened["type"] == 9
    before = await room.deadline(1)
    handle = await room.fake.send_modal_submit(
        room.guild.id, room.channel("alerts"), room.bob.id, opened["data"]["custom_id"],
        {"amount": "300 days", "reason": "because I can"},
    )  # fmt: skip
    response = await handle.response(timeout=10)
    assert is_refusal(response, "you cannot change #1"), response
    assert await room.deadline(1) == before


async def test_delete_confirmation_only_for_the_asker_and_only_if_allowed(room: Newsroom) -> None:
    await room.command("add", {"text": "Bondi letter, 30 days", "from": "2025-07-17"})
    asked = await room.command("delete", {"deadline": "1"})
    (button,) = [c for row in asked["data"]["components"] for c in row["components"]]
    callback = room.fake.requests_to("POST", r"/interactions/.*/callback")[-1]
    message_id = callback.response["resource"]["message"]["id"]
    for user, permissions in ((room.bob, None), (room.carol, None), (room.bob, MANAGE_MESSAGES)):
        refused = await room.press(
            button["custom_id"], message_id, user=user, permissions=permissions
        )
        assert is_refusal(refused, "only the member who asked"), refused
    # Forging a confirmation in one's own name does not get round the permission check.
    forged_id = f"dd:delete:{room.guild.id}:1:{room.bob.id}"
    forged = await room.press(
        forged_id, planted_message(room, room.channel("general"), forged_id), user=room.bob
    )
    assert is_refusal(forged, "you cannot change #1"), forged
    assert (await room.deadline(1)).status is Status.ACTIVE
    confirmed = await room.press(button["custom_id"], message_id, user=room.alice)
    assert "deleted" in confirmed["data"]["content"]
    assert (await room.deadline(1)).status is Status.CANCELLED
