"""Pure rendering: deadlines, lists, alerts and settings as Discord embeds and text.

No I/O. User text (titles, notes) is escaped so that markdown and mentions in it cannot break
an embed or look like another deadline's content; everything is cut to Discord's limits.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence

import discord

from bot.deadlines import Computation, DueDate, format_day, occurrences
from bot.deadlines.counting import extended_due
from bot.deadlines.finding import Found
from bot.deadlines.laws import preset_law, stage_extension
from bot.deadlines.presets import count_stage
from bot.models import (
    AlertKind,
    BoardScope,
    Deadline,
    DeadlineStatus,
    DmCopies,
    FeedAccess,
    GuildSettings,
    HistoryEntry,
    MentionKind,
    Page,
    PlannedAlert,
    Status,
    StoredAlert,
)
from bot.notices import AlertNotice
from bot.service import UserError, feed_url
from bot.service.checks import check_link
from bot.service.stages import STAGE_GRACE

# An alert as stored, or as just planned for a new deadline (the reply to add).
AnyAlert = StoredAlert | PlannedAlert

TITLE_LIMIT = 256
FIELD_LIMIT = 1024
DESCRIPTION_LIMIT = 4096
CONTENT_LIMIT = 2000
TOTAL_LIMIT = 6000
EMBEDS_LIMIT = 10
FIELDS_LIMIT = 25
BUTTON_LABEL_LIMIT = 80

COLOR_OK = discord.Colour.blurple()
COLOR_SOON = discord.Colour.gold()
COLOR_OVERDUE = discord.Colour.red()
COLOR_DONE = discord.Colour.green()
COLOR_ERROR = discord.Colour.dark_red()
COLOR_PAUSED = discord.Colour.light_grey()

_MARKDOWN = re.compile(r"([\\*_~`|>\[\]()#<@:-])")


def clean(text: str | None, limit: int | None = None) -> str:
    """User text made inert: control and zero-width characters dropped, newlines folded,
    markdown and mention syntax escaped, cut to `limit` characters."""
    if not text:
        return ""
    text = "".join(
        " " if ch in "\r\n\t" else ch
        for ch in unicodedata.normalize("NFKC", text)
        if ch in "\r\n\t" or unicodedata.category(ch) not in ("Cc", "Cf")
    )
    text = " ".join(text.split())
    escaped = _MARKDOWN.sub(r"\\\1", text).replace("@", "@\u200b")
    return cut(escaped, limit) if limit else escaped


def cannot_post_text(channel_id: int, lacking: Sequence[str]) -> str:
    """The warning that the bot itself cannot post the alerts where they are to go."""
    return (
        f"\u26a0\ufe0f I cannot post its alerts in <#{channel_id}>: I lack "
        f"{', '.join(lacking)} there. Give me {'it' if len(lacking) == 1 else 'them'} in that "
        "channel, or pick another with `/deadline edit channel:`. Until then its alerts go "
        "to the server's alert channel if one is set; otherwise they fail, and its history "
        "says so."
    )


def link_text(link: str) -> str:
    """A link as shown: the address itself (Discord links it; what it shows is where it
    goes). One stored before links were checked, that the check now refuses or rewrites
    (markup, user@host, a look-alike host), is shown as inert text, not as a link."""
    try:
        checked = check_link(link)
    except UserError:
        checked = None
    if checked == link and len(link) <= FIELD_LIMIT:
        return link
    inert = "".join(ch for ch in link if ch.isprintable() and ch != "`")
    return f"`{cut(inert, FIELD_LIMIT - 60)}` (not a checked link: not opened)"


def cut(text: str, limit: int) -> str:
    """`text` shortened to `limit` characters, ending in an ellipsis when cut."""
    if len(text) <= limit:
        return text
    # Never end on a lone backslash: it would escape the ellipsis.
    return text[: limit - 1].rstrip("\\") + "\u2026"


def stamp(instant: dt.datetime, style: str = "F") -> str:
    """A Discord timestamp: each reader sees it in their own zone (R is a live countdown)."""
    return f"<t:{int(instant.timestamp())}:{style}>"


def span(delta: dt.timedelta) -> str:
    """'3 days', '5 hours', '12 minutes': the largest unit, rounded down."""
    seconds = int(delta.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return "moments"


def due_line(deadline: Deadline) -> str:
    """The due date in words, then as timestamps each reader sees in their own zone."""
    return (
        f"**Due {format_day(deadline.due)}** \u2014 {stamp(deadline.due_at)} "
        f"({stamp(deadline.due_at, 'R')})"
    )


def mention_text(deadline: Deadline) -> str:
    if deadline.mention is None:
        return "nobody"
    prefix = "@&" if deadline.mention.kind is MentionKind.ROLE else "@"
    return f"<{prefix}{deadline.mention.id}>"


def explanation_text(steps: Sequence[str]) -> str:
    # The engine's own words (dates, holiday names): shown as written, mentions defused.
    lines = "\n".join("\u2022 " + step.replace("@", "@\u200b") for step in steps)
    return cut(lines, FIELD_LIMIT)


def heading(deadline: Deadline) -> str:
    return cut(f"#{deadline.id} {clean(deadline.title)}", TITLE_LIMIT)


def allowed_due(deadline: Deadline) -> dt.date | None:
    """The date the extension the deadline's law (or phrase) allows would give, from its
    current due date (under the roll and court rules its last day before the roll); None
    without one."""
    if not deadline.allowed_extension:
        return None
    return extended_due(
        deadline.statutory_last_day, deadline.allowed_extension, rule=deadline.rule,
        calendar=deadline.calendar,
    )  # fmt: skip


def allowed_text(deadline: Deadline) -> str:
    """'14 calendar days: to Mon 2025-08-11 (unusual circumstances, by written notice, Cal.
    Gov. Code § 7922.535(b))'; '' without an allowed extension."""
    if not deadline.allowed_extension:
        return ""
    text = clean(deadline.allowed_extension, 100)
    day = allowed_due(deadline)
    text = f"{text}: to {format_day(day)}" if day is not None else text
    law_allows = stage_extension(deadline.preset, deadline.stage)
    if law_allows is not None:
        text += f" ({law_allows.when}, {law_allows.citation})"
    return text


