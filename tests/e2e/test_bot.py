"""The real bot (DeadlineBot, discord.py) against the fake Discord server on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from fakediscord import MANAGE_MESSAGES, FakeDiscord
from newsroom import EPHEMERAL, Newsroom, desk_options, open_newsroom, running_desk
from support import START, FakeClock


@pytest.fixture
async def newsroom(tmp_path: Path) -> AsyncIterator[Newsroom]:
    async with open_newsroom(tmp_path) as room:
        yield room


async def first_alert(room: Newsroom) -> str:
    """Add the Bondi letter, move to its 7-day reminder, and return the alert's message id."""
    await add_bondi(room)
    await room.move_to(dt.datetime(2025, 8, 9, 13, 0, tzinfo=dt.UTC))
    (alert,) = room.fake.requests_to("POST", rf"/channels/{room.general}/messages")
    message_id: str = alert.response["id"]
    return message_id


def last_reply_id(room: Newsroom) -> str:
    """The id of the message the bot's latest interaction reply created."""
    callback = room.fake.requests_to("POST", r"/interactions/.*/callback")[-1]
    message_id: str = callback.response["resource"]["message"]["id"]
    return message_id


def embed_of(response: dict[str, Any]) -> dict[str, Any]:
    embeds: list[dict[str, Any]] = response["data"]["embeds"]
    return embeds[0]


async def add_bondi(room: Newsroom, **options: Any) -> dict[str, Any]:
    return await room.command(
        "add", {"text": "Bondi letter, 30 days", "from": "2025-07-17", **options}
    )


async def test_commands_are_synced_with_their_names(newsroom: Newsroom) -> None:
    commands = newsroom.fake.commands(newsroom.guild.id)
    deadline = commands["deadline"]
    subcommands = {option["name"]: option for option in deadline["options"]}
    assert set(subcommands) == {
        "add", "calc", "list", "status", "done", "extend", "edit", "snooze", "delete", "settings",
        "export", "import", "board", "board-remove", "pause", "resume", "stop-repeating",
    }  # fmt: skip
    settings = {option["name"] for option in subcommands["settings"]["options"]}
    assert settings == {
        "show", "timezone", "alert-time", "reminders", "calendar", "counting", "channel",
        "manager-role", "escalation", "digest", "calendar-feed",
    }  # fmt: skip
    add_options = [option["name"] for option in subcommands["add"]["options"]]
    assert add_options == [
        "text", "from", "counting", "channel", "mention", "link", "notes", "preset", "dm",
    ]  # fmt: skip


async def test_add_replies_with_the_due_date_and_explanation(newsroom: Newsroom) -> None:
    response = await add_bondi(newsroom)
    assert response["type"] == 4
    assert not response["data"].get("flags", 0) & EPHEMERAL
    embed = embed_of(response)
    assert embed["title"] == "#1 Bondi letter"
    assert "Sat 2025-08-16" in embed["description"]
    due_at = int(dt.datetime(2025, 8, 17, 3, 59, 59, tzinfo=dt.UTC).timestamp())
    assert f"<t:{due_at}:F>" in embed["description"]
    assert f"<t:{due_at}:R>" in embed["description"]
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    assert "+30 calendar days -> Sat 2025-08-16" in fields["How it was counted"]
    assert fields["Next alerts"].count("<t:") == 5
    assert response["data"]["allowed_mentions"] == {"parse": []}


async def test_business_days_and_counting_option(newsroom: Newsroom) -> None:
    response = await newsroom.command(
        "add", {"text": "FOIA to FBI, 20 business days", "from": "2025-11-20"}
    )
    assert "Fri 2025-12-19" in embed_of(response)["description"]
    response = await add_bondi(newsroom, counting="roll")
    assert "Mon 2025-08-18" in embed_of(response)["description"]


