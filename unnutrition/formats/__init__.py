"""Dates and numbers in each UN language (settings.FORMAT_MODULE_PATH).

Only what differs from Django's own locale formats is set here; Django's fill
in the rest. One unambiguous date format per language, used for short and long
dates alike ("3 Jan 2026", "3 janvier 2026", "2026年1月3日", never
"01/03/2026"); dates are typed as ISO 8601 (2026-01-03) in every language.
Numbers are grouped by thousands in every language: Django's Arabic and
Chinese formats group nothing ("214581000").
"""

# Shared by every language: typing a date, the time of day.
DATE_INPUT_FORMATS = ["%Y-%m-%d"]
TIME_FORMAT = "H:i"
NUMBER_GROUPING = 3


def formats(date_format: str, *, decimal: str, thousands: str) -> dict:
    """The settings of one language's module."""
    return {
        "DATE_FORMAT": date_format,
        "SHORT_DATE_FORMAT": date_format,
        "DATETIME_FORMAT": f"{date_format} H:i",
        "SHORT_DATETIME_FORMAT": f"{date_format} H:i",
        "DATE_INPUT_FORMATS": DATE_INPUT_FORMATS,
        "TIME_FORMAT": TIME_FORMAT,
        "DECIMAL_SEPARATOR": decimal,
        "THOUSAND_SEPARATOR": thousands,
        "NUMBER_GROUPING": NUMBER_GROUPING,
    }
