"""Portal pages for the money behind joint work: an activity's contributions, a team's joint proposals."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from core.forms import add_service_errors
from teams.models import Team
from teams.rules import plan_team_work

from . import rules, services
from .funding_forms import ContributionForm, ProposalForm
from .models import Activity, Contribution, JointProposal


class ContributionsView(LoginRequiredMixin, FormView):
    """An activity's contributions, one line per agency, kind and funding source; the team adds lines."""

    template_name = "workplans/contributions.html"
    form_class = ContributionForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.activity = get_object_or_404(
            Activity.objects.select_related("workplan__team", "lead_agency").visible_to(request.user), pk=kwargs["pk"]
        )
        self.can_edit = rules.report_progress.test(request.user, self.activity)
        if request.method == "POST":
            services.check_record_contribution(request.user, self.activity)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        lines = self.activity.contributions.select_related("agency", "funder").order_by("agency__acronym", "id")
        activity = self.activity
        return {
            **super().get_context_data(**kwargs),
            "activity": activity,
            "workplan": activity.workplan,
            "lines": lines,
            "can_edit": self.can_edit,
            "gap": activity.budget_required - activity.budget_available,
        }

    def form_valid(self, form):
        try:
            services.create_contribution(activity=self.activity, user=self.request.user, data=form.model_data())
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Contribution recorded; budget available is now their sum."))
        return redirect("workplans:contributions", pk=self.activity.pk)


class ContributionEditView(LoginRequiredMixin, FormView):
    template_name = "workplans/contribution_form.html"
    form_class = ContributionForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.line = get_object_or_404(
            Contribution.objects.select_related("activity__workplan__team").editable_by(request.user), pk=kwargs["pk"]
        )
        services.check_record_contribution(request.user, self.line.activity)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = {**super().get_form_kwargs(), "instance": self.line}
        kwargs["initial"] = {"version": services.record_version(self.line)}
        return kwargs

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "line": self.line, "activity": self.line.activity}

    def form_valid(self, form):
        try:
            services.update_contribution(
                pk=self.line.pk,
                user=self.request.user,
                data=form.model_data(),
                precondition=services.same_version(form.cleaned_data.get("version") or ""),
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Contribution saved."))
        return redirect("workplans:contributions", pk=self.line.activity_id)


class ContributionDeleteView(LoginRequiredMixin, View):
    def post(self, request, pk):
        line = get_object_or_404(Contribution.objects.editable_by(request.user), pk=pk)
        services.delete_contribution(pk=line.pk, user=request.user)
        messages.success(request, _("Contribution removed (it stays in the history)."))
        return redirect("workplans:contributions", pk=line.activity_id)


class ProposalListView(LoginRequiredMixin, TemplateView):
    template_name = "workplans/proposals.html"

    def get_context_data(self, **kwargs):
        team = get_object_or_404(Team.objects.visible_to(self.request.user), pk=self.kwargs["pk"])
        proposals = (
            JointProposal.objects.filter(team=team)
            .select_related("donor")
            .prefetch_related("agencies")
            .order_by("-submitted_on", "-id")
        )
        return {
            **super().get_context_data(**kwargs),
            "team": team,
            "proposals": proposals,
            "can_edit": plan_team_work.test(self.request.user, team),
        }


class ProposalFormMixin(LoginRequiredMixin):
    template_name = "workplans/proposal_form.html"
    form_class = ProposalForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "team": self.team}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "team": self.team, "proposal": getattr(self, "proposal", None)}


class ProposalCreateView(ProposalFormMixin, FormView):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.team = get_object_or_404(Team.objects.editable_by(request.user), pk=kwargs["pk"])
        services.check_record_proposal(request.user, self.team)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            proposal = services.create_proposal(team=self.team, user=self.request.user, data=form.model_data())
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Joint proposal “%(title)s” recorded.") % {"title": proposal.title})
        return redirect("workplans:proposals", pk=self.team.pk)


class ProposalUpdateView(ProposalFormMixin, FormView):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.proposal = get_object_or_404(
            JointProposal.objects.select_related("team").editable_by(request.user), pk=kwargs["pk"]
        )
        self.team = self.proposal.team
        services.check_record_proposal(request.user, self.team)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = {**super().get_form_kwargs(), "instance": self.proposal}
        kwargs["initial"] = {"version": services.record_version(self.proposal)}
        return kwargs

    def form_valid(self, form):
        try:
            services.update_proposal(
                pk=self.proposal.pk,
                user=self.request.user,
                data=form.model_data(),
                precondition=services.same_version(form.cleaned_data.get("version") or ""),
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Joint proposal saved."))
        return redirect("workplans:proposals", pk=self.team.pk)


class ProposalDocumentView(LoginRequiredMixin, View):
    """The proposal document: for the team's people and the Secretariat (it is a working paper)."""

    def get(self, request, pk):
        proposal = get_object_or_404(JointProposal.objects.editable_by(request.user), pk=pk)
        if not proposal.document:
            raise Http404
        if not plan_team_work.test(request.user, proposal.team):
            raise PermissionDenied
        return FileResponse(
            proposal.document.open("rb"), as_attachment=True, filename=proposal.document.name.rsplit("/", 1)[-1]
        )
