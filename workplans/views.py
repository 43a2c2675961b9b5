"""Workplan pages: the plan with its activities, editing for the team, the workflow, history."""

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from accounts.rules import is_secretariat
from core.forms import add_service_errors
from core.services import StateConflict
from teams.rules import plan_team_work

from . import endorsement, rules, services
from .forms import ActivityForm, CopyWorkplanForm, OutputForm, ProgressUpdateForm, ReasonForm, ReportingPeriodForm
from .models import LONG_TEXT, Activity, Output, ProgressUpdate, ReportingPeriod, Workplan


def warn_overspending(request, values: dict) -> None:
    """Saved, but worth a second look: more spent than the money available."""
    spent, available = values.get("budget_spent"), values.get("budget_available")
    if spent is not None and available is not None and spent > available:
        messages.warning(
            request,
            _("Budget spent (%(spent)s) is more than budget available (%(available)s): please check both.")
            % {"spent": spent, "available": available},
        )


class WorkplanDetailView(LoginRequiredMixin, TemplateView):
    template_name = "workplans/workplan_detail.html"

    def get_context_data(self, **kwargs):
        workplan = get_object_or_404(
            Workplan.objects.select_related("team__country", "submitted_by", "endorsed_by"), pk=self.kwargs["pk"]
        )
        activities = workplan.activities.select_related("action_area", "lead_agency", "output").prefetch_related(
            "participating_agencies",
            Prefetch("progress_updates", queryset=ProgressUpdate.objects.order_by("-reported_on", "-id")),
        )
        user = self.request.user
        return {
            **super().get_context_data(**kwargs),
            "workplan": workplan,
            "activities": activities,
            "can_edit": rules.edit_workplan.test(user, workplan),
            "can_report": rules.report_progress.test(user, workplan),
            "can_submit": rules.submit_workplan.test(user, workplan),
            "can_endorse": rules.endorse_workplan.test(user, workplan),
            "can_return": rules.return_workplan.test(user, workplan),
            "can_amend": rules.amend_workplan.test(user, workplan),
            "amendment": endorsement.open_amendment(workplan),
            "waiting": endorsement.pending_signatories([workplan.pk]).get(workplan.pk, []),
            "can_copy": plan_team_work.test(user, workplan.team),
            "deleted": services.deleted_activities(workplan) if rules.edit_workplan.test(user, workplan) else [],
        }


class WorkplanObjectMixin(LoginRequiredMixin):
    """Write views on a workplan: 404 outside the user's teams; refused with the service's own
    message (workplans.services guards) when the role or the workplan's state does not allow it."""

    guard = staticmethod(services.check_edit_workplan)

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        queryset = Workplan.objects.select_related("team__country").editable_by(request.user)
        self.workplan = get_object_or_404(queryset, pk=kwargs["pk"])
        self.guard(request.user, self.workplan)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "workplan": self.workplan}


class ActivityCreateView(WorkplanObjectMixin, FormView):
    template_name = "workplans/activity_form.html"
    form_class = ActivityForm
    guard = staticmethod(services.check_add_activity)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "workplan": self.workplan}

    def form_valid(self, form):
        activity = services.create_activity(workplan=self.workplan, user=self.request.user, data=form.model_data())
        messages.success(self.request, _("Activity “%(title)s” added.") % {"title": activity.title})
        warn_overspending(self.request, form.cleaned_data)
        return redirect("workplans:detail", pk=self.workplan.pk)


class ActivityObjectMixin(LoginRequiredMixin):
    """Write views on an activity: 404 outside the user's teams; refused with the service's own
    message when the role or the workplan's state does not allow it.

    Progress and edits are asked about the activity (the team's people report
    whatever the plan's state); removal about its workplan, whose status decides.
    """

    guard = staticmethod(services.check_report_progress)

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        queryset = Activity.objects.select_related("workplan__team__country").editable_by(request.user)
        self.activity = get_object_or_404(queryset, pk=kwargs["pk"])
        self.workplan = self.activity.workplan
        self.guard(request.user, self.activity)
        self.closed = services.closed_year(self.workplan)
        if self.closed is not None and not is_secretariat(request.user):
            services.check_year_open(request.user, self.workplan)  # refused, saying why
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if self.closed is not None and "reason" not in form.fields:
            # The Secretariat changes a closed year's data, saying why (kept in the history).
            form.fields["reason"] = django_forms.CharField(
                label=_("Why change data of the closed %(period)s period?") % {"period": self.closed},
                widget=django_forms.Textarea(attrs={"rows": 2}),
                max_length=LONG_TEXT,
            )
        return form

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "activity": self.activity, "workplan": self.workplan}