def allowed_label(deadline: Deadline) -> str:
    """The allowed extension's button label, at most 80 characters (Discord's limit): 'Extend
    to Mon 2025-08-11: unusual circumstances, Cal. Gov. Code § 7922.535(b)', shorter where
    that does not fit (the citation kept before the reason), 'Extend (allowed)' at least."""
    day = allowed_due(deadline)
    to = f"Extend to {format_day(day)}" if day is not None else "Extend"
    law_allows = stage_extension(deadline.preset, deadline.stage)
    candidates = []
    if law_allows is not None:
        reason = law_allows.when.split(",")[0].strip()
        if law_allows.when != "as the law allows":  # the data's word for no reason given
            candidates += [
                f"{to}: {law_allows.when}, {law_allows.citation}",
                f"{to}: {reason}, {law_allows.citation}",
            ]
        candidates.append(f"{to}: {law_allows.citation}")
    candidates.append(f"{to} (allowed)")
    for label in candidates:
        if len(label) <= BUTTON_LABEL_LIMIT:
            return label
    return "Extend (allowed)"


def stages_text(deadline: Deadline) -> str:
    """A staged deadline's chain: the stages behind it, the current one and its due date,
    and each one still to come with the date it gets if the one before is marked done on
    its due date (or nobody marks it); '' for a deadline without stages."""
    law = preset_law(deadline.preset)
    if law is None or not deadline.staged or deadline.stage >= len(law.stages):
        return ""
    total = deadline.stage + 1 + deadline.stages_left
    lines = []
    for index, stage in enumerate(law.stages[:total]):
        what = f"{index + 1}. {stage.requires}: {stage.period} from {stage.from_what}"
        if index < deadline.stage:
            lines.append(f"\u2714\ufe0f {what} (done or moved on: see History)")
        elif index == deadline.stage:
            state_word = "current" if deadline.status is Status.ACTIVE else deadline.status.value
            lines.append(f"\u27a1\ufe0f **{what}, due {format_day(deadline.due)}** ({state_word}; "
                         f"{stage.citation})")  # fmt: skip
    if deadline.status is Status.ACTIVE and deadline.stages_left:
        day0 = deadline.due
        for index in range(deadline.stage + 1, total):
            stage = law.stages[index]
            due = count_stage(law, index, start=day0, tz=deadline.timezone or "UTC").due
            if stage.from_due_date:
                when = (
                    f"counted from stage {index}'s due date, whenever it is marked done: by "
                    f"{format_day(due)}"
                )
            else:
                when = (
                    f"counted from the day stage {index} is marked done: by {format_day(due)} "
                    "if that is its due date, or nobody marks it"
                )
            lines.append(
                f"\u23ed\ufe0f {index + 1}. {stage.requires}: {stage.period} from "
                f"{stage.from_what} ({stage.citation}), {when}"
            )
            day0 = due
        lines.append(
            f"Not marked done {span(STAGE_GRACE)} after its due date, a stage moves on by "
            "itself, counted from that due date (History says so)."
        )
    return cut("\n".join(lines), FIELD_LIMIT)


