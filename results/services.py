"""Every write to indicators, their targets and values, and evidence.

Portal views, API viewsets, the demo data and the copy of a workplan call these and nothing
else, so the rules and their (translated) messages live here once. A service that changes
an existing record locks it and runs the writer's `precondition` (the portal form's version,
the API's If-Match) on the locked row (core.services.lock_for_write). Each write replaces
the workplans data version (core.versions), so no cached answer or ETag outlives it.

Refusals: PermissionDenied when the role does not allow it (API 403), StateConflict when the
record's state does not (a closed period, a value already approved: API 409), ValidationError
naming the field for bad input (API 400); in each case nothing is saved.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.rules import is_secretariat, is_signed_in
from core import versions
from core.services import Precondition, StateConflict, lock_for_write
from teams.models import Team
from teams.rules import is_team_member
from workplans import services as workplan_services
from workplans.models import Amendment, Output, ProgressUpdate, ReportingPeriod, Workplan

from . import rules
from .evidence import check_upload
from .models import Attachment, Indicator, IndicatorValue, StandardIndicator, Target, Unit

# A year's plan sets targets for its own year and up to five years on (as activities run).
TARGET_YEARS_AHEAD = 5


def _save(record):
    record.full_clean()
    record.save()
    return record


def _text(value) -> str:
    return " ".join(str(value or "").split()) if value is not None else ""


# --- values by unit: the one place that says what a number, a percentage, a yes/no is ----------------


def _decimal(value):
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return Decimal(int(value))
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return value  # the model's field says it is not a number


def unit_problems(unit: str, value, text: str, *, value_field: str, text_field: str, required: bool) -> dict:
    """What is wrong with `value` (a number) and `text` (words) for an indicator measured in `unit`."""
    errors: dict[str, list[str]] = {}
    value = _decimal(value)
    if unit == Unit.QUALITATIVE:
        if value is not None:
            errors[value_field] = [_("This indicator is qualitative: describe the result in words, without a number.")]
        elif required and not text:
            errors[text_field] = [_("Describe the result in words.")]
        return errors
    if text:
        errors[text_field] = [_("Only a qualitative indicator takes words here; give a number (and use the comment).")]
    if value is None:
        if required:
            errors[value_field] = [_("Answer yes or no.") if unit == Unit.YES_NO else _("Enter a number.")]
        return errors
    if not isinstance(value, Decimal):
        return errors
    shown = f"{value.normalize():f}"  # 120, not 120.00
    if unit == Unit.YES_NO and value not in (0, 1):
        errors[value_field] = [
            _("This indicator is answered yes or no (1 for yes, 0 for no), not %(value)s.") % {"value": shown}
        ]
    elif unit == Unit.PERCENT and not 0 <= value <= 100:
        errors[value_field] = [_("A percentage is between 0 and 100; %(value)s is not.") % {"value": shown}]
    elif unit == Unit.NUMBER and value < 0:
        errors[value_field] = [_("This indicator counts something: it cannot be negative.")]
    return errors


# --- indicators and targets ----------------------------------------------------------------------


def check_plan_indicators(user, output: Output) -> None:
    """Indicators are planned with their output, in a draft workplan (the team) or by the Secretariat."""
    workplan_services.check_plan_outputs(user, output.workplan)


def _apply_standard(indicator: Indicator, sent: dict) -> dict:
    """A catalogue indicator keeps the catalogue's unit, direction and SDG number; its name is the default title."""
    errors: dict[str, list[str]] = {}
    standard = indicator.standard
    if standard is None:
        return errors
    if not standard.is_active and indicator.pk is None:
        errors["standard"] = [_("%(name)s is no longer offered by the Secretariat.") % {"name": standard.name}]
    for field in ("unit", "direction"):
        if field in sent and sent[field] and sent[field] != getattr(standard, field):
            errors[field] = [
                _("%(name)s is a standard indicator: its %(field)s is %(value)s.")
                % {
                    "name": standard.localized_name(),
                    "field": Indicator._meta.get_field(field).verbose_name,
                    "value": getattr(standard, f"get_{field}_display")().lower(),
                }
            ]
        setattr(indicator, field, getattr(standard, field))
    if sent.get("sdg_indicator") and standard.sdg_indicator and sent["sdg_indicator"] != standard.sdg_indicator:
        errors["sdg_indicator"] = [
            _("%(name)s is SDG indicator %(code)s.")
            % {"name": standard.localized_name(), "code": standard.sdg_indicator}
        ]
    if standard.sdg_indicator:
        indicator.sdg_indicator = standard.sdg_indicator
    if not indicator.title:
        indicator.title = standard.name
    return errors


