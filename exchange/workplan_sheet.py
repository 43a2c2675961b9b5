"""A workplan as an Excel sheet and back: the template (the plan as it is, with drop-down lists and
hidden row ids) and the reading of an edited copy into rows to create, change or delete.

Reading never writes: it loads what it compares with in a fixed number of queries (the plan's
activities with their links, the lists of allowed values), then judges every row with the same rules
the write services apply (the model's field rules and workplans.validation.activity_problems).
Confirming (exchange.services) applies the rows through workplans.services.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal

import pycountry
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.models import Agency
from core.i18n import localized_label, sort_localized
from countries.models import Subdivision
from workplans.models import ActionArea, Activity, CooperationOutcome, MarkerScore, SdgTarget, Tag, Workplan
from workplans.validation import activity_problems

from . import sheets
from .sheets import DASH, CellError, Choices
from .xlsx import FileRefused, put, read_rows

FORMAT = "unnutrition-workplan"
FORMAT_VERSION = 1
META_SHEET = "_portal"
LISTS_SHEET = "_lists"
# Rows of the template offered for new activities below the existing ones (drop-downs reach them).
SPARE_ROWS = 200

CRITICAL, ERROR, WARNING = "critical", "error", "warning"


@dataclass(frozen=True)
class Column:
    key: str
    label: object  # lazy
    kind: str  # text, longtext, choice, multi, date, money, bool, id
    width: int = 18
    required: bool = False


COLUMNS = [
    Column("id", gettext_lazy("Row id (leave as it is)"), "id", 8),
    Column("title", gettext_lazy("Title"), "text", 40, required=True),
    Column("description", gettext_lazy("Description"), "longtext", 50),
    Column("action_area", gettext_lazy("Action area"), "choice", 28, required=True),
    Column("lead_agency", gettext_lazy("Lead agency"), "choice", 14, required=True),
    Column("participating_agencies", gettext_lazy("Participating agencies"), "multi", 24),
    Column("sdg_targets", gettext_lazy("SDG targets (at most 10)"), "multi", 24),
    Column("cooperation_outcome", gettext_lazy("Cooperation Framework outcome"), "choice", 30),
    Column("is_national", gettext_lazy("National coverage"), "bool", 12),
    Column("subdivisions", gettext_lazy("Provinces"), "multi", 28),
    Column("start_date", gettext_lazy("Start date"), "date", 13, required=True),
    Column("end_date", gettext_lazy("End date"), "date", 13, required=True),
    Column("currency", gettext_lazy("Currency"), "choice", 10),
    Column("budget_required", gettext_lazy("Budget required"), "money", 16),
    Column("budget_available", gettext_lazy("Budget available"), "money", 16),
    Column("budget_spent", gettext_lazy("Budget spent"), "money", 16),
    Column("status", gettext_lazy("Status"), "choice", 16),
    Column("gender_marker", gettext_lazy("Gender Equality Marker"), "choice", 22),
    Column("human_rights_marker", gettext_lazy("Human Rights Marker"), "choice", 22),
    Column("tags", gettext_lazy("Tags"), "multi", 30),
]
BY_KEY = {column.key: column for column in COLUMNS}
M2M = ("participating_agencies", "sdg_targets", "subdivisions", "tags")
FOREIGN_KEYS = {"action_area": ActionArea, "lead_agency": Agency, "cooperation_outcome": CooperationOutcome}
M2M_MODELS = {"participating_agencies": Agency, "sdg_targets": SdgTarget, "subdivisions": Subdivision, "tags": Tag}
DEFAULTS = {"currency": "USD", "status": Activity.Status.PIPELINE, "is_national": True, "description": ""}


def max_rows() -> int:
    from django.conf import settings

    return int(getattr(settings, "EXCHANGE_MAX_ROWS", 2000))


# --- the lists of allowed values -------------------------------------------------------------------


class Lists:
    """Everything a row may name, loaded once for a workplan (a fixed number of queries)."""

    def __init__(self, workplan: Workplan):
        self.workplan = workplan
        country_id = workplan.team.country_id
        areas = sort_localized(ActionArea.objects.all(), key=str)
        agencies = list(Agency.objects.order_by("acronym"))
        targets = list(SdgTarget.objects.order_by("position"))
        outcomes = list(
            CooperationOutcome.objects.filter(
                framework__country_id=country_id,
                framework__start_year__lte=workplan.year,
                framework__end_year__gte=workplan.year,
            )
            .select_related("framework")
            .order_by("code")
        )
        provinces = sort_localized(Subdivision.objects.filter(country_id=country_id), key=lambda s: s.name)
        self.choices = {
            "action_area": Choices(((a, a.code, str(a), str(a)) for a in areas), what=_("action area")),
            "lead_agency": Choices(((a, a.acronym, a.acronym, a.acronym) for a in agencies), what=_("agency")),
            "participating_agencies": Choices(
                ((a, a.acronym, a.acronym, a.acronym) for a in agencies), what=_("agency")
            ),
            "sdg_targets": Choices(
                ((t, t.code, t.code, f"{t.code}{DASH}{_short(t.localized_text())}") for t in targets),
                what=_("SDG target"),
            ),
            "cooperation_outcome": Choices(
                ((o, o.code, o.code, f"{o.code}{DASH}{_short(o.title)}") for o in outcomes),
                what=_("outcome of the Cooperation Framework running this year"),
            ),
            "subdivisions": Choices(
                ((s, s.code, s.name, f"{s.code}{DASH}{s.name}") for s in provinces), what=_("province of this country")
            ),
            "currency": Choices(
                ((c.alpha_3, c.alpha_3, c.alpha_3, c.alpha_3) for c in sorted(pycountry.currencies, key=_code)),
                what=_("ISO 4217 currency"),
            ),
            "status": Choices(
                ((value, value, str(label), str(label)) for value, label in Activity.Status.choices),
                what=_("status"),
            ),
            "gender_marker": Choices(
                ((value, str(value), str(label), str(label)) for value, label in MarkerScore.choices),
                what=_("marker score (0 to 3)"),
            ),
            "human_rights_marker": Choices(
                ((value, str(value), str(label), str(label)) for value, label in MarkerScore.choices),
                what=_("marker score (0 to 3)"),
            ),
            "tags": Choices(
                (
                    (t, t.code, t.localized_name(), t.localized_name())
                    for t in Tag.objects.order_by("group", "position")
                ),
                what=_("tag"),
            ),
        }

    def display(self, key: str, value) -> str:
        """A value as the sheet and the preview show it."""
        if value is None or value == "" or value == []:
            return ""
        column = BY_KEY[key]
        if column.kind == "multi":
            return "; ".join(sorted(self.display_one(key, item) for item in value))
        if column.kind == "bool":
            return _("Yes") if value else _("No")
        if column.kind == "date":
            return value.isoformat()
        if column.kind == "money":
            return f"{value:.2f}"
        return self.display_one(key, value)

    def display_one(self, key: str, value) -> str:
        if key in ("sdg_targets",):
            return value.code
        if key == "subdivisions":
            return f"{value.code}{DASH}{value.name}"
        if key == "cooperation_outcome":
            return f"{value.code}{DASH}{_short(value.title)}"
        if key == "status":
            return str(Activity.Status(value).label)
        if key in ("gender_marker", "human_rights_marker"):
            return str(MarkerScore(value).label)
        if key == "tags":
            return value.localized_name()
        if key in ("lead_agency", "participating_agencies"):
            return value.acronym
        return str(value)


def _short(text: str, length: int = 90) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "\u2026"


def _code(currency) -> str:
    return currency.alpha_3


# --- values of an activity, as the sheet has them ---------------------------------------------------


def values_of(activity: Activity) -> dict:
    """The activity's values for the sheet's columns (related records as objects, lists sorted)."""
    values = {}
    for column in COLUMNS[1:]:
        if column.key in M2M:
            values[column.key] = sorted(getattr(activity, column.key).all(), key=lambda o: str(getattr(o, "code", o)))
        else:
            values[column.key] = getattr(activity, column.key)
    return values


def same(key: str, old, new) -> bool:
    if key in M2M:
        return {o.pk for o in old or []} == {o.pk for o in new or []}
    if hasattr(old, "pk") or hasattr(new, "pk"):
        return getattr(old, "pk", None) == getattr(new, "pk", None)
    if BY_KEY[key].kind == "money":
        return Decimal(old or 0) == Decimal(new or 0)
    return (old if old is not None else "") == (new if new is not None else "")


def to_json(key: str, value):
    """A parsed value as stored in the batch (ids, ISO dates, decimal strings)."""
    if value is None:
        return None
    if key in M2M:
        return sorted(item.pk for item in value)
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def from_json(rows: list[dict]) -> list[dict]:
    """The batch's rows with model instances again, loaded in one query per kind of record."""
    wanted: dict[str, set] = {key: set() for key in (*FOREIGN_KEYS, *M2M)}
    for row in rows:
        for key, value in row["values"].items():
            if key in M2M:
                wanted[key].update(value or [])
            elif key in FOREIGN_KEYS and value is not None:
                wanted[key].add(value)
    models = {**FOREIGN_KEYS, **M2M_MODELS}
    loaded = {key: models[key].objects.in_bulk(ids) for key, ids in wanted.items() if ids}
    result = []
    for row in rows:
        values = {}
        for key, value in row["values"].items():
            kind = BY_KEY[key].kind
            if key in M2M:
                values[key] = [loaded[key][pk] for pk in value or []]
            elif key in FOREIGN_KEYS:
                values[key] = loaded[key][value] if value is not None else None
            elif kind == "date":
                values[key] = dt.date.fromisoformat(value) if value else None
            elif kind == "money":
                values[key] = Decimal(value) if value is not None else Decimal("0")
            else:
                values[key] = value
        result.append({**row, "values": values})
    return result


