"""The Excel round trip of a workplan: export, edit in openpyxl (change, add, delete, break), upload,
the preview shows exactly that, nothing is saved before confirming, confirm, the data matches; undo
puts the plan back as it was."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from agencies.models import Agency
from core.services import StateConflict
from countries.models import Subdivision
from exchange import services
from exchange.models import ImportBatch
from workplans.models import Activity, ProgressUpdate, SdgTarget

from ..factories import make_activity, make_user, make_workplan
from .helpers import COLUMN, delete_row, first_empty_row, row_of, set_cells, template_book, to_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(cambodia):
    workplan = make_workplan(cambodia, 2026)
    keep = make_activity(workplan, title="Costing of the wasting roadmap", budget_required=Decimal("40000"))
    joint = make_activity(workplan, title="Joint supply chain review", lead_agency=Agency.objects.get(acronym="UNICEF"))
    joint.participating_agencies.set(Agency.objects.filter(acronym="WHO"))
    joint.sdg_targets.set(SdgTarget.objects.filter(code="2.2"))
    gone = make_activity(workplan, title="Old survey")
    ProgressUpdate.objects.create(
        activity=gone, reported_on=dt.date(2026, 3, 1), percent_complete=20, status="implementation", text="Started"
    )
    return workplan, keep, joint, gone


@pytest.fixture
def focal(cambodia):
    return make_user("focal_point", cambodia)


def upload(plan, user, book, delete_missing=False, name="plan.xlsx"):
    return services.preview_workplan_import(
        workplan=plan, user=user, file_name=name, data=to_bytes(book), delete_missing=delete_missing
    )


def by_action(batch):
    rows = {}
    for row in batch.preview:
        rows.setdefault(row["action"], []).append(row)
    return rows


def snapshot(workplan):
    """Everything an import may change, per activity id."""
    return {
        a.pk: (
            a.title,
            a.action_area_id,
            a.lead_agency_id,
            sorted(a.participating_agencies.values_list("acronym", flat=True)),
            sorted(a.sdg_targets.values_list("code", flat=True)),
            a.is_national,
            sorted(a.subdivisions.values_list("code", flat=True)),
            a.start_date,
            a.end_date,
            a.currency,
            a.budget_required,
            a.budget_available,
            a.budget_spent,
            a.status,
            a.progress_updates.count(),
            a.gender_marker,
            sorted(a.tags.values_list("code", flat=True)),
        )
        for a in Activity.objects.filter(workplan=workplan)
    }


def test_round_trip_change_add_delete_break_confirm_undo(plan, focal):
    workplan, keep, joint, gone = plan
    before = snapshot(workplan)
    province = Subdivision.objects.filter(country=workplan.team.country).order_by("code").first()

    book = template_book(workplan)
    sheet = book.worksheets[0]
    set_cells(sheet, row_of(sheet, keep.pk), title="Costing of the child-wasting roadmap", budget_available=12500)
    set_cells(
        sheet,
        row_of(sheet, joint.pk),
        participating_agencies="WHO; WFP",
        sdg_targets="2.2; 2.1",
        gender_marker="2 - contributes significantly",
        tags="Women and girls; nutrition-specific",
    )
    new_row = first_empty_row(sheet)
    set_cells(
        sheet,
        new_row,
        title="Provincial nutrition working group meetings",
        action_area="Advocacy",
        lead_agency="FAO",
        subdivisions=f"{province.code} — {province.name}",
        start_date=dt.date(2026, 4, 1),
        end_date=dt.date(2026, 12, 15),
        budget_required=8000,
    )
    delete_row(sheet, gone.pk)
    # Broken: an unknown agency, an ambiguous date, a formula.
    broken = first_empty_row(sheet)
    set_cells(
        sheet,
        broken,
        title="Broken row",
        action_area="Advocacy",
        lead_agency="XYZ",
        start_date="03/04/2026",
        end_date=dt.date(2026, 6, 1),
        budget_required="=1+1",
    )

    batch = upload(workplan, focal, book, delete_missing=True)
    rows = by_action(batch)
    assert batch.status == ImportBatch.Status.PREVIEWED and not batch.can_confirm
    refused = rows["refused"]
    assert [row["row"] for row in refused] == [broken]
    assert {issue["column"] for issue in refused[0]["issues"]} == {"Budget required"}  # formulas first
    assert snapshot(workplan) == before  # nothing saved
    with pytest.raises(StateConflict):
        services.confirm_import(pk=batch.pk, user=focal)
    assert snapshot(workplan) == before

    # The same file without its formula: each remaining problem at its cell.
    sheet.cell(row=broken, column=COLUMN["budget_required"], value=100)
    batch = upload(workplan, focal, book, delete_missing=True)
    issues = {issue["column"]: issue for issue in by_action(batch)["refused"][0]["issues"]}
    assert set(issues) == {"Lead agency", "Start date"}
    assert "XYZ" in issues["Lead agency"]["message"] and issues["Lead agency"]["level"] == "error"
    assert "2026-04-03" in issues["Start date"]["message"] and issues["Start date"]["cell"].startswith("K")

    # Fixed: the preview shows exactly the four changes.
    sheet.delete_rows(broken)
    batch = upload(workplan, focal, book, delete_missing=True)
    rows = by_action(batch)
    assert batch.error_count == 0 and batch.can_confirm
    assert (batch.created_count, batch.changed_count, batch.deleted_count) == (1, 2, 1)
    changed = {row["id"]: {c["column"]: (c["old"], c["new"]) for c in row["changes"]} for row in rows["changed"]}
    assert changed == {
        keep.pk: {
            "Title": ("Costing of the wasting roadmap", "Costing of the child-wasting roadmap"),
            "Budget available": ("0.00", "12500.00"),
        },
        joint.pk: {
            "Participating agencies": ("WHO", "WFP; WHO"),
            "SDG targets (at most 10)": ("2.2", "2.1; 2.2"),
            "Gender Equality Marker": ("", "2 - contributes significantly"),
            "Tags": ("", "Nutrition-specific; Women and girls"),
        },
    }
    assert [row["id"] for row in rows["deleted"]] == [gone.pk]
    assert rows["created"][0]["title"] == "Provincial nutrition working group meetings"
    assert snapshot(workplan) == before  # still nothing saved

    services.confirm_import(pk=batch.pk, user=focal)
    keep.refresh_from_db()
    assert keep.title == "Costing of the child-wasting roadmap" and keep.budget_available == Decimal("12500.00")
    assert keep.budget_required == Decimal("40000.00")  # untouched cells stay
    assert sorted(joint.participating_agencies.values_list("acronym", flat=True)) == ["WFP", "WHO"]
    assert sorted(joint.sdg_targets.values_list("code", flat=True)) == ["2.1", "2.2"]
    joint.refresh_from_db()
    assert joint.gender_marker == 2
    assert sorted(joint.tags.values_list("code", flat=True)) == ["nutrition-specific", "women-girls"]
    assert not Activity.objects.filter(pk=gone.pk).exists()
    new = Activity.objects.get(workplan=workplan, title="Provincial nutrition working group meetings")
    assert (new.lead_agency.acronym, new.action_area.code, new.is_national) == ("FAO", "advocacy", False)
    assert list(new.subdivisions.values_list("code", flat=True)) == [province.code]
    assert (new.start_date, new.end_date, new.budget_required) == (dt.date(2026, 4, 1), dt.date(2026, 12, 15), 8000)
    # One change in the history: every row it wrote says which import.
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED
    reasons = set(
        Activity.history.filter(history_id__gt=0, id__in=[keep.pk, joint.pk, gone.pk, new.pk])
        .exclude(history_change_reason=None)
        .values_list("history_change_reason", flat=True)
    )
    assert reasons == {batch.change_reason}

    services.undo_import(pk=batch.pk, user=focal)
    assert snapshot(workplan) == before  # the old survey is back with its progress update
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.UNDONE


def test_undo_is_refused_when_an_activity_changed_after_the_import(plan, focal):
    from workplans import services as workplan_services

    workplan, keep, joint, gone = plan
    book = template_book(workplan)
    sheet = book.worksheets[0]
    set_cells(sheet, row_of(sheet, keep.pk), title="Renamed by the import")
    batch = services.confirm_import(pk=upload(workplan, focal, book).pk, user=focal)
    workplan_services.update_activity(pk=keep.pk, user=focal, data={"title": "Renamed by hand afterwards"})
    with pytest.raises(ValidationError, match="Renamed by hand afterwards"):
        services.undo_import(pk=batch.pk, user=focal)
    keep.refresh_from_db()
    assert keep.title == "Renamed by hand afterwards"


def test_confirm_is_refused_when_the_plan_changed_since_the_preview(plan, focal):
    from workplans import services as workplan_services

    workplan, keep, joint, gone = plan
    book = template_book(workplan)
    sheet = book.worksheets[0]
    set_cells(sheet, row_of(sheet, keep.pk), title="From the file")
    batch = upload(workplan, focal, book)
    workplan_services.update_activity(pk=keep.pk, user=focal, data={"budget_required": Decimal("1")})
    with pytest.raises(ValidationError, match="Upload the file again"):
        services.confirm_import(pk=batch.pk, user=focal)
    keep.refresh_from_db()
    assert keep.title == "Costing of the wasting roadmap"


def test_rows_missing_from_the_file_stay_unless_deletion_is_ticked(plan, focal):
    workplan, keep, joint, gone = plan
    book = template_book(workplan)
    delete_row(book.worksheets[0], gone.pk)
    batch = upload(workplan, focal, book)
    assert batch.deleted_count == 0 and not batch.has_changes
    assert Activity.objects.filter(pk=gone.pk).exists()


def test_a_row_of_another_teams_plan_is_refused_and_nothing_saved(plan, focal, chad):
    workplan, keep, joint, gone = plan
    chads = make_activity(make_workplan(chad, 2026), title="Chad's activity")
    book = template_book(workplan)
    sheet = book.worksheets[0]
    set_cells(sheet, row_of(sheet, keep.pk), title="Changed")
    row = first_empty_row(sheet)
    set_cells(
        sheet,
        row,
        id=chads.pk,
        title="Chad's activity, renamed",
        action_area="Advocacy",
        lead_agency="WFP",
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 2, 1),
    )
    batch = upload(workplan, focal, book)
    refused = by_action(batch)["refused"]
    assert len(refused) == 1 and f"No activity {chads.pk} in this workplan" in refused[0]["issues"][0]["message"]
    assert "Chad" not in refused[0]["issues"][0]["message"]  # nothing about the other team's plan leaks
    assert not batch.can_confirm
    chads.refresh_from_db()
    assert chads.title == "Chad's activity"


def test_another_workplans_file_is_refused_whole(plan, focal, cambodia):
    from exchange.xlsx import FileRefused

    workplan, *_ = plan
    other = make_workplan(cambodia, 2027)
    with pytest.raises(FileRefused, match="another workplan"):
        upload(other, focal, template_book(workplan))
    assert not ImportBatch.objects.exists()


def test_who_may_import(plan, chad):
    workplan, *_ = plan
    book = template_book(workplan)
    with pytest.raises(PermissionDenied):
        upload(workplan, make_user("viewer"), book)
    with pytest.raises(PermissionDenied):
        upload(workplan, make_user("focal_point", chad), book)
    workplan.status = "submitted"
    workplan.submitted_at = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
    workplan.save()
    with pytest.raises(StateConflict, match="imported into a draft only"):
        upload(workplan, make_user("focal_point", workplan.team), book)
    assert upload(workplan, make_user("secretariat"), book).status == "previewed"


def test_only_the_uploader_or_the_secretariat_confirms(plan, focal, cambodia):
    workplan, keep, *_ = plan
    book = template_book(workplan)
    set_cells(book.worksheets[0], row_of(book.worksheets[0], keep.pk), title="New title")
    batch = upload(workplan, focal, book)
    with pytest.raises(PermissionDenied, match="uploaded the file"):
        services.confirm_import(pk=batch.pk, user=make_user("focal_point", cambodia))
    services.confirm_import(pk=batch.pk, user=make_user("secretariat"))


@pytest.mark.parametrize("language", ["fr", "ar", "zh-hans"])
def test_the_template_speaks_the_users_language_and_reads_back(plan, focal, language):
    workplan, keep, joint, gone = plan
    with translation.override(language):
        book = template_book(workplan)
        sheet = book.worksheets[0]
        header = [cell.value for cell in sheet[1]]
        assert header[COLUMN["title"] - 1] != "Title"
        status_cell = sheet.cell(row=row_of(sheet, keep.pk), column=COLUMN["status"]).value
        assert status_cell == str(Activity.Status.PIPELINE.label)
        set_cells(sheet, row_of(sheet, keep.pk), status=str(Activity.Status.IMPLEMENTATION.label))
    with translation.override("en"):  # read back whatever language the reader has now
        batch = upload(workplan, focal, book)
    assert batch.changed_count == 1 and batch.error_count == 0, batch.preview
    services.confirm_import(pk=batch.pk, user=focal)
    keep.refresh_from_db()
    assert keep.status == "implementation"


def test_the_template_has_drop_downs_hidden_ids_and_inert_text(plan):
    workplan, keep, *_ = plan
    keep.title = '=HYPERLINK("http://evil.example","click")'
    keep.save()
    book = template_book(workplan)
    sheet = book.worksheets[0]
    assert sheet.column_dimensions["A"].hidden
    cell = sheet.cell(row=row_of(sheet, keep.pk), column=COLUMN["title"])
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s"  # text, not a formula
    ranges = {str(rule.sqref).split(":")[0][:1]: rule for rule in sheet.data_validations.dataValidation}
    letter = {key: sheet.cell(row=1, column=index).column_letter for key, index in COLUMN.items()}
    for key in (
        "action_area",
        "lead_agency",
        "status",
        "currency",
        "subdivisions",
        "sdg_targets",
        "is_national",
        "cooperation_outcome",
    ):
        assert ranges[letter[key]].type == "list", key
    lists = book["_lists"]
    assert lists.sheet_state == "hidden"
    values = {cell.value for column in lists.iter_cols() for cell in column}
    assert {"UNICEF", "Advocacy", "Pipeline", "USD", "Yes"} <= values
    assert any(str(value).startswith("2.2 — ") for value in values)
    assert ranges[letter["start_date"]].type == "date" and ranges[letter["budget_required"]].type == "decimal"


def test_preview_queries_do_not_grow_with_the_rows(cambodia, focal):
    workplan = make_workplan(cambodia, 2026)

    def queries_for(count):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        Activity.objects.filter(workplan=workplan).delete()
        for n in range(count):
            activity = make_activity(workplan, title=f"Activity {n}")
            activity.participating_agencies.set(Agency.objects.filter(acronym__in=["WHO", "FAO"]))
        book = template_book(workplan)
        sheet = book.worksheets[0]
        for row in range(2, count + 2):
            sheet.cell(row=row, column=COLUMN["title"], value=f"Renamed {row}")
            sheet.cell(row=row, column=COLUMN["sdg_targets"], value="2.1; 2.2")
        data = to_bytes(book)
        with CaptureQueriesContext(connection) as context:
            batch = services.preview_workplan_import(workplan=workplan, user=focal, file_name="x.xlsx", data=data)
        assert batch.changed_count == count
        return len(context.captured_queries)

    queries_for(1)  # the first preview fills per-process caches (content types, translations)
    assert queries_for(1) == queries_for(40) <= 30