def done_text(deadline: Deadline) -> str:
    """The reply to done: closed; for a staged deadline, moved to its next stage; for a
    repeat, the occurrence that is current now."""
    title = clean(deadline.title, 200)
    if deadline.status is Status.ACTIVE and deadline.staged:
        return cut(
            f"\u2705 #{deadline.id} {title}: stage {deadline.stage} done. {now_in_text(deadline)}",
            CONTENT_LIMIT,
        )
    text = f"\u2705 #{deadline.id} {title} is done."
    if deadline.recurrence is not None and deadline.next_id is not None:
        text += (f" Next occurrence: #{deadline.next_id} "
                 f"(`/deadline status deadline:{deadline.next_id}`).")  # fmt: skip
    elif deadline.recurrence is not None:
        text += " That was its last occurrence."
    return text


def now_in_text(deadline: Deadline) -> str:
    """'Now in stage 2 of 2: grant or deny (citation), **Due ...**': where a staged deadline
    went when its stage was marked done."""
    line = stage_line(deadline)
    return f"Now in {line[:1].lower()}{line[1:]}, {due_line(deadline)}"


def stage_line(deadline: Deadline) -> str:
    """'Stage 1 of 2: acknowledge (N.Y. Pub. Off. Law § 89(3)(a)); then: grant or deny' for
    an alert; '' for a deadline without stages."""
    law = preset_law(deadline.preset)
    if law is None or not deadline.staged or deadline.stage >= len(law.stages):
        return ""
    stage = law.stages[deadline.stage]
    total = deadline.stage + 1 + deadline.stages_left
    line = f"Stage {deadline.stage + 1} of {total}: {stage.requires} ({stage.citation})"
    if deadline.stages_left and deadline.stage + 1 < len(law.stages):
        following = law.stages[deadline.stage + 1]
        line += f"; then: {following.requires}, {following.period} from {following.from_what}"
    return line


def state(deadline: Deadline) -> str:
    """'active', 'paused', 'done' or 'cancelled'."""
    if deadline.status is Status.ACTIVE and deadline.paused_at is not None:
        return "paused"
    return deadline.status.value


def paused_text(deadline: Deadline) -> str:
    """'paused since <date>, 7 business days left' for a paused deadline; else ''."""
    if deadline.paused_at is None:
        return ""
    return f"paused since {stamp(deadline.paused_at, 'f')}, {deadline.left_text()} left"


def deadline_embed(
    deadline: Deadline,
    *,
    now: dt.datetime,
    next_alerts: Sequence[AnyAlert] = (),
    history: Sequence[HistoryEntry] = (),
    upcoming: Sequence[DueDate] = (),
) -> discord.Embed:
    """Everything about one deadline (the reply to add and to status); `upcoming`: a
    repeat's next due dates."""
    overdue = deadline.is_overdue(now=now)
    colour = COLOR_DONE if deadline.status is not Status.ACTIVE else COLOR_OK
    if overdue:
        colour = COLOR_OVERDUE
    description = due_line(deadline)
    if deadline.status is not Status.ACTIVE:
        description = f"**{deadline.status.value.upper()}** \u2014 " + description
    elif overdue:
        description = f"**OVERDUE by {span(now - deadline.due_at)}** \u2014 " + description
    elif deadline.paused_at is not None:
        colour = COLOR_PAUSED
        description = (
            f"**PAUSED** \u2014 {paused_text(deadline)} (was due {format_day(deadline.due)}); "
            f"`/deadline resume deadline:{deadline.id}` restarts the clock"
        )
    embed = discord.Embed(title=heading(deadline), description=description, colour=colour)
    embed.add_field(
        name="Counting",
        value=cut(
            f"{clean(deadline.period)} from {format_day(deadline.start)}; "
            f"{deadline.rule.value} rule, {deadline.calendar} holidays"
            + (f"; days end in {deadline.timezone}" if deadline.timezone else ""),
            FIELD_LIMIT,
        ),
        inline=False,
    )
    stages = stages_text(deadline)
    if stages:
        embed.add_field(name="Stages", value=stages, inline=False)
    embed.add_field(name="How it was counted", value=explanation_text(deadline.explanation) or "-")
    repeat = repeat_text(deadline, upcoming, now=now)
    if repeat:
        embed.add_field(name="Repeats", value=cut(repeat, FIELD_LIMIT), inline=False)
    if next_alerts:
        embed.add_field(name="Next alerts", value=alerts_text(next_alerts), inline=False)
    if deadline.allowed_extension:
        embed.add_field(
            name="Extension allowed",
            value=f"{allowed_text(deadline)} (not used yet; the Extend button on alerts offers it)",
            inline=False,
        )
    embed.add_field(name="Alerts go to", value=f"<#{deadline.channel_id}>", inline=True)
    embed.add_field(name="Mentions", value=mention_text(deadline), inline=True)
    if deadline.snoozed_until and deadline.snoozed_until > now:
        embed.add_field(name="Snoozed until", value=stamp(deadline.snoozed_until, "f"))
    if deadline.link:
        embed.add_field(name="Link", value=link_text(deadline.link), inline=False)
    if deadline.notes:
        embed.add_field(name="Notes", value=clean(deadline.notes, FIELD_LIMIT), inline=False)
    if history:
        embed.add_field(name="History", value=history_text(history), inline=False)
    embed.set_footer(text=f"Deadline #{deadline.id} \u00b7 /deadline status deadline:{deadline.id}")
    return fit(embed)