async def test_invalid_phrase_gets_an_ephemeral_error_with_an_example(newsroom: Newsroom) -> None:
    response = await newsroom.command("add", {"text": "Bondi letter, whenever"})
    assert response["data"]["flags"] & EPHEMERAL
    assert "could not find a period" in response["data"]["content"]
    assert "For example" in response["data"]["content"]
    listed = await newsroom.command("list", {"show": "all"})
    assert "Nothing here" in embed_of(listed)["description"]


async def test_list_and_status(newsroom: Newsroom) -> None:
    await add_bondi(newsroom)
    await newsroom.command("add", {"text": "FOIA, 20 business days", "from": "2025-07-17"})
    listed = embed_of(await newsroom.command("list"))
    lines = listed["description"].splitlines()
    assert lines[0].startswith("**#2** FOIA")
    assert lines[1].startswith("**#1** Bondi letter")
    status = embed_of(await newsroom.command("status", {"deadline": "#1"}))
    fields = {field["name"]: field["value"] for field in status["fields"]}
    assert "created by <@" in fields["History"]
    assert "reminder, 7 days before" in fields["Next alerts"]


async def test_done_stops_the_deadline(newsroom: Newsroom) -> None:
    await add_bondi(newsroom)
    done = await newsroom.command("done", {"deadline": "1", "note": "county replied"})
    assert "#1 Bondi letter is done" in done["data"]["content"]
    status = embed_of(await newsroom.command("status", {"deadline": "1"}))
    assert status["description"].startswith("**DONE**")
    assert "Next alerts" not in {field["name"] for field in status["fields"]}


async def test_overdue_alert_is_posted_with_buttons_and_only_its_mention(
    newsroom: Newsroom,
) -> None:
    await add_bondi(
        newsroom, channel=newsroom.alerts, mention=newsroom.editors,
        notes="@everyone <@&999> look",
    )  # fmt: skip
    after = len(newsroom.fake.requests)
    await newsroom.move_to(dt.datetime(2025, 8, 17, 13, 0, tzinfo=dt.UTC))  # 09:00 the day after
    posts = newsroom.fake.requests_to("POST", rf"/channels/{newsroom.alerts}/messages", after=after)
    assert len(posts) == 1  # the missed reminders and due-today collapse into one message
    body = posts[0].json
    assert body["allowed_mentions"] == {
        "parse": [],
        "users": [],
        "roles": [int(newsroom.editors)],
    }
    assert body["content"].startswith(f"<@&{newsroom.editors}> OVERDUE by")
    assert body["enforce_nonce"] is True
    assert body["nonce"].startswith("dda")
    buttons = [c for row in body["components"] for c in row["components"]]
    assert [b["custom_id"] for b in buttons] == [
        f"dd:done:{newsroom.guild.id}:1", f"dd:snooze:{newsroom.guild.id}:1",
        f"dd:extend:{newsroom.guild.id}:1", f"dd:dm:{newsroom.guild.id}:1",
    ]  # fmt: skip
    assert "Late" in {field["name"] for field in body["embeds"][0]["fields"]}


async def test_pressing_mark_done_on_an_alert(newsroom: Newsroom) -> None:
    await add_bondi(newsroom, channel=newsroom.alerts)
    await newsroom.move_to(dt.datetime(2025, 8, 9, 13, 0, tzinfo=dt.UTC))
    (post,) = newsroom.fake.requests_to("POST", rf"/channels/{newsroom.alerts}/messages")
    message_id = post.response["id"]
    custom_id = f"dd:done:{newsroom.guild.id}:1"
    refused = await newsroom.fake.send_component_interaction(
        newsroom.guild.id, newsroom.alerts, newsroom.bob.id, message_id, custom_id
    )
    assert (await refused.response())["data"]["flags"] & EPHEMERAL
    pressed = await newsroom.fake.send_component_interaction(
        newsroom.guild.id, newsroom.alerts, newsroom.alice.id, message_id, custom_id
    )
    update = await pressed.response()
    assert update["type"] == 7
    assert "marked done by" in update["data"]["content"]
    assert update["data"]["components"] == []
    status = embed_of(await newsroom.command("status", {"deadline": "1"}))
    assert status["description"].startswith("**DONE**")


