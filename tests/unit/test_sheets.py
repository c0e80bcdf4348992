"""The CSV sheet reader (bot/service/sheets.py): pure, bytes in, deadlines or problems out."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.deadlines import Rule
from bot.models import Mention, MentionKind
from bot.service.sheets import CellError, SheetContext, read_sheet

NOW = dt.datetime(2025, 7, 17, 12, 0, tzinfo=dt.UTC)
CONTEXT = SheetContext(
    guild_id=100, timezone="America/New_York", counting=Rule.CALENDAR, calendar="US", now=NOW,
    created_by=5, default_channel_id=10,
)  # fmt: skip


def read(text: str, context: SheetContext = CONTEXT) -> list[tuple[object, ...]]:
    sheet = read_sheet(text.encode("utf-8"), context)
    assert sheet.problems == (), sheet.problems
    return [(r.row, r.deadline.title, r.deadline.due, r.deadline.has_time) for r in sheet.rows]


def problems(text: str) -> tuple[str, ...]:
    sheet = read_sheet(text.encode("utf-8"), CONTEXT)
    assert sheet.rows == ()
    return sheet.problems


@pytest.mark.parametrize(
    ("cell", "due", "timed"),
    [
        ("2025-08-15", dt.date(2025, 8, 15), False),
        ("8/15/2025", dt.date(2025, 8, 15), False),
        ("8/15/25", dt.date(2025, 8, 15), False),
        ("15.08.2025", dt.date(2025, 8, 15), False),
        ("2025-08-15 17:00", dt.date(2025, 8, 15), True),
        ("2025-08-15T17:00:00-04:00", dt.date(2025, 8, 15), True),
        ("8/15/2025 5:00 PM", dt.date(2025, 8, 15), True),
    ],
)
def test_due_dates_as_spreadsheets_write_them(cell: str, due: dt.date, timed: bool) -> None:
    assert read(f"title,due\nA,{cell}\n") == [(2, "A", due, timed)]


def test_a_time_without_a_zone_is_in_the_servers_zone() -> None:
    sheet = read_sheet(b"title,due\nA,2025-08-15 17:00\nB,2025-08-15 17:00Z\n", CONTEXT)
    a, b = (row.deadline.due_at for row in sheet.rows)
    assert a == dt.datetime(2025, 8, 15, 21, 0, tzinfo=dt.UTC)
    assert b == dt.datetime(2025, 8, 15, 17, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("cell", "says"),
    [
        ("15/08/2025", "15 is not a month"),
        ("2025-02-30", "not a date that exists"),
        ("next week", "'next week' is not a date"),
        ("2025-08-15 25:00", "the time is not one"),
    ],
)
def test_bad_dates_say_what_works(cell: str, says: str) -> None:
    [problem] = problems(f"title,due\nA,{cell}\n")
    assert problem.startswith("row 2, due: ")
    assert says in problem
    assert "for example: " in problem


def test_phrases_are_read_by_the_engine_with_their_start_and_rule() -> None:
    rows = read(
        "Title,Text,From,Counting\n"
        "Bondi letter,30 days,2025-07-17,roll\n"
        "FOIA,20 business days,2025-07-17,\n"
        ',"County records, 10 days",2025-07-17,\n'
    )
    assert rows == [
        (2, "Bondi letter", dt.date(2025, 8, 18), False),
        (3, "FOIA", dt.date(2025, 8, 14), False),
        (4, "County records", dt.date(2025, 7, 27), False),
    ]


def test_an_ambiguous_phrase_names_both_readings() -> None:
    [problem] = problems("title,text\nA,30 days or 45 days\n")
    assert problem.startswith("row 2, text: '30 days or 45 days' reads more than one way")
    assert "'30 days'" in problem
    assert "'45 days'" in problem


def test_header_names_are_case_insensitive_with_aliases() -> None:
    sheet = read_sheet(
        b"NAME,Due Date,Alert_Channel,PING,URL,Description,Rule\n"
        b"A,2025-08-15,<#11>,<@!7>,https://example.org,n,business\n",
        CONTEXT,
    )
    new = sheet.rows[0].deadline
    assert (new.title, new.channel_id, new.mention) == ("A", 11, Mention(MentionKind.USER, 7))
    assert (new.link, new.notes, new.rule) == ("https://example.org", "n", Rule.BUSINESS)
    assert sheet.rows[0].channel_named


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbftitle,due\r\nA,2025-08-15\r\n",  # UTF-8 with a BOM, CRLF
        b"title;due\nA;2025-08-15\n",  # semicolons
        b"title\tdue\nA\t2025-08-15\n",  # tabs
        b'"title","due"\r\n"A","2025-08-15"\r\n\r\n,,\r\n',  # quoted; empty lines after
    ],
)
def test_excel_flavours(data: bytes) -> None:
    sheet = read_sheet(data, CONTEXT)
    assert [(r.deadline.title, r.deadline.due) for r in sheet.rows] == [("A", dt.date(2025, 8, 15))]


def test_quoted_newlines_keep_the_row_numbers_a_spreadsheet_shows() -> None:
    [problem] = problems('title,due,notes\nA,2025-08-15,"one\ntwo\nthree"\nB,never,\n')
    assert problem.startswith("row 3, due:")


def test_invisible_characters_are_stripped_and_formula_quotes_undone() -> None:
    sheet = read_sheet(
        "title,due,notes\n\u202eA\u200b,2025-08-15,'=SUM(1)\n'=B,2025-08-15,'plain\n".encode(),
        CONTEXT,
    )
    assert [(r.deadline.title, r.deadline.notes) for r in sheet.rows] == [
        ("A", "=SUM(1)"),
        ("=B", "'plain"),
    ]


def test_done_and_cancelled_rows_are_skipped_and_unknown_columns_reported() -> None:
    sheet = read_sheet(
        b"title,due,status,owner\nA,2025-08-15,active,x\nB,2025-08-15,done,\nC,2025-08-15,"
        b"cancelled,\n",
        CONTEXT,
    )
    assert [r.deadline.title for r in sheet.rows] == ["A"]
    assert (sheet.skipped, sheet.ignored_columns) == (2, ("owner",))


@pytest.mark.parametrize(
    ("row", "column", "says"),
    [
        ("A,2025-08-15,general,,", "channel", "names cannot be looked up"),
        ("A,2025-08-15,,@editors,", "mention", "<@&id> for a role"),
        ("A,2025-08-15,,<@&100>,", "mention", "@everyone"),
        ("A,2025-08-15,,,javascript:alert(1)", "link", "http(s)"),
        ("A,2025-08-15,<#0>,,", "channel", "not a Discord id"),
    ],
)
def test_channels_mentions_and_links_are_checked(row: str, column: str, says: str) -> None:
    [problem] = problems(f"title,due,channel,mention,link\n{row}\n")
    assert problem.startswith(f"row 2, {column}: ")
    assert says in problem


def test_problems_stop_at_twenty_and_the_rest_are_counted() -> None:
    sheet = read_sheet(("title,due\n" + "A,x\n" * 50).encode(), CONTEXT)
    assert (len(sheet.problems), sheet.problem_count) == (20, 50)


def test_too_many_cells_is_a_problem_of_its_row() -> None:
    [problem] = problems("title,due\nA,2025-08-15,extra\n")
    assert problem.startswith("row 2: 3 cells, but the header names 2 columns")


def test_progress_is_told_every_ten_thousand_rows() -> None:
    told: list[int] = []
    read_sheet(("title,due\n" + "A,2025-08-15\n" * 25_000).encode(), CONTEXT,
               progress=told.append)  # fmt: skip
    assert told == [10_000, 20_000]


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "empty"),
        (b"\xff\xfet\x00", "UTF-16"),
        (b"title,due\nCaf\xe9,x\n", r"not UTF-8 text \(line 2\)"),
        (b"title,when\nA,2025-08-15\n", "no due date column"),
    ],
)
def test_a_file_that_is_no_sheet_is_one_error(data: bytes, says: str) -> None:
    with pytest.raises(CellError, match=says):
        read_sheet(data, CONTEXT)


def test_a_paused_row_of_an_export_is_refused_not_imported_on_its_old_date() -> None:
    # An export shows a paused deadline on the date before its pause: imported as active,
    # it would be due on a date that is not its due date.
    [problem] = problems("title,due,status\nA,2025-08-15,paused\n")
    assert problem.startswith("row 2, status: a paused deadline's due date is the one before")
