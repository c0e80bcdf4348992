"""A fake Discord (REST + gateway) on 127.0.0.1 for end-to-end tests of the real discord.py.

The bot under test runs unmodified, in-process, against an aiohttp server that speaks enough
of Discord's API v10 and gateway protocol for slash commands, components, modals, messages,
pins, nonces, reconnects and injected failures. Nothing leaves the machine.

Quick start::

    from tests.fakediscord import FakeDiscord, running_client

    async def test_echo() -> None:
        async with FakeDiscord() as fake:
            guild = fake.add_guild("Newsroom", channels=["general", "alerts"])
            alice = fake.add_user("alice")
            fake.add_member(guild.id, alice)
            bot = MyBot(intents=discord.Intents.default(), guild_ready_timeout=0.1)
            async with running_client(fake, bot):
                handle = await fake.send_slash_command(
                    guild.id, guild.channel_id("general"), alice.id, "demo echo", {"text": "hi"}
                )
                response = await handle.response()
                assert response["type"] == 4 and response["data"]["flags"] & 64
                sent = await fake.wait_for_request("POST", rf"/channels/{guild.channel_id('alerts')}/messages")
                assert sent.json["allowed_mentions"] == {"parse": []}

Pointing discord.py at the fake: ``running_client`` does it; by hand, ``undo =
point_discord_at(fake)`` sets ``discord.http.Route.BASE = fake.api_base_url`` and
``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)``; call
``undo()`` afterwards.

API (ids may be given as int or str; payloads use snowflake strings like Discord):

``FakeDiscord(*, bot_name, owner_name, token=None, heartbeat_interval_ms=41250,
interaction_deadline=None)``; ``async with`` starts/stops it.
    World setup (before the bot connects):
    ``add_guild(name, *, guild_id, channels=("general",), owner_id, everyone_permissions,
    bot_permissions) -> FakeGuild`` (``.id``, ``.channel_id(name)``, ``.role_id(name)``,
    ``.channels/.roles/.members``); ``add_channel``, ``add_user(username) -> FakeUser``,
    ``add_member(guild_id, user, roles=...)``, ``add_role(guild_id, name, permissions=...)``,
    ``dm_channel(user_id)``; ``bot``, ``owner`` (the application owner), ``application_id``.
    State: ``messages_in(channel_id)``, ``message(message_id)``, ``commands(guild_id=None)``.
    REST log: ``requests`` (list of :class:`RecordedRequest`: method, path, query, headers,
    json, files, status, response, injected, time), ``requests_to(method, path_regex,
    predicate, after=0)``, ``await wait_for_request(method, path_regex, predicate, count=1,
    after=0, timeout=5)``, ``unhandled`` (requests to routes the fake lacks).
    Faults: ``fail_next(method, path_regex, status, body=None, times=1, retry_after=None,
    is_global=False, headers=None) -> FaultRule``.
    Simulated users (return an :class:`InteractionHandle`): ``send_slash_command(guild_id,
    channel_id, user_id, "cmd group sub", {"opt": value}, permissions=None, scope="auto")``,
    ``send_autocomplete(..., options, focused="opt")``, ``send_component_interaction(guild_id,
    channel_id, user_id, message_id, custom_id, component_type=2, values=None)``,
    ``send_modal_submit(guild_id, channel_id, user_id, custom_id, {"field": "text"})``;
    ``guild_id=None`` means a DM. ``send_user_message(channel_id, user_id, content)``.
    Gateway: ``gateway_frames``, ``gateway_received(op)``, ``await wait_for_gateway(op,
    event=, direction="in", count=1, after=0)``, ``identify_count``, ``connected``,
    ``await dispatch(event, data)``, ``await dispatch_guild_create(guild_id)``,
    ``await close_gateway(code=4000, invalidate_session=None)``, ``await
    request_reconnect()``, ``await invalidate_session(resumable=False)``;
    ``gateway.ack_heartbeats = False`` simulates a zombie connection.

``InteractionHandle``: ``await response()`` (callback body ``{"type", "data"}``), ``await
followup(index)``, ``await original_edit(index)``, ``followups``, ``response_type``,
``original_message()``, ``payload`` (what was dispatched), ``id``, ``token``.

``running_client(fake, client, token="fake-token", ready_timeout=10,
fail_on_logged_errors=True)``: async context manager; logs in, connects, waits for on_ready,
closes the client at exit, and fails the test if discord.py logged an ERROR (exceptions in
commands/views/events are only logged by discord.py).

Behaviour worth knowing:

* Responses are ``Content-Type: application/json`` exactly (discord.py ignores bodies
  whose content type has ``; charset=...``) and carry ``Via`` (without it discord.py treats a
  429 as a Cloudflare ban). Errors are Discord-shaped (``{"message", "code"}``): 10003
  Unknown Channel, 10008 Unknown Message, 10015 Unknown Webhook, 10062 Unknown interaction,
  40060 already acknowledged, 50006 empty message, 50035 content over 2000 chars.
* ``POST /channels/{id}/messages`` with ``nonce`` and ``enforce_nonce`` (discord.py always
  sends both when given a nonce) returns the earlier message for a repeated nonce.
* Bot messages (not ephemeral ones) are echoed as MESSAGE_CREATE/UPDATE/DELETE when the
  IDENTIFY intents include guild/DM messages, as on Discord.
* A deferred response (type 5) creates a "loading" original; the first follow-up (or an edit
  of @original) fills it in, as on Discord.
* Slash-command scope: a command synced to the guild gets ``data.guild_id`` (discord.py
  needs it to find guild commands); an unsynced one is sent as global unless
  ``scope="guild"``.
* Not modelled: permission checks/overwrites (use ``fail_next(..., 403)``), mention
  parsing, threads, rate-limit buckets (use ``fail_next(..., 429)``), zstd compression.
"""

from .client import point_discord_at, running_client
from .interactions import InteractionHandle
from .records import FakeDiscordTimeout, FaultRule, GatewayFrame, RecordedRequest, UploadedFile
from .server import DEFAULT_BOT_PERMISSIONS, FakeDiscord
from .world import (
    ADMINISTRATOR,
    ALL_PERMISSIONS,
    DEFAULT_MEMBER_PERMISSIONS,
    MANAGE_GUILD,
    MANAGE_MESSAGES,
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeRole,
    FakeUser,
)

__all__ = [
    "ADMINISTRATOR",
    "ALL_PERMISSIONS",
    "DEFAULT_BOT_PERMISSIONS",
    "DEFAULT_MEMBER_PERMISSIONS",
    "MANAGE_GUILD",
    "MANAGE_MESSAGES",
    "FakeChannel",
    "FakeDiscord",
    "FakeDiscordTimeout",
    "FakeGuild",
    "FakeMember",
    "FakeRole",
    "FakeUser",
    "FaultRule",
    "GatewayFrame",
    "InteractionHandle",
    "RecordedRequest",
    "UploadedFile",
    "point_discord_at",
    "running_client",
]
