"""Smoke tests proving the fake Discord harness with the real discord.py client in-process.

A tiny commands.Bot (not the Deadline Desk bot) runs against ``tests.fakediscord`` over
127.0.0.1; every assertion is about what crossed the wire.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import discord
import pytest
from discord import app_commands
from discord.ext import commands
from fakediscord import FakeDiscord, FakeGuild, FakeUser, running_client
from fakediscord.world import READ_MESSAGE_HISTORY, SEND_MESSAGES, VIEW_CHANNEL

NO_PINGS = discord.AllowedMentions(everyone=False, users=False, roles=False, replied_user=False)
ACK_ID = "demo:ack"
NOTE_MODAL_ID = "demo:note"
EPHEMERAL = 64


class AckView(discord.ui.View):
    """Persistent view: one button that marks the alert acknowledged."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Acknowledge", custom_id=ACK_ID, style=discord.ButtonStyle.primary)
    async def ack(
        self, interaction: discord.Interaction, button: discord.ui.Button[AckView]
    ) -> None:
        await interaction.response.edit_message(
            content=f"Acknowledged by {interaction.user.mention}", view=None
        )


class NoteModal(discord.ui.Modal, title="Add a note"):
    text: discord.ui.TextInput[NoteModal] = discord.ui.TextInput(
        label="Note", custom_id="note_text"
    )

    def __init__(self) -> None:
        super().__init__(custom_id=NOTE_MODAL_ID)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"noted: {self.text.value}", ephemeral=True)