# --- the template -----------------------------------------------------------------------------------


def template(workplan: Workplan) -> bytes:
    """The workplan as an XLSX the team edits and uploads again, in the active language."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workplan = Workplan.objects.select_related("team__country").get(pk=workplan.pk)
    lists = Lists(workplan)
    activities = list(
        workplan.activities.select_related("action_area", "lead_agency", "cooperation_outcome")
        .prefetch_related(*M2M)
        .order_by("start_date", "id")
    )
    book = Workbook()
    sheet = book.active
    sheet.title = _sheet_name(_("Activities"))
    bold = Font(bold=True)
    for position, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=position)
        put(cell, str(column.label))
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        sheet.column_dimensions[get_column_letter(position)].width = column.width
    sheet.column_dimensions["A"].hidden = True
    sheet.freeze_panes = "C2"
    for index, activity in enumerate(activities, start=2):
        values = values_of(activity)
        put(sheet.cell(row=index, column=1), activity.pk)
        for position, column in enumerate(COLUMNS[1:], start=2):
            cell = sheet.cell(row=index, column=position)
            value = values[column.key]
            if column.kind == "date":
                put(cell, value)
                cell.number_format = "yyyy-mm-dd"
            elif column.kind == "money":
                put(cell, value)
                cell.number_format = "#,##0.00"
            else:
                put(cell, lists.display(column.key, value))
    last = len(activities) + 1 + SPARE_ROWS
    for row in range(len(activities) + 2, last + 1):
        for position, column in enumerate(COLUMNS, start=1):
            if column.kind == "date":
                sheet.cell(row=row, column=position).number_format = "yyyy-mm-dd"

    # Drop-down lists, from a hidden sheet (Excel limits a list typed in the rule to 255 characters).
    listed = book.create_sheet(LISTS_SHEET)
    listed.sheet_state = "hidden"
    list_columns = {}
    extra = {"is_national": [_("Yes"), _("No")]}
    for number, key in enumerate([*lists.choices, *extra], start=1):
        items = lists.choices[key].dropdown() if key in lists.choices else extra[key]
        letter = get_column_letter(number)
        for row, item in enumerate(items, start=1):
            put(listed.cell(row=row, column=number), item)
        list_columns[key] = f"={LISTS_SHEET}!${letter}$1:${letter}${max(len(items), 1)}"
    for position, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(position)
        area = f"{letter}2:{letter}{last}"
        rule = None
        if column.key in list_columns:
            rule = DataValidation(type="list", formula1=list_columns[column.key], allow_blank=True)
            if column.kind == "multi":
                # Several values in one cell: the list helps, Excel must not refuse "UNICEF; WHO".
                rule.showErrorMessage = False
                rule.promptTitle = _short(str(column.label), 32)
                rule.prompt = _("Several values separated by semicolons, e.g. UNICEF; WHO.")
                rule.showInputMessage = True
            else:
                rule.error = _("Choose a value from the list.")
                rule.errorTitle = _short(str(column.label), 32)
                rule.showErrorMessage = True
        elif column.kind == "date":
            rule = DataValidation(
                type="date", operator="between", formula1="DATE(2000,1,1)", formula2="DATE(2100,12,31)"
            )
            rule.error = _("Type a date as 2026-04-03 (year-month-day).")
            rule.showErrorMessage = True
        elif column.kind == "money":
            rule = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
            rule.error = _("Type an amount, a number such as 25000 or 25000.50.")
            rule.showErrorMessage = True
        if rule is not None:
            rule.add(area)
            sheet.add_data_validation(rule)

    meta = book.create_sheet(META_SHEET)
    meta.sheet_state = "veryHidden"
    for row, (key, value) in enumerate(
        [
            ("format", FORMAT),
            ("version", FORMAT_VERSION),
            ("workplan", workplan.pk),
            ("team", workplan.team_id),
            ("year", workplan.year),
            ("amendment", workplan.amendment_number),
            ("language", translation.get_language() or "en"),
            ("exported", timezone.now().replace(microsecond=0).isoformat()),
        ],
        start=1,
    ):
        put(meta.cell(row=row, column=1), key)
        put(meta.cell(row=row, column=2), value)

    about = book.create_sheet(_sheet_name(_("Read me")))
    for row, line in enumerate(
        [
            (
                _("Workplan %(team)s %(year)s, amendment %(number)s, exported %(day)s.")
                if workplan.amendment_number
                else _("Workplan %(team)s %(year)s, exported %(day)s.")
            )
            % {
                "team": workplan.team,
                "year": workplan.year,
                "number": workplan.amendment_number,
                "day": timezone.localdate().isoformat(),
            },
            _(
                "Change activities in their rows; add new activities in empty rows below; leave the hidden row id "
                "as it is."
            ),
            _("Rows you remove are kept unless you tick “delete what is not in the file” when you upload."),
            _(
                "Dates as 2026-04-03 (year-month-day); several agencies, SDG targets or provinces separated by "
                "semicolons."
            ),
            _("Nothing is saved before you have seen the preview of every change and confirmed it."),
        ],
        start=1,
    ):
        put(about.cell(row=row, column=1), line)
    about.column_dimensions["A"].width = 110
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def _sheet_name(title: str) -> str:
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in str(title)).strip("'")
    return cleaned[:31] or "Sheet"


# --- reading an edited copy ----------------------------------------------------------------------------


@dataclass
class Issue:
    level: str
    message: str
    column: str = ""
    cell: str = ""

    def as_json(self) -> dict:
        return {"level": self.level, "message": self.message, "column": self.column, "cell": self.cell}


@dataclass
class RowResult:
    row: int | None
    action: str  # created, changed, unchanged, deleted, refused
    record_id: int | None = None
    title: str = ""
    changes: list = field(default_factory=list)  # (column label, old, new)
    issues: list[Issue] = field(default_factory=list)
    values: dict = field(default_factory=dict)
    version: str = ""

    def as_json(self) -> dict:
        return {
            "row": self.row,
            "action": self.action,
            "id": self.record_id,
            "title": self.title,
            "changes": [{"column": c, "old": o, "new": n} for c, o, n in self.changes],
            "issues": [issue.as_json() for issue in self.issues],
        }


@dataclass
class Reading:
    """What a file would do to the workplan."""

    rows: list[RowResult]
    file_issues: list[Issue]
    language: str

    def stored_rows(self) -> list[dict]:
        """What confirming applies: the rows that change something, with values as JSON."""
        return [
            {
                "row": r.row,
                "id": r.record_id,
                "action": r.action,
                "version": r.version,
                "values": {key: to_json(key, value) for key, value in r.values.items()},
            }
            for r in self.rows
            if r.action in ("created", "changed", "deleted")
        ]


def _meta(book) -> dict:
    if META_SHEET not in book.sheetnames:
        return {}
    meta = {}
    for row in book[META_SHEET].iter_rows(max_col=2, max_row=40, values_only=True):
        if row and row[0]:
            meta[str(row[0])] = row[1]
    return meta


def header_keys(header: list, language: str) -> tuple[dict[int, str], list[Issue]]:
    return match_header(
        header,
        language,
        COLUMNS,
        required=("id", "title"),
        unknown=_("Column “%(label)s” is not one of the workplan's: it is ignored."),
    )


def match_header(
    header: list, language: str, columns, *, required: tuple[str, ...], unknown: str
) -> tuple[dict[int, str], list[Issue]]:
    """Which column of the file holds which field, by the header's labels (in the file's language or
    English) or the fields' names. `unknown` is the warning for a column the sheet does not take
    (with %(label)s); a `required` column missing is critical. Shared by the workplan and roster sheets."""
    by_key = {column.key: column for column in columns}
    known = {}
    for code in dict.fromkeys([language, "en"]):
        with translation.override(code):
            for column in columns:
                known.setdefault(sheets.norm(str(column.label)), column.key)
    for column in columns:
        known.setdefault(sheets.norm(column.key), column.key)
    positions, issues, seen = {}, [], set()
    for index, cell in enumerate(header):
        label = sheets.text(cell)
        if not label:
            continue
        key = known.get(sheets.norm(label))
        if key is None:
            issues.append(Issue(WARNING, unknown % {"label": label}, label, cell.coordinate))
        elif key in seen:
            issues.append(
                Issue(CRITICAL, _("Column “%(label)s” appears twice.") % {"label": label}, label, cell.coordinate)
            )
        else:
            positions[index] = key
            seen.add(key)
    missing = [str(by_key[key].label) for key in required if key not in seen]
    if missing:
        issues.append(
            Issue(
                CRITICAL,
                _("The sheet has no column %(columns)s: start from the template this page offers.")
                % {"columns": ", ".join(f"“{name}”" for name in missing)},
            )
        )
    return positions, issues


def read(workplan: Workplan, book, *, delete_missing: bool = False) -> Reading:
    """Judge every row of the uploaded workbook against `workplan` as it is now. Raises FileRefused when
    the file as a whole cannot be used (another workplan's file, no header, too many rows)."""
    workplan = Workplan.objects.select_related("team__country").get(pk=workplan.pk)
    meta = _meta(book)
    if meta and meta.get("format") not in (None, FORMAT):
        raise FileRefused(_("This file is not a workplan exported by the portal: start from this workplan's template."))
    if meta.get("workplan") not in (None, "") and str(meta.get("workplan")) != str(workplan.pk):
        raise FileRefused(
            _(
                "This file was exported from another workplan (number %(other)s), not from %(this)s: download "
                "this workplan's template and copy your rows into it."
            )
            % {"other": meta.get("workplan"), "this": workplan}
        )
    language = str(meta.get("language") or translation.get_language() or "en")
    sheet = book.worksheets[0]
    rows = read_rows(sheet, max_rows())
    if not rows:
        raise FileRefused(_("The first sheet is empty: start from the template this page offers."))
    positions, file_issues = header_keys(rows[0], language)
    if any(issue.level == CRITICAL for issue in file_issues):
        raise FileRefused(next(issue.message for issue in file_issues if issue.level == CRITICAL))
    with translation.override(language):
        lists = Lists(workplan)
        existing = {
            activity.pk: activity
            for activity in workplan.activities.select_related(
                "action_area", "lead_agency", "cooperation_outcome"
            ).prefetch_related(*M2M, "national_frameworks")
        }
        results, seen_ids = [], set()
        for cells in rows[1:]:
            by_key = {key: cells[index] for index, key in positions.items() if index < len(cells)}
            if all(sheets.is_empty(cell) for cell in by_key.values()):
                continue
            result = _read_row(workplan, lists, existing, by_key, seen_ids)
            results.append(result)
        if delete_missing:
            for pk, activity in sorted(existing.items(), key=lambda item: (item[1].start_date, item[0])):
                if pk not in seen_ids:
                    results.append(
                        RowResult(
                            row=None,
                            action="deleted",
                            record_id=pk,
                            title=activity.title,
                            version=activity.updated_at.isoformat(),
                        )
                    )
    return Reading(results, file_issues, language)


def _read_row(workplan, lists: Lists, existing: dict, cells: dict, seen_ids: set) -> RowResult:
    row_number = int("".join(ch for ch in next(iter(cells.values())).coordinate if ch.isdigit()))
    result = RowResult(row=row_number, action="created")
    label = {key: str(BY_KEY[key].label) for key in cells}

    def issue(level, key, message):
        cell = cells.get(key)
        column = label.get(key) or (str(BY_KEY[key].label) if key in BY_KEY else "")
        result.issues.append(Issue(level, message, column, cell.coordinate if cell else ""))

    for key, cell in cells.items():
        if cell.formula:
            issue(ERROR, key, _("The cell holds a formula: type the value itself (formulas are not imported)."))
    if result.issues:
        result.action = "refused"
        return result

    activity = None
    raw_id = sheets.text(cells.get("id"))
    if raw_id:
        if not raw_id.isdigit():
            issue(
                ERROR,
                "id",
                _("The row id was changed: it must stay the number the portal wrote, or be empty for a new activity."),
            )
        else:
            pk = int(raw_id)
            if pk in seen_ids:
                issue(ERROR, "id", _("This row id appears twice in the file: each activity has one row."))
            activity = existing.get(pk)
            if activity is None:
                issue(
                    ERROR,
                    "id",
                    _(
                        "No activity %(id)s in this workplan: the row comes from another team's or year's file, or "
                        "the activity was deleted since the export. Empty the row id to add it as a new activity."
                    )
                    % {"id": pk},
                )
            seen_ids.add(pk)
    if result.issues:
        result.action = "refused"
        return result

    parsed = {}
    for key, cell in cells.items():
        column = BY_KEY[key]
        if key == "id":
            continue
        try:
            if column.kind in ("text", "longtext"):
                parsed[key] = sheets.text(cell) if column.kind == "text" else _long_text(cell)
            elif column.kind == "choice":
                parsed[key] = lists.choices[key].one(cell)
            elif column.kind == "multi":
                parsed[key] = lists.choices[key].many(cell)
            elif column.kind == "date":
                parsed[key] = sheets.date(cell)
            elif column.kind == "money":
                parsed[key] = sheets.amount(cell)
            elif column.kind == "bool":
                parsed[key] = sheets.yes_no(cell)
        except CellError as error:
            issue(ERROR, key, error.message)
    # Empty cells: a new activity takes the defaults; a changed one keeps nothing empty that is required.
    for key in list(parsed):
        if parsed[key] is None and key in DEFAULTS:
            parsed[key] = DEFAULTS[key] if activity is None else getattr(activity, key)
        if parsed[key] is None and BY_KEY[key].kind == "money":
            parsed[key] = Decimal("0.00")
    if parsed.get("subdivisions") and not sheets.text(cells.get("is_national")):
        parsed["is_national"] = False  # provinces named, coverage left empty: not national

    required = [c.key for c in COLUMNS if c.required]
    for key in required:
        missing = parsed.get(key) in (None, "") if activity is not None else parsed.get(key) in (None, "")
        if activity is not None and key not in parsed:
            continue  # the column is not in the file: the activity keeps its value
        if missing and not any(i.column == str(BY_KEY[key].label) for i in result.issues):
            message = _("%(column)s cannot be emptied.") if activity else _("%(column)s is needed for a new activity.")
            issue(ERROR, key, message % {"column": BY_KEY[key].label})
    result.title = parsed.get("title") or (activity.title if activity else "")
    if any(i.level == ERROR for i in result.issues):
        result.action = "refused"
        if activity is not None:
            result.record_id = activity.pk
        return result

    if activity is not None:
        result.record_id = activity.pk
        result.version = activity.updated_at.isoformat()
        current = values_of(activity)
        changed = {key: value for key, value in parsed.items() if not same(key, current[key], value)}
        result.values = changed
        result.changes = [
            (label[key], lists.display(key, current[key]), lists.display(key, value)) for key, value in changed.items()
        ]
        result.action = "changed" if changed else "unchanged"
        candidate = copy.copy(activity)
        m2m = {key: parsed.get(key, current[key]) for key in M2M}
        frameworks = list(activity.national_frameworks.all())
    else:
        values = {**DEFAULTS, **{k: v for k, v in parsed.items() if v is not None}}
        result.values = values
        result.changes = [
            (str(BY_KEY[key].label), "", lists.display(key, value))
            for key, value in values.items()
            if lists.display(key, value)
        ]
        candidate = Activity(workplan=workplan)
        m2m = {key: values.get(key, []) for key in M2M}
        frameworks = []
    if result.action == "unchanged":
        return result
    for key, value in result.values.items():
        if key not in M2M:
            setattr(candidate, key, value)
    problems = _problems(workplan, candidate, m2m, frameworks)
    for key, messages in problems.items():
        for message in messages:
            target = key if key in BY_KEY else None
            issue(ERROR, target or "", message)
    if problems:
        result.action = "refused"
        return result
    spent, available = candidate.budget_spent, candidate.budget_available
    if spent is not None and available is not None and spent > available:
        issue(
            WARNING,
            "budget_spent",
            _("Budget spent (%(spent)s) is more than budget available (%(available)s): please check both.")
            % {"spent": spent, "available": available},
        )
    return result


def _long_text(cell) -> str:
    if sheets.is_empty(cell):
        return ""
    return str(cell.value).replace("\r\n", "\n").strip()


# Foreign keys are checked against the lists above; the model would ask the database once per row.
NOT_CHECKED_HERE = ["workplan", "action_area", "lead_agency", "cooperation_outcome", "output", "last_progress_at"]


def _problems(workplan, activity: Activity, m2m: dict, frameworks: list) -> dict[str, list[str]]:
    """The write services' rules on the row's values, without touching the database."""
    errors: dict[str, list[str]] = {}
    try:
        activity.clean_fields(exclude=[f for f in NOT_CHECKED_HERE if hasattr(activity, f)])
    except ValidationError as error:
        for key, messages in error.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if activity.start_date and activity.end_date and activity.end_date < activity.start_date:
        errors.setdefault("end_date", []).append(_("The end date must be on or after the start date."))
    for key, messages in activity_problems(
        workplan=workplan,
        is_national=activity.is_national,
        subdivisions=m2m["subdivisions"],
        frameworks=frameworks,
        lead_agency=activity.lead_agency if activity.lead_agency_id else None,
        participating=m2m["participating_agencies"],
        start_date=activity.start_date,
        end_date=activity.end_date,
        sdg_targets=m2m["sdg_targets"],
        cooperation_outcome=activity.cooperation_outcome if activity.cooperation_outcome_id else None,
    ).items():
        errors.setdefault(key, []).extend(messages)
    return errors


def localized_area(area) -> str:
    return localized_label(area)