def _check_title(indicator: Indicator) -> dict:
    if not (indicator.title or "").strip():
        return {"title": [_("Give the indicator a title, or choose a standard indicator.")]}
    return {}


def _target_rows(targets) -> list[dict]:
    rows = []
    for row in targets or []:
        rows.append(
            {
                "year": row.get("year"),
                "period_kind": row.get("period_kind"),
                "value": _decimal(row.get("value")),
                "text": _text(row.get("text")),
            }
        )
    return rows


def indicator_problems(indicator: Indicator, targets: list[dict] | None) -> dict:
    """The rules across an indicator's fields and its targets."""
    errors: dict[str, list[str]] = {}
    workplan = indicator.output.workplan

    def add(field, message):
        errors.setdefault(field, []).append(message)

    for field, messages in unit_problems(
        indicator.unit,
        indicator.baseline_value,
        indicator.baseline_text,
        value_field="baseline_value",
        text_field="baseline_text",
        required=False,
    ).items():
        for message in messages:
            add(field, message)
    has_baseline = indicator.baseline_value is not None or bool(indicator.baseline_text)
    if has_baseline and indicator.baseline_year is None:
        add("baseline_year", _("Give the year of the baseline."))
    if indicator.baseline_year is not None and indicator.baseline_year > workplan.year:
        add("baseline_year", _("The baseline is measured in %(year)s or before.") % {"year": workplan.year})
    if indicator.by_province and not workplan.team.country_id:
        add("by_province", _("Only a country team's indicators are broken down by province."))
    if indicator.direction and indicator.unit in (Unit.YES_NO, Unit.QUALITATIVE) and indicator.direction != "increase":
        add("direction", _("A yes/no or qualitative indicator has no direction to decrease in."))
    if targets:
        if indicator.baseline_year is None:
            add(
                "baseline_year",
                _("Give the baseline year before setting targets: a target is measured from a baseline."),
            )
        seen = set()
        for row in targets:
            year, kind = row["year"], row["period_kind"]
            if kind not in ReportingPeriod.Kind.values:
                add("targets", _("%(kind)s is not a kind of reporting period.") % {"kind": kind})
                continue
            if not isinstance(year, int) or not workplan.year <= year <= workplan.year + TARGET_YEARS_AHEAD:
                add(
                    "targets",
                    _("Targets are set for %(first)s to %(last)s, not %(year)s.")
                    % {"first": workplan.year, "last": workplan.year + TARGET_YEARS_AHEAD, "year": year},
                )
                continue
            if (year, kind) in seen:
                add(
                    "targets",
                    _("Two targets are given for the %(kind)s period of %(year)s.")
                    % {"kind": ReportingPeriod.Kind(kind).label.lower(), "year": year},
                )
            seen.add((year, kind))
            for messages in unit_problems(
                indicator.unit, row["value"], row["text"], value_field="targets", text_field="targets", required=True
            ).values():
                for message in messages:
                    add(
                        "targets",
                        _("Target for the %(kind)s period of %(year)s: %(problem)s")
                        % {"kind": ReportingPeriod.Kind(kind).label.lower(), "year": year, "problem": message},
                    )
    return errors


def _existing_targets(indicator: Indicator) -> list[dict]:
    if indicator.pk is None:
        return []
    return list(indicator.targets.values("year", "period_kind", "value", "text"))


def _write_indicator(indicator: Indicator, sent: dict, targets: list | None) -> Indicator:
    errors = _apply_standard(indicator, sent) or _check_title(indicator)
    rows = _target_rows(targets) if targets is not None else _existing_targets(indicator)
    for field, messages in indicator_problems(indicator, rows).items():
        errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    _save(indicator)
    if targets is not None:
        _replace_targets(indicator, rows)
    return indicator


