"""The [web] server, attached to the bot as a cog: found by commands, stopped with the bot."""

from __future__ import annotations

import discord
from discord.ext import commands

from bot.web import WebServer

WEB_COG = "Web"


class WebCog(commands.Cog, name=WEB_COG):
    """Holds the running WebServer; `Bot.close()` removes cogs, which stops it."""

    def __init__(self, server: WebServer) -> None:
        self.server = server

    async def cog_unload(self) -> None:
        await self.server.stop()


def web_base_url(client: discord.Client) -> str | None:
    """Where the bot's web server is reached, or None when [web] is off."""
    cog = client.get_cog(WEB_COG) if isinstance(client, commands.Bot) else None
    return cog.server.base_url if isinstance(cog, WebCog) else None
