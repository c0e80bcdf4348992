"""Bulk import (a spreadsheet, another tracker): all or nothing, in one transaction."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.models import NewDeadline, Status
from bot.planning import plan_many

from .actor import Actor
from .checks import checked_new
from .deadlines import MAX_ACTIVE_PER_GUILD, check_recipients
from .errors import LimitError, NotAllowed, UserError, ValidationError
from .sheets import MAX_ERRORS, Sheet, SheetContext, SheetRow, read_sheet
from .unit import Unit

log = logging.getLogger(__name__)

IMPORT_RULE = "only members with Manage Server can import deadlines"
PREVIEW_ROWS = 10  # rows an import's summary shows


class SheetProblems(ValidationError):
    """A sheet with problems: nothing was imported. `problems` are the first MAX_ERRORS
    ("row 3, due: ..."), `more` how many others there are."""

    def __init__(self, problems: tuple[str, ...], more: int) -> None:
        count = len(problems) + more
        message = (
            f"nothing was imported: {count} problem{'s' if count != 1 else ''} in the file\n"
            + "\n".join(problems)
            + (f"\nand {more} more" if more else "")
        )
        super().__init__(message)  # each problem carries its own example
        self.problems = problems
        self.more = more


@dataclass(frozen=True, slots=True)
class Imported:
    """What an import stored (or, `dry_run`, would store)."""

    guild_id: int
    count: int
    first_rows: tuple[SheetRow, ...]  # up to PREVIEW_ROWS, in file order
    first_id: int | None  # the first new deadline's number (None: dry run, or none)
    skipped: int  # done and deleted deadlines in the file, not imported
    ignored_columns: tuple[str, ...]
    dry_run: bool
    timezone: str  # the server's, which the due times are shown in


class ImportUseCases:
    def __init__(self, unit: Unit) -> None:
        self._unit = unit

    async def import_sheet(
        self,
        guild_id: int,
        data: bytes,
        *,
        actor: Actor | None,
        channel_id: int | None = None,
        here_channel_id: int | None = None,
        dry_run: bool = False,
        progress: Callable[[int], None] | None = None,
    ) -> Imported:
        """Import a CSV sheet (`sheets.read_sheet`) into one server, all or nothing.

        Rows without a channel go to `channel_id`, else the server's alert channel, else
        `here_channel_id`. `actor`: the member importing (Manage Server; the channels and
        roles rows name are checked as `add` checks them); None: the bot's host (the command
        line), who may do anything. Raises SheetProblems naming every row that cannot be
        imported, CellError for a file that is no sheet, or LimitError; `dry_run` checks
        everything and stores nothing.
        """
        if actor is not None and not actor.manage_guild:
            raise NotAllowed(IMPORT_RULE, example="ask someone with Manage Server")
        now = self._unit.now()
        async with self._unit.transaction() as tx:
            settings = await self._unit.settings(tx, guild_id)
        context = SheetContext(
            guild_id=guild_id,
            timezone=settings.timezone,
            counting=settings.counting,
            calendar=settings.calendar,
            now=now,
            created_by=actor.user_id if actor is not None else 0,
            default_channel_id=channel_id or settings.default_channel_id or here_channel_id,
            close_of_business=self._unit.defaults.close_of_business,
        )
        # Seconds of work for a big file: off the event loop, which keeps serving meanwhile.
        sheet = await asyncio.to_thread(read_sheet, data, context, progress=progress)
        if actor is not None:
            sheet = _checked_recipients(sheet, actor, guild_id)
        if sheet.problem_count:
            raise SheetProblems(sheet.problems, sheet.problem_count - len(sheet.problems))
        news = [row.deadline for row in sheet.rows]
        first_id = None
        async with self._unit.transaction() as tx:
            active = await tx.count_deadlines(guild_id, Status.ACTIVE)
            _check_limit(active, len(news))
            if news and not dry_run:
                plans = plan_many(news, {guild_id: settings}, now=now)
                ids = await tx.insert_deadlines(
                    list(zip(news, plans, strict=True)),
                    history_action="imported",
                    history_actor=actor.user_id if actor is not None else None,
                    history_at=now,
                )
                first_id = ids[0]
        if news and not dry_run:
            log.info("imported %d deadlines into guild %s", len(news), guild_id)
            self._unit.changed(guild_id, None)
        return Imported(
            guild_id=guild_id,
            count=len(news),
            first_rows=sheet.rows[:PREVIEW_ROWS],
            first_id=first_id,
            skipped=sheet.skipped,
            ignored_columns=sheet.ignored_columns,
            dry_run=dry_run,
            timezone=settings.timezone,
        )

    async def import_deadlines(self, items: Iterable[NewDeadline]) -> list[int]:
        """Store `items`, each checked like one added by hand (title, notes, link, zone, the
        active limit of its guild), planned with its guild's settings, and recorded in its
        history as "imported". Returns their ids (each guild's own sequence), in order.

        One transaction holds the store for the whole batch (about 40 ms per 1,000 deadlines
        here): import in batches of a few thousand while the bot is serving.
        """
        news = [checked_new(new, index) for index, new in enumerate(items)]
        per_guild = Counter(new.guild_id for new in news)
        now = self._unit.now()
        async with self._unit.transaction() as tx:
            settings = {guild_id: await self._unit.settings(tx, guild_id) for guild_id in per_guild}
            for guild_id, count in per_guild.items():
                active = await tx.count_deadlines(guild_id, Status.ACTIVE)
                if active + count > MAX_ACTIVE_PER_GUILD:
                    raise LimitError(
                        f"server {guild_id} tracks {active} active deadlines; {count} more would "
                        f"pass the limit of {MAX_ACTIVE_PER_GUILD}, so nothing was imported",
                        example=f"import at most {MAX_ACTIVE_PER_GUILD - active} there",
                    )
            batch = list(zip(news, plan_many(news, settings, now=now), strict=True))
            ids = await tx.insert_deadlines(batch, history_action="imported")
        log.info("imported %d deadlines into %d servers", len(news), len(per_guild))
        for guild_id in per_guild:
            self._unit.changed(guild_id, None)
        return ids


def _check_limit(active: int, count: int) -> None:
    if active + count > MAX_ACTIVE_PER_GUILD:
        room = max(0, MAX_ACTIVE_PER_GUILD - active)
        raise LimitError(
            f"the file holds {count:,} deadlines and this server already tracks {active:,} "
            f"active ones: together they pass the limit of {MAX_ACTIVE_PER_GUILD:,}, so nothing "
            "was imported",
            example=f"import at most {room:,} rows, or mark some deadlines done first",
        )


def _checked_recipients(sheet: Sheet, actor: Actor, guild_id: int) -> Sheet:
    """`sheet` with a problem for each row whose channel or mention the member may not use
    (as `add` decides), checked once per distinct pair."""
    verdicts: dict[tuple[object, ...], str | None] = {}
    problems = list(sheet.problems)
    count = sheet.problem_count
    for row in sheet.rows:
        new = row.deadline
        key = (new.channel_id, new.mention, row.channel_named)
        if key not in verdicts:
            verdicts[key] = _refusal(actor, guild_id, row)
        verdict = verdicts[key]
        if verdict is not None:
            count += 1
            if len(problems) < MAX_ERRORS:
                problems.append(f"row {row.row}, {verdict}")
    if count == sheet.problem_count:
        return sheet
    return Sheet((), tuple(problems), count, sheet.skipped, sheet.ignored_columns)


def _refusal(actor: Actor, guild_id: int, row: SheetRow) -> str | None:
    """Why the member may not send this row's alerts where it says, or ping whom it says."""
    new = row.deadline
    try:
        check_recipients(actor, guild_id, new.channel_id, None, picked=row.channel_named)
    except UserError as exc:
        return f"channel: {exc.message}"
    try:
        check_recipients(actor, guild_id, new.channel_id, new.mention, picked=False)
    except UserError as exc:
        return f"mention: {exc.message}"
    return None
