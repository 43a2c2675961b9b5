"""Cells of an uploaded sheet turned into values, with a translated message when they cannot be.

Shared by the workplan and roster sheets: text, choices from a list (by the label in the file's
language or by code), several choices in one cell, dates (a date cell, or ISO 2026-12-31 typed as
text; 03/04/2026 is refused as ambiguous), amounts, yes/no.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from .xlsx import SheetCell

SEPARATORS = re.compile(r"[;,\n]+")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PLAIN_NUMBER = re.compile(r"^\d+(\.\d+)?$")
# What separates a code from its label in the drop-down lists ("KH-12 — Phnom Penh").
DASH = " — "


class CellError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def norm(text) -> str:
    return " ".join(str(text).split()).casefold()


def is_empty(cell: SheetCell | None) -> bool:
    return cell is None or cell.value is None or (isinstance(cell.value, str) and not cell.value.strip())


def text(cell: SheetCell | None) -> str:
    if is_empty(cell):
        return ""
    value = cell.value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    return " ".join(str(value).replace("\r", "").split(" ")).strip()


class Choices:
    """A list of allowed values: each with its code, its label in the file's language, and the label
    the template's drop-down shows. A cell may hold the label, the code, or the drop-down's text."""

    def __init__(self, items, *, what: str):
        # items: (value, code, label, dropdown)
        self.what = what
        self.items = list(items)
        self.by_key: dict[str, object] = {}
        for value, code, label, dropdown in self.items:
            for key in (code, label, dropdown):
                if key:
                    self.by_key.setdefault(norm(key), value)

    def dropdown(self) -> list[str]:
        return [dropdown for _, _, _, dropdown in self.items]

    def find(self, raw: str):
        key = norm(raw)
        if key in self.by_key:
            return self.by_key[key]
        code = norm(raw.split(DASH.strip(), 1)[0])
        if code in self.by_key:
            return self.by_key[code]
        raise CellError(
            _("%(value)s is not a known %(what)s: choose one from the drop-down list.")
            % {"value": f"“{raw}”", "what": self.what}
        )

    def one(self, cell: SheetCell | None):
        raw = text(cell)
        return self.find(raw) if raw else None

    def many(self, cell: SheetCell | None) -> list:
        raw = text(cell)
        if not raw:
            return []
        found, unknown = [], []
        for part in SEPARATORS.split(raw):
            part = part.strip()
            if not part:
                continue
            try:
                value = self.find(part)
            except CellError:
                unknown.append(part)
                continue
            if value not in found:
                found.append(value)
        if unknown:
            raise CellError(
                _("Not known as %(what)s: %(values)s. Separate several with semicolons.")
                % {"what": self.what, "values": ", ".join(f"“{value}”" for value in unknown)}
            )
        return found


def date(cell: SheetCell | None) -> dt.date | None:
    if is_empty(cell):
        return None
    value = cell.value
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = text(cell)
    if ISO_DATE.match(raw):
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise CellError(_("%(value)s is not a date of the calendar.") % {"value": raw}) from None
    raise CellError(
        _(
            "%(value)s is not an unambiguous date (is 03/04 the 3rd of April or the 4th of March?): type it as "
            "2026-04-03 (year-month-day) or choose it in a date cell."
        )
        % {"value": f"“{raw}”"}
    )


def amount(cell: SheetCell | None) -> Decimal | None:
    if is_empty(cell):
        return None
    value = cell.value
    if isinstance(value, bool):
        raise CellError(_("Type an amount, a number such as 25000 or 25000.50."))
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    else:
        raw = text(cell).replace(" ", "").replace("\u00a0", "")
        if not PLAIN_NUMBER.match(raw):
            raise CellError(
                _("%(value)s is not an amount: type digits only, with a point before the cents (25000.50).")
                % {"value": f"“{text(cell)}”"}
            )
        try:
            number = Decimal(raw)
        except InvalidOperation:
            raise CellError(_("Type an amount, a number such as 25000 or 25000.50.")) from None
    if number < 0:
        raise CellError(_("Amounts of money cannot be negative."))
    if number != number.quantize(Decimal("0.01")):
        raise CellError(_("Amounts have at most two decimals (cents)."))
    return number.quantize(Decimal("0.01"))


def yes_no(cell: SheetCell | None) -> bool | None:
    if is_empty(cell):
        return None
    value = cell.value
    if isinstance(value, bool):
        return value
    raw = norm(text(cell))
    if raw in {norm(_("Yes")), "yes", "true", "1", "y"}:
        return True
    if raw in {norm(_("No")), "no", "false", "0", "n"}:
        return False
    raise CellError(_("Answer %(yes)s or %(no)s.") % {"yes": _("Yes"), "no": _("No")})