def _replace_targets(indicator: Indicator, rows: list[dict]) -> None:
    """Set the indicator's targets to `rows`: unchanged ones stay, so their history shows real changes only."""
    existing = {(t.year, t.period_kind): t for t in indicator.targets.all()}
    wanted = {(row["year"], row["period_kind"]): row for row in rows}
    for key, target in existing.items():
        if key not in wanted:
            target.delete()
    for key, row in wanted.items():
        target = existing.get(key) or Target(indicator=indicator, year=row["year"], period_kind=row["period_kind"])
        if target.pk and target.value == row["value"] and target.text == row["text"]:
            continue
        target.value, target.text = row["value"], row["text"]
        _save(target)


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def create_indicator(*, output: Output, user, data: dict, targets: list | None = None) -> Indicator:
    """Add an indicator to an output of a draft workplan, with its targets (a list of year, period_kind,
    value, text)."""
    output = lock_for_write(Output.objects.select_related("workplan__team"), output.pk)
    check_plan_indicators(user, output)
    data = dict(data)
    if "output" in data and data.pop("output") != output:
        raise ValidationError({"output": _("Choose an output of this workplan.")})
    sent = dict(data)
    # Unit and direction left empty: the catalogue's for a standard indicator, else the defaults.
    for name in ("unit", "direction"):
        if not data.get(name):
            data.pop(name, None)
    indicator = Indicator(output=output, **data)
    return _write_indicator(indicator, sent, targets)


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def update_indicator(
    *, pk: int, user, data: dict, targets: list | None = None, precondition: Precondition | None = None
) -> Indicator:
    """Change an indicator (and, when `targets` is given, replace its targets) while the workplan is a draft."""
    indicator = lock_for_write(Indicator.objects.select_related("output__workplan__team", "standard"), pk, precondition)
    check_plan_indicators(user, indicator.output)
    data = dict(data)
    if "output" in data and data["output"] != indicator.output:
        new_output = data.pop("output")
        if new_output.workplan_id != indicator.output.workplan_id:
            raise ValidationError({"output": _("An indicator stays in its workplan: choose an output of this one.")})
        indicator.output = new_output
    if "standard" in data and data["standard"] != indicator.standard and indicator.values.exists():
        raise ValidationError(
            {"standard": _("Values are reported for this indicator: what it measures cannot change now.")}
        )
    if "unit" in data and data["unit"] != indicator.unit and indicator.values.exists():
        raise ValidationError({"unit": _("Values are reported for this indicator: its unit cannot change now.")})
    for name, value in data.items():
        if name in ("unit", "direction") and not value:
            continue
        setattr(indicator, name, value)
    return _write_indicator(indicator, data, targets)


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def delete_indicator(*, pk: int, user, precondition: Precondition | None = None) -> None:
    indicator = lock_for_write(Indicator.objects.select_related("output__workplan__team"), pk, precondition)
    check_plan_indicators(user, indicator.output)
    try:
        with transaction.atomic():
            indicator.delete()
    except ProtectedError:
        raise ValidationError(_("Values are reported for this indicator: it cannot be deleted.")) from None


def copy_indicators(sender, *, source: Workplan, workplan: Workplan, year: int, outputs: dict, **kwargs) -> None:
    """workplans.signals.workplan_copied: the copied outputs' indicators, with the targets for `year` and
    after; the values (and last year's targets) stay with the old workplan."""
    old_indicators = list(
        Indicator.objects.filter(output__workplan=source)
        .prefetch_related("targets")
        .order_by("output", "position", "id")
    )
    for old in old_indicators:
        new_output = outputs.get(old.output_id)
        if new_output is None:
            continue
        new = Indicator.objects.create(
            output=new_output,
            standard_id=old.standard_id,
            title=old.title,
            unit=old.unit,
            direction=old.direction,
            baseline_value=old.baseline_value,
            baseline_text=old.baseline_text,
            baseline_year=old.baseline_year,
            means_of_verification=old.means_of_verification,
            responsible_agency_id=old.responsible_agency_id,
            by_sex=old.by_sex,
            by_age_group=old.by_age_group,
            by_province=old.by_province,
            sdg_indicator=old.sdg_indicator,
            position=old.position,
        )
        for target in old.targets.all():
            if target.year >= year:
                Target.objects.create(
                    indicator=new,
                    year=target.year,
                    period_kind=target.period_kind,
                    value=target.value,
                    text=target.text,
                )


# --- values --------------------------------------------------------------------------------------


