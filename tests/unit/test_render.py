"""Pure tests of what the bot shows: escaping, Discord's limits, alert wording, mentions."""

from __future__ import annotations

import dataclasses
import datetime as dt

import discord
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import BONDI

from bot.discord import render
from bot.discord.notifier import alert_mentions, classify
from bot.discord.views import alerts_view
from bot.models import (
    AlertKind,
    GuildSettings,
    HistoryEntry,
    Mention,
    MentionKind,
    StoredAlert,
)
from bot.notices import AlertNotice, InvalidMessage, PermanentSendError, TransientSendError
from bot.service.actor import Actor, ChannelRights, may_change_settings, may_modify

NOW = dt.datetime(2025, 8, 20, 13, 0, tzinfo=dt.UTC)
DEADLINE = BONDI


def notice(**changes: object) -> AlertNotice:
    base = AlertNotice(
        alert_id=7, nonce="dda7", guild_id=1, channel_id=10, deadline=DEADLINE,
        kind=AlertKind.OVERDUE, seq=3, days_before=0, collapsed=1,
        planned_at=NOW, now=NOW, mention=Mention(MentionKind.ROLE, 42), escalation_role_id=77,
    )  # fmt: skip
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_clean_defuses_mentions_markdown_and_invisible_characters() -> None:
    text = render.clean("@everyone <@&1> **#3 Fake** \u200b\u202eevil\nline")
    assert "@everyone" not in text
    assert "<@&1>" not in text
    assert "\u200b" not in text.replace("@\u200b", "")
    assert "\u202e" not in text
    assert "\n" not in text
    assert "\\*\\*" in text


@given(st.text(min_size=0, max_size=3000))
@settings(max_examples=200)
def test_everything_fits_discords_limits(text: str) -> None:
    deadline = dataclasses.replace(
        DEADLINE, title=text[:200] or "x", notes=text[:1000], period=text[:500],
        explanation=tuple(text[i : i + 300] for i in range(0, len(text), 300)),
        link="https://example.org/" + "a" * 400,
    )  # fmt: skip
    alerts = [
        StoredAlert(i, 1, 12, AlertKind.REMINDER, NOW, 0, False, i, NOW) for i in range(1, 40)
    ]
    history = [HistoryEntry(1, 12, NOW, 5, "edited", text[:1000]) for _ in range(30)]
    embed = render.deadline_embed(deadline, now=NOW, next_alerts=alerts, history=history)
    assert len(embed) <= render.TOTAL_LIMIT
    assert len(embed.title or "") <= render.TITLE_LIMIT
    assert all(len(field.value or "") <= render.FIELD_LIMIT for field in embed.fields)
    content, alert_embed = render.alert_message(notice(deadline=deadline, collapsed=5))
    assert len(content) <= render.CONTENT_LIMIT
    assert len(alert_embed) <= render.TOTAL_LIMIT


def test_alert_headlines_and_countdown() -> None:
    content, embed = render.alert_message(notice())
    assert content.startswith("<@&42> <@&77> OVERDUE by 1 day: **#12 Bondi letter**")
    assert embed.description is not None
    assert f"<t:{int(DEADLINE.due_at.timestamp())}:R>" in embed.description
    reminder, _ = render.alert_message(
        notice(kind=AlertKind.REMINDER, days_before=3, escalation_role_id=None, mention=None)
    )
    assert reminder == "Reminder: 3 days left: **#12 Bondi letter**"


def test_alert_mentions_are_exactly_the_configured_ones() -> None:
    allowed = alert_mentions(notice()).to_dict()
    assert allowed == {"parse": [], "users": [], "roles": [42, 77]}
    user = alert_mentions(notice(mention=Mention(MentionKind.USER, 9), escalation_role_id=None))
    assert user.to_dict() == {"parse": [], "users": [9], "roles": []}


