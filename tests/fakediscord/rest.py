"""The fake REST API under ``/api/v10``: routing, recording, fault injection, handlers.

Every response carries ``Content-Type: application/json`` exactly (discord.py's ``json_or_text``
compares the header verbatim, so aiohttp's ``json_response`` with its ``; charset=utf-8`` would
make discord.py see a string) and ``Via: 1.1 google`` (discord.py treats a 429 *without* a
``Via`` header as a Cloudflare ban and raises instead of retrying).
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from aiohttp import web
from multidict import CIMultiDict

from .command_limits import command_errors, commands_errors
from .gateway import MESSAGE_CONTENT, Gateway
from .limits import autocomplete_errors, callback_type_errors, message_errors, modal_errors
from .ratelimits import RateLimits
from .records import FaultRule, RecordedRequest, UploadedFile
from .world import (
    DM,
    FLAG_EPHEMERAL,
    FLAG_LOADING,
    JSON,
    PIN_MESSAGES,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    VIEW_CHANNEL,
    Interaction,
    World,
)

log = logging.getLogger(__name__)

APPLICATION_COMMAND = 2
# Interaction callback types.
CHANNEL_MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE = 4, 5, 6, 7
AUTOCOMPLETE_RESULT, MODAL = 8, 9


@dataclass
class Reply:
    """A handler's answer. ``body`` None with status 204 means "no content"."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    #: A body Discord would refuse (Invalid Form Body, empty message): see ``RestApi.refusals``.
    refusal: bool = False


def error(status: int, message: str, code: int, errors: JSON | None = None) -> Reply:
    """A Discord-shaped error reply."""
    body: JSON = {"message": message, "code": code}
    if errors:
        body["errors"] = errors
    return Reply(status, body)


def invalid_form(errors: JSON | None) -> Reply | None:
    """400 Invalid Form Body (50035) with Discord's nested ``errors``; None if there are none."""
    if not errors:
        return None
    return replace(error(400, "Invalid Form Body", 50035, errors), refusal=True)


NO_CONTENT = Reply(204)

_DEFAULT_ERRORS: dict[int, tuple[str, int]] = {
    400: ("400: Bad Request", 0),
    401: ("401: Unauthorized", 0),
    403: ("Missing Permissions", 50013),
    404: ("404: Not Found", 0),
    405: ("405: Method Not Allowed", 0),
    500: ("500: Internal Server Error", 0),
    502: ("502: Bad Gateway", 0),
    503: ("503: Service Unavailable", 0),
    504: ("504: Gateway Timeout", 0),
}


def fault_reply(rule: FaultRule, method: str, path: str) -> Reply:
    """The reply a fault rule produces, with rate-limit headers for 429."""
    headers = dict(rule.headers)
    if rule.status == 429:
        retry_after = 0.1 if rule.retry_after is None else rule.retry_after
        body = rule.body or {
            "message": "You are being rate limited.",
            "retry_after": retry_after,
            "global": rule.is_global,
        }
        template = re.sub(r"\d{5,}", "{id}", path)
        headers = {
            "Retry-After": str(math.ceil(retry_after)),
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
            "X-RateLimit-Reset-After": f"{retry_after:.3f}",
            "X-RateLimit-Bucket": f"fake-{abs(hash((method, template))):x}",
            "X-RateLimit-Scope": "global" if rule.is_global else "user",
            **({"X-RateLimit-Global": "true"} if rule.is_global else {}),
            **headers,
        }
        return Reply(429, body, headers)
    message, code = _DEFAULT_ERRORS.get(rule.status, (f"{rule.status}: Error", 0))
    body = rule.body if rule.body is not None else {"message": message, "code": code}
    return Reply(rule.status, body, headers)


@dataclass
class Incoming:
    """A parsed request as handlers see it."""

    method: str
    path: str
    query: Mapping[str, str]
    json: Any
    files: list[UploadedFile]


Handler = Callable[[Incoming, dict[str, str]], Awaitable[Reply]]

_PARAM = re.compile(r"\{(\w+)\}")


def _compile(template: str) -> re.Pattern[str]:
    """``/channels/{channel}/messages`` -> regex with named groups (``token`` = any segment)."""

    def group(match: re.Match[str]) -> str:
        name = match.group(1)
        body = r"[^/]+" if name == "token" else r"\d+"
        return f"(?P<{name}>{body})"

    return re.compile(
        _PARAM.sub(group, re.escape(template).replace(r"\{", "{").replace(r"\}", "}"))
    )


