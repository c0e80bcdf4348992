"""/deadline import's edges: which attachments it takes, and its replies within Discord's
2,000-character message limit (whole lines, then how many more)."""

from __future__ import annotations

from typing import Final

from bot.deadlines import format_day, zone
from bot.service import ValidationError
from bot.service.imports import Imported, SheetProblems

from .render import CONTENT_LIMIT, clean, cut

MAX_SHEET_BYTES: Final = 5 * 1024 * 1024
_SHEET_SUFFIXES: Final = (".csv", ".tsv", ".txt")
_SPREADSHEET_SUFFIXES: Final = (".xlsx", ".xls", ".xlsm", ".ods", ".numbers")
_TEXT_TYPES: Final = ("text/", "application/csv", "application/vnd.ms-excel")
_SAVE_AS_CSV: Final = "Excel: File > Save As > CSV UTF-8; Google Sheets: File > Download > CSV"


def check_sheet_file(filename: str, content_type: str | None, size: int) -> None:
    """Refuse, before downloading it, a file that is not a CSV sheet or is too big."""
    name = filename.lower()
    if name.endswith(_SPREADSHEET_SUFFIXES):
        raise ValidationError(
            f"{clean(filename, 80)} is a spreadsheet file; the import reads CSV: save it as CSV "
            "first",
            example=_SAVE_AS_CSV,
        )
    kind = (content_type or "").split(";")[0].strip().lower()
    if not name.endswith(_SHEET_SUFFIXES) or (kind and not kind.startswith(_TEXT_TYPES)):
        raise ValidationError(
            f"{clean(filename, 80)} is not a CSV file (.csv)", example=_SAVE_AS_CSV
        )
    if size > MAX_SHEET_BYTES:
        raise ValidationError(
            f"the file is {size / 2**20:.1f} MB; the import takes up to "
            f"{MAX_SHEET_BYTES // 2**20} MB at a time",
            example="split it, or ask the bot's host for python -m bot import",
        )


def imported_text(result: Imported) -> str:
    """What an import added (or would add), with its first rows."""
    count = result.count
    noun = "deadline" if count == 1 else "deadlines"
    if result.dry_run:
        head = f"Dry run: the file would add **{count:,}** {noun}. Nothing was saved."
    elif count:
        last = (result.first_id or 0) + count - 1
        numbers = f"#{result.first_id}" if count == 1 else f"#{result.first_id}-#{last}"
        head = f"Imported **{count:,}** {noun} ({numbers}); their alerts are planned."
    else:
        head = "The file holds no deadlines to import. Nothing was saved."
    notes = []
    if result.skipped:
        notes.append(f"Skipped {result.skipped:,} done or deleted deadlines (status column).")
    if result.ignored_columns:
        notes.append(f"Ignored columns: {clean(', '.join(result.ignored_columns), 300)}.")
    tz = zone(result.timezone)
    lines = []
    for row in result.first_rows:
        new = row.deadline
        when = format_day(new.due)
        if new.has_time:
            when += f" {new.due_at.astimezone(tz):%H:%M}"
        lines.append(
            f"row {row.row}: {clean(new.title, 80)} \u2014 due {when} in <#{new.channel_id}>"
        )
    return _fit([head, *notes], lines, count - len(lines))


def problems_text(error: SheetProblems) -> str:
    """Why nothing was imported: each problem on its line, as many as fit."""
    head, *problems = error.message.splitlines()
    if error.more:
        problems = problems[:-1]  # the "and N more" line: counted again below
    return _fit([f"\u274c {head[:1].upper()}{head[1:]}."], problems, error.more)


def _fit(head: list[str], lines: list[str], more: int) -> str:
    """`head`, then `lines` as a list while they fit in one message, then "and N more"."""
    text = "\n".join(head)
    kept = 0
    for line in lines:
        rest = more + len(lines) - kept - 1
        tail = f"\n\u2026and {rest:,} more" if rest else ""
        candidate = f"{text}\n\u2022 {_inert(line)}"
        if len(candidate) + len(tail) + 40 > CONTENT_LIMIT:
            break
        text = candidate
        kept += 1
    rest = more + len(lines) - kept
    if rest:
        text += f"\n\u2026and {rest:,} more"
    return text


def _inert(line: str) -> str:
    """A line made of our words and short quotes of the file: one line, no pings (replies
    mention no one anyway), no code spans breaking out."""
    flat = " ".join(line.replace("`", "'").split())
    return cut(flat.replace("@", "@\u200b"), 300)
