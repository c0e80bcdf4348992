"""Checks on what people type, before it is stored: pure, each raising a ValidationError
with an example of what works."""

from __future__ import annotations

import dataclasses
import unicodedata
from urllib.parse import urlsplit, urlunsplit

from bot.deadlines import Rule, holiday_calendar, iana_zone
from bot.models import GuildSettings, NewDeadline

from .errors import UserError, ValidationError

MAX_TITLE = 200
MAX_NOTES = 1000
MAX_LINK = 500


def clean(text: str, *, keep_newlines: bool = False) -> str:
    """User text as it may be stored: valid Unicode, no control characters (NUL included)
    and no format characters (zero-width spaces, byte-order marks, bidi overrides: invisible,
    they can hide or reorder what others read)."""
    if text.isprintable():  # the usual case: no control or format characters, no surrogates
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(
            "the text has characters that are not valid Unicode",
            example="Bondi letter, 30 days",
        ) from None
    kept = "\n\t" if keep_newlines else ""
    return "".join(ch for ch in text if ch in kept or unicodedata.category(ch) not in ("Cc", "Cf"))


def check_title(title: str | None) -> str:
    title = " ".join(clean(title).split()) if title else title
    if not title:
        raise ValidationError(
            "give the deadline a title before the period", example="Bondi letter, 30 days"
        )
    if len(title) > MAX_TITLE:
        raise ValidationError(
            f"the title is {len(title)} characters; keep it to {MAX_TITLE}",
            example="Bondi letter, 30 days",
        )
    return title


def check_notes(notes: str | None, *, what: str = "notes") -> str | None:
    if notes is None:
        return None
    notes = clean(notes, keep_newlines=True).strip()
    if len(notes) > MAX_NOTES:
        raise ValidationError(
            f"the {what} are {len(notes)} characters; keep them to {MAX_NOTES}",
            example="Sent by the DOJ Civil Rights Division",
        )
    return notes or None


# Markdown (a masked link "[text](url)", code, spoilers, quotes) and mention markup: none of
# them belongs in a web address unencoded, and each could make a link show other than it goes.
_LINK_MARKUP = frozenset("[]<>`|\\")
_LINK_EXAMPLE = "https://www.justice.gov/letter.pdf"


def check_link(link: str | None) -> str | None:
    """A link that shows exactly where it goes: http(s), a host, no markup, no spaces, no
    user name before the host (`https://justice.gov@evil.example`), and an international
    host name in its ASCII form (so a look-alike letter shows as `xn--...`)."""
    if link is None or not link.strip():
        return None
    link = clean(link).strip()
    if any(ch.isspace() for ch in link):
        raise ValidationError("the link has a space in it", example=_LINK_EXAMPLE)
    markup = sorted({ch for ch in link if ch in _LINK_MARKUP})
    if markup or "@everyone" in link or "@here" in link:
        shown = " ".join(markup) or "@everyone / @here"
        raise ValidationError(
            f"the link holds {shown}: markdown or mentions, not part of a web address; paste "
            "the address itself",
            example=_LINK_EXAMPLE,
        )
    try:
        parts = urlsplit(link)
        port = parts.port
    except ValueError:
        parts, port = None, None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValidationError("the link must be an http(s) web address", example=_LINK_EXAMPLE)
    if "@" in parts.netloc:
        raise ValidationError(
            "the link has a name before its host (user@host): it would show one site and open "
            "another",
            example=_LINK_EXAMPLE,
        )
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValidationError("the link's host name is not valid", example=_LINK_EXAMPLE) from None
    netloc = host if port is None else f"{host}:{port}"
    link = urlunsplit((parts.scheme.lower(), netloc, parts.path, parts.query, parts.fragment))
    if len(link) > MAX_LINK:
        raise ValidationError(
            f"the link is {len(link)} characters; keep it to {MAX_LINK}", example=_LINK_EXAMPLE
        )
    return link


def parse_days(text: str) -> tuple[int, ...]:
    """Whole numbers of days as typed, comma- or space-separated ('7,3,1'); ValidationError
    for anything else. Only ASCII digits: '²'.isdigit() is true, but int('²') fails."""
    parts = [part.strip() for part in text.replace(" ", ",").split(",") if part.strip()]
    if not all(part.isascii() and part.isdigit() and len(part) <= 3 for part in parts):
        raise ValidationError(f"{text[:40]!r} is not a list of days", example="days:7,3,1")
    return tuple(int(part) for part in parts)


def check_settings(settings: GuildSettings) -> GuildSettings:
    """Settings as stored: names normalized, every value in range."""
    tz = iana_zone(settings.timezone)
    calendar = holiday_calendar(settings.calendar).name
    counting = Rule.parse(settings.counting)
    days = settings.reminder_days
    if len(days) > 10 or any(not 0 < d <= 365 for d in days):
        raise ValidationError(
            "reminder days must be up to 10 whole numbers from 1 to 365",
            example="/deadline settings reminders days:7,3,1",
        )
    if not 1 <= settings.escalate_after <= 100:
        raise ValidationError(
            "escalate after must be 1 to 100 overdue alerts",
            example="/deadline settings escalation role:@editors after:3",
        )
    if settings.guild_id in (settings.escalation_role_id, settings.manager_role_id):
        raise ValidationError(
            "@everyone cannot be the escalation or manager role; pick a role",
            example="/deadline settings escalation role:@editors",
        )
    if not 1 <= settings.overdue_repeat_days <= 30:
        raise ValidationError("overdue alerts repeat every 1 to 30 days", example="1 (daily)")
    return dataclasses.replace(
        settings,
        timezone=tz.key,
        calendar=calendar,
        counting=counting,
        reminder_days=tuple(sorted(set(days), reverse=True)),
    )


def checked_new(new: NewDeadline, index: int) -> NewDeadline:
    """A deadline to import, checked like `add` checks one; errors say which one (1-based)."""
    try:
        title = check_title(new.title)
        notes = check_notes(new.notes)
        link = check_link(new.link)
        if new.timezone is not None:
            iana_zone(new.timezone)
        if new.due_at.tzinfo is None or new.created_at.tzinfo is None:
            raise ValidationError("times must carry a time zone", example="2025-08-16T23:59:59Z")
    except UserError as exc:
        raise type(exc)(f"deadline {index + 1} ({new.title[:40]!r}): {exc.message}",
                        example=exc.example) from None  # fmt: skip
    if (title, notes, link) == (new.title, new.notes, new.link):
        return new
    return dataclasses.replace(new, title=title, notes=notes, link=link)