def is_locked(value: IndicatorValue) -> bool:
    """A value of a closed period is locked, unless the Secretariat unlocked it since the period closed."""
    period = value.period
    if not period.is_closed:
        return False
    return not (value.unlocked_at and value.unlocked_at >= period.closed_at)


def _workplan_of(indicator: Indicator) -> Workplan:
    return indicator.output.workplan


def check_enter_values(user, workplan: Workplan) -> None:
    if not rules.enter_values.test(user, workplan):
        raise PermissionDenied(_("Only this team's focal points, conveners and the Secretariat enter its values."))


def check_decide_values(user, value: IndicatorValue) -> None:
    """The convener (or the Secretariat) approves or returns a value awaiting approval, never one they entered."""
    if not rules.decide_values.test(user, _workplan_of(value.indicator)):
        raise PermissionDenied(_("Only this team's conveners and the Secretariat approve or return its values."))
    if value.entered_by_id is not None and value.entered_by_id == user.pk:
        raise PermissionDenied(
            _("You entered this value: another convener of the team or the Secretariat approves or returns it.")
        )
    _check_not_locked(value)
    if value.status != IndicatorValue.Status.SUBMITTED:
        raise StateConflict(
            _("This value is %(status)s: only a value awaiting approval is approved or returned.")
            % {"status": value.get_status_display().lower()},
            value.status,
        )


def _check_not_locked(value: IndicatorValue) -> None:
    if is_locked(value):
        raise StateConflict(
            _(
                "The %(period)s period is closed: its values are locked. The Secretariat can unlock this value, "
                "saying why."
            )
            % {"period": value.period},
            "locked",
        )


def check_period_open(period: ReportingPeriod) -> None:
    if period.is_closed:
        raise StateConflict(
            _("The %(period)s period is closed: values can no longer be entered for it.") % {"period": period},
            "closed",
        )


BREAKDOWN = (("sex", "by_sex"), ("age_group", "by_age_group"), ("subdivision", "by_province"))


def _check_breakdown(indicator: Indicator, data: dict) -> dict:
    errors = {}
    messages = {
        "sex": _("This indicator is not broken down by sex."),
        "age_group": _("This indicator is not broken down by age group."),
        "subdivision": _("This indicator is not broken down by province."),
    }
    for field, flag in BREAKDOWN:
        if data.get(field) and not getattr(indicator, flag):
            errors[field] = [messages[field]]
    subdivision = data.get("subdivision")
    country = _workplan_of(indicator).team.country_id
    if subdivision is not None and "subdivision" not in errors and subdivision.country_id != country:
        errors["subdivision"] = [_("This province is not in the team's country.")]
    return errors


def _check_value(indicator: Indicator, value: IndicatorValue) -> None:
    errors = unit_problems(
        indicator.unit, value.value, value.text, value_field="value", text_field="text", required=True
    )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def enter_value(*, indicator: Indicator, period: ReportingPeriod, user, data: dict) -> IndicatorValue:
    """A team's actual value for a period (the total, or one breakdown where the indicator has them);
    it then awaits the convener's approval."""
    # The indicator's row lock makes two people entering the same breakdown at once queue.
    indicator = lock_for_write(Indicator.objects.select_related("output__workplan__team"), indicator.pk)
    workplan = _workplan_of(indicator)
    check_enter_values(user, workplan)
    period = ReportingPeriod.objects.get(pk=period.pk)  # as saved now: it may have closed since the form was shown
    if period.year != workplan.year:
        raise ValidationError(
            {
                "period": _("This workplan is for %(year)s: enter values for a period of %(year)s.")
                % {"year": workplan.year}
            }
        )
    check_period_open(period)
    data = {
        key: value
        for key, value in data.items()
        if key in ("sex", "age_group", "subdivision", "value", "text", "comment")
    }
    data["sex"], data["age_group"] = data.get("sex") or "", data.get("age_group") or ""
    errors = _check_breakdown(indicator, data)
    if errors:
        raise ValidationError(errors)
    value = IndicatorValue(
        indicator=indicator,
        period=period,
        status=IndicatorValue.Status.SUBMITTED,
        entered_by=user,
        entered_at=timezone.now(),
        **{**data, "text": data.get("text") or "", "comment": data.get("comment") or ""},
    )
    _check_value(indicator, value)
    return _save(value)


