""":class:`FakeDiscord`: the REST API + gateway on 127.0.0.1, and the test-facing API."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from aiohttp import web

from .gateway import INVALID_SESSION, RECONNECT, Gateway
from .interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    MESSAGE_COMPONENT,
    MODAL_SUBMIT,
    InteractionHandle,
    Scope,
    command_data,
    modal_components,
    new_interaction,
)
from .ratelimits import RateLimits
from .records import (
    FakeDiscordTimeout,
    FaultRule,
    GatewayFrame,
    RecordedRequest,
    RequestPredicate,
)
from .rest import RestApi
from .world import (
    DEFAULT_MEMBER_PERMISSIONS,
    JSON,
    MANAGE_MESSAGES,
    MENTION_EVERYONE,
    PIN_MESSAGES,
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeRole,
    FakeUser,
    Snowflake,
    World,
    sid,
)

T = TypeVar("T")

#: What the bot's managed role may do unless ``add_guild(bot_permissions=...)`` says otherwise.
DEFAULT_BOT_PERMISSIONS = (
    DEFAULT_MEMBER_PERMISSIONS | MANAGE_MESSAGES | PIN_MESSAGES | MENTION_EVERYONE
)


class FakeDiscord:
    """A fake Discord (REST ``/api/v10`` + gateway websocket) on 127.0.0.1, random port.

    Use ``async with FakeDiscord() as fake:``; configure guilds before the bot connects.
    ``token``: if set, REST calls and IDENTIFY must use it (else 401 / close 4004); by
    default any token is accepted. ``interaction_deadline``: seconds after which an
    interaction callback is refused with 10062 Unknown interaction (real Discord's 3, the
    default); None disables the check. ``nonce_window``: seconds a message nonce is remembered
    (``enforce_nonce``: a repeat within it gets the first message back); None: forever.
    ``fail_on_refusals``: leaving the ``async with`` block raises AssertionError if the fake
    refused a body as Discord would (Invalid Form Body by its documented limits, an empty
    message) and the test did not ``take_refusals()``: a bot that swallows such an error
    (answers "something went wrong", classifies a failed send) still fails its test.
    """

    def __init__(
        self,
        *,
        bot_name: str = "Deadline Desk",
        owner_name: str = "owner",
        token: str | None = None,
        heartbeat_interval_ms: int = 41_250,
        interaction_deadline: float | None = 3.0,
        nonce_window: float | None = 300.0,
        fail_on_refusals: bool = True,
        rate_limits: RateLimits | None = None,
    ) -> None:
        self.world = World(bot_name=bot_name, owner_name=owner_name)
        self.token = token
        self.fail_on_refusals = fail_on_refusals
        self._changed = asyncio.Event()
        self._port: int | None = None
        self._runner: web.AppRunner | None = None
        self.gateway = Gateway(
            self.world,
            heartbeat_interval_ms=heartbeat_interval_ms,
            resume_url=lambda: self.resume_gateway_url,
            on_change=self._notify,
            token_ok=self._token_ok,
        )
        self.rest = RestApi(
            self.world,
            self.gateway,
            base_url=lambda: self.base_url,
            gateway_url=lambda: self.gateway_url,
            on_change=self._notify,
            token_ok=self._token_ok,
            interaction_deadline=interaction_deadline,
        )
        self.rest.nonce_window = nonce_window
        self.rest.rate_limits = rate_limits

    # -- lifecycle -----------------------------------------------------------------------------

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, exc_type: object, *exc_info: object) -> None:
        await self.stop()
        # Not over an exception already on its way: that one says more.
        if self.fail_on_refusals and exc_type is None and self.rest.refusals:
            refused = "\n  ".join(f"{r}: {r.response}" for r in self.rest.refusals)
            raise AssertionError(f"the fake refused bodies Discord would refuse:\n  {refused}")

    async def start(self) -> None:
        """Bind 127.0.0.1 on a free port and start serving."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", r"/api/v{version:\d+}/{path:.*}", self.rest.handle)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/resume-gateway", self.gateway.handle)
        app.router.add_get("/fake-cdn/{attachment_id}/{filename}", self._serve_file)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        # A handler is cancelled when its client goes away (a held answer, a killed bot).
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, handler_cancellation=True
        )
        await self._runner.setup()
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
        """Close gateway connections (1001) and stop the server. Close your bot first."""
        await self.gateway.shutdown()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- addresses -----------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        if self._port is None:
            raise RuntimeError("FakeDiscord is not started")
        return f"http://127.0.0.1:{self._port}"

    @property
    def api_base_url(self) -> str:
        """The value for ``discord.http.Route.BASE``."""
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        """The value for ``DiscordWebSocket.DEFAULT_GATEWAY`` (also what /gateway returns)."""
        return f"ws://127.0.0.1:{self._port}/gateway"

    @property
    def resume_gateway_url(self) -> str:
        """Sent in READY; a different path so tests can tell resumes from new sessions."""
        return f"ws://127.0.0.1:{self._port}/resume-gateway"

    # -- the world -----------------------------------------------------------------------------

    @property
    def bot(self) -> FakeUser:
        return self.world.bot

    @property
    def owner(self) -> FakeUser:
        """The application's owner (``Bot.is_owner`` is true for them); default guild owner."""
        return self.world.owner

    @property
    def application_id(self) -> str:
        return self.world.application_id

    def add_guild(
        self,
        name: str = "Test Guild",
        *,
        guild_id: Snowflake | None = None,
        channels: Iterable[str | Mapping[str, Any]] = ("general",),
        owner_id: Snowflake | None = None,
        everyone_permissions: int = DEFAULT_MEMBER_PERMISSIONS,
        bot_permissions: int = DEFAULT_BOT_PERMISSIONS,
    ) -> FakeGuild:
        """Add a guild with text channels (names, or dicts of FakeChannel fields).

        It gets an @everyone role (id == guild id), a managed role for the bot, and the bot
        and owner as members. Sent as GUILD_CREATE when the bot identifies; to add one to a
        connected bot, follow with ``await fake.dispatch_guild_create(guild.id)``.
        """
        return self.world.add_guild(
            name,
            guild_id=guild_id,
            owner_id=owner_id,
            channels=channels,
            everyone_permissions=everyone_permissions,
            bot_permissions=bot_permissions,
        )

    def add_channel(
        self,
        guild_id: Snowflake,
        name: str,
        *,
        channel_id: Snowflake | None = None,
        type: int = 0,
        topic: str | None = None,
    ) -> FakeChannel:
        """Add a channel to a guild (not announced to a connected bot; see ``dispatch``)."""
        return self.world.add_channel(guild_id, name, channel_id=channel_id, type=type, topic=topic)

    def add_attachment(
        self, filename: str, data: bytes, *, content_type: str | None = "text/csv"
    ) -> JSON:
        """A file a user attaches to a slash command's attachment option: pass its ``id`` as
        the option's value. The interaction then carries it in ``data.resolved.attachments``
        (Discord's attachment object: id, filename, size, url, proxy_url, content_type,
        ephemeral), and its ``url`` serves ``data``, as Discord's CDN does."""
        attachment_id = self.world.snowflakes.next()
        url = f"{self.base_url}/fake-cdn/{attachment_id}/{filename}"
        attachment: JSON = {
            "id": attachment_id,
            "filename": filename,
            "size": len(data),
            "url": url,
            "proxy_url": url,
            "ephemeral": True,
        }
        if content_type is not None:
            attachment["content_type"] = content_type
        self.world.attachments[attachment_id] = attachment
        self.world.files[attachment_id] = (data, content_type)
        return attachment

    async def _serve_file(self, request: web.Request) -> web.StreamResponse:
        found = self.world.files.get(request.match_info["attachment_id"])
        if found is None:
            return web.Response(status=404, text="404: Not Found")
        data, content_type = found
        return web.Response(
            body=data, headers={"Content-Type": content_type or "application/octet-stream"}
        )

    def add_user(
        self, username: str, *, user_id: Snowflake | None = None, bot: bool = False
    ) -> FakeUser:
        """Add a user (not a member of anything yet)."""
        return self.world.add_user(username, user_id=user_id, bot=bot)

    def add_member(
        self,
        guild_id: Snowflake,
        user: Snowflake | FakeUser,
        *,
        roles: Iterable[Snowflake | FakeRole] = (),
        nick: str | None = None,
    ) -> FakeMember:
        """Make a user (created if the id is unknown) a member of a guild."""
        user_id = user.id if isinstance(user, FakeUser) else user
        role_ids = [r.id if isinstance(r, FakeRole) else r for r in roles]
        return self.world.add_member(guild_id, user_id, roles=role_ids, nick=nick)

    def add_role(
        self,
        guild_id: Snowflake,
        name: str,
        *,
        permissions: int = 0,
        role_id: Snowflake | None = None,
        mentionable: bool = False,
    ) -> FakeRole:
        """Add a role to a guild."""
        role = self.world.add_role(guild_id, name, permissions=permissions, role_id=role_id)
        role.mentionable = mentionable
        return role

    def set_overwrite(
        self, channel_id: Snowflake, target: Snowflake | FakeRole | FakeUser, *,
        allow: int = 0, deny: int = 0,
    ) -> None:  # fmt: skip
        """Set a channel's permission overwrite for a role or a member (a FakeUser or a
        member's id); allow = deny = 0 removes it. Announce it to a connected bot with
        ``await fake.dispatch_channel_update(channel_id)``."""
        if isinstance(target, FakeRole):
            self.world.set_overwrite(channel_id, target.id, allow=allow, deny=deny)
            return
        target_id = target.id if isinstance(target, FakeUser) else sid(target)
        is_role = any(target_id in g.roles for g in self.world.guilds.values())
        self.world.set_overwrite(channel_id, target_id, member=not is_role, allow=allow, deny=deny)

    async def dispatch_channel_update(self, channel_id: Snowflake) -> None:
        """Send CHANNEL_UPDATE with the channel as it is now (its overwrites included)."""
        channel = self.world.channels[sid(channel_id)]
        await self.dispatch("CHANNEL_UPDATE", channel.payload(self.world))

    def dm_channel(self, user_id: Snowflake) -> FakeChannel:
        """The bot's DM channel with a user (created on first use)."""
        return self.world.dm_channel(user_id)

    def messages_in(self, channel_id: Snowflake) -> list[JSON]:
        """Messages currently stored in a channel (oldest first, deleted ones gone)."""
        return self.world.messages_in(channel_id)

    def message(self, message_id: Snowflake) -> JSON:
        """A stored message payload (KeyError if unknown or deleted)."""
        return self.world.messages[sid(message_id)]

    def commands(self, guild_id: Snowflake | None = None) -> dict[str, JSON]:
        """Registered application commands of a guild (or global), keyed by name."""
        scope = sid(guild_id) if guild_id is not None else None
        return {c["name"]: c for c in self.world.commands.get(scope, {}).values()}

    # -- REST recording and faults ------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every REST request answered so far, in order."""
        return self.rest.requests

    @property
    def refusals(self) -> list[RecordedRequest]:
        """Requests refused for their body (400 Invalid Form Body by Discord's documented
        limits, 50006 empty message), in order; injected faults are not among them."""
        return self.rest.refusals

    def take_refusals(self) -> list[RecordedRequest]:
        """The refusals so far, forgotten: a test that meant them takes them, so that
        ``fail_on_refusals`` does not fail it."""
        taken = list(self.rest.refusals)
        self.rest.refusals.clear()
        return taken

    @property
    def unhandled(self) -> list[RecordedRequest]:
        """Requests for routes the fake does not implement (answered 404)."""
        return self.rest.unhandled

    def requests_to(
        self,
        method: str | None,
        path: str,
        predicate: RequestPredicate | None = None,
        *,
        after: int = 0,
    ) -> list[RecordedRequest]:
        """Recorded requests whose method matches (None/"*" = any) and ``path`` regex
        fully matches (paths look like ``/channels/123/messages``), from index ``after``."""
        return [
            r
            for r in self.rest.requests[after:]
            if r.matches(method, path) and (predicate is None or predicate(r))
        ]

    async def wait_for_request(
        self,
        method: str | None,
        path: str,
        predicate: RequestPredicate | None = None,
        *,
        count: int = 1,
        after: int = 0,
        timeout: float = 5.0,
    ) -> RecordedRequest:
        """The ``count``-th matching request (see ``requests_to``), waiting for it if needed.

        Use ``after=len(fake.requests)`` taken before an action to ignore earlier traffic.
        Raises FakeDiscordTimeout (an AssertionError) listing recent requests.
        """

        def find() -> RecordedRequest | None:
            found = self.requests_to(method, path, predicate, after=after)
            return found[count - 1] if len(found) >= count else None

        def explain() -> str:
            seen = "\n  ".join(str(r) for r in self.rest.requests[-25:]) or "(none)"
            return f"no {count}x {method} {path} within {timeout}s; recent requests:\n  {seen}"

        return await self._wait_for(find, timeout, explain)

    async def wait_for_path(
        self, method: str, path: str, *, count: int = 1, timeout: float = 5.0
    ) -> RecordedRequest:
        """The ``count``-th request to exactly ``method`` + ``path`` (a literal path, no
        regex), waiting for it if needed: like ``wait_for_request`` but looked up by path,
        so thousands of waiters cost nothing per request (``bench/load.py``)."""
        key = (method.upper(), path)
        try:
            async with asyncio.timeout(timeout):
                while True:
                    found = self.rest.by_path.get(key, [])
                    if len(found) >= count:
                        return found[count - 1]
                    waiter = asyncio.get_running_loop().create_future()
                    self.rest.path_waiters.setdefault(key, []).append(waiter)
                    await waiter
        except TimeoutError:
            seen = "\n  ".join(str(r) for r in self.rest.requests[-25:]) or "(none)"
            raise FakeDiscordTimeout(
                f"no {count}x {method} {path} within {timeout}s; recent requests:\n  {seen}"
            ) from None

    def fail_next(
        self,
        method: str | None,
        path: str,
        status: int,
        body: Any = None,
        *,
        times: int = 1,
        retry_after: float | None = None,
        is_global: bool = False,
        headers: Mapping[str, str] | None = None,
        handled: bool = False,
        delay: float = 0.0,
    ) -> FaultRule:
        """Answer the next ``times`` matching requests with ``status`` instead of handling them.

        ``body`` defaults to a Discord-shaped error (403 -> 50013 Missing Permissions, ...).
        For 429 the body has ``retry_after`` (default 0.1 s) and ``global``, and the
        X-RateLimit-* / Retry-After headers are set. Injected answers are recorded with
        ``injected=True``; the returned rule's ``hits``/``remaining`` show its use.
        ``handled``: carry the request out first, replacing only its answer; ``delay``: hold
        the answer that many seconds (with ``handled``: posted, then no answer for a while).
        """
        rule = FaultRule(
            method=method,
            path=path,
            status=status,
            body=body,
            remaining=times,
            retry_after=retry_after,
            is_global=is_global,
            headers=dict(headers or {}),
            handled=handled,
            delay=delay,
        )
        self.rest.faults.append(rule)
        return rule

    # -- gateway ---------------------------------------------------------------------------------

    @property
    def gateway_frames(self) -> list[GatewayFrame]:
        """Every gateway payload received ("in") and sent ("out"), in order."""
        return self.gateway.frames

    def gateway_received(self, op: int | None = None) -> list[GatewayFrame]:
        """Payloads the client sent, optionally only opcode ``op`` (2 IDENTIFY, 6 RESUME...)."""
        return [
            f for f in self.gateway.frames if f.direction == "in" and (op is None or f.op == op)
        ]

    async def wait_for_gateway(
        self,
        op: int | None = None,
        *,
        event: str | None = None,
        direction: str = "in",
        count: int = 1,
        after: int = 0,
        timeout: float = 5.0,
    ) -> GatewayFrame:
        """The ``count``-th gateway frame in ``direction`` with this ``op``/``event`` (from
        index ``after`` of ``gateway_frames``), waiting for it if needed."""

        def find() -> GatewayFrame | None:
            found = [
                f
                for f in self.gateway.frames[after:]
                if f.direction == direction
                and (op is None or f.op == op)
                and (event is None or f.event == event)
            ]
            return found[count - 1] if len(found) >= count else None

        def explain() -> str:
            seen = ", ".join(
                f"{f.direction}:{f.op}{':' + f.event if f.event else ''}"
                for f in self.gateway.frames[-30:]
            )
            return f"no {count}x {direction} op={op} event={event} in {timeout}s; saw {seen}"

        return await self._wait_for(find, timeout, explain)

    @property
    def identify_count(self) -> int:
        """How many IDENTIFYs (new sessions) the client has sent."""
        return len(self.gateway_received(2))

    @property
    def session_id(self) -> str | None:
        """The current gateway session's id (None before the first IDENTIFY)."""
        return self.gateway.current.id if self.gateway.current else None

    @property
    def connected(self) -> bool:
        """True while a session has a live websocket."""
        current = self.gateway.current
        return current is not None and current.connection is not None

    async def dispatch(self, event: str, data: JSON) -> int:
        """Send any DISPATCH event (e.g. "CHANNEL_CREATE") to the bot; returns its seq."""
        return await self.gateway.dispatch(event, data)

    async def dispatch_guild_create(self, guild_id: Snowflake) -> None:
        """Announce a guild added after the bot connected (the bot "joins" it)."""
        guild = self.world.guilds[sid(guild_id)]
        await self.gateway.dispatch("GUILD_CREATE", guild.create_payload(self.world))

    async def close_gateway(
        self, code: int = 4000, *, invalidate_session: bool | None = None
    ) -> None:
        """Close the bot's websocket with ``code``. discord.py then reconnects and RESUMEs,
        except for codes it treats as fatal (4004, 4010-4014) or a client-initiated 1000.

        ``invalidate_session`` (default: only for codes like 4009 after which Discord
        refuses resumes) makes the RESUME fail with INVALID_SESSION, forcing a new IDENTIFY.
        Events dispatched while disconnected are replayed on RESUME.
        """
        await self.gateway.close(code, invalidate_session=invalidate_session)

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT: the client should reconnect and RESUME."""
        await self.gateway.send_op(RECONNECT)

    async def invalidate_session(self, *, resumable: bool = False) -> None:
        """Send op 9 INVALID_SESSION (``d`` = ``resumable``)."""
        await self.gateway.send_op(INVALID_SESSION, resumable)

    # -- simulated users ------------------------------------------------------------------------

    async def send_slash_command(
        self,
        guild_id: Snowflake | None,
        channel_id: Snowflake | None,
        user_id: Snowflake,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        permissions: int | str | None = None,
        locale: str = "en-US",
        scope: Scope = "auto",
    ) -> InteractionHandle:
        """A user runs ``/name`` ("deadline add": command, group and subcommand separated by
        spaces) with ``options`` (option name -> value; ids for user/channel/role options).

        ``guild_id`` None = in the user's DM with the bot (``channel_id`` None = that DM).
        ``permissions`` = the member's permission bits (default: from the guild's roles;
        the owner has all). ``scope``: see :func:`command_data`. Returns a handle to await
        the bot's response.
        """
        gid = sid(guild_id) if guild_id is not None else None
        data = command_data(
            self.world, name, options, guild_id=gid, scope=scope, invoker=sid(user_id),
            channel_id=sid(channel_id) if channel_id is not None else None,
        )  # fmt: skip
        return await self._interact(
            APPLICATION_COMMAND, data, gid, channel_id, user_id, permissions, locale
        )

    async def send_message_command(
        self,
        guild_id: Snowflake,
        channel_id: Snowflake,
        user_id: Snowflake,
        name: str,
        message_id: Snowflake,
        *,
        permissions: int | str | None = None,
    ) -> InteractionHandle:
        """A user picks the message command ``name`` ("Apps" > name) on a message. As on
        Discord, it must be registered, and the target message comes whole in ``resolved``
        (its content even without the Message Content intent)."""
        gid = sid(guild_id)
        found = self.world.find_command(name, gid, kind=3)
        if found is None:
            raise ValueError(f"no message command {name!r} is registered")
        scope, command = found
        message = self.message(message_id)
        data: JSON = {
            "id": command["id"], "name": name, "type": 3, "target_id": message["id"],
            "resolved": {"messages": {message["id"]: message}},
        }  # fmt: skip
        if scope is not None:
            data["guild_id"] = scope
        return await self._interact(
            APPLICATION_COMMAND, data, gid, channel_id, user_id, permissions, "en-US"
        )

    async def send_autocomplete(
        self,
        guild_id: Snowflake | None,
        channel_id: Snowflake | None,
        user_id: Snowflake,
        name: str,
        options: Mapping[str, Any],
        focused: str,
        *,
        permissions: int | str | None = None,
        locale: str = "en-US",
        scope: Scope = "auto",
    ) -> InteractionHandle:
        """A user is typing option ``focused`` of ``/name``; the bot should answer with
        type 8 and ``data.choices``."""
        gid = sid(guild_id) if guild_id is not None else None
        data = command_data(
            self.world, name, options, guild_id=gid, scope=scope, focused=focused,
            invoker=sid(user_id), channel_id=sid(channel_id) if channel_id is not None else None,
        )  # fmt: skip
        return await self._interact(
            AUTOCOMPLETE, data, gid, channel_id, user_id, permissions, locale
        )

    async def send_component_interaction(
        self,
        guild_id: Snowflake | None,
        channel_id: Snowflake | None,
        user_id: Snowflake,
        message_id: Snowflake,
        custom_id: str,
        component_type: int = 2,
        *,
        values: list[str] | None = None,
        permissions: int | str | None = None,
        locale: str = "en-US",
        as_seen: JSON | None = None,
    ) -> InteractionHandle:
        """A user clicks button ``custom_id`` (or picks ``values`` in a select menu,
        ``component_type`` 3/5/6/7/8) on stored message ``message_id`` (``channel_id`` None =
        the message's channel). ``as_seen``: the message as the user's client showed it when
        they clicked (Discord sends that copy; two members clicking at once both send the
        message before either click's edit); default, the message as stored now."""
        message = as_seen if as_seen is not None else self.message(message_id)
        data: JSON = {"custom_id": custom_id, "component_type": component_type}
        if values is not None:
            data["values"] = list(values)
        gid = sid(guild_id) if guild_id is not None else None
        return await self._interact(
            MESSAGE_COMPONENT, data, gid, channel_id, user_id, permissions, locale, message
        )

    async def send_modal_submit(
        self,
        guild_id: Snowflake | None,
        channel_id: Snowflake | None,
        user_id: Snowflake,
        custom_id: str,
        values: Mapping[str, str],
        *,
        message_id: Snowflake | None = None,
        permissions: int | str | None = None,
        locale: str = "en-US",
    ) -> InteractionHandle:
        """A user submits modal ``custom_id`` with text inputs ``values`` (custom_id -> text),
        shaped as the modal was sent: inputs in Label components come back in labels, those
        in action rows in rows (as Discord does)."""
        data: JSON = {
            "custom_id": custom_id,
            "components": modal_components(values, labelled=self._modal_labelled(custom_id)),
        }
        message = self.message(message_id) if message_id is not None else None
        gid = sid(guild_id) if guild_id is not None else None
        return await self._interact(
            MODAL_SUBMIT, data, gid, channel_id, user_id, permissions, locale, message
        )

    def _modal_labelled(self, custom_id: str) -> bool:
        """Whether the last modal the bot opened with this custom id used Label components."""
        for request in reversed(self.requests):
            body = request.json
            if not (isinstance(body, dict) and body.get("type") == 9):
                continue
            modal = body.get("data") or {}
            if modal.get("custom_id") == custom_id:
                return any(c.get("type") == 18 for c in modal.get("components") or [])
        return False

    async def send_user_message(
        self, channel_id: Snowflake, user_id: Snowflake, content: str
    ) -> JSON:
        """A user posts ``content`` in a channel: stored, and sent as MESSAGE_CREATE."""
        user = self.world.user(user_id)
        message = self.world.create_message(
            sid(channel_id), {"content": content}, author_id=user.id
        )
        guild_id = message.get("guild_id")
        if guild_id is not None:
            guild = self.world.guilds[guild_id]
            member = self.world.member_payload(guild, user.id)
            member.pop("user")
            message["member"] = member
        await self.gateway.dispatch_message_event("MESSAGE_CREATE", message)
        return message

    async def _interact(
        self,
        kind: int,
        data: JSON,
        guild_id: str | None,
        channel_id: Snowflake | None,
        user_id: Snowflake,
        permissions: int | str | None,
        locale: str,
        message: JSON | None = None,
    ) -> InteractionHandle:
        if channel_id is None and message is not None:
            channel_id = message["channel_id"]
        record, payload = new_interaction(
            self.world,
            type=kind,
            data=data,
            guild_id=guild_id,
            channel_id=sid(channel_id) if channel_id is not None else None,
            user_id=sid(user_id),
            permissions=permissions,
            locale=locale,
            message=message,
        )
        await self.gateway.dispatch("INTERACTION_CREATE", payload)
        return InteractionHandle(self, record, payload)

    # -- internals -----------------------------------------------------------------------------

    def _token_ok(self, token: str | None) -> bool:
        return self.token is None or token == self.token

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_for(
        self, find: Callable[[], T | None], timeout: float, explain: Callable[[], str]
    ) -> T:
        try:
            async with asyncio.timeout(timeout):
                while True:
                    changed = self._changed
                    found = find()
                    if found is not None:
                        return found
                    await changed.wait()
        except TimeoutError:
            raise FakeDiscordTimeout(explain()) from None
