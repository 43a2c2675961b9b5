"""Workflow pages: submit, joint endorsement (endorse, return, acknowledge), amendments, signatories.

Each page finds its workplan among those the user may act on (endorsement.workflow_queryset: their
teams', and those they are asked to sign; others answer 404) and is refused with the service's own
message (403, or 409 when only the workplan's state stands in the way)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from accounts.rules import is_secretariat
from core.forms import add_service_errors
from core.services import StateConflict
from teams.models import Team, TeamMember

from . import endorsement, rules
from .models import Amendment, EndorsementRequest, EndorsementRound, Signatory, Workplan
from .workflow_forms import AmendmentForm, CommentForm, ReturnForm, SignatoryForm


def refusal_page(view, form, refusal):
    """A refusal the page could not foresee (the state changed meanwhile): the form says why, 409."""
    form.add_error(None, str(refusal))
    return view.render_to_response(view.get_context_data(form=form), status=409)


class WorkflowMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        queryset = endorsement.workflow_queryset(request.user).select_related("team__country")
        self.workplan = get_object_or_404(queryset, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)


class WorkflowActionView(WorkflowMixin, FormView):
    """A confirmation page with the step's comment (or reason), then the step."""

    template_name = "workplans/workplan_confirm.html"
    action = ""
    steps = {
        "submit": (endorsement.check_submit, CommentForm),
        "endorse": (endorsement.check_endorse, CommentForm),
        "return": (endorsement.check_return, ReturnForm),
        "acknowledge": (endorsement.check_acknowledge, CommentForm),
        "reopen": (endorsement.check_reopen, CommentForm),
    }

    def get(self, request, *args, **kwargs):
        self.steps[self.action][0](request.user, self.workplan)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.steps[self.action][0](request.user, self.workplan)
        return super().post(request, *args, **kwargs)

    def get_form_class(self):
        return self.steps[self.action][1]

    def get_context_data(self, **kwargs):
        round_ = rules.open_round(self.workplan)
        return {
            **super().get_context_data(**kwargs),
            "workplan": self.workplan,
            "action": self.action,
            "amendment": endorsement.open_amendment(self.workplan),
            "signers": endorsement.signatories_of(self.workplan.team) if self.action == "submit" else [],
            "mine": list(rules.answerable_requests(self.request.user, self.workplan).select_related("agency"))
            if round_
            else [],
        }

    def form_valid(self, form):
        user, workplan = self.request.user, self.workplan
        text = form.cleaned_data.get("comment") or form.cleaned_data.get("reason") or ""
        try:
            if self.action == "submit":
                workplan = endorsement.submit_workplan(workplan=workplan, user=user, comment=text)
                done = (
                    _("Workplan endorsed: the correction is in force.")
                    if workplan.status == Workplan.Status.ENDORSED
                    else _("Workplan submitted: the member agencies' signatories are asked to endorse it.")
                )
            elif self.action == "endorse":
                workplan = endorsement.endorse_workplan(workplan=workplan, user=user, comment=text)
                done = (
                    _("Workplan endorsed.")
                    if workplan.status == Workplan.Status.ENDORSED
                    else _("Your endorsement is recorded; the workplan waits for the other signatories.")
                )
            elif self.action == "return":
                endorsement.return_workplan(workplan=workplan, user=user, reason=text)
                done = _("Workplan returned to the team, with your reason.")
            elif self.action == "acknowledge":
                endorsement.acknowledge_workplan(workplan=workplan, user=user, comment=text)
                done = _("Workplan acknowledged.")
            else:
                endorsement.reopen_workplan(workplan=workplan, user=user, reason=text)
                done = _("Workplan reopened as a draft.")
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        except StateConflict as refusal:
            return refusal_page(self, form, refusal)
        messages.success(self.request, done)
        if self.action in ("endorse", "return", "acknowledge"):
            return redirect("workplans:endorsement", pk=self.workplan.pk)
        return redirect("workplans:detail", pk=self.workplan.pk)


class EndorsementView(WorkflowMixin, TemplateView):
    """Where a workplan stands in its endorsement: who signs for each agency, who answered and what
    they said, earlier rounds, amendments; the buttons for what this user may do."""

    template_name = "workplans/endorsement.html"

    def get_context_data(self, **kwargs):
        workplan, user = self.workplan, self.request.user
        rounds = list(
            EndorsementRound.objects.filter(workplan=workplan)
            .select_related("opened_by", "closed_by", "amendment")
            .prefetch_related(
                Prefetch(
                    "requests",
                    queryset=EndorsementRequest.objects.select_related("agency", "signatory", "decided_by").order_by(
                        "agency__acronym", "pk"
                    ),
                )
            )
            .order_by("-number")
        )
        current = rounds[0] if rounds and rounds[0].is_open else None
        return {
            **super().get_context_data(**kwargs),
            "workplan": workplan,
            "current": current,
            "rounds": rounds if current is None else rounds[1:],
            "amendments": list(workplan.amendments.select_related("started_by", "decided_by").order_by("-number")),
            "signers": endorsement.signatories_of(workplan.team) if current is None else [],
            "can_submit": rules.submit_workplan.test(user, workplan),
            "can_endorse": rules.endorse_workplan.test(user, workplan),
            "can_return": rules.return_workplan.test(user, workplan),
            "can_acknowledge": rules.acknowledge_workplan.test(user, workplan),
            "can_amend": rules.amend_workplan.test(user, workplan) and endorsement.open_amendment(workplan) is None,
            "can_designate": rules.designate_signatories.test(user, workplan.team),
            "mine": list(rules.answerable_requests(user, workplan).select_related("agency")) if current else [],
            "on_behalf": current is not None and is_secretariat(user),
        }