def repeat_text(deadline: Deadline, upcoming: Sequence[DueDate], *, now: dt.datetime) -> str:
    """A repeat's rule (words and RRULE) and its next due dates; for a past occurrence, the
    one that followed it. Empty for a deadline that does not repeat."""
    if deadline.recurrence is None:
        return ""
    rule = f"{clean(deadline.recurrence.words, 200)} (`RRULE:{deadline.recurrence.rrule}`)"
    if deadline.next_id is not None:
        missed = "**missed**; " if deadline.missed(now=now) else ""
        return f"{missed}an occurrence of {rule}; the series goes on as #{deadline.next_id}"
    lines = [rule]
    if upcoming:
        lines.append("Next: " + ", ".join(format_day(due.due) for due in upcoming))
    lines.append(f"`/deadline stop-repeating deadline:{deadline.id}` ends it")
    return "\n".join(lines)


def alerts_text(alerts: Sequence[AnyAlert], limit: int = 8) -> str:
    lines = [f"{stamp(a.send_at, 'f')} \u2014 {_alert_label(a)}" for a in alerts[:limit]]
    if len(alerts) > limit:
        lines.append(f"\u2026 and {len(alerts) - limit} more")
    return cut("\n".join(lines), FIELD_LIMIT)


def _alert_label(alert: AnyAlert) -> str:
    if alert.kind is AlertKind.REMINDER:
        return f"reminder, {alert.days_before} day{'s' if alert.days_before != 1 else ''} before"
    if alert.kind is AlertKind.HOUR_BEFORE:
        return "reminder, 1 hour before"
    if alert.kind is AlertKind.DUE_TODAY:
        return "due today"
    return f"overdue alert #{alert.seq}"


def history_text(history: Sequence[HistoryEntry], limit: int = 10) -> str:
    shown = history[-limit:]
    lines = []
    if len(history) > limit:
        lines.append(f"\u2026 {len(history) - limit} earlier entries")
    for entry in shown:
        who = f"<@{entry.actor_id}>" if entry.actor_id else "the bot"
        detail = f": {clean(entry.detail, 200)}" if entry.detail else ""
        lines.append(f"{stamp(entry.at, 'd')} {entry.action} by {who}{detail}")
    return cut("\n".join(lines), FIELD_LIMIT)


def already_tracked_text(deadline: Deadline) -> str:
    return (
        f"Already tracked as #{deadline.id}, added {stamp(deadline.created_at, 'R')}: "
        "nothing new was saved. To track a second one, give it another title."
    )


def calc_embed(result: Computation) -> discord.Embed:
    due = result.due
    title = clean(result.title, 200) if result.title else "Due date"
    embed = discord.Embed(
        title=cut(title, TITLE_LIMIT),
        description=(
            f"**Due {format_day(due.due)}** \u2014 {stamp(due.due_at)} ({stamp(due.due_at, 'R')})"
        ),
        colour=COLOR_OK,
    )
    embed.add_field(
        name="Counting",
        value=cut(f"{clean(result.period)}; {due.rule.value} rule, {due.calendar}", FIELD_LIMIT),
        inline=False,
    )
    embed.add_field(name="How it was counted", value=explanation_text(due.explanation))
    if result.recurrence is not None:
        recurrence = result.recurrence
        upcoming = occurrences(recurrence, recurrence.start, count=3, rule=due.rule,
                               calendar=due.calendar, tz=due.timezone)  # fmt: skip
        embed.add_field(
            name="Repeats",
            value=cut(
                f"{clean(recurrence.words, 200)} (`RRULE:{recurrence.rrule}`)\nNext: "
                + ", ".join(format_day(occurrence.due) for _, occurrence in upcoming),
                FIELD_LIMIT,
            ),
            inline=False,
        )
    embed.set_footer(text="Nothing was saved. To track it: /deadline add")
    return fit(embed)


