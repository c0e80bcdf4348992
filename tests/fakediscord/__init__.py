"""A fake Discord (REST + gateway) on 127.0.0.1 for end-to-end tests of the real discord.py.

The bot under test runs unmodified and in-process against an aiohttp server that speaks enough
of Discord's API v10 and gateway protocol for slash commands, autocomplete, buttons, modals,
messages, pins, nonces, reconnects and injected failures. Nothing leaves the machine.

Import it as ``fakediscord`` (``tests/`` is on ``sys.path`` via ``tests/conftest.py``, as for
``support``)::

    from fakediscord import FakeDiscord, running_client

    async def test_echo() -> None:
        async with FakeDiscord() as fake:
            guild = fake.add_guild("Newsroom", channels=["general", "alerts"])
            alice = fake.add_user("alice")
            fake.add_member(guild.id, alice)
            bot = MyBot(intents=discord.Intents.default(), guild_ready_timeout=0.1)
            async with running_client(fake, bot):
                general = guild.channel_id("general")
                handle = await fake.send_slash_command(
                    guild.id, general, alice.id, "demo echo", {"text": "hi"}
                )
                response = await handle.response()
                assert response["type"] == 4
                assert response["data"]["flags"] & 64  # ephemeral
                sent = await fake.wait_for_request("POST", rf"/channels/{general}/messages")
                assert sent.json["allowed_mentions"] == {"parse": []}

Close the bot before the fake (nest ``running_client`` inside ``FakeDiscord``).

Pointing discord.py at the fake: ``running_client`` does it for its block; by hand,
``undo = point_discord_at(fake)`` sets ``discord.http.Route.BASE = fake.api_base_url`` and
``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)``; call
``undo()`` afterwards.

API. Ids may be passed as int or str; payloads use snowflake strings, like Discord. Paths in
``path`` arguments are regexes matched in full against the path after ``/api/v10`` without the
query, e.g. ``rf"/channels/{cid}/messages"``.

``FakeDiscord(*, bot_name="Deadline Desk", owner_name="owner", token=None,
heartbeat_interval_ms=41250, interaction_deadline=3.0, nonce_window=300,
fail_on_refusals=True, rate_limits=None)``; ``async with`` starts and stops it.

* World (set up before the bot connects): ``add_guild(name, *, guild_id, channels=("general",),
  owner_id, everyone_permissions, bot_permissions) -> FakeGuild`` (``.id``,
  ``.channel_id(name)``, ``.role_id(name)``, ``.channels``/``.roles``/``.members`` dicts);
  ``add_channel(guild_id, name)``, ``add_user(username) -> FakeUser``, ``add_member(guild_id,
  user, roles=())``, ``add_role(guild_id, name, permissions=0) -> FakeRole``,
  ``dm_channel(user_id)``; ``bot`` / ``owner`` (application owner) / ``application_id``;
  ``add_attachment(filename, data, content_type="text/csv") -> JSON`` (a file for an
  attachment option: pass its ``"id"``; resolved in the interaction, served at its ``url``).
* State: ``messages_in(channel_id)`` (history, no ephemerals), ``message(message_id)``,
  ``commands(guild_id=None)`` (registered commands by name), ``world`` (everything).
* REST log: ``requests`` (:class:`RecordedRequest`: ``method, path, query, headers, json,
  files, status, response, injected, time``), ``requests_to(method, path, predicate=None,
  after=0)``, ``await wait_for_request(method, path, predicate=None, count=1, after=0,
  timeout=5)`` (counts past requests too; ``after=len(fake.requests)`` ignores them),
  ``unhandled`` (requests to routes the fake lacks, answered 404), ``refusals`` /
  ``take_refusals()`` (requests refused for their body; see below).
* Faults: ``fail_next(method, path, status, body=None, times=1, retry_after=None,
  is_global=False, headers=None) -> FaultRule``.
* Simulated users, each returning an :class:`InteractionHandle` (``guild_id=None`` = in the
  user's DM): ``send_slash_command(guild_id, channel_id, user_id, "cmd [group] sub",
  {"opt": value}, permissions=None, scope="auto")``, ``send_autocomplete(guild_id, channel_id,
  user_id, name, options, focused)``, ``send_component_interaction(guild_id, channel_id,
  user_id, message_id, custom_id, component_type=2, values=None)``,
  ``send_modal_submit(guild_id, channel_id, user_id, custom_id, {"input_id": "text"})``.
  ``send_user_message(channel_id, user_id, content)`` posts as a user (MESSAGE_CREATE).
* Gateway: ``gateway_frames`` / ``gateway_received(op)`` (:class:`GatewayFrame`), ``await
  wait_for_gateway(op, event=None, direction="in", count=1, after=0)``, ``identify_count``,
  ``session_id``, ``connected``, ``await dispatch(event, data)``, ``await
  dispatch_guild_create(guild_id)``, ``await close_gateway(code=4000,
  invalidate_session=None)``, ``await request_reconnect()`` (op 7), ``await
  invalidate_session(resumable=False)`` (op 9); ``gateway.ack_heartbeats = False`` makes a
  zombie connection; ``gateway.connections[i].path`` is ``/gateway`` or ``/resume-gateway``.

``InteractionHandle``: ``await response()`` (first callback body, ``{"type", "data"}``),
``await followup(index=0)``, ``await original_edit(index=0)``, ``followups``,
``response_type``, ``original_message()``, ``payload`` (the INTERACTION_CREATE sent),
``id``, ``token``.

``running_client(fake, client, *, token="fake-token", ready_timeout=10,
fail_on_logged_errors=True, skip_reidentify_delay=False)``: logs in, connects, waits for
on_ready, and closes the client on exit; fails the test if discord.py logged an ERROR (it only
logs exceptions raised in commands, views and event handlers). An application that logs its
client in itself, with other parts around it, uses ``with pointed_at(fake):`` and ``async
with connected(client, close=...)`` (connect, wait for on_ready, then ``close()`` on exit).

Behaviour worth knowing:

* Responses have ``Content-Type: application/json`` exactly (discord.py ignores a body whose
  type has ``; charset=...``) and a ``Via`` header (without it discord.py treats a 429 as a
  Cloudflare ban). Errors are Discord-shaped ``{"message", "code"}``: 10003 Unknown Channel,
  10008 Unknown Message, 10015 Unknown Webhook, 10062 Unknown interaction, 40060 already
  acknowledged, 50006 empty message, 50035 Invalid Form Body.
* Bodies are held to Discord's documented limits (``limits.py``: messages, embeds,
  components, allowed_mentions, nonces, modals, autocomplete results; ``command_limits.py``:
  command registration), each citing its page of discord-api-docs. A body over one is
  refused 400 ``{"code": 50035, "message": "Invalid Form Body", "errors": {...}}`` with the
  nested errors Discord sends, e.g. ``{"data": {"components": {"0": {"components": {"0":
  {"label": {"_errors": [{"code": "BASE_TYPE_BAD_LENGTH", ...}]}}}}}}}``; a refused
  interaction callback leaves the interaction unanswered. Since a bot may swallow such an
  error, leaving ``async with FakeDiscord()`` fails the test when any body was refused
  (``fail_on_refusals``), unless the test took them with ``take_refusals()``.
* ``POST /channels/{id}/messages`` with ``enforce_nonce`` returns the earlier message for a
  repeated nonce. discord.py sends a random nonce with ``enforce_nonce`` on every send, so only
  a nonce the bot chooses itself deduplicates.
* Bot messages (not ephemeral ones) are echoed as MESSAGE_CREATE/UPDATE/DELETE when the
  IDENTIFY intents include guild/DM messages, as on Discord.
* A deferred response (type 5) creates a "loading" original; the first follow-up or an edit
  of ``@original`` fills it in, as on Discord.
* Slash-command scope: a command synced to the guild gets ``data.guild_id`` (discord.py needs
  it to find guild commands); a command never synced is sent as global unless
  ``scope="guild"``.
* Events dispatched while the bot is disconnected are replayed when it RESUMEs. Closing with
  4009 (or ``invalidate_session=True``) makes the RESUME fail, forcing a new IDENTIFY, before
  which discord.py sleeps 5 s unless ``skip_reidentify_delay=True``.
* discord.py retries a 500/502/504 after 1 s (then 3 s, 5 s ...), and a 429 after
  ``retry_after``.
* Channel permission overwrites are modelled (`set_overwrite`, then `dispatch_channel_update`):
  the bot needs Send Messages to post and Pin Messages to pin (403 otherwise), and the
  member and app permissions in interactions include overwrites.
* Rate limits (``rate_limits=RateLimits()``, off by default): 50 requests a second per bot
  (interaction callbacks and webhooks exempt) and 5 Create Message per 5 s per channel, with
  Discord's X-RateLimit-* headers and 429 ``{"retry_after", "global"}``; discord.py waits
  them out itself. ``fake.rest.rate_limits.hits`` counts the 429s by scope.
* Not modelled: other permission checks (inject 403s), mention parsing, threads, other
  routes' buckets (inject 429s), zstd transport compression (answered uncompressed).
"""

from .client import connected, point_discord_at, pointed_at, running_client
from .interactions import InteractionHandle
from .ratelimits import RateLimits
from .records import FakeDiscordTimeout, FaultRule, GatewayFrame, RecordedRequest, UploadedFile
from .server import DEFAULT_BOT_PERMISSIONS, FakeDiscord
from .world import (
    ADMINISTRATOR,
    ALL_PERMISSIONS,
    DEFAULT_MEMBER_PERMISSIONS,
    MANAGE_GUILD,
    MANAGE_MESSAGES,
    MENTION_EVERYONE,
    PIN_MESSAGES,
    SEND_MESSAGES,
    VIEW_CHANNEL,
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
    "MENTION_EVERYONE",
    "PIN_MESSAGES",
    "SEND_MESSAGES",
    "VIEW_CHANNEL",
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
    "RateLimits",
    "RecordedRequest",
    "UploadedFile",
    "connected",
    "point_discord_at",
    "pointed_at",
    "running_client",
]