async def test_manage_messages_may_act_on_anothers_deadline(newsroom: Newsroom) -> None:
    await add_bondi(newsroom)
    refused = await newsroom.command("done", {"deadline": "1"}, user=newsroom.bob)
    assert refused["data"]["flags"] & EPHEMERAL
    assert "Manage Messages" in refused["data"]["content"]
    allowed = await newsroom.command(
        "done", {"deadline": "1"}, user=newsroom.bob, permissions=MANAGE_MESSAGES
    )
    assert "is done" in allowed["data"]["content"]


async def test_another_guild_cannot_see_the_deadline(newsroom: Newsroom) -> None:
    await add_bondi(newsroom)
    for name, options in [
        ("status", {"deadline": "1"}),
        ("done", {"deadline": "1"}),
        ("extend", {"deadline": "1", "by": "3 days"}),
    ]:
        response = await newsroom.command(name, options, guild=newsroom.other)
        assert response["data"]["flags"] & EPHEMERAL
        assert "there is no deadline #1 in this server" in response["data"]["content"]
    listed = embed_of(await newsroom.command("list", {"show": "all"}, guild=newsroom.other))
    assert "Nothing here" in listed["description"]
    status = embed_of(await newsroom.command("status", {"deadline": "1"}))
    assert status["title"] == "#1 Bondi letter"
    assert "DONE" not in status["description"]


async def test_calc_is_ephemeral_and_works_in_dms(newsroom: Newsroom) -> None:
    handle = await newsroom.fake.send_slash_command(
        None, None, newsroom.alice.id, "deadline calc", {"text": "20 business days",
        "from": "2025-11-20"}, scope="global",
    )  # fmt: skip
    response = await handle.response()
    assert response["data"]["flags"] & EPHEMERAL
    assert "Fri 2025-12-19" in embed_of(response)["description"]


async def test_autocomplete_offers_this_guilds_deadlines(newsroom: Newsroom) -> None:
    await add_bondi(newsroom)
    handle = await newsroom.fake.send_autocomplete(
        newsroom.guild.id, newsroom.general, newsroom.alice.id, "deadline status",
        {"deadline": "bon"}, "deadline",
    )  # fmt: skip
    choices = (await handle.response())["data"]["choices"]
    assert [c["value"] for c in choices] == ["1"]
    assert choices[0]["name"].startswith("#1 Bondi letter")
    handle = await newsroom.fake.send_autocomplete(
        newsroom.other.id, newsroom.other.channel_id("general"), newsroom.alice.id,
        "deadline status", {"deadline": "bon"}, "deadline",
    )  # fmt: skip
    assert (await handle.response())["data"]["choices"] == []


async def test_every_command_taking_a_deadline_suggests_one(newsroom: Newsroom) -> None:
    commands = newsroom.fake.commands(newsroom.guild.id) or newsroom.fake.commands()
    taking = {
        sub["name"]: option.get("autocomplete", False)
        for sub in commands["deadline"]["options"]
        for option in sub.get("options", [])
        if option["name"] == "deadline"
    }
    assert "stop-repeating" in taking
    assert [name for name, suggests in taking.items() if not suggests] == []


async def test_settings_need_manage_server(newsroom: Newsroom) -> None:
    refused = await newsroom.command(
        "settings timezone", {"zone": "America/Los_Angeles"}, user=newsroom.bob
    )
    assert "Manage Server" in refused["data"]["content"]
    owner = newsroom.fake.owner
    changed = await newsroom.command(
        "settings timezone", {"zone": "America/Los_Angeles"}, user=owner, permissions=1 << 5
    )
    fields = {field["name"]: field["value"] for field in embed_of(changed)["fields"]}
    assert fields["Time zone"] == "America/Los_Angeles"


