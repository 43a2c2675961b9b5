"""Portal pages of the exchange: downloads, the upload, the preview with its confirmation, undo."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from teams.models import Team
from teams.rules import view_team_contacts
from workplans.models import Workplan

from . import iati, roster_sheet, services, uninfo, workplan_sheet
from .forms import ImportForm, RosterImportForm
from .models import ImportBatch
from .xlsx import FileRefused, read_upload

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def file_stem(workplan: Workplan) -> str:
    return f"{slugify(workplan.team.name) or 'team'}-{workplan.year}"


@login_required
def workplan_template(request, pk):
    workplan = get_object_or_404(Workplan.objects.select_related("team").visible_to(request.user), pk=pk)
    return attachment(workplan_sheet.template(workplan), XLSX, f"{file_stem(workplan)}-workplan.xlsx")


@login_required
def workplan_iati(request, pk):
    workplan = get_object_or_404(Workplan.objects.select_related("team").visible_to(request.user), pk=pk)
    return attachment(iati.build(workplan), "application/xml; charset=utf-8", f"{file_stem(workplan)}-iati.xml")


@login_required
def workplan_uninfo(request, pk):
    workplan = get_object_or_404(Workplan.objects.select_related("team").visible_to(request.user), pk=pk)
    return attachment(uninfo.workbook(workplan), XLSX, f"{file_stem(workplan)}-un-info.xlsx")


def roster_stem(team: Team) -> str:
    return slugify(team.name) or "team"


@login_required
def roster_template(request, pk):
    """The team's roster as an Excel template: contacts, so its people and the Secretariat only."""
    team = get_object_or_404(Team.objects.visible_to(request.user), pk=pk)
    if not view_team_contacts.test(request.user, team):
        raise PermissionDenied(_("Contact details are shown to this team's members and the Secretariat."))
    return attachment(roster_sheet.template(team), XLSX, f"{roster_stem(team)}-roster.xlsx")


class RosterImportView(LoginRequiredMixin, FormView):
    template_name = "exchange/roster_import.html"
    form_class = RosterImportForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.team = get_object_or_404(Team.objects.visible_to(request.user), pk=kwargs["pk"])
        services.check_import_roster(request.user, self.team)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        recent = ImportBatch.objects.filter(team=self.team, kind=ImportBatch.Kind.ROSTER).select_related("uploaded_by")[
            :10
        ]
        return {**super().get_context_data(**kwargs), "team": self.team, "recent": recent}

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            batch = services.preview_roster_import(
                team=self.team,
                user=self.request.user,
                file_name=upload.name,
                data=read_upload(upload),
                delete_missing=form.cleaned_data["delete_missing"],
            )
        except FileRefused as refusal:
            form.add_error("file", refusal.message)
            return self.form_invalid(form)
        return redirect("exchange:import-detail", pk=batch.pk)


class ImportUploadView(LoginRequiredMixin, FormView):
    template_name = "exchange/import_upload.html"
    form_class = ImportForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        queryset = Workplan.objects.select_related("team__country").editable_by(request.user)
        self.workplan = get_object_or_404(queryset, pk=kwargs["pk"])
        services.check_import_workplan(request.user, self.workplan)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        recent = ImportBatch.objects.filter(workplan=self.workplan).select_related("uploaded_by")[:10]
        return {**super().get_context_data(**kwargs), "workplan": self.workplan, "recent": recent}

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            batch = services.preview_workplan_import(
                workplan=self.workplan,
                user=self.request.user,
                file_name=upload.name,
                data=read_upload(upload),
                delete_missing=form.cleaned_data["delete_missing"],
            )
        except FileRefused as refusal:
            form.add_error("file", refusal.message)
            return self.form_invalid(form)
        return redirect("exchange:import-detail", pk=batch.pk)


class ImportDetailView(LoginRequiredMixin, TemplateView):
    """The preview: per row what would be created, changed (old -> new), deleted or refused, and why."""

    template_name = "exchange/import_detail.html"

    def get_context_data(self, **kwargs):
        batch = get_object_or_404(
            ImportBatch.objects.select_related("workplan__team", "team", "uploaded_by", "undone_by").editable_by(
                self.request.user
            ),
            pk=self.kwargs["pk"],
        )
        rows = batch.preview
        return {
            **super().get_context_data(**kwargs),
            "batch": batch,
            "workplan": batch.workplan,
            "team": batch.team,
            "is_roster": batch.kind == ImportBatch.Kind.ROSTER,
            "rows": rows,
            "shown": [row for row in rows if row["action"] != "unchanged"],
            "can_confirm": batch.can_confirm and _allowed(services.check_confirm, self.request.user, batch),
            "can_undo": batch.status == ImportBatch.Status.APPLIED
            and _allowed(services.check_undo, self.request.user, batch),
        }


def _allowed(check, user, batch) -> bool:
    try:
        check(user, batch)
    except Exception:
        return False
    return True


class ImportActionView(LoginRequiredMixin, View):
    action = "confirm"

    def post(self, request, pk):
        batch = get_object_or_404(ImportBatch.objects.editable_by(request.user), pk=pk)
        service = services.confirm_import if self.action == "confirm" else services.undo_import
        try:
            batch = service(pk=batch.pk, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("exchange:import-detail", pk=pk)
        if self.action == "confirm":
            messages.success(
                request,
                _(
                    "Import saved: %(created)s created, %(changed)s changed, %(deleted)s deleted. It can be undone "
                    "from its page."
                )
                % {"created": batch.created_count, "changed": batch.changed_count, "deleted": batch.deleted_count},
            )
        elif batch.kind == ImportBatch.Kind.ROSTER:
            messages.success(request, _("Import undone: the roster is as it was before it."))
        else:
            messages.success(request, _("Import undone: the workplan is as it was before it."))
        return redirect("exchange:import-detail", pk=pk)