CORRECTABLE = ("value", "text", "comment")


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def correct_value(*, pk: int, user, data: dict, precondition: Precondition | None = None) -> IndicatorValue:
    """Correct a value (returned, awaiting approval, or approved while its period is open): it awaits
    approval again, entered by whoever corrected it."""
    value = lock_for_write(
        IndicatorValue.objects.select_related("indicator__output__workplan__team", "period"), pk, precondition
    )
    check_enter_values(user, _workplan_of(value.indicator))
    _check_not_locked(value)
    fixed = {"indicator": value.indicator, "period": value.period, "sex": value.sex, "age_group": value.age_group,
             "subdivision": value.subdivision}  # fmt: skip
    for name, current in fixed.items():
        if name in data and (data[name] or None) != (current or None):
            raise ValidationError(
                {name: _("A value keeps its indicator, period and breakdown: enter a new value instead.")}
            )
    for name in CORRECTABLE:
        if name in data:
            setattr(value, name, data[name] if data[name] is not None or name == "value" else "")
    value.status = IndicatorValue.Status.SUBMITTED
    value.entered_by, value.entered_at = user, timezone.now()
    _check_value(value.indicator, value)
    return _save(value)


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def approve_value(*, pk: int, user, precondition: Precondition | None = None) -> IndicatorValue:
    value = lock_for_write(
        IndicatorValue.objects.select_related("indicator__output__workplan__team", "period"), pk, precondition
    )
    check_decide_values(user, value)
    value.status = IndicatorValue.Status.APPROVED
    value.decided_by, value.decided_at = user, timezone.now()
    # An unlocked value of a closed period is locked again once approved (its history keeps the unlock).
    value.unlocked_by = value.unlocked_at = None
    value.unlock_reason = ""
    return _save(value)


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def return_value(*, pk: int, user, reason: str, precondition: Precondition | None = None) -> IndicatorValue:
    """Send a value back to the team for correction, saying why."""
    value = lock_for_write(
        IndicatorValue.objects.select_related("indicator__output__workplan__team", "period"), pk, precondition
    )
    check_decide_values(user, value)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the value is returned: the team reads it to correct the value.")})
    value.status = IndicatorValue.Status.RETURNED
    value.return_reason = reason
    value.decided_by, value.decided_at = user, timezone.now()
    return _save(value)


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def unlock_value(*, pk: int, user, reason: str, precondition: Precondition | None = None) -> IndicatorValue:
    """The Secretariat opens a locked value for correction and a new decision, saying why (kept in its history)."""
    value = lock_for_write(
        IndicatorValue.objects.select_related("indicator__output__workplan__team", "period"), pk, precondition
    )
    if not rules.unlock_values.test(user):
        raise PermissionDenied(_("Only the Secretariat unlocks values of a closed period."))
    if not is_locked(value):
        raise StateConflict(_("This value is not locked: its period is open, or it is already unlocked."), "unlocked")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the value is unlocked: it is kept in its history.")})
    value.unlocked_by, value.unlocked_at, value.unlock_reason = user, timezone.now(), reason
    value._change_reason = reason
    return _save(value)


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def delete_value(*, pk: int, user, precondition: Precondition | None = None) -> None:
    """Remove a value entered by mistake (not an approved one); the history keeps it."""
    value = lock_for_write(
        IndicatorValue.objects.select_related("indicator__output__workplan__team", "period"), pk, precondition
    )
    check_enter_values(user, _workplan_of(value.indicator))
    _check_not_locked(value)
    if value.status == IndicatorValue.Status.APPROVED:
        raise StateConflict(_("An approved value is not deleted: correct it instead."), value.status)
    value.delete()


# --- evidence ------------------------------------------------------------------------------------

# What evidence can be attached to: name -> (model, path from it to its team's id).
TARGETS = {
    "workplan": (Workplan, "team_id"),
    "output": (Output, "workplan__team_id"),
    "indicator_value": (IndicatorValue, "indicator__output__workplan__team_id"),
    "progress_update": (ProgressUpdate, "activity__workplan__team_id"),
    "team": (Team, "pk"),
    # The signed document of an amendment (workplans.Amendment, issue 15).
    "amendment": (Amendment, "workplan__team_id"),
}
TARGET_TYPES = {model: name for name, (model, _path) in TARGETS.items()}


