"""A team's roster as an Excel sheet and back: the template (the running focal points, one row each,
with hidden row ids and drop-down lists; the conveners and member agencies on a read-only sheet for
context) and the reading of an edited copy into focal points to add, change or end.

Reading never writes: it loads the roster and the people named in the file in a fixed number of
queries, then judges every row with the rules of teams.services (member agency, one running entry
per person and agency, the person's fields as the model checks them). Confirming (exchange.services)
applies the rows through teams.services.
"""

from __future__ import annotations

import copy
import datetime as dt
import io

from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.models import current_on
from countries.models import Person
from teams.models import ConvenerTerm, FocalPoint, Team, TeamMember

from . import sheets
from .sheets import CellError, Choices
from .workplan_sheet import (
    CRITICAL,
    ERROR,
    LISTS_SHEET,
    META_SHEET,
    WARNING,
    Column,
    Issue,
    Reading,
    RowResult,
    match_header,
)
from .workplan_sheet import _meta as read_meta
from .workplan_sheet import _sheet_name as sheet_name
from .xlsx import FileRefused, put, read_rows

FORMAT = "unnutrition-roster"
FORMAT_VERSION = 1
SPARE_ROWS = 100

COLUMNS = [
    Column("id", gettext_lazy("Row id (leave as it is)"), "id", 8),
    Column("agency", gettext_lazy("Agency"), "choice", 14, required=True),
    Column("name", gettext_lazy("Name"), "text", 28, required=True),
    Column("title", gettext_lazy("Job title"), "text", 30),
    Column("email", gettext_lazy("E-mail"), "text", 30, required=True),
    Column("phone", gettext_lazy("Phone"), "text", 18),
    Column("is_primary", gettext_lazy("Primary focal point"), "bool", 12),
    Column("start_date", gettext_lazy("Focal point since"), "date", 14),
]
BY_KEY = {column.key: column for column in COLUMNS}
PERSON_KEYS = ("name", "title", "email", "phone")


def max_rows() -> int:
    from django.conf import settings

    return int(getattr(settings, "EXCHANGE_MAX_ROSTER_ROWS", 1000))


def running_focal_points(team: Team):
    today = timezone.localdate()
    return (
        FocalPoint.objects.filter(current_on(today), current_on(today, "member__"), member__team=team)
        .select_related("member__agency", "person")
        .order_by("member__agency__acronym", "-is_primary", "person__name", "id")
    )


def running_members(team: Team) -> list[TeamMember]:
    return list(
        TeamMember.objects.filter(current_on(timezone.localdate()), team=team)
        .select_related("agency")
        .order_by("agency__acronym")
    )


def values_of(focal_point: FocalPoint) -> dict:
    person = focal_point.person
    return {
        "agency": focal_point.member.agency,
        "name": person.name,
        "title": person.title,
        "email": person.email,
        "phone": person.phone,
        "is_primary": focal_point.is_primary,
        "start_date": focal_point.start_date,
    }


def display(key: str, value) -> str:
    if value is None or value == "":
        return ""
    kind = BY_KEY[key].kind
    if kind == "bool":
        return _("Yes") if value else _("No")
    if kind == "date":
        return value.isoformat()
    if key == "agency":
        return value.acronym
    return str(value)


def same(key: str, old, new) -> bool:
    if key == "agency":
        return getattr(old, "pk", None) == getattr(new, "pk", None)
    if key == "email":
        return (old or "").casefold() == (new or "").casefold()
    return (old if old is not None else "") == (new if new is not None else "")


def to_json(key: str, value):
    if value is None:
        return None
    if key == "agency":
        return value.pk
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def from_json(values: dict) -> dict:
    """A stored row's values, with dates as dates (the agency stays its id)."""
    result = dict(values)
    if result.get("start_date"):
        result["start_date"] = dt.date.fromisoformat(result["start_date"])
    return result


# --- the template -----------------------------------------------------------------------------------