def list_embed(page: Page, *, now: dt.datetime, show: str) -> discord.Embed:
    title = f"{show.capitalize()} deadlines" if show != "all" else "All deadlines"
    if not page.deadlines:
        return discord.Embed(
            title=title,
            description="Nothing here. Add one with `/deadline add text:Bondi letter, 30 days`",
            colour=COLOR_OK,
        )
    lines = []
    for deadline in page.deadlines:
        marker = "\U0001f6a8 **OVERDUE** " if deadline.id in page.overdue_ids else ""
        if deadline.status is not Status.ACTIVE:
            marker = f"*{deadline.status.value}* "
        elif deadline.paused_at is not None:
            marker = "\u23f8\ufe0f *paused* "
        if deadline.missed(now=now):
            marker = f"\U0001f6a8 **MISSED** (next: #{deadline.next_id}) "
        repeats = " \U0001f501" if deadline.repeating else ""
        lines.append(
            f"{marker}**#{deadline.id}** {clean(deadline.title, 120)}{repeats} \u2014 "
            f"{format_day(deadline.due)} ({stamp(deadline.due_at, 'R')})"
        )
    embed = discord.Embed(
        title=title, description=fit_lines(lines, DESCRIPTION_LIMIT, MORE), colour=COLOR_OK
    )
    if page.overdue_ids:
        embed.colour = COLOR_OVERDUE
    embed.set_footer(text=f"Page {page.page} of {page.pages} \u00b7 {page.total} in all")
    return embed


def status_embed(status: DeadlineStatus, *, now: dt.datetime) -> discord.Embed:
    return deadline_embed(
        status.deadline, now=now, next_alerts=status.next_alerts, history=status.history,
        upcoming=status.upcoming,
    )  # fmt: skip


def dm_copies_text(deadline: Deadline, *, on: bool, changed: bool = True) -> str:
    """What the member who turned their DM copies on or off is told (only them)."""
    title = f"#{deadline.id} {clean(deadline.title, 200)}"
    if on:
        already = "You already get" if not changed else "You will get"
        return (
            f"\U0001f4ec {already} a DM copy of each alert of {title}, as well as the alert in "
            f"<#{deadline.channel_id}>. If your DMs are closed to the bot, the copy fails and "
            f"`/deadline status deadline:{deadline.id}` tells you. Stop: the Stop DMs button "
            f"on a copy, or `/deadline edit deadline:{deadline.id} dm:False`."
        )
    if not changed:
        return f"You get no DM copies of {title}; nothing to stop."
    return f"\U0001f4ed No more DM copies of {title} for you (the channel's alerts go on)."


# The start of a DM copy's error when its member could no longer see the alert channel.
NO_ACCESS = "no access:"


def dm_status_text(deadline: Deadline, dm: DmCopies) -> str | None:
    """A member's own DM copies of a deadline, for `status` (told to them alone); None when
    there is nothing to tell."""
    if dm.failed_last and dm.last_failed_at is not None:
        error = dm.last_error or ""
        if error.startswith("50007"):
            why = "you have DMs closed to the bot (Discord refused the message)"
        elif error.startswith(NO_ACCESS):
            why = (
                f"you can no longer see <#{deadline.channel_id}> (or left the server), so "
                "your copies of this deadline stopped"
            )
        else:
            why = f"Discord refused it ({cut(error, 200)})"
        text = (
            f"\u26a0\ufe0f DM copy to you failed {stamp(dm.last_failed_at, 'R')}: {why}. "
            f"The alert in <#{deadline.channel_id}> still went out."
        )
        if dm.on:
            text += (
                " To get the copies, allow direct messages from this server's members "
                "(Privacy Settings); or stop them: "
                f"`/deadline edit deadline:{deadline.id} dm:False`."
            )
        return text
    if not dm.on:
        return None
    last = f"; the last one went out {stamp(dm.last_sent_at, 'R')}" if dm.last_sent_at else ""
    return f"\U0001f4ec You get a DM copy of each alert of #{deadline.id}{last}."


_KIND_TITLES = {
    AlertKind.REMINDER: "\u23f0 Reminder",
    AlertKind.HOUR_BEFORE: "\u23f0 Due in one hour",
    AlertKind.DUE_TODAY: "\U0001f4c5 Due today",
    AlertKind.OVERDUE: "\U0001f6a8 OVERDUE",
}


def alert_headline(notice: AlertNotice) -> str:
    deadline = notice.deadline
    if notice.kind is AlertKind.REMINDER:
        days = notice.days_before
        return f"Reminder: {days} day{'s' if days != 1 else ''} left"
    if notice.kind is AlertKind.HOUR_BEFORE:
        return "Due in one hour"
    if notice.kind is AlertKind.DUE_TODAY:
        return "Due today"
    overdue_by = notice.overdue_by or (notice.now - deadline.due_at)
    return f"OVERDUE by {span(overdue_by)}"


def alert_line(notice: AlertNotice) -> str:
    """The content line of one deadline's alert: its mentions (the only ones it may make),
    the headline and the deadline."""
    parts = [
        f"<{'@&' if ping.kind is MentionKind.ROLE else '@'}{ping.id}>" for ping in notice.pings
    ]
    parts.append(
        f"{alert_headline(notice)}: **#{notice.deadline.id} {clean(notice.deadline.title, 200)}**"
    )
    return " ".join(parts)


def alert_message(notice: AlertNotice) -> tuple[str, discord.Embed]:
    """The content line (with the only mentions the alert may make) and the embed."""
    return cut(alert_line(notice), CONTENT_LIMIT), alert_embed(notice)