class RestApi:
    """Routes, records and answers REST calls. Owned by :class:`FakeDiscord`."""

    def __init__(
        self,
        world: World,
        gateway: Gateway,
        *,
        base_url: Callable[[], str],
        gateway_url: Callable[[], str],
        on_change: Callable[[], None],
        token_ok: Callable[[str | None], bool],
        interaction_deadline: float | None,
    ) -> None:
        self.world = world
        self.gateway = gateway
        self.requests: list[RecordedRequest] = []
        self.unhandled: list[RecordedRequest] = []
        #: Requests refused for their body (limits, empty messages), not by injected faults.
        self.refusals: list[RecordedRequest] = []
        self.faults: list[FaultRule] = []
        #: The same requests by exact (method, path), and who waits for one: a waiter on one
        #: path costs O(1) per request, not a rescan of the whole log (bench/load.py has
        #: thousands of interactions in flight).
        self.by_path: dict[tuple[str, str], list[RecordedRequest]] = {}
        self.path_waiters: dict[tuple[str, str], list[asyncio.Future[None]]] = {}
        self.interaction_deadline = interaction_deadline
        #: Discord's rate limits (global, per-channel Create Message), or None: unlimited.
        self.rate_limits: RateLimits | None = None
        #: Seconds a nonce is remembered (Discord: "the past few minutes", not documented
        #: exactly); None: forever.
        self.nonce_window: float | None = 300.0
        self._base_url = base_url
        self._gateway_url = gateway_url
        self._on_change = on_change
        self._token_ok = token_ok
        # (method, template, handler, needs bot auth)
        table: list[tuple[str, str, Handler, bool]] = [
            ("GET", "/gateway", self.get_gateway, False),
            ("GET", "/gateway/bot", self.get_gateway_bot, True),
            ("GET", "/users/@me", self.get_me, True),
            ("GET", "/users/{user}", self.get_user, True),
            ("POST", "/users/@me/channels", self.create_dm, True),
            ("GET", "/oauth2/applications/@me", self.get_application, True),
            ("GET", "/applications/@me", self.get_application, True),
            ("GET", "/applications/{app}/commands", self.get_commands, True),
            ("PUT", "/applications/{app}/commands", self.put_commands, True),
            ("POST", "/applications/{app}/commands", self.post_command, True),
            ("GET", "/applications/{app}/guilds/{guild}/commands", self.get_commands, True),
            ("PUT", "/applications/{app}/guilds/{guild}/commands", self.put_commands, True),
            ("POST", "/applications/{app}/guilds/{guild}/commands", self.post_command, True),
            ("POST", "/interactions/{interaction}/{token}/callback", self.callback, False),
            ("GET", "/webhooks/{app}/{token}", self.get_webhook, False),
            ("POST", "/webhooks/{app}/{token}", self.execute_webhook, False),
            ("PATCH", "/webhooks/{app}/{token}", self.get_webhook, False),
            ("DELETE", "/webhooks/{app}/{token}", self.no_content, False),
            ("GET", "/webhooks/{app}/{token}/messages/@original", self.get_wh_msg, False),
            ("PATCH", "/webhooks/{app}/{token}/messages/@original", self.edit_wh_msg, False),
            ("DELETE", "/webhooks/{app}/{token}/messages/@original", self.delete_wh_msg, False),
            ("GET", "/webhooks/{app}/{token}/messages/{message}", self.get_wh_msg, False),
            ("PATCH", "/webhooks/{app}/{token}/messages/{message}", self.edit_wh_msg, False),
            ("DELETE", "/webhooks/{app}/{token}/messages/{message}", self.delete_wh_msg, False),
            ("GET", "/channels/{channel}", self.get_channel, True),
            ("POST", "/channels/{channel}/typing", self.typing, True),
            ("GET", "/channels/{channel}/messages", self.list_messages, True),
            ("POST", "/channels/{channel}/messages", self.send_message, True),
            ("GET", "/channels/{channel}/messages/pins", self.list_pins_new, True),
            ("PUT", "/channels/{channel}/messages/pins/{message}", self.pin, True),
            ("DELETE", "/channels/{channel}/messages/pins/{message}", self.unpin, True),
            ("GET", "/channels/{channel}/pins", self.list_pins_old, True),
            ("PUT", "/channels/{channel}/pins/{message}", self.pin, True),
            ("DELETE", "/channels/{channel}/pins/{message}", self.unpin, True),
            ("GET", "/channels/{channel}/messages/{message}", self.get_message, True),
            ("PATCH", "/channels/{channel}/messages/{message}", self.edit_message, True),
            ("DELETE", "/channels/{channel}/messages/{message}", self.delete_message, True),
            ("GET", "/guilds/{guild}", self.get_guild, True),
            ("GET", "/guilds/{guild}/channels", self.get_guild_channels, True),
            ("GET", "/guilds/{guild}/roles", self.get_roles, True),
            ("GET", "/guilds/{guild}/members", self.list_members, True),
            ("GET", "/guilds/{guild}/members/{user}", self.get_member, True),
        ]
        self._routes = [(m, _compile(t), h, auth) for m, t, h, auth in table]

    # -- plumbing ------------------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["path"]
        arrived = _loop_time()
        parsed = await _parse(request, path)
        if isinstance(parsed, Reply):
            incoming, reply = Incoming(request.method, path, request.query, None, []), parsed
        else:
            incoming, reply = parsed, None
        record = RecordedRequest(
            index=-1,
            method=request.method,
            path=path,
            query=dict(request.query),
            headers=CIMultiDict(request.headers),
            json=incoming.json,
            files=incoming.files,
            time=arrived,
        )
        if reply is None:
            rule = next((r for r in self.faults if r.take(request.method, path)), None)
            if rule is not None:
                if rule.handled:
                    await self._route(incoming, request.headers.get("Authorization"), record)
                if rule.delay:
                    await asyncio.sleep(rule.delay)
                reply, record.injected = fault_reply(rule, request.method, path), True
            elif self.rate_limits is None:
                reply = await self._route(incoming, request.headers.get("Authorization"), record)
            else:
                verdict = self.rate_limits.check(request.method, path, arrived)
                if verdict.allowed:
                    reply = await self._route(
                        incoming, request.headers.get("Authorization"), record
                    )
                    reply = replace(reply, headers={**verdict.headers, **reply.headers})
                else:
                    reply = Reply(429, verdict.body(), verdict.headers)
        record.status, record.response = reply.status, reply.body
        record.index = len(self.requests)
        self.requests.append(record)
        key = (record.method, record.path)
        self.by_path.setdefault(key, []).append(record)
        for waiter in self.path_waiters.pop(key, ()):
            if not waiter.done():
                waiter.set_result(None)
        if reply.refusal and not record.injected:
            self.refusals.append(record)
        self._on_change()
        return _to_response(reply)

    async def _route(
        self, incoming: Incoming, authorization: str | None, record: RecordedRequest
    ) -> Reply:
        for method, pattern, handler, needs_auth in self._routes:
            match = pattern.fullmatch(incoming.path)
            if match is None or method != incoming.method:
                continue
            if needs_auth and not self._authorised(authorization):
                return error(401, "401: Unauthorized", 0)
            return await handler(incoming, match.groupdict())
        log.warning("fakediscord: no route for %s %s", incoming.method, incoming.path)
        self.unhandled.append(record)
        return error(404, "404: Not Found", 0)

    def _authorised(self, authorization: str | None) -> bool:
        if not authorization or not authorization.startswith("Bot "):
            return self._token_ok(None)
        return self._token_ok(authorization.removeprefix("Bot "))

    async def _message_event(self, event: str, message: JSON) -> None:
        if not message["flags"] & FLAG_EPHEMERAL:
            await self.gateway.dispatch_message_event(event, message)

    def _attachments(self, incoming: Incoming) -> list[JSON]:
        described = {
            str(a.get("id")): a for a in (incoming.json or {}).get("attachments") or [] if a
        }
        result = []
        for index, upload in enumerate(incoming.files):
            attachment_id = self.world.snowflakes.next()
            url = f"{self._base_url()}/fake-cdn/{attachment_id}/{upload.filename}"
            self.world.files[attachment_id] = (upload.data, upload.content_type)
            result.append(
                {
                    "id": attachment_id,
                    "filename": upload.filename,
                    "size": len(upload.data),
                    "url": url,
                    "proxy_url": url,
                    "content_type": upload.content_type,
                    "description": described.get(str(index), {}).get("description"),
                }
            )
        return result

    # -- gateway, users, application ------------------------------------------------------------

    async def get_gateway(self, req: Incoming, p: dict[str, str]) -> Reply:
        return Reply(200, {"url": self._gateway_url()})

    async def get_gateway_bot(self, req: Incoming, p: dict[str, str]) -> Reply:
        limit = {"total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1}
        return Reply(200, {"url": self._gateway_url(), "shards": 1, "session_start_limit": limit})

    async def get_me(self, req: Incoming, p: dict[str, str]) -> Reply:
        me = self.world.bot.payload() | {"verified": True, "mfa_enabled": False, "locale": "en-US"}
        return Reply(200, me)

    async def get_user(self, req: Incoming, p: dict[str, str]) -> Reply:
        user = self.world.users.get(p["user"])
        return Reply(200, user.payload()) if user else error(404, "Unknown User", 10013)

    async def create_dm(self, req: Incoming, p: dict[str, str]) -> Reply:
        recipient = str((req.json or {}).get("recipient_id", ""))
        if recipient not in self.world.users:
            return error(400, "Invalid Recipient(s)", 50033)
        return Reply(200, self.world.dm_channel(recipient).payload(self.world))

    async def get_application(self, req: Incoming, p: dict[str, str]) -> Reply:
        world = self.world
        return Reply(
            200,
            {
                "id": world.application_id,
                "name": world.bot.username,
                "description": "",
                "icon": None,
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": world.owner.payload(),
                "team": None,
                "verify_key": "0" * 64,
                "flags": 0,
                "bot": world.bot.payload(),
                "summary": "",
                "interactions_endpoint_url": None,
                "redirect_uris": [],
                "tags": [],
            },
        )

    # -- application commands ------------------------------------------------------------------

    def _command_scope(self, p: dict[str, str]) -> tuple[str | None, Reply | None]:
        if p["app"] != self.world.application_id:
            return None, error(404, "Unknown Application", 10002)
        guild = p.get("guild")
        if guild is not None and guild not in self.world.guilds:
            return None, error(403, "Missing Access", 50001)
        return guild, None

    async def get_commands(self, req: Incoming, p: dict[str, str]) -> Reply:
        scope, problem = self._command_scope(p)
        return problem or Reply(200, list(self.world.commands.get(scope, {}).values()))

    async def put_commands(self, req: Incoming, p: dict[str, str]) -> Reply:
        scope, problem = self._command_scope(p)
        if problem:
            return problem
        if problem := invalid_form(commands_errors(req.json)):
            return problem
        return Reply(200, self.world.put_commands(scope, req.json))

    async def post_command(self, req: Incoming, p: dict[str, str]) -> Reply:
        scope, problem = self._command_scope(p)
        if problem:
            return problem
        if problem := invalid_form(command_errors(req.json)):
            return problem
        return Reply(201, self.world.upsert_command(scope, req.json))

    # -- interactions and their webhooks ---------------------------------------------------------

    def _interaction_by_token(self, app: str, token: str) -> Interaction | None:
        if app != self.world.application_id:
            return None
        return next((i for i in self.world.interactions.values() if i.token == token), None)

    async def callback(self, req: Incoming, p: dict[str, str]) -> Reply:
        it = self.world.interactions.get(p["interaction"])
        if it is None or it.token != p["token"]:
            return error(404, "Unknown interaction", 10062)
        late = self.interaction_deadline is not None and (
            time.monotonic() - it.created > self.interaction_deadline
        )
        if late:
            return error(404, "Unknown interaction", 10062)
        if it.response_type is not None:
            return error(400, "Interaction has already been acknowledged.", 40060)
        body = req.json if isinstance(req.json, dict) else {}
        rtype, data = body.get("type"), body.get("data") or {}
        if problem := invalid_form(callback_type_errors(it.type, rtype)):
            return problem
        answer_errors = {MODAL: modal_errors, AUTOCOMPLETE_RESULT: autocomplete_errors}.get(rtype)
        if answer_errors is not None and (problem := invalid_form(answer_errors(data))):
            return problem
        message: JSON | None = None
        event = "MESSAGE_CREATE"
        msg_type = 20 if it.type == APPLICATION_COMMAND else 0
        if rtype == CHANNEL_MESSAGE:
            if problem := _validate_new(data, req.files, prefix=("data",)):
                return problem
            message = self.world.create_message(
                _channel(it),
                data,
                attachments=self._attachments(req),
                message_type=msg_type,
                interaction=it,
            )
            it.original_message_id = message["id"]
        elif rtype == DEFERRED_MESSAGE:
            flags = int(data.get("flags") or 0) & FLAG_EPHEMERAL
            message = self.world.create_message(
                _channel(it),
                {"flags": flags},
                extra_flags=FLAG_LOADING,
                message_type=msg_type,
                interaction=it,
            )
            it.original_message_id = message["id"]
        elif rtype in (DEFERRED_UPDATE, UPDATE_MESSAGE):
            if it.message_id is None or it.message_id not in self.world.messages:
                return error(400, "Interaction has no message to update", 50035)
            if rtype == UPDATE_MESSAGE and (problem := _validate_edit(data, prefix=("data",))):
                return problem
            it.original_message_id = it.message_id
            if rtype == UPDATE_MESSAGE:
                attachments = self._attachments(req)
                message = self.world.edit_message(it.message_id, data, attachments)
                event = "MESSAGE_UPDATE"
        it.response_type = rtype
        if message is not None:
            await self._message_event(event, message)
        if req.query.get("with_response", "").lower() not in ("1", "true"):
            return NO_CONTENT
        info: JSON = {"id": it.id, "type": it.type}
        result: JSON = {"interaction": info}
        if message is not None:
            info["response_message_id"] = message["id"]
            info["response_message_loading"] = rtype == DEFERRED_MESSAGE
            info["response_message_ephemeral"] = bool(message["flags"] & FLAG_EPHEMERAL)
            result["resource"] = {"type": rtype, "message": message}
        return Reply(200, result)

    async def get_webhook(self, req: Incoming, p: dict[str, str]) -> Reply:
        if self._interaction_by_token(p["app"], p["token"]) is None:
            return error(404, "Unknown Webhook", 10015)
        payload = {
            "id": self.world.application_id,
            "type": 3,
            "name": self.world.bot.username,
            "avatar": None,
            "application_id": self.world.application_id,
            "token": p["token"],
        }
        return Reply(200, payload)

    async def no_content(self, req: Incoming, p: dict[str, str]) -> Reply:
        return NO_CONTENT

    async def execute_webhook(self, req: Incoming, p: dict[str, str]) -> Reply:
        it = self._interaction_by_token(p["app"], p["token"])
        if it is None or it.response_type is None:
            return error(404, "Unknown Webhook", 10015)
        body = req.json if isinstance(req.json, dict) else {}
        if problem := _validate_new(body, req.files):
            return problem
        original = self.world.messages.get(it.original_message_id or "")
        if original is not None and original["flags"] & FLAG_LOADING:
            # Discord: the first follow-up after a deferred response replaces "thinking...".
            message = self.world.edit_message(original["id"], body, self._attachments(req))
            await self._message_event("MESSAGE_UPDATE", message)
        else:
            message = self.world.create_message(
                _channel(it),
                body,
                attachments=self._attachments(req),
                webhook_id=self.world.application_id,
                interaction=it,
                message_type=20 if it.type == APPLICATION_COMMAND else 0,
            )
            await self._message_event("MESSAGE_CREATE", message)
        if req.query.get("wait", "").lower() not in ("1", "true"):
            return NO_CONTENT
        return Reply(200, message)

    def _webhook_message(self, p: dict[str, str]) -> tuple[JSON | None, Reply | None]:
        it = self._interaction_by_token(p["app"], p["token"])
        if it is None:
            return None, error(404, "Unknown Webhook", 10015)
        message_id = p.get("message") or it.original_message_id
        message = self.world.messages.get(message_id or "")
        if message is None:
            return None, error(404, "Unknown Message", 10008)
        return message, None

    async def get_wh_msg(self, req: Incoming, p: dict[str, str]) -> Reply:
        message, problem = self._webhook_message(p)
        return problem or Reply(200, message)

    async def edit_wh_msg(self, req: Incoming, p: dict[str, str]) -> Reply:
        message, problem = self._webhook_message(p)
        if problem or message is None:
            return problem or error(404, "Unknown Message", 10008)
        body = req.json if isinstance(req.json, dict) else {}
        if invalid := _validate_edit(body):
            return invalid
        edited = self.world.edit_message(message["id"], body, self._attachments(req))
        await self._message_event("MESSAGE_UPDATE", edited)
        return Reply(200, edited)

    async def delete_wh_msg(self, req: Incoming, p: dict[str, str]) -> Reply:
        message, problem = self._webhook_message(p)
        if problem or message is None:
            return problem or error(404, "Unknown Message", 10008)
        await self._delete(message["id"])
        return NO_CONTENT

    # -- channels and messages ----------------------------------------------------------------

    def _bot_may(self, channel_id: str, needed: int) -> Reply | None:
        """403 unless the bot has `needed` in the channel (overwrites included): 50001 Missing
        Access without View Channel, else 50013 Missing Permissions."""
        channel = self.world.channels[channel_id]
        if channel.guild_id is None:
            return None
        allowed = self.world.guilds[channel.guild_id].permissions_in(channel, self.world.bot.id)
        if not allowed & VIEW_CHANNEL:
            return error(403, "Missing Access", 50001)
        if allowed & needed != needed:
            return error(403, "Missing Permissions", 50013)
        return None

    def _channel_message(self, p: dict[str, str]) -> tuple[JSON | None, Reply | None]:
        if p["channel"] not in self.world.channels:
            return None, error(404, "Unknown Channel", 10003)
        message = self.world.messages.get(p["message"])
        if message is None or message["channel_id"] != p["channel"]:
            return None, error(404, "Unknown Message", 10008)
        return message, None

    async def get_channel(self, req: Incoming, p: dict[str, str]) -> Reply:
        channel = self.world.channels.get(p["channel"])
        if channel is None:
            return error(404, "Unknown Channel", 10003)
        return Reply(200, channel.payload(self.world))

    async def typing(self, req: Incoming, p: dict[str, str]) -> Reply:
        if p["channel"] not in self.world.channels:
            return error(404, "Unknown Channel", 10003)
        return NO_CONTENT

    async def list_messages(self, req: Incoming, p: dict[str, str]) -> Reply:
        """Get Channel Messages as documented: newest first; ``before``/``after``/``around``
        mutually exclusive; ``limit`` 1-100 (default 50); View Channel required (403
        otherwise) and, without Read Message History, an empty list (not an error); without
        the Message Content intent, others' messages come with their content emptied."""
        channel = self.world.channels.get(p["channel"])
        if channel is None:
            return error(404, "Unknown Channel", 10003)
        if channel.guild_id is not None:
            allowed = self.world.guilds[channel.guild_id].permissions_in(channel, self.world.bot.id)
            if not allowed & VIEW_CHANNEL:
                return error(403, "Missing Access", 50001)
            if not allowed & READ_MESSAGE_HISTORY:
                return Reply(200, [])
        anchors = [key for key in ("before", "after", "around") if key in req.query]
        raw_limit = req.query.get("limit", "50")
        if len(anchors) > 1 or not raw_limit.isdigit() or not 1 <= int(raw_limit) <= 100:
            return error(400, "Invalid Form Body", 50035, {"limit": {"_errors": [{
                "code": "NUMBER_TYPE_MAX", "message": "limit must be 1-100; one anchor only"
            }]}})  # fmt: skip
        limit = int(raw_limit)
        oldest_first = self.world.messages_in(p["channel"])
        if not anchors:
            chosen = oldest_first[-limit:]
        else:
            anchor = int(req.query[anchors[0]])
            older = [m for m in oldest_first if int(m["id"]) < anchor]
            newer = [m for m in oldest_first if int(m["id"]) > anchor]
            if anchors[0] == "before":
                chosen = older[-limit:]
            elif anchors[0] == "after":
                chosen = newer[:limit]
            else:
                at = [m for m in oldest_first if int(m["id"]) == anchor]
                half = limit // 2
                chosen = (older[-half:] if half else []) + at + newer
                chosen = chosen[:limit]
        session = self.gateway.current
        sees_content = session is not None and bool(session.intents & MESSAGE_CONTENT)
        return Reply(200, [self._as_seen(m, sees_content) for m in reversed(chosen)])

    def _as_seen(self, message: JSON, sees_content: bool) -> JSON:
        """A message as the bot is shown it (the Message Content intent's exceptions: its
        own messages and the ones that mention it)."""
        bot_id = self.world.bot.id
        if (
            sees_content
            or message["author"]["id"] == bot_id
            or any(user.get("id") == bot_id for user in message.get("mentions") or [])
        ):
            return message
        return {**message, "content": "", "embeds": [], "attachments": [], "components": []}

    async def send_message(self, req: Incoming, p: dict[str, str]) -> Reply:
        channel_id = p["channel"]
        if channel_id not in self.world.channels:
            return error(404, "Unknown Channel", 10003)
        if denied := self._bot_may(channel_id, SEND_MESSAGES):  # Create Message: Send Messages
            return denied
        channel = self.world.channels[channel_id]
        if channel.type == DM and self.world.refuses_dm(channel):
            return error(403, "Cannot send messages to this user", 50007)
        body = req.json if isinstance(req.json, dict) else {}
        # The form first: a body Discord refuses is refused whatever its nonce.
        if problem := _validate_new(body, req.files, creating=True):
            return problem
        nonce_key = None
        if body.get("enforce_nonce") and body.get("nonce") is not None:
            # Per author, in any channel: "another message was created by the same author
            # with the same nonce" (Discord's Create Message docs); the author is the bot.
            nonce_key = (self.world.bot.id, str(body["nonce"]))
            earlier_id, at = self.world.nonces.get(nonce_key, ("", 0.0))
            earlier = self.world.messages.get(earlier_id)
            window = self.nonce_window
            if earlier is not None and (window is None or time.monotonic() - at <= window):
                return Reply(200, earlier)
        message = self.world.create_message(channel_id, body, attachments=self._attachments(req))
        if nonce_key is not None:
            self.world.nonces[nonce_key] = (message["id"], time.monotonic())
        await self._message_event("MESSAGE_CREATE", message)
        return Reply(200, message)

    async def get_message(self, req: Incoming, p: dict[str, str]) -> Reply:
        message, problem = self._channel_message(p)
        return problem or Reply(200, message)

    async def edit_message(self, req: Incoming, p: dict[str, str]) -> Reply:
        message, problem = self._channel_message(p)
        if problem or message is None:
            return problem or error(404, "Unknown Message", 10008)
        if message["author"]["id"] != self.world.bot.id:
            return error(403, "Cannot edit a message authored by another user", 50005)
        body = req.json if isinstance(req.json, dict) else {}
        if invalid := _validate_edit(body):
            return invalid
        edited = self.world.edit_message(message["id"], body, self._attachments(req))
        await self._message_event("MESSAGE_UPDATE", edited)
        return Reply(200, edited)

    async def delete_message(self, req: Incoming, p: dict[str, str]) -> Reply:
        message, problem = self._channel_message(p)
        if problem or message is None:
            return problem or error(404, "Unknown Message", 10008)
        await self._delete(message["id"])
        return NO_CONTENT

    async def _delete(self, message_id: str) -> None:
        message = self.world.delete_message(message_id)
        if not message["flags"] & FLAG_EPHEMERAL:
            event = {"id": message_id, "channel_id": message["channel_id"]}
            if message.get("guild_id"):
                event["guild_id"] = message["guild_id"]
            await self.gateway.dispatch_message_event("MESSAGE_DELETE", event)

    async def pin(self, req: Incoming, p: dict[str, str]) -> Reply:
        message, problem = self._channel_message(p)
        if problem or message is None:
            return problem or error(404, "Unknown Message", 10008)
        # "Requires the PIN_MESSAGES permission" (resources/message.mdx, Pin Message); Manage
        # Messages alone no longer does since 2026-02-23 (change-log.mdx).
        if denied := self._bot_may(p["channel"], PIN_MESSAGES):
            return denied
        message["pinned"] = True
        return NO_CONTENT

    async def unpin(self, req: Incoming, p: dict[str, str]) -> Reply:
        message, problem = self._channel_message(p)
        if problem or message is None:
            return problem or error(404, "Unknown Message", 10008)
        if denied := self._bot_may(p["channel"], PIN_MESSAGES):
            return denied
        message["pinned"] = False
        return NO_CONTENT

    def _pinned(self, channel_id: str) -> list[JSON]:
        return [m for m in reversed(self.world.messages_in(channel_id)) if m["pinned"]]

    async def list_pins_old(self, req: Incoming, p: dict[str, str]) -> Reply:
        if p["channel"] not in self.world.channels:
            return error(404, "Unknown Channel", 10003)
        return Reply(200, self._pinned(p["channel"]))

    async def list_pins_new(self, req: Incoming, p: dict[str, str]) -> Reply:
        if p["channel"] not in self.world.channels:
            return error(404, "Unknown Channel", 10003)
        items = [
            {"pinned_at": m["edited_timestamp"] or m["timestamp"], "message": m}
            for m in self._pinned(p["channel"])
        ]
        return Reply(200, {"items": items, "has_more": False})

    # -- guilds --------------------------------------------------------------------------------

    async def get_guild(self, req: Incoming, p: dict[str, str]) -> Reply:
        guild = self.world.guilds.get(p["guild"])
        return Reply(200, guild.payload()) if guild else error(404, "Unknown Guild", 10004)

    async def get_guild_channels(self, req: Incoming, p: dict[str, str]) -> Reply:
        guild = self.world.guilds.get(p["guild"])
        if guild is None:
            return error(404, "Unknown Guild", 10004)
        return Reply(200, [c.payload(self.world) for c in guild.channels.values()])

    async def get_roles(self, req: Incoming, p: dict[str, str]) -> Reply:
        guild = self.world.guilds.get(p["guild"])
        if guild is None:
            return error(404, "Unknown Guild", 10004)
        return Reply(200, [r.payload() for r in guild.roles.values()])

    async def list_members(self, req: Incoming, p: dict[str, str]) -> Reply:
        guild = self.world.guilds.get(p["guild"])
        if guild is None:
            return error(404, "Unknown Guild", 10004)
        limit = int(req.query.get("limit", "1"))
        members = [m.payload(self.world) for m in guild.members.values()]
        return Reply(200, members[:limit])

    async def get_member(self, req: Incoming, p: dict[str, str]) -> Reply:
        guild = self.world.guilds.get(p["guild"])
        if guild is None:
            return error(404, "Unknown Guild", 10004)
        member = guild.members.get(p["user"])
        if member is None:
            return error(404, "Unknown Member", 10007)
        return Reply(200, member.payload(self.world))


# -- helpers -------------------------------------------------------------------------------------


def _channel(it: Interaction) -> str:
    if it.channel_id is None:
        raise RuntimeError(f"interaction {it.id} has no channel")
    return it.channel_id


def _validate_edit(body: Mapping[str, Any], *, prefix: tuple[str, ...] = ()) -> Reply | None:
    return invalid_form(message_errors(body, creating=False, prefix=prefix))


def _validate_new(
    body: Mapping[str, Any],
    files: list[UploadedFile],
    *,
    creating: bool = False,
    prefix: tuple[str, ...] = (),
) -> Reply | None:
    """A new message's form (``creating``: Create Message, which alone takes a nonce), then
    Discord's "Cannot send an empty message"."""
    if problem := invalid_form(message_errors(body, creating=creating, prefix=prefix)):
        return problem
    keys = ("content", "embeds", "components", "sticker_ids", "poll")
    if not files and not any(body.get(key) for key in keys):
        return replace(error(400, "Cannot send an empty message", 50006), refusal=True)
    return None


async def _parse(request: web.Request, path: str) -> Incoming | Reply:
    """Read the body: JSON, or multipart with ``payload_json`` plus file parts."""
    files: list[UploadedFile] = []
    payload: Any = None
    content_type = request.content_type
    try:
        if content_type == "multipart/form-data":
            form = await request.post()
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    data = value.file.read()
                    files.append(UploadedFile(name, value.filename, value.content_type, data))
                elif name == "payload_json":
                    payload = json.loads(value)
        elif request.can_read_body:
            text = await request.text()
            payload = json.loads(text) if text else None
    except json.JSONDecodeError:
        return error(400, "The request body contains invalid JSON.", 50109)
    return Incoming(request.method, path, request.query, payload, files)


def _to_response(reply: Reply) -> web.Response:
    headers = {"Via": "1.1 google", **reply.headers}
    if reply.status == 204 and reply.body is None:
        return web.Response(status=204, headers=headers)
    headers["Content-Type"] = "application/json"
    return web.Response(status=reply.status, body=json.dumps(reply.body).encode(), headers=headers)


def _loop_time() -> float:
    return asyncio.get_running_loop().time()