def target_type_of(target) -> str:
    return TARGET_TYPES[type(target)]


def team_id_of_target(target) -> int:
    model, path = TARGETS[target_type_of(target)]
    return model._default_manager.filter(pk=target.pk).values_list(path, flat=True).get()


def can_view_attachment(user, attachment: Attachment) -> bool:
    if attachment.visibility == Attachment.Visibility.PUBLIC:
        return True
    if attachment.visibility == Attachment.Visibility.UN:
        return is_signed_in(user)
    return bool(is_secretariat(user) or is_team_member(user, attachment.team))


def check_view_attachment(user, attachment: Attachment) -> None:
    """The same check as the record's: refused with a message saying who may see it."""
    if can_view_attachment(user, attachment):
        return
    if attachment.visibility == Attachment.Visibility.UN:
        raise PermissionDenied(_("Sign in to see this evidence: it is shared with UN users."))
    raise PermissionDenied(
        _("This evidence is shared with %(team)s and the Secretariat only.") % {"team": attachment.team.name}
    )


def check_manage_evidence(user, team) -> None:
    if not rules.manage_evidence.test(user, team):
        raise PermissionDenied(_("Only this team's people and the Secretariat add or change its evidence."))


METADATA = ("kind", "title", "document_date", "language", "visibility", "description")


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def add_attachment(*, user, target, data: dict, upload=None) -> Attachment:
    """A file (checked by its content and size) or a link, as evidence on `target` (a workplan, output,
    indicator value, progress update or team)."""
    if type(target) not in TARGET_TYPES:
        raise ValidationError(
            {"target_type": _("Evidence goes on a workplan, an output, a value, a progress update or a team.")}
        )
    team = Team.objects.get(pk=team_id_of_target(target))
    check_manage_evidence(user, team)
    url = (data.get("url") or "").strip()
    if upload is not None and url:
        raise ValidationError({"url": _("Attach a file or give a link, not both.")})
    if upload is None and not url:
        raise ValidationError({"file": _("Attach a file or give a link.")})
    if url and not url.lower().startswith(("https://", "http://")):
        raise ValidationError({"url": _("Give a web address starting with https:// or http://.")})
    attachment = Attachment(
        team=team,
        target=target,
        url=url,
        uploaded_by=user,
        **{name: data[name] for name in METADATA if name in data and data[name] is not None},
    )
    if not attachment.title:
        attachment.title = (upload.name if upload is not None else url) or _("Evidence")
    if upload is None:
        return _save(attachment)
    name, media_type, size = check_upload(upload)
    attachment.file_name, attachment.media_type, attachment.file_size = name, media_type, size
    attachment.full_clean(exclude=["file"])
    attachment.file.save(name, upload, save=False)
    try:
        with transaction.atomic():
            attachment.save()
    except BaseException:
        attachment.file.delete(save=False)
        raise
    return attachment


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def update_attachment(*, pk: int, user, data: dict, precondition: Precondition | None = None) -> Attachment:
    """Change evidence's description (type, title, date, language, who sees it); the file stays as it is."""
    attachment = lock_for_write(Attachment.objects.select_related("team"), pk, precondition)
    check_manage_evidence(user, attachment.team)
    for name, value in data.items():
        if name == "url" and attachment.is_link:
            value = (value or "").strip()
            if not value.lower().startswith(("https://", "http://")):
                raise ValidationError({"url": _("Give a web address starting with https:// or http://.")})
            attachment.url = value
        elif name in METADATA:
            setattr(attachment, name, value if value is not None else "")
        elif name in ("target_type", "target_id", "file", "url"):
            raise ValidationError({name: _("Evidence stays on its record, with its file: add new evidence instead.")})
    return _save(attachment)


@transaction.atomic
@versions.writes(versions.WORKPLANS)
def delete_attachment(*, pk: int, user, precondition: Precondition | None = None) -> None:
    """Remove evidence. Its file stays in the media folder (and in backups), so restoring the record
    from its history brings it back whole; it is no longer served once the record is gone."""
    attachment = lock_for_write(Attachment.objects.select_related("team"), pk, precondition)
    check_manage_evidence(user, attachment.team)
    attachment.delete()


# --- the catalogue (Secretariat) -----------------------------------------------------------------


def active_catalogue():
    return StandardIndicator.objects.filter(is_active=True).order_by("position", "code")
