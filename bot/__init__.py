"""Deadline Desk: a Discord bot that tracks other people's deadlines for newsrooms."""

__version__ = "0.1.0"
