"""Importing a CSV sheet over a real SQLite file: all or nothing, the limit, alerts, history,
and the round trip through the bot's own CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import sqlite3
from pathlib import Path

import pytest
from support import FakeClock

from bot.export import csv_table
from bot.models import AlertKind, Mention, MentionKind
from bot.planning import plan_alerts
from bot.service import Actor, ChannelRights, LimitError, NotAllowed, Services, ValidationError
from bot.service import imports as imports_module
from bot.service.imports import SheetProblems

GUILD, EMPTY, USER, CHANNEL, ALERTS = 100, 300, 5, 10, 11
ADMIN = Actor.everywhere(USER, manage_guild=True, mention_everyone=True)


def sheet(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


async def exported(services: Services, guild_id: int) -> list[dict[str, str]]:
    data = await services.feeds.export(guild_id)
    text = csv_table(data.deadlines, data.settings).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


async def test_the_export_imported_into_an_empty_server_exports_the_same(
    services: Services,
) -> None:
    deadlines = services.deadlines
    await deadlines.add(ADMIN, GUILD, text="Bondi letter, 30 days", channel_id=CHANNEL,
                        start=dt.date(2025, 7, 17), counting="roll",
                        mention=Mention(MentionKind.ROLE, 42), link="https://example.org/a?b=1",
                        notes="line one\nline two, \"quoted\"")  # fmt: skip
    await deadlines.add(ADMIN, GUILD, text="=cmd|' /C calc'!A0, by Aug 15 5pm",
                        channel_id=ALERTS, mention=Mention(MentionKind.USER, 7))  # fmt: skip
    await deadlines.add(ADMIN, GUILD, text="FOIA to FBI, 20 business days", channel_id=CHANNEL,
                        start=dt.date(2025, 7, 1), notes="-2+3")  # fmt: skip
    done = await deadlines.add(ADMIN, GUILD, text="Old one, 3 days", channel_id=CHANNEL)
    await deadlines.done(ADMIN, GUILD, done.deadline.id)
    everything = await services.feeds.export(GUILD, include_all=True)
    file = csv_table(everything.deadlines, everything.settings)
    assert b"'=cmd" in file  # the export escaped the formula

    imported = await services.imports.import_sheet(EMPTY, file, actor=None)

    assert (imported.count, imported.skipped, imported.first_id) == (3, 1, 1)
    before, after = await exported(services, GUILD), await exported(services, EMPTY)
    assert len(before) == 3
    for row in (*before, *after):
        del row["id"]
    assert after == before
    titles = [d.title for d in (await services.feeds.export(EMPTY)).deadlines]
    assert "=cmd|' /C calc'!A0" in titles  # the escaping quote is gone again


async def test_a_newsroom_sheet_with_aliases_semicolons_bom_and_quoted_newlines(
    services: Services,
) -> None:
    data = "\ufeff" + "\r\n".join(
        [
            "Title;Due Date;Text;From;Channel;Mention;Link;Description;Counting;Owner",
            "Bondi letter;;30 days;2025-07-17;<#10>;<@&42>;;;roll;desk",
            'County records;8/15/2025 5:00 PM;;;11;;https://例え.jp/x;"two\r\nlines";;',
            "Sheriff reply;2025-09-01T12:00:00Z;;;;;;;;",
            ";;;;;;;;;",
            "Budget vote;15.09.2025;;;;<@7>;;;;",
        ]
    )
    result = await services.imports.import_sheet(
        GUILD, data.encode("utf-8"), actor=None, channel_id=CHANNEL
    )
    assert result.count == 4
    assert result.ignored_columns == ("Owner",)
    got = {d.title: d for d in (await services.feeds.export(GUILD)).deadlines}
    bondi = got["Bondi letter"]
    assert (bondi.due, bondi.rule.value, bondi.period) == (dt.date(2025, 8, 18), "roll", "30 days")
    assert bondi.mention == Mention(MentionKind.ROLE, 42)
    county = got["County records"]
    assert county.has_time
    assert county.due_at == dt.datetime(2025, 8, 15, 21, 0, tzinfo=dt.UTC)
    assert (county.channel_id, county.notes) == (11, "two\nlines")
    assert county.link == "https://xn--r8jz45g.jp/x"
    sheriff = got["Sheriff reply"]
    assert sheriff.due_at == dt.datetime(2025, 9, 1, 12, 0, tzinfo=dt.UTC)
    assert sheriff.channel_id == CHANNEL  # the default given
    budget = got["Budget vote"]
    assert (budget.due, budget.has_time) == (dt.date(2025, 9, 15), False)


async def test_a_bad_row_leaves_nothing_stored_and_every_problem_is_named(
    services: Services,
) -> None:
    data = sheet(
        "title,due,text,channel",
        "Good one,2025-08-15,,<#10>",
        "Bad date,15/08/2025,,<#10>",
        "Two readings,,30 days or 45 days,<#10>",
        ",2025-08-15,,<#10>",
        "Named channel,2025-08-15,,#general",
        "No due,,,<#10>",
    )
    with pytest.raises(SheetProblems) as caught:
        await services.imports.import_sheet(GUILD, data, actor=None)
    problems = caught.value.problems
    assert problems[0].startswith("row 3, due: '15/08/2025'")
    assert "2025-08-15" in problems[0]
    assert problems[1].startswith("row 4, text:")
    assert "'30 days'" in problems[1]
    assert "'45 days'" in problems[1]
    assert problems[2].startswith("row 5, title:")
    assert problems[3].startswith("row 6, channel: '#general'")
    assert problems[4].startswith("row 7, due: no due date")
    assert "nothing was imported: 5 problems" in caught.value.message
    assert (await services.deadlines.page(GUILD, show="all")).total == 0


async def test_more_than_twenty_problems_are_counted(services: Services) -> None:
    data = sheet("title,due", *(f"Row {n},someday" for n in range(30)))
    with pytest.raises(SheetProblems) as caught:
        await services.imports.import_sheet(GUILD, data, actor=None, channel_id=CHANNEL)
    assert len(caught.value.problems) == 20
    assert caught.value.more == 10
    assert caught.value.message.endswith("and 10 more")


async def test_rows_without_a_channel_need_a_default(services: Services) -> None:
    data = sheet("title,due,channel", "A,2025-08-15,", "B,2025-08-15,", "C,2025-08-15,<#10>",
                 "D,2025-08-15,")  # fmt: skip
    with pytest.raises(SheetProblems, match=r"rows 2-3, 5: no channel"):
        await services.imports.import_sheet(GUILD, data, actor=None)
    await services.settings.update(ADMIN, GUILD, default_channel_id=ALERTS)
    result = await services.imports.import_sheet(GUILD, data, actor=None)
    channels = [d.channel_id for d in (await services.feeds.export(GUILD)).deadlines]
    assert result.count == 4
    assert sorted(channels) == [10, 11, 11, 11]


async def test_every_imported_deadline_gets_its_alerts_and_a_history_entry(
    services: Services, clock: FakeClock
) -> None:
    data = sheet(
        "title,text,start,created_by,created_at",
        "Bondi letter,30 days,2025-07-17,<@9>,2025-07-01T10:00:00-04:00",
        "FOIA,by 2025-09-01,,,",
    )
    result = await services.imports.import_sheet(GUILD, data, actor=ADMIN, channel_id=CHANNEL)
    settings = await services.settings.get(GUILD)
    for deadline_id in (1, 2):
        status = await services.deadlines.status(GUILD, deadline_id)
        expected = plan_alerts(status.deadline, settings, now=clock.now())
        assert [(a.kind, a.send_at) for a in status.next_alerts] == [
            (a.kind, a.send_at) for a in sorted(expected, key=lambda a: a.send_at)
        ]
        assert AlertKind.DUE_TODAY in {a.kind for a in status.next_alerts}
        [entry] = status.history
        # Who imported it, and when; the deadline keeps who added it, and when, from the file.
        assert (entry.action, entry.actor_id, entry.at) == ("imported", USER, clock.now())
    bondi = (await services.deadlines.status(GUILD, 1)).deadline
    assert (bondi.created_by, bondi.created_at) == (
        9,
        dt.datetime(2025, 7, 1, 14, 0, tzinfo=dt.UTC),
    )
    assert result.first_id == 1


async def test_a_dry_run_checks_everything_and_stores_nothing(services: Services) -> None:
    data = sheet("title,due", "A,2025-08-15", "B,2025-08-16")
    result = await services.imports.import_sheet(
        GUILD, data, actor=None, channel_id=CHANNEL, dry_run=True
    )
    assert (result.count, result.dry_run, result.first_id) == (2, True, None)
    assert [row.deadline.title for row in result.first_rows] == ["A", "B"]
    assert (await services.deadlines.page(GUILD, show="all")).total == 0


async def test_the_active_limit_holds(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imports_module, "MAX_ACTIVE_PER_GUILD", 3)
    await services.imports.import_sheet(
        GUILD, sheet("title,due", "A,2025-08-15"), actor=None, channel_id=CHANNEL
    )
    three = sheet("title,due", "B,2025-08-15", "C,2025-08-15", "D,2025-08-15")
    with pytest.raises(LimitError, match="limit of 3"):
        await services.imports.import_sheet(GUILD, three, actor=None, channel_id=CHANNEL)
    with pytest.raises(LimitError):
        await services.imports.import_sheet(
            GUILD, three, actor=None, channel_id=CHANNEL, dry_run=True
        )
    assert (await services.deadlines.page(GUILD)).total == 1


async def test_members_need_manage_server_and_rights_in_the_channels_rows_name(
    services: Services,
) -> None:
    data = sheet("title,due,channel,mention", "A,2025-08-15,<#10>,", "B,2025-08-15,<#99>,",
                 "C,2025-08-15,<#10>,<@&77>")  # fmt: skip
    with pytest.raises(NotAllowed, match="Manage Server"):
        await services.imports.import_sheet(GUILD, data, actor=Actor(USER))

    def rights(channel_id: int) -> ChannelRights:
        return ChannelRights(send_messages=channel_id == CHANNEL)

    admin = Actor(USER, manage_guild=True, rights=rights)
    with pytest.raises(SheetProblems) as caught:
        await services.imports.import_sheet(GUILD, data, actor=admin)
    assert [p.split(":")[0] for p in caught.value.problems] == [
        "row 3, channel",
        "row 4, mention",
    ]
    assert (await services.deadlines.page(GUILD, show="all")).total == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"\xff\xfet\x00i\x00", "UTF-16"),
        (b"title,due\r\nCaf\xe9,2025-08-15\r\n", "not UTF-8"),
        (b"name,when\r\nA,2025-08-15\r\n", "no due date column"),
        (b"due,notes\r\n2025-08-15,\r\n", "no title column"),
        (b"title,due,Deadline\r\nA,2025-08-15,\r\n", "both give the due"),
    ],
)
async def test_a_file_that_is_no_sheet_is_refused_in_one_sentence(
    services: Services, data: bytes, message: str
) -> None:
    with pytest.raises(ValidationError, match=message) as caught:
        await services.imports.import_sheet(GUILD, data, actor=None, channel_id=CHANNEL)
    assert "\n" not in str(caught.value)


async def test_the_bulk_insert_counts_nothing_beyond_the_guild_or_the_batch(
    services: Services, db_path: Path
) -> None:
    """Every COUNT a small import runs is an index search (the guild's own rows) or stops
    after as many rows as the batch holds: none reads a whole table."""
    big = sqlite3.connect(db_path)
    big.executemany(
        "INSERT INTO deadlines (guild_id, id, channel_id, title, start_on, rule, calendar, period,"
        " due_on, due_at, has_time, explanation, created_by, status, created_at, updated_at) "
        "VALUES (?, ?, 1, 't', '2025-07-17', 'calendar', 'US', '1 day', '2025-07-18', 0, 0, "
        "'[]', 1, 'done', 0, 0)",
        [(7, n) for n in range(1, 1001)],
    )
    big.commit()
    statements: list[str] = []
    conn = services.unit.store._conn  # the store's own connection: trace what it runs
    await conn.set_trace_callback(statements.append)
    await services.imports.import_sheet(
        GUILD, sheet("title,due", "A,2025-08-15"), actor=None, channel_id=CHANNEL
    )
    await conn.set_trace_callback(None)
    counts = [sql for sql in statements if "COUNT(" in sql.upper()]
    assert counts
    for sql in counts:
        plan = " ".join(str(step[3]) for step in big.execute("EXPLAIN QUERY PLAN " + sql))
        assert "SEARCH" in plan or "LIMIT" in sql.upper(), (sql, plan)
    big.close()
    assert (await services.deadlines.page(GUILD)).total == 1


async def test_a_repeating_phrase_is_refused_not_imported_as_its_first_date(
    services: Services,
) -> None:
    data = sheet("title,text,channel", "Jail report,every month on the 10th,<#10>")
    with pytest.raises(SheetProblems) as caught:
        await services.imports.import_sheet(GUILD, data, actor=None)
    (problem,) = caught.value.problems
    assert problem.startswith("row 2, text:")
    assert "repeats (every month on the 10th)" in problem
    assert (await services.deadlines.page(GUILD, show="all")).total == 0


async def test_a_row_whose_phrase_picks_a_preset_is_stored_as_deadline_add_stores_it(
    services: Services, clock: FakeClock
) -> None:
    """Review item 3: the import kept the law's period but dropped the preset, its later stage
    and its zone, so done closed a FOIL request at its acknowledgment."""
    data = sheet(
        "text,start,channel",
        "FOIL request to the NYPD,2025-07-17,<#10>",
        "CPRA request to LA County,2025-07-17,<#10>",
    )
    await services.imports.import_sheet(GUILD, data, actor=ADMIN)
    added = [
        (await services.deadlines.add(ADMIN, EMPTY, text=text, channel_id=CHANNEL,
                                      start=dt.date(2025, 7, 17))).deadline
        for text in ("FOIL request to the NYPD", "CPRA request to LA County")
    ]  # fmt: skip
    imported = (await services.deadlines.page(GUILD, show="all")).deadlines
    by_title = {d.title: d for d in imported}
    for by_add in added:
        by_import = by_title[by_add.title]
        fields = ("due", "due_at", "period", "rule", "calendar", "explanation", "timezone",
                  "preset", "stage", "stages_left", "allowed_extension")  # fmt: skip
        assert {f: getattr(by_import, f) for f in fields} == {f: getattr(by_add, f) for f in fields}
    foil = by_title["FOIL request to the NYPD"]
    # FOIL from Thu Jul 17: acknowledge in 5 business days -> Thu Jul 24, the end of the day in
    # New York (03:59:59 UTC Jul 25); then grant or deny, the second stage.
    assert foil.due == dt.date(2025, 7, 24)
    assert foil.due_at == dt.datetime(2025, 7, 25, 3, 59, 59, tzinfo=dt.UTC)
    assert (foil.preset, foil.stage, foil.stages_left) == ("ny", 0, 1)
    assert foil.timezone == "America/New_York"
    cpra = by_title["CPRA request to LA County"]
    # CPRA: Thu Jul 17 + 10 = Sun Jul 27, rolled to Mon Jul 28, the end of the day in Los
    # Angeles (06:59:59 UTC Jul 29); 14 days more allowed.
    assert (cpra.preset, cpra.stages_left, cpra.timezone) == ("ca", 0, "America/Los_Angeles")
    assert cpra.due_at == dt.datetime(2025, 7, 29, 6, 59, 59, tzinfo=dt.UTC)
    assert cpra.allowed_extension == "14 calendar days"
    # Done moves the imported FOIL request to its second stage: acknowledged Tue Jul 22, 20
    # business days: Jul 23-25 (3), Jul 28-Aug 1 (8), Aug 4-8 (13), 11-15 (18), 18, 19 (20).
    clock.set(dt.datetime(2025, 7, 22, 15, 0, tzinfo=dt.UTC))
    moved = await services.deadlines.done(ADMIN, GUILD, foil.id)
    assert (moved.status.value, moved.stage, moved.stages_left) == ("active", 1, 0)
    assert moved.due == dt.date(2025, 8, 19)
