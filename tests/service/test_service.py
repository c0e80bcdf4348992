"""Use cases over a real SQLite file and a fake clock."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from support import START as BONDI_MORNING
from support import FakeClock

from bot.deadlines import (
    PhraseError,
    Rule,
    UnknownRuleError,
    UnknownTimezoneError,
    UserError,
    format_day,
    parse_phrase,
)
from bot.models import AlertKind, Deadline, Mention, MentionKind, NewDeadline, Status
from bot.planning import plan_alerts
from bot.service import (
    MAX_ACTIVE_PER_GUILD,
    Actor,
    ChannelRights,
    LimitError,
    NotAllowed,
    NotFoundError,
    Services,
    ValidationError,
    When,
)
from bot.service import deadlines as deadlines_module
from bot.service import imports as imports_module
from bot.storage import SqliteStore

GUILD, OTHER, USER, CHANNEL = 100, 200, 5, 10
NEW_YORK = ZoneInfo("America/New_York")
MENTIONABLE_ROLE = 42  # a role anyone in the server may mention
# Rights over what they added, and nothing else (a plain member: may post, may name role 42).
CREATOR = Actor(USER, mentionable_roles=frozenset({MENTIONABLE_ROLE}))
ADMIN = Actor.everywhere(USER, manage_guild=True)  # Manage Server: may change settings


def when(text: str) -> When:
    """A period or a date, as the adapters parse what people type."""
    return parse_phrase(text).spec


async def add_bondi(services: Services, guild_id: int = GUILD, **kw: object) -> Deadline:
    added = await services.deadlines.add(
        CREATOR,
        guild_id,
        channel_id=CHANNEL,
        start=dt.date(2025, 7, 17),
        **{"text": "Bondi letter, 30 days", **kw},  # type: ignore[arg-type]
    )
    return added.deadline


async def test_add_computes_stores_and_plans(services: Services) -> None:
    deadline = await add_bondi(services, mention=Mention(MentionKind.ROLE, 42))
    assert (deadline.id, deadline.title, deadline.due) == (1, "Bondi letter", dt.date(2025, 8, 16))
    status = await services.deadlines.status(GUILD, deadline.id)
    assert [a.kind for a in status.next_alerts] == [
        AlertKind.REMINDER,
        AlertKind.REMINDER,
        AlertKind.REMINDER,
        AlertKind.DUE_TODAY,
        AlertKind.OVERDUE,
    ]
    assert [h.action for h in status.history] == ["created"]
    assert status.history[0].actor_id == USER


async def test_add_returns_the_planned_alerts_soonest_first(services: Services) -> None:
    added = await services.deadlines.add(
        CREATOR, GUILD, channel_id=CHANNEL, text="Bondi letter, 30 days", start=dt.date(2025, 7, 17)
    )
    status = await services.deadlines.status(GUILD, added.deadline.id)
    assert [(a.kind, a.send_at) for a in added.alerts] == [
        (a.kind, a.send_at) for a in status.next_alerts
    ]
    assert [a.send_at for a in added.alerts] == sorted(a.send_at for a in added.alerts)


async def test_add_uses_guild_settings(services: Services) -> None:
    await services.settings.update(ADMIN, GUILD, counting="roll", calendar="us-ca")
    deadline = await add_bondi(services)
    assert deadline.rule == "roll"
    assert deadline.calendar == "US-CA"
    assert deadline.due == dt.date(2025, 8, 18)


async def test_settings_changed_after_use_take_effect_at_once(services: Services) -> None:
    before = await add_bondi(services)  # reads (and keeps) the defaults
    await services.settings.update(ADMIN, GUILD, counting="roll")
    after = await add_bondi(services)
    assert (before.rule, after.rule) == ("calendar", "roll")
    with pytest.raises(UnknownTimezoneError):
        await services.settings.update(ADMIN, GUILD, timezone="Mars/Olympus")
    assert (await services.settings.get(GUILD)).counting == "roll"  # a refused change keeps none


async def test_start_defaults_to_today_in_the_guild_zone(
    services: Services, clock: FakeClock
) -> None:
    # 02:00 UTC on Jul 18 is still Jul 17 in New York.
    clock.set(dt.datetime(2025, 7, 18, 2, 0, tzinfo=dt.UTC))
    added = await services.deadlines.add(CREATOR, GUILD, channel_id=CHANNEL, text="x, 1 day")
    assert added.deadline.start == dt.date(2025, 7, 17)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"text": "30 days"}, ValidationError, "title"),
        ({"text": "x" * 201 + ", 30 days"}, ValidationError, "200"),
        ({"text": "Bondi letter, whenever"}, PhraseError, "could not find"),
        ({"text": "Bondi, 30 days", "link": "javascript:alert(1)"}, ValidationError, "http"),
        ({"text": "Bondi, 30 days", "link": "ftp://x.org/a"}, ValidationError, "http"),
        ({"text": "Bondi, 30 days", "notes": "n" * 1001}, ValidationError, "1000"),
        ({"text": "Bondi, 30 days", "counting": "weekly"}, UnknownRuleError, "counting rule"),
    ],
)
async def test_add_rejects_bad_input_with_an_example(
    services: Services, kwargs: dict[str, str], error: type[UserError], message: str
) -> None:
    with pytest.raises(error) as info:
        await services.deadlines.add(CREATOR, GUILD, channel_id=CHANNEL, **kwargs)  # type: ignore[arg-type]
    assert message in info.value.message
    assert info.value.example
    page = await services.deadlines.page(GUILD, show="all")
    assert page.total == 0


async def test_list_filters_sorts_and_pages(services: Services, clock: FakeClock) -> None:
    for n in range(1, 13):
        await services.deadlines.add(
            CREATOR,
            GUILD,
            channel_id=CHANNEL,
            text=f"D{n}, {n * 10} days",
            start=dt.date(2025, 7, 17),
        )
    clock.set(dt.datetime(2025, 8, 20, tzinfo=dt.UTC))  # D1..D3 are overdue now
    await services.deadlines.done(CREATOR, GUILD, 12)
    first = await services.deadlines.page(GUILD)
    assert (first.total, first.pages) == (11, 2)
    assert [d.title for d in first.deadlines][:4] == ["D1", "D2", "D3", "D4"]
    assert first.overdue_ids == {1, 2, 3}
    second = await services.deadlines.page(GUILD, page=2)
    assert [d.title for d in second.deadlines] == ["D11"]
    overdue = await services.deadlines.page(GUILD, show="overdue")
    assert [d.id for d in overdue.deadlines] == [1, 2, 3]
    done = await services.deadlines.page(GUILD, show="done")
    assert [d.id for d in done.deadlines] == [12]
    assert (await services.deadlines.page(GUILD, show="all")).total == 12
    assert (await services.deadlines.page(GUILD, channel_id=999)).total == 0
    with pytest.raises(ValidationError):
        await services.deadlines.page(GUILD, show="soon")


async def test_done_stops_alerts_and_records_history(services: Services) -> None:
    deadline = await add_bondi(services)
    editor = Actor.everywhere(7, manage_messages=True)  # not the creator: Manage Messages
    done = await services.deadlines.done(editor, GUILD, deadline.id, note="county replied")
    assert done.status is Status.DONE
    assert done.revision == 1
    status = await services.deadlines.status(GUILD, deadline.id)
    assert status.next_alerts == ()
    assert [(h.action, h.actor_id, h.detail) for h in status.history][-1] == (
        "done",
        7,
        "county replied",
    )
    with pytest.raises(ValidationError, match="is done"):
        await services.deadlines.done(editor, GUILD, deadline.id)


async def test_extend_by_period_replans_and_keeps_previous_due(services: Services) -> None:
    deadline = await add_bondi(services)
    extended = await services.deadlines.extend(
        CREATOR, GUILD, deadline.id, change=when("14-day extension"), reason="county granted it"
    )
    assert extended.due == dt.date(2025, 8, 30)
    status = await services.deadlines.status(GUILD, deadline.id)
    assert status.next_alerts[-1].send_at.date() == dt.date(2025, 8, 31)  # overdue moved
    assert all(a.send_at.date() != dt.date(2025, 8, 17) for a in status.next_alerts)
    last = status.history[-1]
    assert last.action == "extended"
    assert "Sat 2025-08-16" in last.detail
    assert "Sat 2025-08-30" in last.detail
    assert "county granted it" in last.detail
    assert any("extended by 14 days" in step for step in extended.explanation)


async def test_extend_to_a_date(services: Services) -> None:
    deadline = await add_bondi(services)
    extended = await services.deadlines.extend(
        CREATOR, GUILD, deadline.id, change=when("Sep 15 5pm")
    )
    assert extended.due == dt.date(2025, 9, 15)
    assert extended.has_time


async def test_edit_changes_fields_and_mention(services: Services) -> None:
    deadline = await add_bondi(services, mention=Mention(MentionKind.USER, 9))
    edited = await services.deadlines.edit(
        CREATOR,
        GUILD,
        deadline.id,
        title="  Bondi   reply ",
        link="https://x.org",
        mention=None,
    )
    assert (edited.title, edited.link, edited.mention) == ("Bondi reply", "https://x.org", None)
    with pytest.raises(ValidationError, match="nothing to change"):
        await services.deadlines.edit(CREATOR, GUILD, deadline.id)


async def test_snooze_until_a_date_or_for_a_period(services: Services) -> None:
    deadline = await add_bondi(services)
    snoozed = await services.deadlines.snooze(CREATOR, GUILD, deadline.id, until=when("2025-08-14"))
    assert snoozed.snoozed_until == dt.datetime(2025, 8, 14, 13, 0, tzinfo=dt.UTC)
    status = await services.deadlines.status(GUILD, deadline.id)
    assert min(a.send_at for a in status.next_alerts) == dt.datetime(2025, 8, 15, 13, tzinfo=dt.UTC)
    again = await services.deadlines.snooze(CREATOR, GUILD, deadline.id, until=when("1 day"))
    assert again.snoozed_until == dt.datetime(2025, 7, 18, 13, 0, tzinfo=dt.UTC)
    with pytest.raises(ValidationError, match="already passed"):
        await services.deadlines.snooze(CREATOR, GUILD, deadline.id, until=when("2025-07-01"))


async def test_delete_is_soft(services: Services) -> None:
    deadline = await add_bondi(services)
    cancelled = await services.deadlines.delete(CREATOR, GUILD, deadline.id)
    assert cancelled.status is Status.CANCELLED
    status = await services.deadlines.status(GUILD, deadline.id)
    assert status.next_alerts == ()
    assert status.history[-1].action == "deleted"


async def test_other_guild_cannot_see_or_touch_a_deadline(services: Services) -> None:
    deadline = await add_bondi(services)
    use = services.deadlines
    calls = [
        use.status(OTHER, deadline.id),
        use.modifiable(CREATOR, OTHER, deadline.id),
        use.done(CREATOR, OTHER, deadline.id),
        use.extend(CREATOR, OTHER, deadline.id, change=when("1 day")),
        use.edit(CREATOR, OTHER, deadline.id, title="mine now"),
        use.snooze(CREATOR, OTHER, deadline.id, until=when("1 day")),
        use.pause(CREATOR, OTHER, deadline.id),
        use.resume(CREATOR, OTHER, deadline.id),
        use.delete(CREATOR, OTHER, deadline.id),
    ]
    for call in calls:
        with pytest.raises(NotFoundError) as info:
            await call
        # Exactly the message an unknown id gets: nothing says the id exists elsewhere.
        assert info.value.message == f"there is no deadline #{deadline.id} in this server"
    assert (await use.page(OTHER, show="all")).total == 0
    assert await use.search(OTHER, "Bondi") == []
    status = await use.status(GUILD, deadline.id)
    assert status.deadline.status is Status.ACTIVE
    assert status.deadline.title == "Bondi letter"


async def test_only_those_with_rights_may_change_a_deadline(services: Services) -> None:
    await services.settings.update(ADMIN, GUILD, manager_role_id=50)
    deadline = await add_bondi(services)
    use = services.deadlines
    stranger = Actor(6, role_ids=frozenset({51}))
    # Manage Messages counts in the deadline's own alert channel only.
    elsewhere = Actor(6, rights=lambda channel: ChannelRights(manage_messages=channel != CHANNEL))
    for actor in (stranger, elsewhere):
        refusals = [
            use.modifiable(actor, GUILD, deadline.id),
            use.done(actor, GUILD, deadline.id),
            use.extend(actor, GUILD, deadline.id, change=when("1 day")),
            use.edit(actor, GUILD, deadline.id, title="mine now"),
            use.snooze(actor, GUILD, deadline.id, until=when("1 day")),
            use.pause(actor, GUILD, deadline.id, reason="mine now"),
            use.resume(actor, GUILD, deadline.id),
            use.delete(actor, GUILD, deadline.id),
        ]
        for call in refusals:
            with pytest.raises(NotAllowed, match=f"you cannot change #{deadline.id}"):
                await call
    with pytest.raises(NotAllowed):
        await services.settings.update(
            Actor.everywhere(6, manage_messages=True), GUILD, counting="roll"
        )
    status = await use.status(GUILD, deadline.id)
    assert (status.deadline.revision, [h.action for h in status.history]) == (0, ["created"])
    in_channel = Actor(6, rights=lambda channel: ChannelRights(manage_messages=channel == CHANNEL))
    for actor in (
        in_channel,
        Actor(6, role_ids=frozenset({50})),  # the manager role
        Actor(6, manage_guild=True),
    ):
        assert (await use.modifiable(actor, GUILD, deadline.id)).id == deadline.id
    edited = await use.edit(in_channel, GUILD, deadline.id, title="Bondi reply")
    assert edited.title == "Bondi reply"
    # Once done, even the creator gets the state, and a stranger still only the refusal.
    await use.done(CREATOR, GUILD, deadline.id)
    with pytest.raises(NotAllowed):
        await use.done(stranger, GUILD, deadline.id)
    with pytest.raises(ValidationError, match="is done"):
        await use.done(CREATOR, GUILD, deadline.id)


async def test_settings_change_replans_in_the_new_zone(services: Services) -> None:
    deadline = await add_bondi(services)
    await services.settings.update(
        ADMIN, GUILD, timezone="America/Los_Angeles", alert_time=dt.time(8, 0)
    )
    status = await services.deadlines.status(GUILD, deadline.id)
    assert status.deadline.due_at == dt.datetime(2025, 8, 17, 6, 59, 59, tzinfo=dt.UTC)
    assert status.next_alerts[0].send_at == dt.datetime(2025, 8, 9, 15, 0, tzinfo=dt.UTC)
    for name in ("Mars/Base", "localtime", "posixrules", "Factory", "right/UTC", "posix/UTC"):
        with pytest.raises(UnknownTimezoneError):
            await services.settings.update(ADMIN, GUILD, timezone=name)
    with pytest.raises(ValidationError):
        await services.settings.update(ADMIN, GUILD, reminder_days=(0,))
    assert (await services.settings.get(GUILD)).timezone == "America/Los_Angeles"


async def test_active_deadline_limit(services: Services, store: SqliteStore) -> None:
    template = await add_bondi(services)
    batch = [
        (
            NewDeadline(
                guild_id=GUILD,
                channel_id=CHANNEL,
                title=f"bulk {n}",
                start=template.start,
                rule=template.rule,
                calendar="US",
                period="30 days",
                due=template.due,
                due_at=template.due_at,
                has_time=False,
                explanation=(),
                created_by=USER,
                created_at=template.created_at,
            ),
            [],
        )
        for n in range(MAX_ACTIVE_PER_GUILD - 1)
    ]
    async with store.transaction() as tx:
        await tx.insert_deadlines(batch)
    with pytest.raises(LimitError):
        await add_bondi(services, text="Bondi reply, 30 days")  # not a repeat of the first
    await add_bondi(services, guild_id=OTHER)  # the limit is per guild


async def test_calc_stores_nothing_and_works_without_a_guild(services: Services) -> None:
    result = await services.deadlines.calc("FOIA, 20 business days", start=dt.date(2025, 11, 20))
    assert result.due.due == dt.date(2025, 12, 19)
    assert (await services.deadlines.page(GUILD, show="all")).total == 0


def imported(n: int, guild_id: int = GUILD, **changes: object) -> NewDeadline:
    due = dt.date(2025, 8, 16) + dt.timedelta(days=n)
    new = NewDeadline(
        guild_id=guild_id,
        channel_id=CHANNEL,
        title=f"Records request {n}",
        start=dt.date(2025, 7, 17),
        rule=Rule.CALENDAR,
        calendar="US",
        period=f"{30 + n} days",
        due=due,
        due_at=dt.datetime.combine(due, dt.time(23, 59, 59), tzinfo=NEW_YORK).astimezone(dt.UTC),
        has_time=False,
        explanation=("day 0", f"+{30 + n} calendar days"),
        created_by=USER,
        created_at=BONDI_MORNING,
    )
    return dataclasses.replace(new, **changes)  # type: ignore[arg-type]


async def test_import_continues_each_guilds_ids_plans_and_records_history(
    store: SqliteStore, clock: FakeClock
) -> None:
    told: list[tuple[int, int | None]] = []
    services = Services.over(store, clock=clock)
    services.changes.subscribe(lambda g, d: told.append((g, d)))
    await add_bondi(services)  # guild GUILD already has #1
    await services.settings.update(ADMIN, OTHER, reminder_days=(2,))
    news = [imported(0), imported(1, OTHER), imported(2), imported(3, OTHER, has_time=True)]
    ids = await services.imports.import_deadlines(news)
    assert ids == [2, 1, 3, 2]
    stored = [
        (await services.deadlines.status(new.guild_id, i)).deadline
        for new, i in zip(news, ids, strict=True)
    ]
    assert [(d.guild_id, d.id, d.title) for d in stored] == [
        (GUILD, 2, "Records request 0"),
        (OTHER, 1, "Records request 1"),
        (GUILD, 3, "Records request 2"),
        (OTHER, 2, "Records request 3"),
    ]
    for new, deadline in zip(news, stored, strict=True):
        assert deadline == new.stored(deadline.id)  # stored exactly as given
        status = await services.deadlines.status(deadline.guild_id, deadline.id)
        settings = await services.settings.get(deadline.guild_id)
        expected = plan_alerts(deadline, settings, now=BONDI_MORNING)
        assert [(a.kind, a.send_at, a.days_before) for a in status.next_alerts] == [
            (a.kind, a.send_at, a.days_before) for a in expected
        ]
        assert [(h.action, h.actor_id, h.detail) for h in status.history] == [
            (
                "imported",
                USER,
                f"due {format_day(deadline.due)} ({deadline.period}; calendar rule)",
            )
        ]
    # OTHER's settings (one reminder, 2 days before) were used, not the defaults.
    other = await services.deadlines.status(OTHER, 1)
    assert [a.days_before for a in other.next_alerts if a.kind is AlertKind.REMINDER] == [2]
    assert sorted(told[-2:]) == [(GUILD, None), (OTHER, None)]


async def test_import_is_all_or_nothing_and_names_the_bad_deadline(
    services: Services,
) -> None:
    use = services.imports
    news = [imported(0), imported(1), imported(2, title="   "), imported(3)]
    with pytest.raises(ValidationError, match=r"deadline 3 .*title"):
        await use.import_deadlines(news)
    with pytest.raises(ValidationError, match=r"deadline 2 .*http"):
        await use.import_deadlines([imported(0), imported(1, link="javascript:alert(1)")])
    with pytest.raises(UnknownTimezoneError, match=r"deadline 1 .*time zone"):
        await use.import_deadlines([imported(0, timezone="Mars/Olympus")])
    assert (await services.deadlines.page(GUILD, show="all")).total == 0


async def test_import_cleans_text_like_add(services: Services) -> None:
    [deadline_id] = await services.imports.import_deadlines(
        [imported(0, title="  County\x00 records  ", notes="  line one\nline two  ")]
    )
    deadline = (await services.deadlines.status(GUILD, deadline_id)).deadline
    assert (deadline.title, deadline.notes) == ("County records", "line one\nline two")


async def test_import_respects_the_active_limit_per_guild(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(deadlines_module, "MAX_ACTIVE_PER_GUILD", 3)
    monkeypatch.setattr(imports_module, "MAX_ACTIVE_PER_GUILD", 3)
    await add_bondi(services)
    with pytest.raises(LimitError, match="nothing was imported"):
        await services.imports.import_deadlines([imported(0), imported(1), imported(2)])
    await services.imports.import_deadlines([imported(0), imported(1), imported(2, OTHER)])
    assert (await services.deadlines.page(GUILD)).total == 3
    assert (await services.deadlines.page(OTHER)).total == 1


async def test_the_same_add_again_within_ten_minutes_finds_the_one_already_saved(
    services: Services, clock: FakeClock
) -> None:
    first = await add_bondi(services)
    clock.advance(minutes=9)
    again = await services.deadlines.add(
        CREATOR, GUILD, channel_id=CHANNEL, text="Bondi letter, 30 days",
        start=dt.date(2025, 7, 17), notes="sent twice: the first reply never came",
    )  # fmt: skip
    assert again.existing
    assert again.deadline == first
    assert [a.send_at for a in again.alerts] == [
        a.send_at for a in (await services.deadlines.status(GUILD, first.id)).next_alerts
    ]
    page = await services.deadlines.page(GUILD, show="all")
    assert page.total == 1
    history = (await services.deadlines.status(GUILD, first.id)).history
    assert [entry.action for entry in history] == ["created"]
    # Anything that makes it another deadline is a new one.
    others = [
        dict(text="Bondi letter, 31 days"),
        dict(start=dt.date(2025, 7, 18)),
        dict(channel_id=CHANNEL + 1),
        dict(counting=Rule.ROLL),
    ]
    for changes in others:
        added = await services.deadlines.add(
            CREATOR, GUILD, **{"channel_id": CHANNEL, "text": "Bondi letter, 30 days",
                               "start": dt.date(2025, 7, 17), **changes},  # type: ignore[arg-type]
        )  # fmt: skip
        assert not added.existing, changes
    by_someone_else = await services.deadlines.add(
        Actor(USER + 1), GUILD, channel_id=CHANNEL, text="Bondi letter, 30 days",
        start=dt.date(2025, 7, 17),
    )  # fmt: skip
    assert not by_someone_else.existing
    clock.advance(minutes=2)  # 11 minutes after the first: a new one on purpose
    later = await add_bondi(services)
    assert later.id != first.id
    assert (await services.deadlines.page(GUILD, show="all")).total == 7
