"""Hostile members end to end, the real desk against the fake Discord: mentions, markdown and
invisible characters, ids from nowhere or elsewhere, SQL metacharacters, and members acting
where they may not."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from fakediscord import MANAGE_GUILD, MANAGE_MESSAGES
from newsroom import EPHEMERAL, Newsroom, open_newsroom

from bot.models import Status


class Room(Newsroom):
    """The newsroom of the hostile members' tests."""

    async def command(  # type: ignore[override]
        self, name: str, options: dict[str, Any] | None = None, **where: Any
    ) -> dict[str, Any]:
        """The answer (after a deferral, the first follow-up, as a type-4 answer)."""
        response = await self.answer(name, options, **where)
        if response.get("type") == 5:
            response = {"type": 4, "data": response["data"]}
        return response

    def alert_posts(self, channel: str = "alerts") -> list[dict[str, Any]]:
        posts = self.fake.requests_to("POST", rf"/channels/{self.channel(channel)}/messages")
        return [p.json for p in posts if p.ok]

    def row(self, sql: str, *params: Any) -> Any:
        with contextlib.closing(
            sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=10)
        ) as conn:
            return conn.execute(sql, params).fetchone()


@pytest.fixture
async def room(tmp_path: Path) -> AsyncIterator[Room]:
    async with open_newsroom(tmp_path, kind=Room) as opened:
        yield opened


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
    room: Room, mention: str
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
    room: Room,
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
    "pause": {"reason": "hijacked"},
    "resume": {},
    "stop-repeating": {},
    "delete": {},
}


def commands_taking_a_deadline(fake: Any, guild_id: str) -> list[str]:
    deadline = fake.commands(guild_id)["deadline"]
    return sorted(
        sub["name"]
        for sub in deadline["options"]
        if any(option["name"] == "deadline" for option in sub.get("options", []))
    )


async def test_malformed_deadline_ids_get_a_clear_ephemeral_error_in_every_command(
    room: Room,
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
    room: Room,
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


async def test_sql_metacharacters_are_stored_and_shown_verbatim(room: Room) -> None:
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
    # An option is a period or a date: text written around it is refused, not dropped.
    refused = await room.command("snooze", {"deadline": "1", "until": f"{SQL_TITLE}, 3 days"})
    assert is_refusal(refused, "more than a period or a date")
    snoozed = await room.command("snooze", {"deadline": "1", "until": "3 days"})
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
    room: Room, typed: str, expected: list[str]
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
    "pause": {"deadline": "1", "reason": "hijacked"},
    "resume": {"deadline": "1"},
    "stop-repeating": {"deadline": "1", "note": "hijacked"},
    "delete": {"deadline": "1"},
}


def settings_commands(room: Room) -> dict[str, dict[str, Any]]:
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
    room: Room,
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
    history = (await room.services.deadlines.status(int(room.guild.id), 1)).history
    assert [entry.action for entry in history] == ["created"]

    # The creator, Manage Messages and the manager role may.
    extended = await room.command("extend", {"deadline": "1", "by": "3 days"},
                                  user=room.bob, permissions=MANAGE_MESSAGES)  # fmt: skip
    assert "now due" in extended["data"]["content"]
    edited = await room.command("edit", {"deadline": "1", "title": "Renamed"}, user=room.carol)
    assert edited["data"]["embeds"][0]["title"] == "#1 Renamed"
    snoozed = await room.command("snooze", {"deadline": "1", "until": "1 day"}, user=room.alice)
    assert "no alerts until" in snoozed["data"]["content"]
    paused = await room.command("pause", {"deadline": "1"}, user=room.carol)
    assert "is paused with" in paused["data"]["content"]
    resumed = await room.command("resume", {"deadline": "1"},
                                 user=room.bob, permissions=MANAGE_MESSAGES)  # fmt: skip
    assert "running again" in resumed["data"]["content"]


async def test_only_manage_server_changes_settings(room: Room) -> None:
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
    before = await room.services.settings.get(int(room.guild.id))
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
    assert await room.services.settings.get(int(room.guild.id)) == before
    assert room.row("SELECT COUNT(*) FROM history WHERE action = 'settings'")[0] == 1


def planted_message(room: Room, channel_id: str, custom_id: str) -> str:
    """A bot message carrying a button `custom_id` that the bot never made there (copied or
    forged): Discord only sends presses of buttons a message really has."""
    button = {"type": 2, "style": 1, "label": "Press", "custom_id": custom_id}
    message = room.fake.world.create_message(
        channel_id, {"content": "press me", "components": [{"type": 1, "components": [button]}]}
    )
    message_id: str = message["id"]
    return message_id


async def alert_message_id(room: Room) -> str:
    await room.command(
        "add", {"text": "Old request, by 2025-01-02", "channel": room.channel("alerts")}
    )
    await room.settle()
    (message,) = room.fake.messages_in(room.channel("alerts"))
    message_id: str = message["id"]
    return message_id


@pytest.mark.parametrize("action", ["done", "snooze", "extend"])
async def test_alert_buttons_refuse_members_who_may_not_change_the_deadline(
    room: Room, action: str
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
    room: Room,
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


async def test_delete_confirmation_only_for_the_asker_and_only_if_allowed(room: Room) -> None:
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


async def test_reminder_days_that_only_look_like_digits_are_refused_in_one_line(
    room: Room,
) -> None:
    owner = room.fake.owner
    before = await room.services.settings.get(int(room.guild.id))
    for days in ("²", "7,²", "①"):
        response = await room.command(
            "settings reminders", {"days": days}, user=owner, permissions=MANAGE_GUILD
        )
        assert is_refusal(response, "is not a list of days", "days:7,3,1"), (days, response)
    assert await room.services.settings.get(int(room.guild.id)) == before


async def test_the_zones_suggested_are_only_those_a_setting_accepts(room: Room) -> None:
    suggested = {}
    for typed in ("local", "posix", "factory", "right/", "los_ang"):
        handle = await room.fake.send_autocomplete(
            room.guild.id, room.channel("general"), room.fake.owner.id,
            "deadline settings timezone", {"zone": typed}, "zone", permissions=MANAGE_GUILD,
        )  # fmt: skip
        choices = (await handle.response())["data"]["choices"]
        suggested[typed] = [choice["value"] for choice in choices]
    assert suggested == {
        "local": [], "posix": [], "factory": [], "right/": [], "los_ang": ["America/Los_Angeles"]
    }  # fmt: skip
