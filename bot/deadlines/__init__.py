"""The deadline engine: parse a phrase, count days under a rule, explain the count.

Pure: no clock, no I/O, no Discord, no SQL. Callers pass `start` and time zone names.
"""

from .calendars import DEFAULT_CALENDAR, HolidayCalendar, format_day, holiday_calendar
from .counting import (
    DEFAULT_TIMEZONE,
    Computation,
    DueDate,
    Rule,
    Stage,
    compute_due,
    iana_zone,
    occurrence_due,
    occurrences,
    parse_start_date,
    zone,
    zone_names,
)
from .errors import (
    AmbiguousPhrase,
    DateOutOfRangeError,
    DeadlineError,
    NoFixedPeriodError,
    PeriodLengthError,
    PhraseError,
    UnknownCalendarError,
    UnknownPresetError,
    UnknownRuleError,
    UnknownTimezoneError,
    UserError,
)
from .parsing import (
    AbsoluteDue,
    ParsedPhrase,
    PartialDate,
    Period,
    RelativeDay,
    Term,
    Unit,
    parse_phrase,
)
from .presets import calculate, compute_preset
from .recurrence import Recurrence

__all__ = [
    "DEFAULT_CALENDAR",
    "DEFAULT_TIMEZONE",
    "AbsoluteDue",
    "AmbiguousPhrase",
    "Computation",
    "DateOutOfRangeError",
    "DeadlineError",
    "DueDate",
    "HolidayCalendar",
    "NoFixedPeriodError",
    "ParsedPhrase",
    "PartialDate",
    "Period",
    "PeriodLengthError",
    "PhraseError",
    "Recurrence",
    "RelativeDay",
    "Rule",
    "Stage",
    "Term",
    "Unit",
    "UnknownCalendarError",
    "UnknownPresetError",
    "UnknownRuleError",
    "UnknownTimezoneError",
    "UserError",
    "calculate",
    "compute_due",
    "compute_preset",
    "format_day",
    "holiday_calendar",
    "iana_zone",
    "occurrence_due",
    "occurrences",
    "parse_phrase",
    "parse_start_date",
    "zone",
    "zone_names",
]