# Room kept in each embed of a message of several deadlines for the note a button adds to
# it ("marked done by ..."; see views._close_alert), so the edit stays within 6,000.
NOTE_ROOM = 160


def alert_messages(notices: Sequence[AlertNotice]) -> tuple[str, list[discord.Embed]] | None:
    """One message for several deadlines' alerts: a content line and an embed each, in
    order; None if they do not fit in one message (2,000 characters of content, 10 embeds,
    6,000 characters over all embeds, with room for a button's note in each)."""
    content = "\n".join(alert_line(notice) for notice in notices)
    embeds = [alert_embed(notice) for notice in notices]
    if (
        len(content) > CONTENT_LIMIT
        or len(embeds) > EMBEDS_LIMIT
        or sum(len(embed) + NOTE_ROOM for embed in embeds) > TOTAL_LIMIT
    ):
        return None
    return content, embeds


def alert_embed(notice: AlertNotice) -> discord.Embed:
    """The embed of one deadline's alert; its footer shows the alert's reference."""
    deadline = notice.deadline
    headline = alert_headline(notice)
    colour = COLOR_OVERDUE if notice.kind is AlertKind.OVERDUE else COLOR_SOON
    embed = discord.Embed(
        title=cut(f"{_KIND_TITLES[notice.kind]}: {heading(deadline)}", TITLE_LIMIT),
        description=due_line(deadline),
        colour=colour,
    )
    if notice.kind is AlertKind.OVERDUE:
        embed.add_field(name="Overdue", value=headline.removeprefix("OVERDUE by "), inline=True)
        if notice.escalation_role_id is not None:
            embed.add_field(name="Escalated", value=f"overdue alert #{notice.seq}", inline=True)
    if notice.collapsed > 1 or notice.late_by > dt.timedelta(minutes=5):
        embed.add_field(
            name="Late",
            value=(
                f"{notice.collapsed} alert{'s' if notice.collapsed != 1 else ''} came due while "
                f"the bot was offline; this one is {span(notice.late_by)} late."
            ),
            inline=False,
        )
    if notice.fallback:
        embed.add_field(
            name="Posted here instead",
            value=f"The bot could not post in <#{deadline.channel_id}>; check its permissions.",
            inline=False,
        )
    if notice.dm_user_id is not None:
        embed.add_field(
            name="Your copy",
            value=(
                f"of the alert in <#{deadline.channel_id}>, sent to you because you asked. "
                "Stop DMs below stops your copies of this deadline."
            ),
            inline=False,
        )
    if deadline.allowed_extension:
        embed.add_field(name="Extension allowed", value=allowed_text(deadline), inline=False)
    if deadline.staged:
        line = stage_line(deadline)
        if line:
            embed.add_field(name="Stage", value=cut(line, FIELD_LIMIT), inline=False)
    if deadline.link:
        embed.add_field(name="Link", value=link_text(deadline.link), inline=False)
    # The reference is the alert's own key, where it survives (a nonce is not kept in the
    # channel's history): before re-sending after a crash, the bot looks for it.
    embed.set_footer(
        text=f"Deadline #{deadline.id} \u00b7 {deadline.rule.value} rule \u00b7 ref {notice.nonce}"
    )
    return fit(embed)