def test_send_errors_are_classified() -> None:
    class Response:
        def __init__(self, status: int) -> None:
            self.status, self.reason = status, "x"

    assert isinstance(classify(discord.Forbidden(Response(403), "no")), PermanentSendError)  # type: ignore[arg-type]
    assert isinstance(classify(discord.NotFound(Response(404), "gone")), PermanentSendError)  # type: ignore[arg-type]
    assert isinstance(classify(discord.DiscordServerError(Response(503), "x")), TransientSendError)  # type: ignore[arg-type]
    assert isinstance(classify(TimeoutError()), TransientSendError)
    assert classify(ValueError("bug")) is None
    # A 400 refuses the message, not the channel: a grouped message's alerts go alone.
    refused = classify(discord.HTTPException(Response(400), "Invalid Form Body"))  # type: ignore[arg-type]
    assert isinstance(refused, InvalidMessage)
    assert not isinstance(classify(discord.Forbidden(Response(403), "no")), InvalidMessage)  # type: ignore[arg-type]


def test_who_may_modify() -> None:
    settings = GuildSettings(guild_id=1, manager_role_id=50)
    assert may_modify(Actor(user_id=5), DEADLINE, settings)  # the creator
    assert not may_modify(Actor(user_id=6), DEADLINE, settings)
    assert may_modify(Actor.everywhere(6, manage_messages=True), DEADLINE, settings)
    assert may_modify(Actor(user_id=6, manage_guild=True), DEADLINE, settings)
    assert may_modify(Actor(user_id=6, role_ids=frozenset({50})), DEADLINE, settings)
    assert not may_modify(Actor(user_id=6, role_ids=frozenset({51})), DEADLINE, settings)

    # Manage Messages counts in the deadline's alert channel (10), not in another one.
    def only_in(channel_id: int) -> Actor:
        return Actor(6, rights=lambda c: ChannelRights(manage_messages=c == channel_id))

    assert may_modify(only_in(DEADLINE.channel_id), DEADLINE, settings)
    assert not may_modify(only_in(DEADLINE.channel_id + 1), DEADLINE, settings)
    assert may_change_settings(Actor(user_id=6, manage_guild=True))
    assert not may_change_settings(Actor.everywhere(5, manage_messages=True))


def test_a_late_digest_says_so() -> None:
    now = dt.datetime(2025, 7, 17, 14, 30, tzinfo=dt.UTC)
    on_time = render.digest_embed([], now=now)
    late = render.digest_embed([], now=now, late=True)
    assert on_time.title == "\U0001f5de Daily deadline digest"
    assert late.title == on_time.title + " (late: the bot was offline at digest time)"


def test_a_long_digest_shows_whole_lines_and_counts_the_rest_exactly() -> None:
    # 61 deadlines with long titles: before, 26 lines, one cut mid-line, and "and 21 more".
    deadlines = [
        dataclasses.replace(DEADLINE, id=i, title=f"Records request {i} " + "x" * 100)
        for i in range(1, 62)
    ]
    description = render.digest_embed(deadlines, now=NOW).description or ""
    assert len(description) <= 4096
    *lines, more = description.split("\n")
    assert more.startswith("\u2026 and ")
    left_out = int(more.split()[2])
    assert len(lines) + left_out == 61
    assert all(line.endswith(":R>)") for line in lines)  # each whole, its countdown intact
    assert [int(line.split("**#")[1].split("**")[0]) for line in lines] == list(
        range(1, len(lines) + 1)
    )


def test_a_link_that_fails_todays_check_is_shown_inert() -> None:
    masked = "https://www.justice.gov/[DOJ_letter.pdf](https://evil.example/phish)"
    embed = render.deadline_embed(dataclasses.replace(DEADLINE, link=masked), now=NOW)
    (value,) = [f.value for f in embed.fields if f.name == "Link"]
    assert value.startswith("`")
    assert "not a checked link" in value
    plain = "https://www.justice.gov/letter.pdf"
    embed = render.deadline_embed(dataclasses.replace(DEADLINE, link=plain), now=NOW)
    assert [f.value for f in embed.fields if f.name == "Link"] == [plain]


def test_a_role_that_is_both_mention_and_escalation_is_pinged_once() -> None:
    same = notice(mention=Mention(MentionKind.ROLE, 77), escalation_role_id=77)
    content, _ = render.alert_message(same)
    assert content.count("<@&77>") == 1
    allowed = alert_mentions(same).to_dict()
    assert allowed["roles"] == [77]
    assert allowed["users"] == []
    both = alert_mentions(notice()).to_dict()  # role 42 and escalation role 77: both, once
    assert sorted(both["roles"]) == [42, 77]