def demo_group() -> app_commands.Group:
    demo = app_commands.Group(name="demo", description="Harness demo commands")

    @demo.command(name="echo", description="Echo text back privately")
    async def echo(interaction: discord.Interaction, text: str) -> None:
        await interaction.response.send_message(f"echo: {text}", ephemeral=True)

    @demo.command(name="post", description="Post an alert with a button")
    async def post(interaction: discord.Interaction, text: str) -> None:
        assert isinstance(interaction.channel, discord.TextChannel)
        await interaction.channel.send(
            f"@everyone {text}", view=AckView(), allowed_mentions=NO_PINGS
        )
        await interaction.response.send_message("posted", ephemeral=True)

    @demo.command(name="pick", description="Autocompleted topic")
    async def pick(interaction: discord.Interaction, topic: str) -> None:
        await interaction.response.send_message(f"picked {topic}")

    @pick.autocomplete("topic")
    async def pick_topic(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        topics = ["foia", "court", "budget"]
        return [app_commands.Choice(name=t, value=t) for t in topics if t.startswith(current)]

    @demo.command(name="note", description="Open a modal")
    async def note(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(NoteModal())

    @demo.command(name="slow", description="Defer, then follow up")
    async def slow(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.followup.send("done thinking")

    return demo


class DemoBot(commands.Bot):
    def __init__(self) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            guild_ready_timeout=0.1,
        )
        self.ready_events = 0
        self.tree.add_command(demo_group())

    async def setup_hook(self) -> None:
        self.add_view(AckView())

    async def on_ready(self) -> None:
        self.ready_events += 1


@dataclass
class Newsroom:
    guild: FakeGuild
    alice: FakeUser
    general: str
    alerts: str


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as fake:
        yield fake


@pytest.fixture
def newsroom(fake: FakeDiscord) -> Newsroom:
    guild = fake.add_guild("Newsroom", channels=["general", "alerts"])
    alice = fake.add_user("alice")
    fake.add_member(guild.id, alice)
    return Newsroom(guild, alice, guild.channel_id("general"), guild.channel_id("alerts"))


@pytest.fixture
async def bot(fake: FakeDiscord, newsroom: Newsroom) -> AsyncIterator[DemoBot]:
    async with running_client(fake, DemoBot(), skip_reidentify_delay=True) as bot:
        yield bot


def text_channel(bot: DemoBot, channel_id: str) -> discord.TextChannel:
    channel = bot.get_channel(int(channel_id))
    assert isinstance(channel, discord.TextChannel)
    return channel


async def test_bot_connects_and_syncs_guild_commands(
    fake: FakeDiscord, newsroom: Newsroom, bot: DemoBot
) -> None:
    assert bot.ready_events == 1
    assert bot.user is not None
    assert str(bot.user.id) == fake.bot.id
    assert bot.application_id == int(fake.application_id)
    guild = bot.get_guild(int(newsroom.guild.id))
    assert guild is not None
    assert sorted(c.name for c in guild.text_channels) == ["alerts", "general"]
    assert [r.path for r in fake.requests[:2]] == ["/users/@me", "/oauth2/applications/@me"]
    identify = fake.gateway_received(op=2)[0].data
    assert identify["intents"] == discord.Intents.default().value

    target = discord.Object(id=int(newsroom.guild.id))
    bot.tree.copy_global_to(guild=target)
    synced = await bot.tree.sync(guild=target)

    route = rf"/applications/{fake.application_id}/guilds/{newsroom.guild.id}/commands"
    put = await fake.wait_for_request("PUT", route)
    assert [c["name"] for c in put.json] == ["demo"]
    subcommands = {o["name"] for o in put.json[0]["options"]}
    assert subcommands == {"echo", "post", "pick", "note", "slow"}
    assert [c.name for c in synced] == ["demo"]
    assert synced[0].id == int(fake.commands(newsroom.guild.id)["demo"]["id"])
    assert fake.unhandled == []


async def test_slash_command_replies_ephemerally(
    fake: FakeDiscord, newsroom: Newsroom, bot: DemoBot
) -> None:
    handle = await fake.send_slash_command(
        newsroom.guild.id, newsroom.general, newsroom.alice.id, "demo echo", {"text": "FOIA due"}
    )

    response = await handle.response()
    assert response["type"] == 4
    assert response["data"]["content"] == "echo: FOIA due"
    assert response["data"]["flags"] & EPHEMERAL
    original = handle.original_message()
    assert original is not None
    assert original["content"] == "echo: FOIA due"
    assert fake.messages_in(newsroom.general) == []  # ephemeral: not in channel history


async def test_synced_guild_command_carries_guild_id(
    fake: FakeDiscord, newsroom: Newsroom, bot: DemoBot
) -> None:
    target = discord.Object(id=int(newsroom.guild.id))
    bot.tree.clear_commands(guild=None)  # only the guild copy can answer now
    bot.tree.add_command(demo_group(), guild=target)
    await bot.tree.sync(guild=target)

    handle = await fake.send_slash_command(
        newsroom.guild.id, newsroom.general, newsroom.alice.id, "demo echo", {"text": "x"}
    )

    assert handle.payload["data"]["guild_id"] == newsroom.guild.id
    assert (await handle.response())["data"]["content"] == "echo: x"


async def test_repeated_nonce_returns_the_first_message(
    fake: FakeDiscord, newsroom: Newsroom, bot: DemoBot
) -> None:
    channel = text_channel(bot, newsroom.alerts)

    first = await channel.send("Deadline tomorrow", nonce=424242)
    second = await channel.send("Deadline tomorrow", nonce=424242)

    assert first.id == second.id
    assert [m["id"] for m in fake.messages_in(newsroom.alerts)] == [str(first.id)]
    posts = fake.requests_to("POST", rf"/channels/{newsroom.alerts}/messages")
    assert [(p.json["nonce"], p.json["enforce_nonce"]) for p in posts] == [("424242", True)] * 2
    assert posts[1].response["id"] == str(first.id)


async def test_a_nonce_is_the_authors_in_every_channel(
    fake: FakeDiscord, newsroom: Newsroom, bot: DemoBot
) -> None:
    """Discord: "another message was created by the same author with the same nonce": the
    same nonce in another channel hands back the first message, posting nothing there."""
    first = await text_channel(bot, newsroom.alerts).send("Deadline tomorrow", nonce="dda7")
    second = await text_channel(bot, newsroom.general).send("Another alert", nonce="dda7")

    assert second.id == first.id
    assert fake.messages_in(newsroom.general) == []


async def test_button_press_runs_the_persistent_view(
    fake: FakeDiscord, newsroom: Newsroom, bot: DemoBot
) -> None:
    posted = await fake.send_slash_command(
        newsroom.guild.id, newsroom.alerts, newsroom.alice.id, "demo post", {"text": "FOIA due"}
    )
    assert (await posted.response())["data"]["content"] == "posted"
    alert = await fake.wait_for_request("POST", rf"/channels/{newsroom.alerts}/messages")
    assert alert.json["allowed_mentions"] == {"parse": []}
    button = alert.json["components"][0]["components"][0]
    assert button["custom_id"] == ACK_ID
    message_id = alert.response["id"]

    click = await fake.send_component_interaction(
        newsroom.guild.id, newsroom.alerts, newsroom.alice.id, message_id, ACK_ID
    )

    response = await click.response()
    assert response["type"] == 7
    assert response["data"]["content"] == f"Acknowledged by <@{newsroom.alice.id}>"
    assert response["data"]["components"] == []
    assert fake.message(message_id)["content"] == f"Acknowledged by <@{newsroom.alice.id}>"


async def test_server_error_on_send_is_retried(
    fake: FakeDiscord, newsroom: Newsroom, bot: DemoBot
) -> None:
    route = rf"/channels/{newsroom.alerts}/messages"
    rule = fake.fail_next("POST", route, 500)

    message = await text_channel(bot, newsroom.alerts).send("still delivered")

    attempts = fake.requests_to("POST", route)
    assert [(a.status, a.injected) for a in attempts] == [(500, True), (200, False)]
    assert rule.hits == 1
    assert rule.remaining == 0
    assert [m["id"] for m in fake.messages_in(newsroom.alerts)] == [str(message.id)]


async def test_rate_limit_is_waited_out(
    fake: FakeDiscord, newsroom: Newsroom, bot: DemoBot
) -> None:
    route = rf"/channels/{newsroom.alerts}/messages"
    fake.fail_next("POST", route, 429, retry_after=0.3)

    await text_channel(bot, newsroom.alerts).send("after the limit")

    limited, delivered = fake.requests_to("POST", route)
    assert limited.status == 429
    assert limited.response["retry_after"] == 0.3
    assert delivered.status == 200
    assert delivered.time - limited.time >= 0.3


async def test_forbidden_surfaces_as_discord_forbidden(
    fake: FakeDiscord, newsroom: Newsroom, bot: DemoBot
) -> None:
    fake.fail_next("POST", rf"/channels/{newsroom.alerts}/messages", 403)

    with pytest.raises(discord.Forbidden) as caught:
        await text_channel(bot, newsroom.alerts).send("nope")

    assert caught.value.code == 50013
    assert fake.messages_in(newsroom.alerts) == []


async def test_pin_edit_fetch_delete_round_trip(
    fake: FakeDiscord, newsroom: Newsroom, bot: DemoBot
) -> None:
    channel = text_channel(bot, newsroom.alerts)
    message = await channel.send("Bondi letter due Mon")

    await message.pin()
    await message.edit(content="Bondi letter due Tue")
    pinned = [m.id async for m in channel.pins()]
    fetched = await channel.fetch_message(message.id)
    guild = bot.get_guild(int(newsroom.guild.id))
    assert guild is not None
    member = await guild.fetch_member(int(newsroom.alice.id))
    await message.delete()

    pin = rf"/channels/{newsroom.alerts}/messages/pins/{message.id}"
    assert fake.requests_to("PUT", pin)[0].status == 204
    assert pinned == [message.id]
    assert fetched.content == "Bondi letter due Tue"
    assert fetched.pinned
    assert member.name == "alice"
    assert fake.messages_in(newsroom.alerts) == []


async def test_resume_after_close_4000_replays_missed_interaction(
    fake: FakeDiscord, newsroom: Newsroom, bot: DemoBot
) -> None:
    session_id = fake.session_id

    await fake.close_gateway(4000)
    # Dispatched while the bot is disconnected: must arrive through the RESUME replay.
    handle = await fake.send_slash_command(
        newsroom.guild.id, newsroom.general, newsroom.alice.id, "demo echo", {"text": "back"}
    )

    assert (await handle.response())["data"]["content"] == "echo: back"
    resume = await fake.wait_for_gateway(op=6)
    assert resume.data["session_id"] == session_id
    assert fake.gateway.connections[resume.connection].path == "/resume-gateway"
    assert fake.identify_count == 1
    assert bot.ready_events == 1


async def test_session_timeout_4009_forces_a_new_identify(
    fake: FakeDiscord, newsroom: Newsroom, bot: DemoBot
) -> None:
    await fake.close_gateway(4009)

    refused = await fake.wait_for_gateway(op=9, direction="out")
    await fake.wait_for_gateway(op=2, count=2)
    handle = await fake.send_slash_command(
        newsroom.guild.id, newsroom.general, newsroom.alice.id, "demo echo", {"text": "new"}
    )

    assert refused.data is False
    assert (await handle.response())["data"]["content"] == "echo: new"
    assert fake.identify_count == 2


async def test_autocomplete_returns_choices(
    fake: FakeDiscord, newsroom: Newsroom, bot: DemoBot
) -> None:
    handle = await fake.send_autocomplete(
        newsroom.guild.id,
        newsroom.general,
        newsroom.alice.id,
        "demo pick",
        {"topic": "fo"},
        focused="topic",
    )

    response = await handle.response()
    assert response == {"type": 8, "data": {"choices": [{"name": "foia", "value": "foia"}]}}


async def test_modal_round_trip(fake: FakeDiscord, newsroom: Newsroom, bot: DemoBot) -> None:
    opened = await fake.send_slash_command(
        newsroom.guild.id, newsroom.general, newsroom.alice.id, "demo note"
    )
    modal = await opened.response()
    assert modal["type"] == 9
    assert modal["data"]["custom_id"] == NOTE_MODAL_ID

    submitted = await fake.send_modal_submit(
        newsroom.guild.id,
        newsroom.general,
        newsroom.alice.id,
        NOTE_MODAL_ID,
        {"note_text": "call the clerk"},
    )

    response = await submitted.response()
    assert response["data"]["content"] == "noted: call the clerk"


async def test_defer_then_followup_fills_the_original(
    fake: FakeDiscord, newsroom: Newsroom, bot: DemoBot
) -> None:
    handle = await fake.send_slash_command(
        newsroom.guild.id, newsroom.general, newsroom.alice.id, "demo slow"
    )

    assert (await handle.response())["type"] == 5
    assert (await handle.followup())["content"] == "done thinking"
    original = handle.original_message()
    assert original is not None
    assert original["content"] == "done thinking"
    assert [m["content"] for m in fake.messages_in(newsroom.general)] == ["done thinking"]


async def test_dm_interaction_has_user_not_member(
    fake: FakeDiscord, newsroom: Newsroom, bot: DemoBot
) -> None:
    handle = await fake.send_slash_command(
        None, None, newsroom.alice.id, "demo echo", {"text": "dm"}
    )

    assert "member" not in handle.payload
    assert handle.payload["user"]["id"] == newsroom.alice.id
    assert handle.payload["channel"]["type"] == 1
    assert (await handle.response())["data"]["content"] == "echo: dm"


async def test_unknown_route_is_a_recorded_404(
    fake: FakeDiscord, newsroom: Newsroom, bot: DemoBot
) -> None:
    with pytest.raises(discord.NotFound) as caught:
        await bot.http.request(discord.http.Route("GET", "/no/such/route"))

    # discord.py parsed the JSON body (it would not with a "; charset" content type).
    assert (caught.value.code, caught.value.text) == (0, "404: Not Found")
    assert [r.path for r in fake.unhandled] == ["/no/such/route"]


# -- message history, nonces and lost answers, as Discord documents them ----------------------


async def test_history_pages_oldest_first_after_an_id_newest_first_on_the_wire(
    fake: FakeDiscord, newsroom: Newsroom, bot: DemoBot
) -> None:
    channel = text_channel(bot, newsroom.alerts)
    sent = [await channel.send(f"m{i}") for i in range(7)]

    after = [m.content async for m in channel.history(limit=None, after=sent[1])]
    before = [m.content async for m in channel.history(limit=3, before=sent[5])]
    newest = [m.content async for m in channel.history(limit=2)]

    assert after == ["m2", "m3", "m4", "m5", "m6"]  # discord.py turns the pages around
    assert before == ["m4", "m3", "m2"]
    assert newest == ["m6", "m5"]
    page = fake.requests_to("GET", rf"/channels/{newsroom.alerts}/messages")[0]
    assert [m["content"] for m in page.response] == ["m6", "m5", "m4", "m3", "m2"]


async def test_history_refuses_what_discord_refuses(
    fake: FakeDiscord, newsroom: Newsroom, bot: DemoBot
) -> None:
    route = discord.http.Route("GET", "/channels/{channel_id}/messages", channel_id=newsroom.alerts)
    for query in ({"limit": 0}, {"limit": 101}, {"after": 1, "before": 2}):
        with pytest.raises(discord.HTTPException) as caught:
            await bot.http.request(route, params=query)
        assert (caught.value.status, caught.value.code) == (400, 50035), query


async def test_history_without_read_message_history_is_empty_and_without_view_is_refused(
    fake: FakeDiscord, bot: DemoBot
) -> None:
    blind = fake.add_guild("No history", channels=["alerts"], everyone_permissions=0,
                           bot_permissions=VIEW_CHANNEL | SEND_MESSAGES)  # fmt: skip
    shut = fake.add_guild("No view", channels=["alerts"], everyone_permissions=0,
                          bot_permissions=READ_MESSAGE_HISTORY)  # fmt: skip
    for guild in (blind, shut):
        fake.world.create_message(guild.channel_id("alerts"), {"content": "posted earlier"})
    route = "/channels/{channel_id}/messages"

    unread = await bot.http.request(
        discord.http.Route("GET", route, channel_id=blind.channel_id("alerts"))
    )
    with pytest.raises(discord.Forbidden) as caught:
        await bot.http.request(
            discord.http.Route("GET", route, channel_id=shut.channel_id("alerts"))
        )

    assert unread == []  # no error: the messages are simply not shown
    assert caught.value.code == 50001


async def test_history_hides_others_content_without_the_message_content_intent(
    fake: FakeDiscord, newsroom: Newsroom, bot: DemoBot
) -> None:
    channel = text_channel(bot, newsroom.alerts)
    await fake.send_user_message(newsroom.alerts, newsroom.alice.id, "a reporter's note")
    await channel.send("the bot's own alert")

    seen = [(m.author.id, m.content) async for m in channel.history(limit=10)]

    assert seen == [(bot.user.id, "the bot's own alert"), (int(newsroom.alice.id), "")]


async def test_a_nonce_is_forgotten_after_the_window(
    fake: FakeDiscord, newsroom: Newsroom, bot: DemoBot
) -> None:
    channel = text_channel(bot, newsroom.alerts)
    first = await channel.send("Deadline tomorrow", nonce="dda1")
    fake.rest.nonce_window = 0.0

    second = await channel.send("Deadline tomorrow", nonce="dda1")

    assert second.id != first.id
    assert len(fake.messages_in(newsroom.alerts)) == 2


async def test_a_handled_fault_posts_the_message_and_loses_the_answer(
    fake: FakeDiscord, newsroom: Newsroom, bot: DemoBot
) -> None:
    rule = fake.fail_next("POST", rf"/channels/{newsroom.alerts}/messages", 400, handled=True)

    with pytest.raises(discord.HTTPException):
        await text_channel(bot, newsroom.alerts).send("posted, answer lost")

    assert rule.hits == 1
    assert [m["content"] for m in fake.messages_in(newsroom.alerts)] == ["posted, answer lost"]


async def test_command_registration_refuses_what_discord_refuses(
    fake: FakeDiscord, newsroom: Newsroom, bot: DemoBot
) -> None:
    app = fake.application_id
    for body in (
        {"name": "Track deadline", "type": 3, "description": "not allowed here"},
        {"name": "Has Capitals", "type": 1, "description": "chat input names are lower-case"},
        {"name": "nodesc", "type": 1, "description": ""},
        {"name": "x" * 33, "type": 3},
    ):
        with pytest.raises(discord.HTTPException) as caught:
            await bot.http.bulk_upsert_global_commands(int(app), [body])
        assert (caught.value.status, caught.value.code) == (400, 50035), body
    assert len(fake.take_refusals()) == 4  # meant: see tests/e2e/test_fake_limits.py for more
    accepted = await bot.http.bulk_upsert_global_commands(
        int(app), [{"name": "Track deadline", "type": 3}]
    )
    assert [c["name"] for c in accepted] == ["Track deadline"]


async def test_a_dm_is_opened_as_discord_opens_it_and_refused_as_discord_refuses(
    fake: FakeDiscord, newsroom: Newsroom, bot: DemoBot
) -> None:
    # POST /users/@me/channels answers a DM channel (type 1) with its one recipient.
    opened = await bot.create_dm(discord.Object(int(newsroom.alice.id)))
    assert isinstance(opened, discord.DMChannel)
    ((request,),) = [fake.requests_to("POST", r"/users/@me/channels")]
    assert str(request.json["recipient_id"]) == newsroom.alice.id
    assert request.response["type"] == 1
    assert [u["id"] for u in request.response["recipients"]] == [newsroom.alice.id]
    # A DM channel has no guild permissions: the bot's roles in the server do not matter.
    for role in newsroom.guild.roles.values():
        role.permissions &= ~SEND_MESSAGES
    sent = await opened.send("copy", allowed_mentions=NO_PINGS)
    assert [m["id"] for m in fake.messages_in(opened.id)] == [str(sent.id)]

    # DMs from server members turned off: 403 50007, nothing posted.
    newsroom.alice.accepts_dms = False
    with pytest.raises(discord.Forbidden) as caught:
        await opened.send("copy again")
    assert (caught.value.status, caught.value.code) == (403, 50007)
    assert caught.value.text == "Cannot send messages to this user"
    # A user who shares no server with the bot: the channel opens, the message is refused.
    stranger = fake.add_user("stranger")
    lonely = await bot.create_dm(discord.Object(int(stranger.id)))
    with pytest.raises(discord.Forbidden) as caught:
        await lonely.send("hello")
    assert caught.value.code == 50007
    assert fake.messages_in(lonely.id) == []