class ActivityUpdateView(ActivityObjectMixin, FormView):
    template_name = "workplans/activity_form.html"
    form_class = ActivityForm

    def get_form_kwargs(self):
        kwargs = {**super().get_form_kwargs(), "workplan": self.workplan, "instance": self.activity}
        kwargs["initial"] = {"version": services.activity_version(self.activity)}
        return kwargs

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if self.request.method == "GET" and not rules.edit_workplan.test(self.request.user, self.workplan):
            # After submission only the progress fields stay open. Not on a POST: a form opened
            # while the plan was a draft carries planning changes, which the service must refuse
            # with its reason rather than this form drop silently.
            for name, field in form.fields.items():
                if name not in services.PROGRESS_FIELDS and name != "version":
                    field.disabled = True
        return form

    def form_valid(self, form):
        try:
            data = form.model_data()
            services.update_activity(
                pk=self.activity.pk,
                user=self.request.user,
                data=data,
                precondition=services.unchanged_since(form.cleaned_data["version"], data),
                reason=form.cleaned_data.get("reason", ""),
            )
        except services.EditConflict as conflict:
            # Show what the other person saved; the next save is a deliberate overwrite.
            form.data = form.data.copy()
            form.data["version"] = services.activity_version(conflict.activity)
            form.add_error(None, _("Someone else saved this activity while you were editing it."))
            return self.render_to_response(self.get_context_data(form=form, conflict=conflict))
        except StateConflict as refusal:
            # The plan was submitted meanwhile: say why, keep what was typed (409, as the API).
            form.add_error(None, str(refusal))
            return self.render_to_response(self.get_context_data(form=form), status=409)
        messages.success(self.request, _("Activity “%(title)s” saved.") % {"title": form.cleaned_data["title"]})
        warn_overspending(self.request, form.cleaned_data)
        return redirect("workplans:detail", pk=self.workplan.pk)


class ActivityDeleteView(ActivityObjectMixin, TemplateView):
    template_name = "workplans/activity_confirm_delete.html"

    @staticmethod
    def guard(user, activity):
        services.check_remove_activity(user, activity.workplan)

    def post(self, request, *args, **kwargs):
        title = self.activity.title
        services.delete_activity(pk=self.activity.pk, user=request.user)
        messages.success(
            request, _("Activity “%(title)s” deleted. It can be restored from the workplan page.") % {"title": title}
        )
        return redirect("workplans:detail", pk=self.workplan.pk)


class ProgressCreateView(ActivityObjectMixin, FormView):
    template_name = "workplans/progress_form.html"
    form_class = ProgressUpdateForm

    def get_initial(self):
        from django.utils import timezone

        return {"reported_on": timezone.localdate(), "status": self.activity.status}

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = ProgressUpdate(activity=self.activity)
        return kwargs

    def form_valid(self, form):
        try:
            services.add_progress_update(activity=self.activity, user=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Progress recorded for “%(title)s”.") % {"title": self.activity.title})
        return redirect("workplans:detail", pk=self.workplan.pk)


class CopyWorkplanView(WorkplanObjectMixin, FormView):
    template_name = "workplans/workplan_copy.html"
    form_class = CopyWorkplanForm

    @staticmethod
    def guard(user, workplan):
        services.check_plan_team_work(user, workplan.team)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "workplan": self.workplan}

    def get_initial(self):
        return {"year": self.workplan.year + 1, "activities": services.activities_to_carry_over(self.workplan)}

    def form_valid(self, form):
        result = services.copy_workplan(
            source=self.workplan,
            year=form.cleaned_data["year"],
            user=self.request.user,
            activities=form.cleaned_data["activities"],
            summary=form.cleaned_data["summary"],
        )
        for text in copy_messages(self.workplan, result):
            messages.success(self.request, text)
        return redirect("workplans:detail", pk=result.workplan.pk)


def copy_messages(source: Workplan, result: services.CopyResult) -> list[str]:
    """What the user reads after a copy: how many activities came along, which stayed behind,
    which links to frameworks ended with the old year."""
    total = len(result.copied) + len(result.left_out)
    texts = [
        ngettext(
            "Draft workplan for %(year)s created from %(source)s: %(copied)s of %(total)s activity copied.",
            "Draft workplan for %(year)s created from %(source)s: %(copied)s of %(total)s activities copied.",
            total,
        )
        % {"year": result.workplan.year, "source": source.year, "copied": len(result.copied), "total": total}
    ]
    if result.left_out:
        texts.append(_("Not carried over: %(titles)s.") % {"titles": "; ".join(a.title for a in result.left_out)})
    if result.outcomes_dropped:
        texts.append(
            _("Cooperation Framework outcome removed (its framework ends before %(year)s): %(titles)s.")
            % {"year": result.workplan.year, "titles": "; ".join(a.title for a in result.outcomes_dropped)}
        )
    if result.frameworks_dropped:
        texts.append(
            _("National frameworks ending before %(year)s removed from: %(titles)s.")
            % {"year": result.workplan.year, "titles": "; ".join(a.title for a in result.frameworks_dropped)}
        )
    return texts