def test_calc_of_a_repeat_shows_its_rule_and_the_next_dates() -> None:
    import datetime as _dt

    from bot.deadlines import calculate as _calculate
    from bot.discord.render import calc_embed as _calc_embed

    result = _calculate("Jail report, every month on the 10th", start=_dt.date(2025, 7, 17),
                        rule="roll")  # fmt: skip
    fields = {f.name: f.value for f in _calc_embed(result).fields}
    assert fields["Repeats"] == (
        "every month on the 10th (`RRULE:FREQ=MONTHLY;BYMONTHDAY=10`)\n"
        "Next: Mon 2025-08-11, Wed 2025-09-10, Fri 2025-10-10"
    )


# -- several deadlines in one alert message (issue 16) ---------------------------------------


def notices_of(count: int, **changes: object) -> list[AlertNotice]:
    """`count` notices of one channel and instant, deadlines 12, 13, ..."""
    return [
        notice(
            alert_id=100 + n,
            nonce=f"dda{100 + n}",
            deadline=dataclasses.replace(DEADLINE, id=12 + n, title=f"Request {n}"),
            **changes,
        )
        for n in range(count)
    ]


def test_a_message_of_several_deadlines_has_a_line_and_an_embed_each_with_its_own_ref() -> None:
    notices = notices_of(3)
    rendered = render.alert_messages(notices)
    assert rendered is not None
    content, embeds = rendered
    lines = content.split("\n")
    assert [line.split("**")[1] for line in lines] == [
        "#12 Request 0", "#13 Request 1", "#14 Request 2",
    ]  # fmt: skip
    assert all(line.startswith("<@&42> <@&77> OVERDUE by") for line in lines)
    assert render.alert_refs(embeds) == ["dda100", "dda101", "dda102"]
    # Each embed is what the deadline's alert alone shows.
    assert [e.to_dict() for e in embeds] == [render.alert_message(n)[1].to_dict() for n in notices]
    # The mentions allowed are exactly the pings shown, each id once.
    mentions = alert_mentions(*notices).to_dict()
    assert mentions == {"parse": [], "users": [], "roles": [42, 77]}


def test_a_message_of_several_deadlines_keeps_within_discords_limits() -> None:
    assert render.alert_messages(notices_of(10)) is not None  # short ones: 10 embeds fit
    assert render.alert_messages(notices_of(11)) is None  # Discord allows 10 embeds
    long = dataclasses.replace(DEADLINE, title="t" * 200, link="https://example.org/" + "a" * 480)
    big = [dataclasses.replace(n, deadline=dataclasses.replace(long, id=n.deadline.id))
           for n in notices_of(6)]  # fmt: skip
    five = render.alert_messages(big[:5])
    assert five is not None
    assert sum(len(e) for e in five[1]) + 5 * render.NOTE_ROOM <= render.TOTAL_LIMIT
    assert len(five[0]) <= render.CONTENT_LIMIT
    # Past 6,000 characters over the embeds (with room for a button's note in each): no.
    assert render.alert_messages(big * 2) is None


def test_alert_refs_ignores_embeds_that_are_not_alerts() -> None:
    embeds = [
        discord.Embed(title="x").set_footer(
            text="Deadline #1 \u00b7 calendar rule \u00b7 ref dda5"
        ),
        discord.Embed(title="digest"),
        discord.Embed(title="y").set_footer(text="Deadline #2 \u00b7 roll rule \u00b7 ref ddf9"),
        discord.Embed(title="z").set_footer(text="ref dda7 and more"),
    ]
    assert render.alert_refs(embeds) == ["dda5", "ddf9"]
    assert render.alert_refs([]) == []


def test_the_buttons_of_several_deadlines_are_a_row_each_with_ids_that_never_repeat() -> None:
    deadlines = [dataclasses.replace(DEADLINE, id=12 + n) for n in range(5)]
    view = alerts_view(deadlines)
    rows = [row["components"] for row in view.to_components()]
    assert len(rows) == 5
    assert [{b["custom_id"].rsplit(":", 1)[1] for b in row} for row in rows] == [
        {str(d.id)} for d in deadlines
    ]
    ids = [b["custom_id"] for row in rows for b in row]
    assert len(ids) == len(set(ids)) == 20  # Mark done, Snooze, Extend, DM me too


