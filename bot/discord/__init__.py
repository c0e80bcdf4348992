"""The Discord adapter: the bot, its slash commands, buttons, embeds and the alert notifier.

Handlers stay thin: parse and validate, call one service function, render one embed.
"""
