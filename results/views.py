"""Results pages: indicators of an output, values per period (entered, approved, returned, unlocked),
evidence, the catalogue. Thin: the services decide and word every refusal; another team's records
answer 404 to writers, a role that may not act gets the service's message (403)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from core.forms import add_service_errors
from core.services import StateConflict
from teams.models import Team
from workplans import rules as workplan_rules
from workplans import services as workplan_services
from workplans.models import Output, ProgressUpdate, ReportingPeriod, Workplan

from . import rules, selectors, services
from .forms import AttachmentForm, IndicatorForm, ReasonForm, ValueForm, shown_result
from .models import Attachment, Indicator, IndicatorValue, StandardIndicator


def safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


def _refusal_on_form(form, error) -> None:
    """A service's refusal shown on the form: fields for bad input, the top for a state or role."""
    if isinstance(error, ValidationError):
        add_service_errors(form, error)
    else:
        form.add_error(None, str(error))


# --- indicators --------------------------------------------------------------------------------


class IndicatorFormMixin(LoginRequiredMixin):
    template_name = "results/indicator_form.html"
    form_class = IndicatorForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "workplan": self.workplan}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "workplan": self.workplan, "output": self.output}


class IndicatorCreateView(IndicatorFormMixin, FormView):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        queryset = Output.objects.select_related("workplan__team__country").editable_by(request.user)
        self.output = get_object_or_404(queryset, pk=kwargs["pk"])
        self.workplan = self.output.workplan
        services.check_plan_indicators(request.user, self.output)
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"output": self.output, "position": self.output.indicators.count() + 1}

    def form_valid(self, form):
        try:
            indicator = services.create_indicator(
                output=form.cleaned_data["output"] or self.output,
                user=self.request.user,
                data=form.model_data(),
                targets=form.targets(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Indicator “%(title)s” added.") % {"title": indicator.title})
        return redirect(f"{self.workplan.get_absolute_url()}#output-{indicator.output_id}")


class IndicatorObjectMixin(LoginRequiredMixin):
    """Write views on an indicator: 404 outside the user's teams; planning refused after submission."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        queryset = Indicator.objects.select_related("output__workplan__team__country", "standard").editable_by(
            request.user
        )
        self.indicator = get_object_or_404(queryset, pk=kwargs["pk"])
        self.output = self.indicator.output
        self.workplan = self.output.workplan
        services.check_plan_indicators(request.user, self.output)
        return super().dispatch(request, *args, **kwargs)


class IndicatorUpdateView(IndicatorObjectMixin, IndicatorFormMixin, FormView):
    def get_form_kwargs(self):
        kwargs = {**super().get_form_kwargs(), "instance": self.indicator}
        kwargs["initial"] = {"version": workplan_services.record_version(self.indicator)}
        return kwargs

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "indicator": self.indicator}

    def form_valid(self, form):
        try:
            services.update_indicator(
                pk=self.indicator.pk,
                user=self.request.user,
                data=form.model_data(),
                targets=form.targets(),
                precondition=workplan_services.same_version(form.cleaned_data.get("version") or ""),
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Indicator saved."))
        return redirect("results:indicator", pk=self.indicator.pk)


class IndicatorDeleteView(IndicatorObjectMixin, TemplateView):
    template_name = "results/confirm_delete.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "thing": self.indicator, "back": self.workplan.get_absolute_url()}

    def post(self, request, *args, **kwargs):
        try:
            services.delete_indicator(pk=self.indicator.pk, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("results:indicator", pk=self.indicator.pk)
        messages.success(request, _("Indicator “%(title)s” deleted.") % {"title": self.indicator.title})
        return redirect(self.workplan.get_absolute_url())


def value_rows(indicator: Indicator, user) -> list[dict]:
    """The indicator's values, newest period first, with what `user` may do with each."""
    values = list(
        indicator.values.select_related("period", "entered_by", "decided_by", "unlocked_by", "subdivision").order_by(
            "-period__end_date", "sex", "age_group", "subdivision__name", "id"
        )
    )
    workplan = indicator.output.workplan
    may_enter = rules.enter_values.test(user, workplan)
    may_decide = rules.decide_values.test(user, workplan)
    evidence = selectors.attachments_on(values, user)
    from django.contrib.contenttypes.models import ContentType

    value_type = ContentType.objects.get_for_model(IndicatorValue)
    rows = []
    for value in values:
        locked = services.is_locked(value)
        rows.append(
            {
                "value": value,
                "shown": shown_result(value.value, value.text, indicator.unit),
                "locked": locked,
                "can_correct": may_enter and not locked,
                "can_delete": may_enter and not locked and value.status != IndicatorValue.Status.APPROVED,
                "can_decide": may_decide
                and not locked
                and value.status == IndicatorValue.Status.SUBMITTED
                and value.entered_by_id != user.pk,
                "own_entry": value.entered_by_id == user.pk,
                "can_unlock": rules.unlock_values.test(user) and locked,
                "evidence": evidence.get((value_type.pk, value.pk), []),
            }
        )
    return rows


class IndicatorDetailView(LoginRequiredMixin, TemplateView):
    """An indicator: its definition, baseline and targets, and every value with its decision; the
    team enters values here, the convener approves or returns them."""

    template_name = "results/indicator_detail.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.indicator = get_object_or_404(
            Indicator.objects.select_related(
                "output__workplan__team__country", "standard", "responsible_agency", "output__action_area"
            ),
            pk=kwargs["pk"],
        )
        self.workplan = self.indicator.output.workplan
        return super().dispatch(request, *args, **kwargs)

    def value_form(self, data=None):
        return ValueForm(data, indicator=self.indicator, prefix="value")

    def get_context_data(self, **kwargs):
        user = self.request.user
        may_enter = rules.enter_values.test(user, self.workplan)
        row = selectors.indicator_rows(Indicator.objects.filter(pk=self.indicator.pk))[0]
        open_periods = ReportingPeriod.objects.filter(year=self.workplan.year, closed_at__isnull=True)
        return {
            **super().get_context_data(**kwargs),
            "indicator": self.indicator,
            "row": row,
            "targets": self.indicator.targets.order_by("year", "-period_kind"),
            "workplan": self.workplan,
            "values": value_rows(self.indicator, user),
            "can_plan": workplan_rules.edit_workplan.test(user, self.workplan),
            "can_enter": may_enter and open_periods.exists(),
            "may_enter": may_enter,
            "form": kwargs.get("form") or (self.value_form() if may_enter else None),
            "reason_form": ReasonForm(),
        }

    def post(self, request, *args, **kwargs):
        if not Indicator.objects.editable_by(request.user).filter(pk=self.indicator.pk).exists():
            raise Http404
        form = self.value_form(request.POST)
        if form.is_valid():
            try:
                services.enter_value(
                    indicator=self.indicator,
                    period=form.cleaned_data["period"],
                    user=request.user,
                    data=form.data_for_service(),
                )
            except (ValidationError, StateConflict) as error:
                _refusal_on_form(form, error)
            else:
                messages.success(request, _("Value saved: it awaits the convener's approval."))
                return redirect("results:indicator", pk=self.indicator.pk)
        return self.render_to_response(self.get_context_data(form=form))


# --- a period's values for a whole workplan ---------------------------------------------------------


class PeriodValuesView(LoginRequiredMixin, TemplateView):
    """Every indicator of a workplan for one period: its target, the values entered and their status.
    The team enters the totals here; the convener approves or returns them."""

    template_name = "results/period_values.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.workplan = get_object_or_404(Workplan.objects.select_related("team__country"), pk=kwargs["pk"])
        self.period = get_object_or_404(ReportingPeriod, pk=kwargs["period"])
        if self.period.year != self.workplan.year:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        user = self.request.user
        bound = kwargs.get("bound", {})
        may_enter = rules.enter_values.test(user, self.workplan)
        may_decide = rules.decide_values.test(user, self.workplan)
        indicators = list(
            Indicator.objects.filter(output__workplan=self.workplan)
            .select_related("output__workplan__team", "standard")
            .order_by("output__position", "output_id", "position", "id")
        )
        rows = {
            row["id"]: row for row in selectors.indicator_rows(Indicator.objects.filter(output__workplan=self.workplan))
        }
        values: dict[int, list] = {}
        for value in (
            IndicatorValue.objects.filter(indicator__output__workplan=self.workplan, period=self.period)
            .select_related("entered_by", "decided_by", "subdivision", "period")
            .order_by("sex", "age_group", "subdivision__name", "id")
        ):
            values.setdefault(value.indicator_id, []).append(value)
        entries = []
        for indicator in indicators:
            own = values.get(indicator.pk, [])
            has_total = any(v.is_total for v in own)
            form = bound.get(indicator.pk)
            if (
                form is None
                and may_enter
                and not self.period.is_closed
                and (not has_total or indicator.by_sex or indicator.by_age_group or indicator.by_province)
            ):
                form = ValueForm(indicator=indicator, fixed_period=self.period, prefix=f"i{indicator.pk}")
            row = rows[indicator.pk]
            entries.append(
                {
                    "indicator": indicator,
                    "row": row,
                    "target": selectors.target_for(
                        row["targets"], self.period.year, self.period.kind, row["baseline_value"]
                    ),
                    "values": [
                        {
                            "value": v,
                            "shown": shown_result(v.value, v.text, indicator.unit),
                            "locked": services.is_locked(v),
                            "can_correct": may_enter and not services.is_locked(v),
                            "can_decide": may_decide
                            and not services.is_locked(v)
                            and v.status == IndicatorValue.Status.SUBMITTED
                            and v.entered_by_id != user.pk,
                            "own_entry": v.entered_by_id == user.pk,
                        }
                        for v in own
                    ],
                    "form": form,
                }
            )
        return {
            **super().get_context_data(**kwargs),
            "workplan": self.workplan,
            "period": self.period,
            "entries": entries,
            "may_enter": may_enter,
            "may_decide": may_decide,
            "periods": ReportingPeriod.objects.filter(year=self.workplan.year).order_by("end_date"),
        }

    def post(self, request, *args, **kwargs):
        if not Workplan.objects.editable_by(request.user).filter(pk=self.workplan.pk).exists():
            raise Http404
        try:
            indicator_id = int(request.POST.get("indicator", ""))
        except ValueError:
            raise Http404 from None
        indicator = get_object_or_404(
            Indicator.objects.select_related("output__workplan__team"), pk=indicator_id, output__workplan=self.workplan
        )
        form = ValueForm(request.POST, indicator=indicator, fixed_period=self.period, prefix=f"i{indicator.pk}")
        if form.is_valid():
            try:
                services.enter_value(
                    indicator=indicator, period=self.period, user=request.user, data=form.data_for_service()
                )
            except (ValidationError, StateConflict) as error:
                _refusal_on_form(form, error)
            else:
                messages.success(
                    request,
                    _("Value for “%(title)s” saved: it awaits the convener's approval.") % {"title": indicator.title},
                )
                return redirect(f"{request.path}#indicator-{indicator.pk}")
        return self.render_to_response(self.get_context_data(bound={indicator.pk: form}))


# --- one value: correct, approve, return, unlock, delete -----------------------------------------------


class ValueObjectMixin(LoginRequiredMixin):
    """Actions on a value: 404 outside the user's teams (the Secretariat reaches all)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        queryset = IndicatorValue.objects.select_related(
            "indicator__output__workplan__team__country", "period", "entered_by", "subdivision"
        ).editable_by(request.user)
        self.value = get_object_or_404(queryset, pk=kwargs["pk"])
        self.indicator = self.value.indicator
        self.workplan = self.indicator.output.workplan
        return super().dispatch(request, *args, **kwargs)

    def back(self) -> str:
        return safe_next(self.request, reverse("results:indicator", args=[self.indicator.pk]))

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "value": self.value,
            "indicator": self.indicator,
            "workplan": self.workplan,
            "shown": shown_result(self.value.value, self.value.text, self.indicator.unit),
            "back": self.back(),
        }


class ValueUpdateView(ValueObjectMixin, FormView):
    template_name = "results/value_form.html"

    def get_form(self, form_class=None):
        initial = {
            "result": shown_result(self.value.value, self.value.text, self.indicator.unit),
            "comment": self.value.comment,
        }
        data = self.request.POST if self.request.method == "POST" else None
        form = ValueForm(data, indicator=self.indicator, correcting=True, initial=initial)
        from django import forms

        form.fields["version"] = forms.CharField(widget=forms.HiddenInput, required=False)
        form.initial["version"] = workplan_services.record_version(self.value)
        return form

    def form_valid(self, form):
        try:
            services.correct_value(
                pk=self.value.pk,
                user=self.request.user,
                data=form.data_for_service(),
                precondition=workplan_services.same_version(form.cleaned_data.get("version") or ""),
            )
        except (ValidationError, PermissionDenied) as error:
            _refusal_on_form(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Value corrected: it awaits the convener's approval again."))
        return redirect(self.back())


class ValueActionView(ValueObjectMixin, FormView):
    """Approve or delete (a button), return or unlock (with a reason, shown again here when missing)."""

    template_name = "results/value_action.html"
    action = "approve"

    def get_form_class(self):
        from django import forms

        return ReasonForm if self.action in ("return", "unlock") else forms.Form

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "action": self.action}

    def form_valid(self, form):
        user, pk = self.request.user, self.value.pk
        try:
            if self.action == "approve":
                services.approve_value(pk=pk, user=user)
                messages.success(self.request, _("Value approved."))
            elif self.action == "return":
                services.return_value(pk=pk, user=user, reason=form.cleaned_data["reason"])
                messages.success(self.request, _("Value returned to the team with your reason."))
            elif self.action == "unlock":
                services.unlock_value(pk=pk, user=user, reason=form.cleaned_data["reason"])
                messages.success(self.request, _("Value unlocked: the team can correct it, then it is decided again."))
            elif self.action == "delete":
                services.delete_value(pk=pk, user=user)
                messages.success(self.request, _("Value deleted."))
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        return redirect(self.back())


# --- evidence --------------------------------------------------------------------------------------

TARGET_MODELS = {name: model for name, (model, _path) in services.TARGETS.items()}


def target_url(target) -> str:
    """Where a record with evidence is shown."""
    if isinstance(target, Team):
        return target.get_absolute_url()
    if isinstance(target, Workplan):
        return target.get_absolute_url()
    if isinstance(target, Output):
        return f"{target.workplan.get_absolute_url()}#output-{target.pk}"
    if isinstance(target, IndicatorValue):
        return reverse("results:indicator", args=[target.indicator_id])
    if isinstance(target, ProgressUpdate):
        return f"{target.activity.workplan.get_absolute_url()}#activity-{target.activity_id}"
    return target.get_absolute_url() if hasattr(target, "get_absolute_url") else "/"


class AttachmentCreateView(LoginRequiredMixin, FormView):
    template_name = "results/attachment_form.html"
    form_class = AttachmentForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        model = TARGET_MODELS.get(kwargs["target_type"])
        if model is None:
            raise Http404
        self.target = get_object_or_404(model, pk=kwargs["target_id"])
        team = Team.objects.get(pk=services.team_id_of_target(self.target))
        if not Team.objects.editable_by(request.user).filter(pk=team.pk).exists():
            raise Http404
        services.check_manage_evidence(request.user, team)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "target": self.target, "back": target_url(self.target)}

    def form_valid(self, form):
        try:
            attachment = services.add_attachment(
                user=self.request.user,
                target=self.target,
                data=form.metadata(),
                upload=form.cleaned_data.get("upload"),
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                # The service names the file "file"; the form's box for it is "upload".
                error = ValidationError({"upload" if k == "file" else k: v for k, v in error.error_dict.items()})
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Evidence “%(title)s” added.") % {"title": attachment.title})
        return redirect(target_url(self.target))


class AttachmentObjectMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        queryset = Attachment.objects.select_related("team").editable_by(request.user)
        self.attachment = get_object_or_404(queryset, pk=kwargs["pk"])
        services.check_manage_evidence(request.user, self.attachment.team)
        return super().dispatch(request, *args, **kwargs)


class AttachmentUpdateView(AttachmentObjectMixin, FormView):
    template_name = "results/attachment_form.html"
    form_class = AttachmentForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.attachment, "editing": True}

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "attachment": self.attachment,
            "back": target_url(self.attachment.target),
        }

    def form_valid(self, form):
        try:
            services.update_attachment(pk=self.attachment.pk, user=self.request.user, data=form.metadata())
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Evidence saved."))
        return redirect(target_url(self.attachment.target))


class AttachmentDeleteView(AttachmentObjectMixin, TemplateView):
    template_name = "results/confirm_delete.html"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "thing": self.attachment,
            "back": target_url(self.attachment.target),
        }

    def post(self, request, *args, **kwargs):
        back = target_url(self.attachment.target)
        services.delete_attachment(pk=self.attachment.pk, user=request.user)
        messages.success(request, _("Evidence “%(title)s” removed.") % {"title": self.attachment.title})
        return redirect(back)


class AttachmentDownloadView(View):
    """A file, after the same check as its record: never from a public address."""

    def get(self, request, pk):
        attachment = get_object_or_404(Attachment.objects.select_related("team"), pk=pk)
        if not request.user.is_authenticated and attachment.visibility != Attachment.Visibility.PUBLIC:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        services.check_view_attachment(request.user, attachment)
        if attachment.is_link:
            return redirect(attachment.url)
        return file_response(attachment)


def file_response(attachment: Attachment) -> FileResponse:
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file of this evidence is missing from the server.")) from None
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.file_name or "evidence", content_type=attachment.media_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- the catalogue -------------------------------------------------------------------------------------


class CatalogueView(LoginRequiredMixin, TemplateView):
    template_name = "results/catalogue.html"

    def get_context_data(self, **kwargs):
        entries = list(StandardIndicator.objects.filter(is_active=True).order_by("position", "code"))
        groups = [
            (label, [e for e in entries if e.category == category])
            for category, label in StandardIndicator.Category.choices
        ]
        return {**super().get_context_data(**kwargs), "groups": [g for g in groups if g[1]]}