def test_a_row_of_a_staged_deadline_with_an_allowed_extension_is_five_buttons() -> None:
    staged = dataclasses.replace(
        DEADLINE, id=12, preset="ny", stage=0, stages_left=1, allowed_extension="10 days"
    )
    view = alerts_view([staged, dataclasses.replace(DEADLINE, id=13)])
    rows = [[b["custom_id"] for b in row["components"]] for row in view.to_components()]
    assert rows[0] == [
        "dd:done:1:12:s0", "dd:snooze:1:12", "dd:extend:1:12", "dd:allowed:1:12", "dd:dm:1:12",
    ]  # fmt: skip
    assert len(rows[1]) == 4  # Discord allows 5 a row: both fit


def test_a_note_on_a_grouped_message_keeps_within_the_room_left_for_it() -> None:
    from bot.discord.views import _with_note

    staged = dataclasses.replace(DEADLINE, id=5, preset="ny", stage=1, stages_left=0)
    note = f"\u2705 #5 stage 1 marked done by <@123456789012345678>. {render.now_in_text(staged)}"
    assert len(note) > render.NOTE_ROOM  # the note as Mark done writes it on a staged deadline
    embed = discord.Embed(description="Due soon").set_footer(text="Deadline #5 \u00b7 ref dda9")
    added = _with_note(embed, 5, note).description
    assert added is not None
    assert added.startswith("Due soon\n\u2705 #5 stage 1 marked done by <@123456789012345678>.")
    assert len(added) - len("Due soon") <= render.NOTE_ROOM
    assert "<t:" not in added  # whole sentences only: no timestamp cut in half
    # Another deadline's embed is left alone; a short note is kept whole.
    other = discord.Embed(description="x").set_footer(text="Deadline #6 \u00b7 ref dda10")
    assert _with_note(other, 5, note).description == "x"
    short = discord.Embed(description="y").set_footer(text="Deadline #5 \u00b7 ref dda9")
    assert _with_note(short, 5, "\u2705 #5 done").description == "y\n\u2705 #5 done"


async def test_the_notifier_asks_once_its_turn_has_come_and_posts_nothing_withdrawn() -> None:
    from bot.discord.notifier import DiscordNotifier, Pace
    from bot.notices import Withdrawn

    changed = False

    async def turn(_: float) -> None:  # the pace's wait: the deadline changes meanwhile
        nonlocal changed
        changed = True

    pace = Pace(rate=1.0, burst=1, clock=lambda: 0.0, sleep=turn)
    pace.reserve()  # a post before this one: this one waits its turn
    client = discord.Client(intents=discord.Intents.none())  # never logged in: no request
    notifier = DiscordNotifier(client, pace=pace)
    wanted = notice(still_wanted=lambda: not changed)
    with pytest.raises(Withdrawn, match="#12 changed"):
        await notifier.send_alert(wanted)
    assert changed  # it asked after the wait, not before
    with pytest.raises(Withdrawn):
        await notifier.send_alerts([wanted, notice(alert_id=8)], nonce="ddg0")


def test_track_deadline_lists_every_deadline_it_offers_within_discords_limit() -> None:
    from bot.deadlines.finding import find_deadlines

    text = " ".join(
        "Under the agreement signed by the county board and the regional transit authority "
        f"for the Harbor Street corridor project number {n}, the contractor must deliver the "
        f"revised environmental assessment and all supporting traffic studies within {n + 10} "
        "days."
        for n in range(12)
    )
    found = find_deadlines(text, date=dt.date(2025, 7, 17))
    assert len(found) == 12
    shown = render.found_text(tuple(found[:10]), total=len(found))
    assert len(shown) <= render.CONTENT_LIMIT
    assert shown.startswith("\U0001f50e I found 12 deadlines there; here are the first 10.")
    for number in range(1, 11):  # each button's deadline is in the list
        assert f"\n{number}. \u201c" in shown
    assert shown.endswith("Pick one to check it and track it.")