def template(team: Team) -> bytes:
    """The team's roster as an XLSX to edit and upload again, in the active language."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    language = translation.get_language() or "en"
    rtl = translation.get_language_bidi()
    members = running_members(team)
    focal_points = list(running_focal_points(team))
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_name(_("Focal points"))
    sheet.sheet_view.rightToLeft = rtl
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
    for index, focal_point in enumerate(focal_points, start=2):
        values = values_of(focal_point)
        put(sheet.cell(row=index, column=1), focal_point.pk)
        for position, column in enumerate(COLUMNS[1:], start=2):
            cell = sheet.cell(row=index, column=position)
            if column.kind == "date":
                put(cell, values[column.key])
                cell.number_format = "yyyy-mm-dd"
            else:
                put(cell, display(column.key, values[column.key]))
    last = len(focal_points) + 1 + SPARE_ROWS
    date_column = [i for i, c in enumerate(COLUMNS, start=1) if c.kind == "date"]
    for row in range(len(focal_points) + 2, last + 1):
        for position in date_column:
            sheet.cell(row=row, column=position).number_format = "yyyy-mm-dd"

    listed = book.create_sheet(LISTS_SHEET)
    listed.sheet_state = "hidden"
    lists = {"agency": [m.agency.acronym for m in members], "is_primary": [_("Yes"), _("No")]}
    sources = {}
    for number, (key, items) in enumerate(lists.items(), start=1):
        letter = get_column_letter(number)
        for row, item in enumerate(items, start=1):
            put(listed.cell(row=row, column=number), item)
        sources[key] = f"={LISTS_SHEET}!${letter}$1:${letter}${max(len(items), 1)}"
    for position, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(position)
        rule = None
        if column.key in sources:
            rule = DataValidation(type="list", formula1=sources[column.key], allow_blank=True)
            rule.error = _("Choose a value from the list.")
            rule.errorTitle = str(column.label)[:32]
            rule.showErrorMessage = True
        elif column.kind == "date":
            rule = DataValidation(
                type="date", operator="between", formula1="DATE(2000,1,1)", formula2="DATE(2100,12,31)"
            )
            rule.error = _("Type a date as 2026-04-03 (year-month-day).")
            rule.showErrorMessage = True
        if rule is not None:
            rule.add(f"{letter}2:{letter}{last}")
            sheet.add_data_validation(rule)

    _context_sheet(book, team, members, rtl)

    meta = book.create_sheet(META_SHEET)
    meta.sheet_state = "veryHidden"
    for row, (key, value) in enumerate(
        [
            ("format", FORMAT),
            ("version", FORMAT_VERSION),
            ("team", team.pk),
            ("language", language),
            ("exported", timezone.now().replace(microsecond=0).isoformat()),
        ],
        start=1,
    ):
        put(meta.cell(row=row, column=1), key)
        put(meta.cell(row=row, column=2), value)

    about = book.create_sheet(sheet_name(_("Read me")))
    about.sheet_view.rightToLeft = rtl
    for row, line in enumerate(
        [
            _("Roster of %(team)s, exported %(day)s.")
            % {"team": team.localized_name(), "day": timezone.localdate().isoformat()},
            _(
                "Change focal points in their rows; add new focal points in empty rows below; leave the hidden row "
                "id as it is. The agency of a focal point cannot change: end the entry and add a new row."
            ),
            _(
                "Rows you remove are kept unless you tick “end the focal points that are not in the file” "
                "when you upload."
            ),
            _("Conveners and member agencies are shown for reference; they are changed on the team's page."),
            _("Nothing is saved before you have seen the preview of every change and confirmed it."),
        ],
        start=1,
    ):
        put(about.cell(row=row, column=1), line)
    about.column_dimensions["A"].width = 110
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def _context_sheet(book, team: Team, members: list[TeamMember], rtl: bool) -> None:
    """Conveners and member agencies, read-only: the import does not change them."""
    from openpyxl.styles import Font

    sheet = book.create_sheet(sheet_name(_("Conveners and members")))
    sheet.sheet_view.rightToLeft = rtl
    headers = [_("Role"), _("Agency"), _("Person"), _("From"), _("To")]
    for position, label in enumerate(headers, start=1):
        put(sheet.cell(row=1, column=position), label)
        sheet.cell(row=1, column=position).font = Font(bold=True)
    row = 2
    terms = ConvenerTerm.objects.filter(team=team).select_related("agency", "person").order_by("-start_date", "-id")
    for term in terms:
        agency = term.agency.acronym if term.agency else _("Resident Coordinator")
        values = [
            term.get_role_display(),
            agency,
            term.person.name if term.person else "",
            term.start_date,
            term.end_date,
        ]
        for position, value in enumerate(values, start=1):
            put(sheet.cell(row=row, column=position), value)
        row += 1
    for member in members:
        values = [_("Member agency"), member.agency.acronym, "", member.start_date, member.end_date]
        for position, value in enumerate(values, start=1):
            put(sheet.cell(row=row, column=position), value)
        row += 1
    for letter, width in zip("ABCDE", (18, 14, 28, 12, 12), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.protection.sheet = True


# --- reading an edited copy ----------------------------------------------------------------------------


def header_keys(header: list, language: str) -> tuple[dict[int, str], list[Issue]]:
    return match_header(
        header,
        language,
        COLUMNS,
        required=("id", "agency", "email"),
        unknown=_("Column “%(label)s” is not one of the roster's: it is ignored."),
    )


def read(team: Team, book, *, delete_missing: bool = False) -> Reading:
    """Judge every row of the uploaded workbook against the team's roster as it is now. Raises
    FileRefused when the file as a whole cannot be used (another team's file, no header, too many rows)."""
    meta = read_meta(book)
    if meta and meta.get("format") not in (None, FORMAT):
        raise FileRefused(
            _("This file is not a roster exported by the portal: start from this team's roster template.")
        )
    if meta.get("team") not in (None, "") and str(meta.get("team")) != str(team.pk):
        raise FileRefused(
            _(
                "This file was exported from another team's roster (number %(other)s), not from %(this)s: download "
                "this team's template and copy your rows into it."
            )
            % {"other": meta.get("team"), "this": team.localized_name()}
        )
    language = str(meta.get("language") or translation.get_language() or "en")
    rows = read_rows(book.worksheets[0], max_rows(), max_columns=20)
    if not rows:
        raise FileRefused(_("The first sheet is empty: start from the template this page offers."))
    positions, file_issues = header_keys(rows[0], language)
    if any(issue.level == CRITICAL for issue in file_issues):
        raise FileRefused(next(issue.message for issue in file_issues if issue.level == CRITICAL))
    with translation.override(language):
        members = {m.agency_id: m for m in running_members(team)}
        agencies = Choices(
            ((m.agency, m.agency.acronym, m.agency.acronym, m.agency.acronym) for m in members.values()),
            what=_("member agency of this team"),
        )
        existing = {fp.pk: fp for fp in running_focal_points(team)}
        row_cells = []
        for cells in rows[1:]:
            by_key = {key: cells[index] for index, key in positions.items() if index < len(cells)}
            if not all(sheets.is_empty(cell) for cell in by_key.values()):
                row_cells.append(by_key)
        emails = {sheets.text(c.get("email")).casefold() for c in row_cells if sheets.text(c.get("email"))}
        people = {
            person.email_key: person
            for person in Person.objects.annotate(email_key=Lower("email")).filter(email_key__in=emails)
        }
        results, seen_ids = [], set()
        for by_key in row_cells:
            results.append(_read_row(existing, agencies, members, people, by_key, seen_ids))
        if delete_missing:
            for pk, focal_point in existing.items():
                if pk not in seen_ids:
                    results.append(
                        RowResult(
                            row=None,
                            action="deleted",
                            record_id=pk,
                            title=f"{focal_point.person.name} ({focal_point.member.agency.acronym})",
                            version=focal_point.updated_at.isoformat(),
                        )
                    )
        _check_across_rows(results, existing)
    return Reading(results, file_issues, language)


def _read_row(existing, agencies: Choices, members: dict, people: dict, cells: dict, seen_ids: set) -> RowResult:
    row_number = int("".join(ch for ch in next(iter(cells.values())).coordinate if ch.isdigit()))
    result = RowResult(row=row_number, action="created")
    label = {key: str(BY_KEY[key].label) for key in BY_KEY}

    def issue(level, key, message):
        cell = cells.get(key)
        result.issues.append(Issue(level, message, label.get(key, ""), cell.coordinate if cell else ""))

    for key, cell in cells.items():
        if cell.formula:
            issue(ERROR, key, _("The cell holds a formula: type the value itself (formulas are not imported)."))
    if result.issues:
        result.action = "refused"
        return result

    focal_point = None
    raw_id = sheets.text(cells.get("id"))
    if raw_id:
        if not raw_id.isdigit():
            issue(
                ERROR,
                "id",
                _(
                    "The row id was changed: it must stay the number the portal wrote, or be empty for a new "
                    "focal point."
                ),
            )
        else:
            pk = int(raw_id)
            if pk in seen_ids:
                issue(ERROR, "id", _("This row id appears twice in the file: each focal point has one row."))
            focal_point = existing.get(pk)
            if focal_point is None:
                issue(
                    ERROR,
                    "id",
                    _(
                        "No running focal point %(id)s in this team: the row comes from another team's file, or the "
                        "entry ended since the export. Empty the row id to add it as a new focal point."
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
            if column.kind == "text":
                parsed[key] = sheets.text(cell)
            elif column.kind == "choice":
                parsed[key] = agencies.one(cell)
            elif column.kind == "date":
                parsed[key] = sheets.date(cell)
            elif column.kind == "bool":
                parsed[key] = sheets.yes_no(cell)
        except CellError as error:
            issue(ERROR, key, error.message)
    current = values_of(focal_point) if focal_point is not None else {}
    result.title = parsed.get("name") or current.get("name", "")
    if parsed.get("agency") or current.get("agency"):
        result.title += f" ({(parsed.get('agency') or current.get('agency')).acronym})"
    for key in ("agency", "name", "email"):
        if key in parsed and parsed[key] in (None, "") and not any(i.column == label[key] for i in result.issues):
            message = (
                _("%(column)s cannot be emptied.") if focal_point else _("%(column)s is needed for a new focal point.")
            )
            issue(ERROR, key, message % {"column": label[key]})
    if focal_point is None:
        for key in ("agency", "name", "email"):
            if key not in parsed:
                issue(ERROR, "", _("%(column)s is needed for a new focal point.") % {"column": label[key]})
    if any(i.level == ERROR for i in result.issues):
        result.action = "refused"
        return result

    if focal_point is not None:
        result.record_id = focal_point.pk
        result.version = focal_point.updated_at.isoformat()
        if "agency" in parsed and not same("agency", current["agency"], parsed["agency"]):
            issue(ERROR, "agency", _("A focal point cannot move to another agency or team: end it and add a new one."))
            result.action = "refused"
            return result
        if parsed.get("is_primary") is None and "is_primary" in parsed:
            parsed["is_primary"] = current["is_primary"]
        changed = {k: v for k, v in parsed.items() if k != "agency" and not same(k, current[k], v)}
        if "start_date" in changed and changed["start_date"] is None:
            del changed["start_date"]  # an emptied date keeps the recorded one
        result.values = changed
        result.changes = [(label[k], display(k, current[k]), display(k, v)) for k, v in changed.items()]
        result.action = "changed" if changed else "unchanged"
        if not changed:
            return result
        person = copy.copy(focal_point.person)
        email = changed.get("email")
        if email:
            other = people.get(email.casefold())
            if other is not None and other.pk != person.pk:
                issue(ERROR, "email", _("Another person already has this e-mail address."))
        if any(k in changed for k in PERSON_KEYS):
            issue(
                WARNING,
                "",
                _("The contact details are %(name)s's everywhere in the portal, not only in this team.")
                % {"name": focal_point.person.name},
            )
        for key in PERSON_KEYS:
            if key in changed:
                setattr(person, key, changed[key])
        _person_problems(person, issue)
        if focal_point.end_date is None and changed.get("start_date") and changed["start_date"] > timezone.localdate():
            issue(WARNING, "start_date", _("The start date is in the future: the entry stays as it is until then."))
    else:
        values = {k: v for k, v in parsed.items() if v not in (None, "")}
        values.setdefault("is_primary", False)
        result.values = values
        result.changes = [(label[k], "", display(k, v)) for k, v in values.items() if display(k, v)]
        known = people.get(values["email"].casefold())
        member = members[values["agency"].pk]
        if known is not None:
            running = [fp for fp in existing.values() if fp.person_id == known.pk and fp.member_id == member.pk]
            if running:
                issue(
                    ERROR,
                    "email",
                    _("%(name)s is already a focal point of %(agency)s in this team.")
                    % {"name": known.name, "agency": values["agency"]},
                )
            elif sheets.norm(known.name) != sheets.norm(values["name"]):
                issue(
                    WARNING,
                    "email",
                    _(
                        "This e-mail address is %(name)s's, already known to the portal: the focal point will be "
                        "%(name)s, and the name in the file is not used."
                    )
                    % {"name": known.name},
                )
        else:
            _person_problems(
                Person(
                    name=values["name"],
                    title=values.get("title", ""),
                    email=values["email"],
                    phone=values.get("phone", ""),
                ),
                issue,
            )
    if any(i.level == ERROR for i in result.issues):
        result.action = "refused"
    return result


def _person_problems(person: Person, issue) -> None:
    from django.core.exceptions import ValidationError

    try:
        person.clean_fields(exclude=["agency", "country", "honorific", "organization", "is_demo"])
    except ValidationError as error:
        for key, messages in error.message_dict.items():
            for message in messages:
                issue(ERROR, key if key in BY_KEY else "", message)


def _check_across_rows(results: list[RowResult], existing: dict) -> None:
    """What no single row shows: the same person twice for an agency, two primary focal points."""
    seen: dict[tuple, RowResult] = {}
    for result in results:
        if result.action != "created":
            continue
        key = (result.values["agency"].pk, result.values["email"].casefold())
        if key in seen:
            result.issues.append(
                Issue(
                    ERROR,
                    _("This person is named twice for %(agency)s in the file.") % {"agency": result.values["agency"]},
                    str(BY_KEY["email"].label),
                )
            )
            result.action = "refused"
        seen[key] = result
    primary: dict[int, list] = {}
    in_file = {r.record_id: r for r in results if r.record_id}
    for pk, focal_point in existing.items():
        row = in_file.get(pk)
        if row is not None and row.action == "deleted":
            continue
        flag = row.values.get("is_primary", focal_point.is_primary) if row is not None else focal_point.is_primary
        if flag:
            primary.setdefault(focal_point.member.agency_id, []).append((row, focal_point.member.agency))
    for result in results:
        if result.action == "created" and result.values.get("is_primary"):
            primary.setdefault(result.values["agency"].pk, []).append((result, result.values["agency"]))
    for entries in primary.values():
        marked = [row for row, _agency in entries if row is not None and row.values.get("is_primary")]
        if len(entries) > 1 and marked:
            for row in marked:
                row.issues.append(
                    Issue(
                        WARNING,
                        _(
                            "An agency has one primary focal point: %(agency)s would have %(count)s. The last row "
                            "saved is the primary one; mark the others %(no)s."
                        )
                        % {"agency": entries[0][1], "count": len(entries), "no": _("No")},
                        str(BY_KEY["is_primary"].label),
                    )
                )