def found_text(found: Sequence[Found], *, total: int | None = None) -> str:
    """The deadlines Track deadline found in a message, numbered as its buttons are; `total`:
    how many it found, when more than it shows (never a silent cut)."""
    total = len(found) if total is None else total
    lines = [f"\U0001f50e I found {total} deadline{'s' if total != 1 else ''} there:"]
    if total > len(found):
        lines[0] = (
            f"\U0001f50e I found {total} deadlines there; here are the first {len(found)}. "
            f"The other {total - len(found)} are not shown: run Track deadline on a message "
            "quoting them, or `/deadline add` each."
        )
    footer = "Pick one to check it and track it."
    # Every deadline with a button is listed, and the footer kept: the sentences share the
    # room left (each at most 300 characters; a line's other parts take ~130).
    room = CONTENT_LIMIT - len(lines[0]) - len(footer) - 2
    quote = max(40, min(300, room // max(1, len(found)) - 140))
    for number, item in enumerate(found, start=1):
        lines.append(
            f"{number}. \u201c{clean(item.sentence, quote)}\u201d \u2192 due "
            f"**{format_day(item.due.due)}** ({clean(item.period, 60)}; day 0 "
            f"{format_day(item.start)}, from {clean(item.start_note, 60)}; "
            f"{item.due.rule.value} rule)"
        )
    listed = cut("\n".join(lines), CONTENT_LIMIT - len(footer) - 1)
    return f"{listed}\n{footer}"


def which_reading_text(message: str, readings: Sequence[str]) -> str:
    """The question asked when a phrase reads more than one way."""
    listed = "\n".join(f"\u2022 {clean(reading, 200)}" for reading in readings)
    return cut(f"\u2753 {clean(message, 400)}. Which did you mean?\n{listed}", CONTENT_LIMIT)


_ALERT_REF = re.compile(r"\bref (dd[af]\d{1,20})\Z")


def alert_refs(embeds: Sequence[discord.Embed]) -> list[str]:
    """The references (`ref dda12`) an alert message's footers show: one an embed, as many
    as the deadlines it carries (none if it is not an alert message)."""
    refs = []
    for embed in embeds[:EMBEDS_LIMIT]:
        found = _ALERT_REF.search(embed.footer.text or "")
        if found:
            refs.append(found[1])
    return refs


def digest_embed(
    deadlines: Sequence[Deadline], *, now: dt.datetime, late: bool = False
) -> discord.Embed:
    page = Page(
        deadlines=tuple(deadlines),
        page=1,
        pages=1,
        total=len(deadlines),
        overdue_ids=frozenset(d.id for d in deadlines if d.is_overdue(now=now)),
    )
    # Every deadline, as many whole lines as fit, then exactly how many did not.
    embed = list_embed(page, now=now, show="active")
    embed.title = "\U0001f5de Daily deadline digest"
    if late:
        embed.title += " (late: the bot was offline at digest time)"
    embed.set_footer(text=f"{len(deadlines)} active")
    return embed


def settings_embed(settings: GuildSettings) -> discord.Embed:
    def role(role_id: int | None) -> str:
        return f"<@&{role_id}>" if role_id else "not set"

    channel = f"<#{settings.default_channel_id}>" if settings.default_channel_id else "not set"
    escalation = (
        f"{role(settings.escalation_role_id)} from overdue alert #{settings.escalate_after}"
    )

    embed = discord.Embed(title="Deadline Desk settings", colour=COLOR_OK)
    rows = [
        ("Time zone", settings.timezone),
        ("Alert time", settings.alert_time.strftime("%H:%M")),
        ("Reminders (days before)", ", ".join(map(str, settings.reminder_days)) or "none"),
        ("Holiday calendar", settings.calendar),
        ("Default counting rule", settings.counting.value),
        ("Default alert channel", channel),
        ("Manager role", role(settings.manager_role_id)),
        ("Escalation role", escalation),
        ("Overdue alerts repeat", f"every {settings.overdue_repeat_days} day(s)"),
        ("Daily digest", "on" if settings.digest_enabled else "off"),
    ]  # fmt: skip
    for name, value in rows:
        embed.add_field(name=name, value=value, inline=True)
    return embed


def export_text(count: int, *, fmt: str, show: str) -> str:
    what = "active deadline" if show == "active" else "deadline"
    text = f"\U0001f4ce {count} {what}{'' if count == 1 else 's'}."
    if fmt == "ics":
        text += (
            " Import the file into your calendar app; importing a newer export updates the same "
            "events."
        )
        if show == "active":
            text += (
                " It holds active deadlines only, so it cannot remove the events of deadlines "
                "done or deleted since an earlier import: export show:all for that (deleted "
                "ones come out cancelled, done ones titled Done:)."
            )
        return text + (
            " To stay up to date by itself, subscribe instead: /deadline settings "
            "calendar-feed (Manage Server)."
        )
    return text + " UTF-8 CSV: opens in Excel, Google Sheets and Numbers."


def feed_text(access: FeedAccess, base_url: str) -> str:
    """The reply to /deadline settings calendar-feed: the new address, or how to get one."""
    if access.token is None:
        made = stamp(access.feed.created_at, "D")
        by = f" by <@{access.feed.created_by}>" if access.feed.created_by else ""
        return (
            f"\U0001f4c5 This server's calendar feed was made on {made}{by}. Its address is "
            "shown only once, when it is made: Deadline Desk keeps just a fingerprint of it.\n"
            "Lost it? `/deadline settings calendar-feed rotate:true` makes a new address; the "
            "old one stops working, so everyone subscribed must subscribe again."
        )
    # In a code block: easy to copy, and Discord does not fetch it for a link preview.
    url = feed_url(base_url, access.token)
    first = "New address" if access.rotated else "Calendar feed"
    after = " The old address no longer works." if access.rotated else ""
    return cut(
        f"\U0001f4c5 **{first}** for this server's active deadlines:{after}\n```\n{url}\n```\n"
        "Subscribe with it: Google Calendar: **Other calendars \u2192 + \u2192 From URL**; "
        "Outlook: **Add calendar \u2192 Subscribe from web**; Apple Calendar: **File \u2192 "
        "New Calendar Subscription**. Calendars refresh on their own schedule (Google: every "
        "several hours).\n"
        "**Anyone with this address can read the deadlines**: share it only with people who "
        "may. It is shown only this once. `/deadline settings calendar-feed rotate:true` "
        "replaces it.",
        CONTENT_LIMIT,
    )


MORE = "\u2026 and {count} more: /deadline list"
BOARD_MORE = "and {count} more: /deadline list"


def fit_lines(lines: Sequence[str], limit: int, more: str) -> str:
    """The lines joined, or if they do not fit in `limit` characters, as many whole lines as
    fit (never one cut, nor a `<t:...>` inside it) and then `more` with the exact count of
    the lines left out."""
    text = "\n".join(lines)
    if len(text) <= limit:
        return text
    reserve = len("\n" + more.format(count=len(lines)))
    kept: list[str] = []
    size = 0
    for line in lines:
        size += len(line) + (1 if kept else 0)
        if size + reserve > limit:
            break
        kept.append(line)
    return "\n".join([*kept, more.format(count=len(lines) - len(kept))])


def board_embed(
    deadlines: Sequence[Deadline], *, now: dt.datetime, scope: BoardScope, channel_id: int
) -> discord.Embed:
    """A live board: the active deadlines in scope (this channel's, or all), overdue ones on
    top and marked, then soonest first; as many as fit, then how many more there are.

    Mentions are shown as text (an embed never pings); countdowns are Discord timestamps, so
    they stay live between edits.
    """
    shown = [
        d
        for d in deadlines
        if d.status is Status.ACTIVE and (scope is BoardScope.ALL or d.channel_id == channel_id)
    ]
    shown.sort(key=lambda d: (not d.is_overdue(now=now), d.due_at, d.id))
    overdue = sum(1 for d in shown if d.is_overdue(now=now))
    lines = [_board_line(d, now=now, scope=scope) for d in shown]
    description = fit_lines(lines, DESCRIPTION_LIMIT, BOARD_MORE)
    if not shown:
        description = "Nothing due here. Add one with `/deadline add text:Bondi letter, 30 days`"
    title = f"\U0001f4cc Deadlines: {len(shown)} active"
    if overdue:
        title += f", {overdue} overdue"
    embed = discord.Embed(
        title=title, description=description, colour=COLOR_OVERDUE if overdue else COLOR_OK
    )
    where = "This channel's" if scope is BoardScope.CHANNEL else "All of this server's"
    embed.set_footer(text=f"{where} active deadlines \u00b7 kept up to date by Deadline Desk")
    return embed


def _board_line(deadline: Deadline, *, now: dt.datetime, scope: BoardScope) -> str:
    marker = "\U0001f6a8 **OVERDUE** " if deadline.is_overdue(now=now) else ""
    if deadline.paused_at is not None:
        marker = "\u23f8\ufe0f *paused* "
    line = (
        f"{marker}**#{deadline.id}** {clean(deadline.title, 120)} \u2014 "
        f"{format_day(deadline.due)} ({stamp(deadline.due_at, 'R')})"
    )
    if deadline.mention is not None:
        line += f" \u00b7 {mention_text(deadline)}"
    if scope is BoardScope.ALL:
        line += f" \u00b7 <#{deadline.channel_id}>"
    if deadline.snoozed_until and deadline.snoozed_until > now:
        line += " \U0001f4a4"
    return line


def board_retired_embed() -> discord.Embed:
    """What a board's message becomes when the bot stops keeping it up to date."""
    return discord.Embed(
        title="\U0001f4cc Deadline board (no longer updated)",
        description="`/deadline list` shows the current deadlines; `/deadline board` posts a "
        "new board.",
        colour=discord.Colour.light_grey(),
    )


def board_posted_text(channel_id: int, *, pin_error: str | None, replaced: bool) -> str:
    """The ephemeral reply to /deadline board."""
    text = f"\U0001f4cc Board posted in <#{channel_id}>"
    if pin_error is None:
        text += " and pinned."
    else:
        text += f", but it could not be pinned: {pin_error}"
    text += (
        " It is edited in place within seconds of every change to a deadline it shows, and at "
        "least once a day."
    )
    if replaced:
        text += " It replaces the channel's earlier board, which is no longer updated."
    return cut(text + " `/deadline board-remove` stops it.", CONTENT_LIMIT)


def board_removed_text(channel_id: int) -> str:
    return (
        f"\U0001f4cc The board in <#{channel_id}> is no longer updated; its message was marked "
        "so and unpinned (delete it if you like)."
    )


def error_text(message: str, example: str = "") -> str:
    text = f"\u274c {message}"
    if example:
        text += f"\nFor example: `{example.replace('`', '')}`"
    return cut(text, CONTENT_LIMIT)


def fit(embed: discord.Embed) -> discord.Embed:
    """Drop trailing fields until the embed is within Discord's total and count limits."""
    while len(embed) > TOTAL_LIMIT or len(embed.fields) > FIELDS_LIMIT:
        embed.remove_field(len(embed.fields) - 1)
    return embed
