"""Team pages: the list, a team's page, and the roster's editing pages (teams.services decides)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from accounts.rules import is_secretariat
from core.exports import ExportMixin
from core.forms import add_service_errors

from . import services
from .filtersets import TeamListFilterSet
from .forms import ConvenerContactsForm, DecideProposalForm, EndFocalPointForm, FocalPointForm, ProposeMemberForm
from .models import ConvenerTerm, FocalPoint, MembershipProposal, Team
from .rules import convene_team, edit_team_roster, view_team_contacts
from .selectors import current_term, roster_queryset, unconfirmed_ids
from .tables import TeamTable


class TeamListView(LoginRequiredMixin, ExportMixin, SingleTableMixin, FilterView):
    template_name = "teams/team_list.html"
    table_class = TeamTable
    filterset_class = TeamListFilterSet
    paginate_by = 50
    export_name = "teams"

    def get_queryset(self):
        return roster_queryset()


class TeamDetailView(LoginRequiredMixin, TemplateView):
    """A team's page: convener history, members and focal points (last confirmed, flagged when
    unconfirmed for a year), terms of reference, resources mobilised, platforms, SUN, workplans;
    and, for the team's people, the roster's editing links."""

    template_name = "teams/team_detail.html"

    def get_context_data(self, **kwargs):
        team = get_object_or_404(
            roster_queryset().prefetch_related(
                "terms_of_reference",
                Prefetch(
                    "member_proposals",
                    queryset=MembershipProposal.objects.select_related("agency").filter(status="pending"),
                ),
            ),
            pk=self.kwargs["pk"],
        )
        user = self.request.user
        can_edit = edit_team_roster.test(user, team)
        flagged_fps, flagged_terms = unconfirmed_ids(team)
        for term in team.convener_terms.all():
            term.flagged = term.pk in flagged_terms
            term.own = bool(user.person_id and term.person_id == user.person_id)
        for member in team.members.all():
            for fp in member.focal_points.all():
                fp.flagged = fp.pk in flagged_fps
                fp.own = bool(user.person_id and fp.person_id == user.person_id)
        invitations = []
        if can_edit:
            invitations = list(
                team.invitations.filter(
                    accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
                ).order_by("-created_at")
            )
        return {
            **super().get_context_data(**kwargs),
            "team": team,
            "convener": current_term(team, "convener"),
            "co_convener": current_term(team, "co_convener"),
            "contacts_visible": view_team_contacts.test(user, team),
            "can_edit_roster": can_edit,
            "can_invite": convene_team.test(user, team),
            "is_secretariat": is_secretariat(user),
            "flagged_count": len(flagged_fps) + len(flagged_terms),
            "pending_invitations": invitations,
            "workplans": team.workplans.order_by("-year"),
            "resources": team.resources_mobilised.order_by("-received_on", "-id")[:50],
            "subteams": team.subteams.all(),
        }


class RosterFormView(LoginRequiredMixin, FormView):
    template_name = "access/form.html"
    title = ""
    intro = ""
    submit = gettext_lazy("Save")

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "title": self.title,
            "intro": self.intro,
            "submit": self.submit,
            "back": self.team.get_absolute_url(),
        }

    def form_valid(self, form):
        try:
            self.act(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        return redirect(self.team.get_absolute_url())


class AddFocalPointView(RosterFormView):
    form_class = FocalPointForm
    submit = gettext_lazy("Add")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.team = get_object_or_404(Team.objects.editable_by(request.user), pk=kwargs["pk"])
        services.check_edit_roster(request.user, self.team)
        return super().dispatch(request, *args, **kwargs)

    @property
    def title(self):
        return _("Add a focal point to %(team)s") % {"team": self.team.name}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "team": self.team}

    def act(self, data):
        fp = services.add_focal_point(
            user=self.request.user, team=self.team, **{k: v for k, v in data.items() if k != "version"}
        )
        messages.success(
            self.request,
            _("%(name)s added as focal point of %(agency)s.") % {"name": fp.person.name, "agency": fp.member.agency},
        )


class FocalPointMixin:
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.entry = get_object_or_404(
            FocalPoint.objects.editable_by(request.user).select_related("member__team", "member__agency", "person"),
            pk=kwargs["pk"],
        )
        self.team = self.entry.member.team
        services.check_edit_roster(request.user, self.entry)
        return super().dispatch(request, *args, **kwargs)


class EditFocalPointView(FocalPointMixin, RosterFormView):
    form_class = FocalPointForm

    @property
    def title(self):
        return _("Focal point of %(agency)s: %(name)s") % {
            "agency": self.entry.member.agency,
            "name": self.entry.person.name,
        }

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "editing": True}

    def get_initial(self):
        person = self.entry.person
        return {
            "name": person.name,
            "title": person.title,
            "email": person.email,
            "phone": person.phone,
            "is_primary": self.entry.is_primary,
            "start_date": self.entry.start_date,
            "version": services.entry_version(self.entry),
        }

    def act(self, data):
        version = data.pop("version")
        services.update_focal_point(
            pk=self.entry.pk, user=self.request.user, data=data, precondition=services.unchanged_since(version)
        )
        messages.success(self.request, _("Saved."))


class EndFocalPointView(FocalPointMixin, RosterFormView):
    form_class = EndFocalPointForm
    submit = gettext_lazy("End this focal point")

    @property
    def title(self):
        return _("End: %(name)s, focal point of %(agency)s") % {
            "agency": self.entry.member.agency,
            "name": self.entry.person.name,
        }

    def act(self, data):
        services.end_focal_point(
            pk=self.entry.pk,
            user=self.request.user,
            reason=data["reason"],
            note=data["note"],
            end_date=data["end_date"],
        )
        messages.success(
            self.request,
            _("%(name)s is no longer a focal point from %(date)s.")
            % {"name": self.entry.person.name, "date": data["end_date"] or timezone.localdate()},
        )


class FocalPointActionView(FocalPointMixin, View):
    """POST: mark primary, or confirm the entry is still true."""

    action = ""

    def post(self, request, pk):
        if self.action == "primary":
            services.mark_primary(pk=self.entry.pk, user=request.user)
            messages.success(
                request,
                _("%(name)s is now the primary focal point of %(agency)s.")
                % {"name": self.entry.person.name, "agency": self.entry.member.agency},
            )
        else:
            services.confirm_entry(entry=self.entry, user=request.user)
            messages.success(request, _("Entry confirmed."))
        return redirect(self.team.get_absolute_url())


class ConfirmTermView(LoginRequiredMixin, View):
    def post(self, request, pk):
        term = get_object_or_404(ConvenerTerm.objects.editable_by(request.user).select_related("team"), pk=pk)
        services.confirm_entry(entry=term, user=request.user)
        messages.success(request, _("Entry confirmed."))
        return redirect(term.team.get_absolute_url())


class ConvenerContactsView(RosterFormView):
    form_class = ConvenerContactsForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.term = get_object_or_404(
            ConvenerTerm.objects.editable_by(request.user).select_related("team", "person"),
            pk=kwargs["pk"],
            person__isnull=False,
        )
        self.team = self.term.team
        services.check_edit_roster(request.user, self.term)
        return super().dispatch(request, *args, **kwargs)

    @property
    def title(self):
        return _("Contacts of %(name)s, %(role)s") % {
            "name": self.term.person.name,
            "role": self.term.get_role_display().lower(),
        }

    def get_initial(self):
        p = self.term.person
        return {
            "name": p.name,
            "title": p.title,
            "email": p.email,
            "phone": p.phone,
            "version": services.entry_version(self.term),
        }

    def act(self, data):
        version = data.pop("version")
        services.update_convener_term(
            pk=self.term.pk, user=self.request.user, data=data, precondition=services.unchanged_since(version)
        )
        messages.success(self.request, _("Saved."))


class ProposeMemberView(RosterFormView):
    form_class = ProposeMemberForm
    submit = gettext_lazy("Propose")
    intro = gettext_lazy(
        "The Secretariat confirms or declines the proposal; the agency then appears among the members."
    )

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.team = get_object_or_404(Team.objects.editable_by(request.user), pk=kwargs["pk"])
        services.check_edit_roster(request.user, self.team)
        return super().dispatch(request, *args, **kwargs)

    @property
    def title(self):
        return _("Propose a member agency for %(team)s") % {"team": self.team.name}

    def act(self, data):
        proposal = services.propose_member(user=self.request.user, team=self.team, **data)
        if proposal.status == MembershipProposal.Status.CONFIRMED:
            messages.success(self.request, _("%(agency)s is now a member.") % {"agency": proposal.agency})
        else:
            messages.success(
                self.request, _("%(agency)s is proposed; the Secretariat will decide.") % {"agency": proposal.agency}
            )


class DecideProposalView(RosterFormView):
    form_class = DecideProposalForm
    submit = gettext_lazy("Record the decision")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.proposal = get_object_or_404(MembershipProposal.objects.select_related("team", "agency"), pk=kwargs["pk"])
        self.team = self.proposal.team
        services.check_decide_membership(request.user)
        return super().dispatch(request, *args, **kwargs)

    @property
    def title(self):
        return _("%(agency)s proposed as a member of %(team)s") % {
            "agency": self.proposal.agency,
            "team": self.team.name,
        }

    @property
    def intro(self):
        return self.proposal.note

    def act(self, data):
        services.decide_membership(
            pk=self.proposal.pk, user=self.request.user, approve=data["decision"] == "approve", reason=data["reason"]
        )
        messages.success(self.request, _("Decision recorded."))


def team_url(team) -> str:
    return reverse("teams:detail", args=[team.pk])