class RestoreActivityView(LoginRequiredMixin, View):
    def post(self, request, pk, history_id):
        workplan = get_object_or_404(Workplan.objects.editable_by(request.user), pk=pk)
        if not services.deleted_activities(workplan).filter(history_id=history_id).exists():
            raise Http404
        activity = services.restore_activity(history_id=history_id, user=request.user)
        messages.success(request, _("Activity “%(title)s” restored.") % {"title": activity.title})
        return redirect("workplans:detail", pk=workplan.pk)


# --- outputs ----------------------------------------------------------------------------


class OutputCreateView(WorkplanObjectMixin, FormView):
    template_name = "workplans/output_form.html"
    form_class = OutputForm
    guard = staticmethod(services.check_plan_outputs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "workplan": self.workplan}

    def get_initial(self):
        return {"position": self.workplan.outputs.count() + 1}

    def form_valid(self, form):
        try:
            output = services.create_output(workplan=self.workplan, user=self.request.user, data=form.model_data())
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Output “%(title)s” added.") % {"title": output.title})
        return redirect(f"{self.workplan.get_absolute_url()}#output-{output.pk}")


class OutputObjectMixin(LoginRequiredMixin):
    """Write views on an output: 404 outside the user's teams; refused with the service's message
    when the workplan is no longer a draft."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        queryset = Output.objects.select_related("workplan__team__country").editable_by(request.user)
        self.output = get_object_or_404(queryset, pk=kwargs["pk"])
        self.workplan = self.output.workplan
        services.check_plan_outputs(request.user, self.workplan)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "output": self.output, "workplan": self.workplan}


class OutputUpdateView(OutputObjectMixin, FormView):
    template_name = "workplans/output_form.html"
    form_class = OutputForm

    def get_form_kwargs(self):
        kwargs = {**super().get_form_kwargs(), "workplan": self.workplan, "instance": self.output}
        kwargs["initial"] = {"version": services.record_version(self.output)}
        return kwargs

    def form_valid(self, form):
        try:
            services.update_output(
                pk=self.output.pk,
                user=self.request.user,
                data=form.model_data(),
                precondition=services.same_version(form.cleaned_data.get("version") or ""),
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Output “%(title)s” saved.") % {"title": form.cleaned_data["title"]})
        return redirect(f"{self.workplan.get_absolute_url()}#output-{self.output.pk}")


class OutputDeleteView(OutputObjectMixin, TemplateView):
    template_name = "workplans/output_confirm_delete.html"

    def post(self, request, *args, **kwargs):
        title = self.output.title
        try:
            services.delete_output(pk=self.output.pk, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(self.workplan.get_absolute_url())
        messages.success(
            request,
            _("Output “%(title)s” deleted; its activities stay in the workplan without an output.") % {"title": title},
        )
        return redirect(self.workplan.get_absolute_url())


# --- reporting periods ------------------------------------------------------------------------


class PeriodListView(LoginRequiredMixin, ListView):
    """The reporting periods by year; the Secretariat adds, closes and reopens them."""

    template_name = "workplans/period_list.html"
    context_object_name = "periods"

    def get_queryset(self):
        return ReportingPeriod.objects.select_related("closed_by").order_by("-year", "end_date")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "can_manage": is_secretariat(self.request.user)}


class SecretariatOnlyMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        services.check_manage_periods(request.user)
        return super().dispatch(request, *args, **kwargs)


class PeriodCreateView(SecretariatOnlyMixin, FormView):
    template_name = "workplans/period_form.html"
    form_class = ReportingPeriodForm

    def form_valid(self, form):
        try:
            period = services.create_period(user=self.request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Reporting period %(period)s added.") % {"period": period})
        return redirect("workplans:periods")


class PeriodActionView(SecretariatOnlyMixin, FormView):
    """Close a period (a confirmation), or reopen it saying why."""

    template_name = "workplans/period_confirm.html"
    action = "close"

    def dispatch(self, request, *args, **kwargs):
        self.period = get_object_or_404(ReportingPeriod, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_class(self):
        from django import forms

        return ReasonForm if self.action == "reopen" else forms.Form

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "period": self.period, "action": self.action}

    def form_valid(self, form):
        try:
            if self.action == "reopen":
                services.reopen_period(pk=self.period.pk, user=self.request.user, reason=form.cleaned_data["reason"])
                messages.success(self.request, _("%(period)s is open again.") % {"period": self.period})
            else:
                services.close_period(pk=self.period.pk, user=self.request.user)
                messages.success(
                    self.request, _("%(period)s is closed: its values are locked.") % {"period": self.period}
                )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        return redirect("workplans:periods")
