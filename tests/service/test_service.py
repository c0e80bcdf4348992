"""Use cases over a real SQLite file and a fake clock."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from conftest import BONDI_MORNING
from support import FakeClock

from bot import service as service_module
from bot.deadlines import Rule, format_day
from bot.models import AlertKind, Mention, MentionKind, NewDeadline, Status
from bot.planning import plan_alerts
from bot.service import (
    MAX_ACTIVE_PER_GUILD,
    DeadlineService,
    LimitError,
    NotFoundError,
    ValidationError,
)
from bot.storage import SqliteStore

GUILD, OTHER, USER, CHANNEL = 100, 200, 5, 10
NEW_YORK = ZoneInfo("America/New_York")


async def add_bondi(service: DeadlineService, guild_id: int = GUILD, **kw: object):  # type: ignore[no-untyped-def]
    return await service.add(
        guild_id,
        actor_id=USER,
        channel_id=CHANNEL,
        text="Bondi letter, 30 days",
        start=dt.date(2025, 7, 17),
        **kw,  # type: ignore[arg-type]
    )


async def test_add_computes_stores_and_plans(service: DeadlineService) -> None:
    deadline = await add_bondi(service, mention=Mention(MentionKind.ROLE, 42))
    assert (deadline.id, deadline.title, deadline.due) == (1, "Bondi letter", dt.date(2025, 8, 16))
    status = await service.status(GUILD, deadline.id)
    assert [a.kind for a in status.next_alerts] == [
        AlertKind.REMINDER,
        AlertKind.REMINDER,
        AlertKind.REMINDER,
        AlertKind.DUE_TODAY,
        AlertKind.OVERDUE,
    ]
    assert [h.action for h in status.history] == ["created"]
    assert status.history[0].actor_id == USER


async def test_add_uses_guild_settings(service: DeadlineService) -> None:
    await service.update_settings(GUILD, actor_id=USER, counting="roll", calendar="us-ca")
    deadline = await add_bondi(service)
    assert deadline.rule == "roll"
    assert deadline.calendar == "US-CA"
    assert deadline.due == dt.date(2025, 8, 18)


async def test_settings_changed_after_use_take_effect_at_once(service: DeadlineService) -> None:
    before = await add_bondi(service)  # reads (and keeps) the defaults
    await service.update_settings(GUILD, actor_id=USER, counting="roll")
    after = await add_bondi(service)
    assert (before.rule, after.rule) == ("calendar", "roll")
    with pytest.raises(ValidationError):
        await service.update_settings(GUILD, actor_id=USER, timezone="Mars/Olympus")
    assert (await service.settings(GUILD)).counting == "roll"  # a refused change keeps none


async def test_start_defaults_to_today_in_the_guild_zone(
    service: DeadlineService, clock: FakeClock
) -> None:
    # 02:00 UTC on Jul 18 is still Jul 17 in New York.
    clock.set(dt.datetime(2025, 7, 18, 2, 0, tzinfo=dt.UTC))
    deadline = await service.add(GUILD, actor_id=USER, channel_id=CHANNEL, text="x, 1 day")
    assert deadline.start == dt.date(2025, 7, 17)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"text": "30 days"}, "title"),
        ({"text": "x" * 201 + ", 30 days"}, "200"),
        ({"text": "Bondi letter, whenever"}, "could not find"),
        ({"text": "Bondi, 30 days", "link": "javascript:alert(1)"}, "http"),
        ({"text": "Bondi, 30 days", "link": "ftp://x.org/a"}, "http"),
        ({"text": "Bondi, 30 days", "notes": "n" * 1001}, "1000"),
        ({"text": "Bondi, 30 days", "counting": "weekly"}, "counting rule"),
    ],
)
async def test_add_rejects_bad_input_with_an_example(
    service: DeadlineService, kwargs: dict[str, str], message: str
) -> None:
    with pytest.raises(ValidationError) as info:
        await service.add(GUILD, actor_id=USER, channel_id=CHANNEL, **kwargs)  # type: ignore[arg-type]
    assert message in info.value.message
    assert info.value.example
    page = await service.list_deadlines(GUILD, show="all")
    assert page.total == 0


async def test_list_filters_sorts_and_pages(service: DeadlineService, clock: FakeClock) -> None:
    for n in range(1, 13):
        await service.add(
            GUILD,
            actor_id=USER,
            channel_id=CHANNEL,
            text=f"D{n}, {n * 10} days",
            start=dt.date(2025, 7, 17),
        )
    clock.set(dt.datetime(2025, 8, 20, tzinfo=dt.UTC))  # D1..D3 are overdue now
    await service.done(GUILD, 12, actor_id=USER)
    first = await service.list_deadlines(GUILD)
    assert (first.total, first.pages) == (11, 2)
    assert [d.title for d in first.deadlines][:4] == ["D1", "D2", "D3", "D4"]
    assert first.overdue_ids == {1, 2, 3}
    second = await service.list_deadlines(GUILD, page=2)
    assert [d.title for d in second.deadlines] == ["D11"]
    overdue = await service.list_deadlines(GUILD, show="overdue")
    assert [d.id for d in overdue.deadlines] == [1, 2, 3]
    done = await service.list_deadlines(GUILD, show="done")
    assert [d.id for d in done.deadlines] == [12]
    assert (await service.list_deadlines(GUILD, show="all")).total == 12
    assert (await service.list_deadlines(GUILD, channel_id=999)).total == 0
    with pytest.raises(ValidationError):
        await service.list_deadlines(GUILD, show="soon")


async def test_done_stops_alerts_and_records_history(service: DeadlineService) -> None:
    deadline = await add_bondi(service)
    done = await service.done(GUILD, deadline.id, actor_id=7, note="county replied")
    assert done.status is Status.DONE
    assert done.revision == 1
    status = await service.status(GUILD, deadline.id)
    assert status.next_alerts == ()
    assert [(h.action, h.actor_id, h.detail) for h in status.history][-1] == (
        "done",
        7,
        "county replied",
    )
    with pytest.raises(ValidationError, match="is done"):
        await service.done(GUILD, deadline.id, actor_id=7)


async def test_extend_by_period_replans_and_keeps_previous_due(service: DeadlineService) -> None:
    deadline = await add_bondi(service)
    extended = await service.extend(
        GUILD, deadline.id, actor_id=USER, by="14-day extension", reason="county granted it"
    )
    assert extended.due == dt.date(2025, 8, 30)
    status = await service.status(GUILD, deadline.id)
    assert status.next_alerts[-1].send_at.date() == dt.date(2025, 8, 31)  # overdue moved
    assert all(a.send_at.date() != dt.date(2025, 8, 17) for a in status.next_alerts)
    last = status.history[-1]
    assert last.action == "extended"
    assert "Sat 2025-08-16" in last.detail
    assert "Sat 2025-08-30" in last.detail
    assert "county granted it" in last.detail
    assert any("extended by 14 days" in step for step in extended.explanation)


async def test_extend_to_a_date(service: DeadlineService) -> None:
    deadline = await add_bondi(service)
    extended = await service.extend(GUILD, deadline.id, actor_id=USER, to="Sep 15 5pm")
    assert extended.due == dt.date(2025, 9, 15)
    assert extended.has_time


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"by": "14 days", "to": "2025-09-01"}, {"by": "by 2025-09-01"}, {"to": "14 days"}],
)
async def test_extend_needs_exactly_one_of_by_or_to(
    service: DeadlineService, kwargs: dict[str, str]
) -> None:
    deadline = await add_bondi(service)
    with pytest.raises(ValidationError):
        await service.extend(GUILD, deadline.id, actor_id=USER, **kwargs)


async def test_edit_changes_fields_and_mention(service: DeadlineService) -> None:
    deadline = await add_bondi(service, mention=Mention(MentionKind.USER, 9))
    edited = await service.edit(
        GUILD,
        deadline.id,
        actor_id=USER,
        title="  Bondi   reply ",
        link="https://x.org",
        mention=None,
    )
    assert (edited.title, edited.link, edited.mention) == ("Bondi reply", "https://x.org", None)
    with pytest.raises(ValidationError, match="nothing to change"):
        await service.edit(GUILD, deadline.id, actor_id=USER)


async def test_snooze_until_a_date_or_for_a_period(service: DeadlineService) -> None:
    deadline = await add_bondi(service)
    snoozed = await service.snooze(GUILD, deadline.id, actor_id=USER, until="2025-08-14")
    assert snoozed.snoozed_until == dt.datetime(2025, 8, 14, 13, 0, tzinfo=dt.UTC)
    status = await service.status(GUILD, deadline.id)
    assert min(a.send_at for a in status.next_alerts) == dt.datetime(2025, 8, 15, 13, tzinfo=dt.UTC)
    again = await service.snooze(GUILD, deadline.id, actor_id=USER, until="1 day")
    assert again.snoozed_until == dt.datetime(2025, 7, 18, 13, 0, tzinfo=dt.UTC)
    with pytest.raises(ValidationError, match="already passed"):
        await service.snooze(GUILD, deadline.id, actor_id=USER, until="2025-07-01")


async def test_delete_is_soft(service: DeadlineService) -> None:
    deadline = await add_bondi(service)
    cancelled = await service.delete(GUILD, deadline.id, actor_id=USER)
    assert cancelled.status is Status.CANCELLED
    status = await service.status(GUILD, deadline.id)
    assert status.next_alerts == ()
    assert status.history[-1].action == "deleted"


async def test_other_guild_cannot_see_or_touch_a_deadline(service: DeadlineService) -> None:
    deadline = await add_bondi(service)
    calls = [
        service.status(OTHER, deadline.id),
        service.done(OTHER, deadline.id, actor_id=USER),
        service.extend(OTHER, deadline.id, actor_id=USER, by="1 day"),
        service.edit(OTHER, deadline.id, actor_id=USER, title="mine now"),
        service.snooze(OTHER, deadline.id, actor_id=USER, until="1 day"),
        service.delete(OTHER, deadline.id, actor_id=USER),
    ]
    for call in calls:
        with pytest.raises(NotFoundError) as info:
            await call
        # Exactly the message an unknown id gets: nothing says the id exists elsewhere.
        assert info.value.message == f"there is no deadline #{deadline.id} in this server"
    assert (await service.list_deadlines(OTHER, show="all")).total == 0
    assert await service.search(OTHER, "Bondi") == []
    status = await service.status(GUILD, deadline.id)
    assert status.deadline.status is Status.ACTIVE
    assert status.deadline.title == "Bondi letter"


async def test_settings_change_replans_in_the_new_zone(service: DeadlineService) -> None:
    deadline = await add_bondi(service)
    await service.update_settings(
        GUILD, actor_id=USER, timezone="America/Los_Angeles", alert_time=dt.time(8, 0)
    )
    status = await service.status(GUILD, deadline.id)
    assert status.deadline.due_at == dt.datetime(2025, 8, 17, 6, 59, 59, tzinfo=dt.UTC)
    assert status.next_alerts[0].send_at == dt.datetime(2025, 8, 9, 15, 0, tzinfo=dt.UTC)
    with pytest.raises(ValidationError):
        await service.update_settings(GUILD, actor_id=USER, timezone="Mars/Base")
    with pytest.raises(ValidationError):
        await service.update_settings(GUILD, actor_id=USER, reminder_days=(0,))
    assert (await service.settings(GUILD)).timezone == "America/Los_Angeles"


async def test_active_deadline_limit(service: DeadlineService, store: SqliteStore) -> None:
    template = await add_bondi(service)
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
        await add_bondi(service)
    await add_bondi(service, guild_id=OTHER)  # the limit is per guild


async def test_calc_stores_nothing_and_works_without_a_guild(service: DeadlineService) -> None:
    result = await service.calc("FOIA, 20 business days", start=dt.date(2025, 11, 20))
    assert result.due.due == dt.date(2025, 12, 19)
    assert (await service.list_deadlines(GUILD, show="all")).total == 0


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
    service = DeadlineService(store, clock=clock, on_change=lambda g, d: told.append((g, d)))
    await add_bondi(service)  # guild GUILD already has #1
    await service.update_settings(OTHER, actor_id=USER, reminder_days=(2,))
    news = [imported(0), imported(1, OTHER), imported(2), imported(3, OTHER, has_time=True)]
    ids = await service.import_deadlines(news)
    assert ids == [2, 1, 3, 2]
    stored = [
        (await service.status(new.guild_id, i)).deadline for new, i in zip(news, ids, strict=True)
    ]
    assert [(d.guild_id, d.id, d.title) for d in stored] == [
        (GUILD, 2, "Records request 0"),
        (OTHER, 1, "Records request 1"),
        (GUILD, 3, "Records request 2"),
        (OTHER, 2, "Records request 3"),
    ]
    for new, deadline in zip(news, stored, strict=True):
        assert deadline == new.stored(deadline.id)  # stored exactly as given
        status = await service.status(deadline.guild_id, deadline.id)
        settings = await service.settings(deadline.guild_id)
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
    other = await service.status(OTHER, 1)
    assert [a.days_before for a in other.next_alerts if a.kind is AlertKind.REMINDER] == [2]
    assert sorted(told[-2:]) == [(GUILD, None), (OTHER, None)]


async def test_import_is_all_or_nothing_and_names_the_bad_deadline(
    service: DeadlineService,
) -> None:
    news = [imported(0), imported(1), imported(2, title="   "), imported(3)]
    with pytest.raises(ValidationError, match=r"deadline 3 .*title"):
        await service.import_deadlines(news)
    with pytest.raises(ValidationError, match=r"deadline 2 .*http"):
        await service.import_deadlines([imported(0), imported(1, link="javascript:alert(1)")])
    with pytest.raises(ValidationError, match=r"deadline 1 .*time zone"):
        await service.import_deadlines([imported(0, timezone="Mars/Olympus")])
    assert (await service.list_deadlines(GUILD, show="all")).total == 0


async def test_import_cleans_text_like_add(service: DeadlineService) -> None:
    [deadline_id] = await service.import_deadlines(
        [imported(0, title="  County\x00 records  ", notes="  line one\nline two  ")]
    )
    deadline = (await service.status(GUILD, deadline_id)).deadline
    assert (deadline.title, deadline.notes) == ("County records", "line one\nline two")


async def test_import_respects_the_active_limit_per_guild(
    service: DeadlineService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service_module, "MAX_ACTIVE_PER_GUILD", 3)
    await add_bondi(service)
    with pytest.raises(LimitError, match="nothing was imported"):
        await service.import_deadlines([imported(0), imported(1), imported(2)])
    await service.import_deadlines([imported(0), imported(1), imported(2, OTHER)])
    assert (await service.list_deadlines(GUILD)).total == 3
    assert (await service.list_deadlines(OTHER)).total == 1