class AmendmentCreateView(WorkflowMixin, FormView):
    template_name = "workplans/amendment_form.html"
    form_class = AmendmentForm

    def get(self, request, *args, **kwargs):
        endorsement.check_amend(request.user, self.workplan)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        endorsement.check_amend(request.user, self.workplan)
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "workplan": self.workplan}

    def form_valid(self, form):
        try:
            amendment = endorsement.start_amendment(
                workplan=self.workplan, user=self.request.user, kind=form.cleaned_data["kind"],
                reason=form.cleaned_data["reason"],
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        except StateConflict as refusal:
            return refusal_page(self, form, refusal)
        messages.success(
            self.request,
            _("Amendment %(number)s started: change the workplan, then submit the amendment.")
            % {"number": amendment.number},
        )
        return redirect(amendment.get_absolute_url())


class AmendmentMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.amendment = get_object_or_404(
            Amendment.objects.select_related("workplan__team", "started_by", "decided_by"), pk=kwargs["pk"]
        )
        self.workplan = self.amendment.workplan
        return super().dispatch(request, *args, **kwargs)


class AmendmentDetailView(AmendmentMixin, FormView):
    """The amendment: type, reason, what changed field by field, the signed document; submit or withdraw."""

    template_name = "workplans/amendment_detail.html"
    form_class = CommentForm

    def get_context_data(self, **kwargs):
        from .amendments import field_label

        user, amendment = self.request.user, self.amendment
        rows = endorsement.comparison(amendment)
        can_run = rules.runs_workflow.test(user, self.workplan)
        return {
            **super().get_context_data(**kwargs),
            "amendment": amendment,
            "workplan": self.workplan,
            "rows": [{**row, "label": field_label(row)} for row in rows],
            "can_submit": can_run and amendment.status == Amendment.Status.OPEN,
            "can_withdraw": can_run and amendment.status == Amendment.Status.OPEN,
            "can_attach": rules.report_progress.test(user, self.workplan),
        }

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") == "withdraw":
            try:
                endorsement.withdraw_amendment(pk=self.amendment.pk, user=request.user)
            except StateConflict as refusal:
                messages.error(request, str(refusal))
                return redirect(self.amendment.get_absolute_url())
            messages.success(request, _("Amendment withdrawn: the workplan is endorsed as it was."))
            return redirect("workplans:detail", pk=self.workplan.pk)
        if not rules.runs_workflow.test(request.user, self.workplan):
            raise PermissionDenied(_("Only a convener of this team or the Secretariat submits its amendment."))
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            amendment = endorsement.submit_amendment(
                pk=self.amendment.pk, user=self.request.user, comment=form.cleaned_data["comment"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        except StateConflict as refusal:
            return refusal_page(self, form, refusal)
        if amendment.status == Amendment.Status.APPROVED:
            messages.success(self.request, _("Amendment %(number)s is in force.") % {"number": amendment.number})
        else:
            messages.success(
                self.request, _("Amendment submitted: the member agencies' signatories are asked to endorse it.")
            )
        return redirect(amendment.get_absolute_url())


class SignatoriesView(LoginRequiredMixin, FormView):
    """Who signs the team's workplans for each member agency; the convener or Secretariat designates."""

    template_name = "workplans/signatories.html"
    form_class = SignatoryForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.team = get_object_or_404(Team, pk=kwargs["pk"])
        self.can_designate = rules.designate_signatories.test(request.user, self.team)
        return super().dispatch(request, *args, **kwargs)

    def agencies(self):
        from django.utils import timezone

        members = TeamMember.objects.running_on(timezone.localdate()).filter(team=self.team).select_related("agency")
        return [m.agency for m in members.order_by("agency__acronym")]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "team": self.team, "agencies": self.agencies()}

    def get_context_data(self, **kwargs):
        designated = {s.agency_id: s for s in Signatory.objects.filter(team=self.team).select_related("designated_by")}
        signers = endorsement.signatories_of(self.team)
        return {
            **super().get_context_data(**kwargs),
            "team": self.team,
            "rows": [(signer, designated.get(signer.agency.pk)) for signer in signers],
            "can_designate": self.can_designate,
        }

    def post(self, request, *args, **kwargs):
        endorsement.check_designate(request.user, self.team)
        if request.POST.get("remove"):
            signatory = get_object_or_404(Signatory, pk=request.POST["remove"], team=self.team)
            endorsement.remove_signatory(pk=signatory.pk, user=request.user)
            messages.success(request, _("%(agency)s signs through its head or primary focal point again.")
                             % {"agency": signatory.agency})  # fmt: skip
            return redirect("workplans:signatories", pk=self.team.pk)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            signatory = endorsement.designate_signatory(
                user=self.request.user, team=self.team, agency=form.cleaned_data["agency"],
                person=form.cleaned_data["person"],
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(person)s signs for %(agency)s.") % {"person": signatory.person, "agency": signatory.agency},
        )
        return redirect(reverse("workplans:signatories", args=[self.team.pk]))