async def test_restart_keeps_data_and_does_not_repeat_alerts(tmp_path: Path) -> None:
    database = tmp_path / "deadlines.sqlite3"
    clock = FakeClock(START)
    async with FakeDiscord() as fake:
        guild = fake.add_guild("Newsroom", channels=["general", "alerts"])
        alice = fake.add_user("alice")
        fake.add_member(guild.id, alice)
        alerts = guild.channel_id("alerts")
        async with running_desk(fake, desk_options(database, clock, [guild.id])) as desk:
            handle = await fake.send_slash_command(
                guild.id, alerts, alice.id, "deadline add",
                {"text": "Bondi letter, 30 days", "from": "2025-07-17", "channel": alerts},
            )  # fmt: skip
            await handle.response()
            clock.set(dt.datetime(2025, 8, 9, 13, 0, tzinfo=dt.UTC))
            await desk.dispatcher.settle()
        assert len(fake.requests_to("POST", rf"/channels/{alerts}/messages")) == 1
        async with running_desk(fake, desk_options(database, clock, [guild.id])) as desk:
            await desk.dispatcher.settle()
            handle = await fake.send_slash_command(
                guild.id, alerts, alice.id, "deadline status", {"deadline": "1"}
            )
            status = await handle.response()
        assert status["data"]["embeds"][0]["title"] == "#1 Bondi letter"
        assert len(fake.requests_to("POST", rf"/channels/{alerts}/messages")) == 1


async def test_global_commands_sync_only_when_they_change(tmp_path: Path) -> None:
    database = tmp_path / "deadlines.sqlite3"
    async with FakeDiscord() as fake:
        fake.add_guild("Newsroom")
        for _ in range(2):
            async with running_desk(fake, desk_options(database, FakeClock(START), [])):
                pass
        puts = fake.requests_to("PUT", rf"/applications/{fake.application_id}/commands")
        assert len(puts) == 1
        assert [(c["name"], c.get("type", 1)) for c in puts[0].json] == [
            ("deadline", 1),
            ("Track deadline", 3),  # the message command (Apps > Track deadline)
        ]


async def test_list_pages_with_previous_and_next(newsroom: Newsroom) -> None:
    for n in range(1, 13):
        await newsroom.command("add", {"text": f"Request {n}, {n} days", "from": "2025-07-17"})
    first = await newsroom.command("list")
    assert embed_of(first)["footer"]["text"].startswith("Page 1 of 2")
    buttons = [c for row in first["data"]["components"] for c in row["components"]]
    assert [(b["label"], b.get("disabled", False)) for b in buttons] == [
        ("Previous", True),
        ("Next", False),
    ]
    message_id = last_reply_id(newsroom)
    pressed = await newsroom.fake.send_component_interaction(
        newsroom.guild.id, newsroom.general, newsroom.bob.id, message_id, buttons[1]["custom_id"]
    )
    second = await pressed.response()
    assert second["type"] == 7
    assert embed_of(second)["footer"]["text"].startswith("Page 2 of 2")
    assert embed_of(second)["description"].count("**#") == 2


async def test_delete_asks_and_only_the_asker_confirms(newsroom: Newsroom) -> None:
    await add_bondi(newsroom)
    asked = await newsroom.command("delete", {"deadline": "1"})
    assert asked["data"]["flags"] & EPHEMERAL
    (button,) = [c for row in asked["data"]["components"] for c in row["components"]]
    custom_id = button["custom_id"]
    assert custom_id == f"dd:delete:{newsroom.guild.id}:1:{newsroom.alice.id}"
    message_id = last_reply_id(newsroom)
    status = embed_of(await newsroom.command("status", {"deadline": "1"}))
    assert "CANCELLED" not in status["description"]  # nothing happens before confirming
    other = await newsroom.fake.send_component_interaction(
        newsroom.guild.id, newsroom.general, newsroom.bob.id, message_id, custom_id
    )
    assert "only the member who asked" in (await other.response())["data"]["content"]
    confirm = await newsroom.fake.send_component_interaction(
        newsroom.guild.id, newsroom.general, newsroom.alice.id, message_id, custom_id
    )
    assert "deleted" in (await confirm.response())["data"]["content"]
    status = embed_of(await newsroom.command("status", {"deadline": "1"}))
    assert status["description"].startswith("**CANCELLED**")


