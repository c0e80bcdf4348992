"""The user-facing error of the whole desk, and the only exceptions the engine raises.

Every error carries a message that says what was wrong and an example of input that works, so
an adapter (CLI, Discord) can show both without knowing which error it was. The service's
errors derive from `UserError` too; adapters translate that one class and nothing else.
"""

from __future__ import annotations

EXAMPLE_PHRASE = "Bondi letter, 30 days"


class UserError(Exception):
    """A request a person can fix: `message` says what was wrong, `example` what works."""

    example: str = ""

    def __init__(self, message: str, *, example: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if example is not None:
            self.example = example

    def __str__(self) -> str:
        return f"{self.message} (for example: {self.example})" if self.example else self.message


class DeadlineError(UserError, ValueError):
    """Base class: bad input to the deadline engine (a ValueError, so validators take it)."""

    example = EXAMPLE_PHRASE


class PhraseError(DeadlineError):
    """The phrase is empty, too long, or not a period or date we understand."""


class RepeatPhraseError(PhraseError):
    """The phrase repeats in a way not read (or not read here: the one-off reader): never
    counted as a one-off, nor as a records law's preset."""


class AmbiguousPhrase(PhraseError):
    """The phrase reads more than one way ("30 days or 45 days"): never guessed. `readings`
    are phrases that each read one way; `both` is True when they are separate deadlines
    ("Reply within 5 days; appeal within 30 days") that could both be tracked."""

    def __init__(self, message: str, *, readings: tuple[str, ...], both: bool) -> None:
        super().__init__(message, example=" / ".join(readings))
        self.readings = readings
        self.both = both


class PeriodLengthError(DeadlineError):
    """The period is zero, or longer than the engine will count (10 years)."""


class DateOutOfRangeError(DeadlineError):
    """A start or due date falls outside 1900-2200, or does not exist (Feb 30)."""

    example = "Bondi letter, 30 days from 2025-07-17"


class UnknownRuleError(DeadlineError):
    """The counting rule is not one of calendar, roll, court, business."""

    example = "calendar, roll, court or business"


class UnknownCalendarError(DeadlineError):
    """The holiday calendar is not US or US-XX for a state or territory."""

    example = "US, or US-CA for California"


class UnknownTimezoneError(DeadlineError):
    """The time zone is not an IANA zone name."""

    example = "America/New_York"


class UnknownPresetError(DeadlineError):
    """No records-law preset has that key or name."""

    example = "ca, ny, us-foia (python -m bot presets lists them)"


class NoFixedPeriodError(DeadlineError):
    """The law names no fixed period ('promptly'): there is nothing to count."""

    example = "Records from the county, by 2025-08-15"