async def test_extend_button_opens_a_modal_that_extends(newsroom: Newsroom) -> None:
    message_id = await first_alert(newsroom)
    custom_id = f"dd:extend:{newsroom.guild.id}:1"
    pressed = await newsroom.fake.send_component_interaction(
        newsroom.guild.id, newsroom.general, newsroom.alice.id, message_id, custom_id
    )
    modal = await pressed.response()
    assert modal["type"] == 9
    # Label components (type 18) hold the inputs; the inputs' own label is deprecated.
    labels = modal["data"]["components"]
    assert [label["type"] for label in labels] == [18, 18]
    assert [label["component"]["custom_id"] for label in labels] == ["amount", "reason"]
    assert all(label["component"].get("label") is None for label in labels)
    assert all(label["label"] and len(label["label"]) <= 45 for label in labels)
    submitted = await newsroom.fake.send_modal_submit(
        newsroom.guild.id, newsroom.general, newsroom.alice.id, modal["data"]["custom_id"],
        {"amount": "14-day extension", "reason": "county asked"},
    )  # fmt: skip
    reply = await submitted.response()
    assert "now due **Due Sat 2025-08-30**" in reply["data"]["content"]
    status = embed_of(await newsroom.command("status", {"deadline": "1"}))
    history = {field["name"]: field["value"] for field in status["fields"]}["History"]
    assert "extended" in history
    assert "county asked" in history


async def test_snooze_button_and_buttons_after_a_restart(newsroom: Newsroom) -> None:
    message_id = await first_alert(newsroom)
    await newsroom.restart()  # the bot restarts; the alert's buttons must still work
    pressed = await newsroom.fake.send_component_interaction(
        newsroom.guild.id, newsroom.general, newsroom.alice.id, message_id,
        f"dd:snooze:{newsroom.guild.id}:1",
    )  # fmt: skip
    update = await pressed.response()
    assert update["type"] == 7
    assert "snoozed by" in update["data"]["content"]
    handle = await newsroom.fake.send_slash_command(
        newsroom.guild.id, newsroom.general, newsroom.alice.id, "deadline status",
        {"deadline": "1"},
    )  # fmt: skip
    status = (await handle.response())["data"]["embeds"][0]
    fields = {field["name"] for field in status["fields"]}
    assert "Snoozed until" in fields


async def test_commands_other_than_calc_need_a_server(newsroom: Newsroom) -> None:
    handle = await newsroom.fake.send_slash_command(
        None, None, newsroom.alice.id, "deadline add", {"text": "Bondi, 30 days"}, scope="global"
    )
    response = await handle.response()
    assert response["data"]["flags"] & EPHEMERAL
    assert "works in a server" in response["data"]["content"]


async def test_mentions_in_user_text_never_ping(newsroom: Newsroom) -> None:
    response = await newsroom.command(
        "add", {"text": "@everyone <@&1> **bold**, 30 days", "notes": "@here ping"}
    )
    embed = embed_of(response)
    assert "@everyone" not in embed["title"]
    assert "\\*\\*bold\\*\\*" in embed["title"]
    assert response["data"]["allowed_mentions"] == {"parse": []}


async def test_extend_reads_by_and_to_in_the_options_and_refuses_what_does_not_fit(
    newsroom: Newsroom,
) -> None:
    await add_bondi(newsroom)
    refusals = {
        "both": ({"by": "14 days", "to": "2025-09-01"}, "give exactly one of `by`"),
        "neither": ({}, "give exactly one of `by`"),
        "by a date": ({"by": "2025-09-01"}, "`by` needs a period"),
        "to a period": ({"to": "14 days"}, "`to` needs a date"),
        "by nonsense": ({"by": "whenever"}, "could not find a period"),
    }
    for name, (options, needle) in refusals.items():
        response = await newsroom.command("extend", {"deadline": "1", **options})
        assert response["data"]["flags"] & EPHEMERAL, name
        assert needle in response["data"]["content"], (name, response["data"]["content"])
        assert "For example" in response["data"]["content"], name
    assert (await newsroom.deadline(1)).revision == 0  # nothing changed
    moved = await newsroom.command("extend", {"deadline": "1", "to": "2025-09-01"})
    assert "now due **Due Mon 2025-09-01**" in moved["data"]["content"]


async def test_an_add_sent_again_answers_with_the_deadline_already_saved(
    newsroom: Newsroom,
) -> None:
    first = await add_bondi(newsroom)
    newsroom.clock.advance(minutes=3)  # the reply never reached Discord; the member retries
    again = await add_bondi(newsroom)
    assert again["type"] == 4
    assert again["data"]["content"].startswith("Already tracked as #1")
    assert embed_of(again)["title"] == embed_of(first)["title"] == "#1 Bondi letter"
    listed = embed_of(await newsroom.command("list", {"show": "all"}))
    assert listed["description"].count("**#") == 1


async def test_an_extend_form_opened_before_a_restart_works_after_it(newsroom: Newsroom) -> None:
    """Issue 12.9: the buttons survived restarts, the form did not ("This interaction
    failed")."""
    message_id = await first_alert(newsroom)
    pressed = await newsroom.fake.send_component_interaction(
        newsroom.guild.id, newsroom.general, newsroom.alice.id, message_id,
        f"dd:extend:{newsroom.guild.id}:1",
    )  # fmt: skip
    modal = await pressed.response()
    assert modal["type"] == 9
    await newsroom.restart()  # the form stays open in alice's Discord meanwhile
    submitted = await newsroom.fake.send_modal_submit(
        newsroom.guild.id, newsroom.general, newsroom.alice.id, modal["data"]["custom_id"],
        {"amount": "14-day extension", "reason": "county asked"},
    )  # fmt: skip
    reply = await submitted.response(timeout=5)
    assert "now due **Due Sat 2025-08-30**" in reply["data"]["content"]
    # Replayed by someone else after the restart: refused, nothing changed.
    replay = await newsroom.fake.send_modal_submit(
        newsroom.guild.id, newsroom.general, newsroom.bob.id, modal["data"]["custom_id"],
        {"amount": "300 days"},
    )  # fmt: skip
    refused = await replay.response(timeout=5)
    assert refused["data"]["flags"] & EPHEMERAL
    assert (await newsroom.deadline(1)).due.isoformat() == "2025-08-30"


async def test_a_role_that_is_mention_and_escalation_is_pinged_once(newsroom: Newsroom) -> None:
    """Issue 19: Discord refuses `allowed_mentions.roles: [R, R]` (the fake too), so the
    escalated overdue alert of a deadline that mentions the escalation role was never posted."""
    await newsroom.command(
        "settings escalation", {"role": newsroom.editors, "after": 1},
        user=newsroom.fake.owner, permissions=None,
    )  # fmt: skip
    await add_bondi(newsroom, channel=newsroom.alerts, mention=newsroom.editors)
    after = len(newsroom.fake.requests)
    await newsroom.move_to(dt.datetime(2025, 8, 17, 13, 0, tzinfo=dt.UTC))  # overdue, escalated
    posts = newsroom.fake.requests_to("POST", rf"/channels/{newsroom.alerts}/messages", after=after)
    assert [post.status for post in posts] == [200]
    body = posts[0].json
    assert body["allowed_mentions"]["roles"] == [int(newsroom.editors)]
    assert body["content"].count(f"<@&{newsroom.editors}>") == 1
    assert "Escalated" in str(body["embeds"])
    assert newsroom.fake.take_refusals() == []
