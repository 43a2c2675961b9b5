"""Portal pages for people and access: invitations, accepting one, hand-over, leaving a role,
the yearly check's page, access requests. Views stay thin: access.services decides and words
every refusal (PermissionDenied shows the 403 page with its message)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView

from accounts.rules import is_secretariat
from core.forms import add_service_errors
from teams import services as roster
from teams.models import ConvenerTerm, FocalPoint, Team, team_roles

from . import services
from .forms import AcceptForm, AccessRequestForm, DecisionForm, HandOverForm, InvitationForm, LeaveForm
from .models import AccessRequest, Invitation
from .tokens import read_entry_token


def base_url(request) -> str:
    return request.build_absolute_uri("/")


class FormPage(LoginRequiredMixin, FormView):
    """A form whose service refusals show on the form (ValidationError) or on the 403 page."""

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
            "back": self.back_url(),
        }

    def back_url(self) -> str:
        return reverse("dashboard")

    def form_valid(self, form):
        try:
            return self.act(form)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)


# --- invitations ---------------------------------------------------------------------------------


class InviteView(FormPage):
    form_class = InvitationForm
    submit = gettext_lazy("Send the invitation")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        team_id = request.GET.get("team") or kwargs.get("team")
        self.team = get_object_or_404(Team, pk=team_id) if team_id else None
        services.check_invite(request.user, self.team)
        return super().dispatch(request, *args, **kwargs)

    @property
    def title(self):
        if self.team is None:
            return _("Invite a viewer")
        return _("Invite someone to %(team)s") % {"team": self.team.name}

    intro = gettext_lazy(
        "The person gets an e-mail in the language you choose, with a link that works once, for a week. "
        "Accepting it gives them the role; an address that already has an account keeps that account."
    )

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "team": self.team}

    def back_url(self):
        return self.team.get_absolute_url() if self.team else reverse("access:invitations")

    def act(self, form):
        data = form.cleaned_data
        invitation = services.invite(
            user=self.request.user,
            team=self.team,
            email=data["email"],
            name=data["name"],
            title=data.get("title", ""),
            role=data["role"],
            agency=data.get("agency"),
            by_resident_coordinator=data.get("by_resident_coordinator", False),
            starts_on=data.get("starts_on"),
            language=data["language"],
            message=data.get("message", ""),
            base_url=base_url(self.request),
        )
        messages.success(self.request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
        return redirect(self.back_url())


class InvitationListView(LoginRequiredMixin, TemplateView):
    template_name = "access/invitations.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        if not (is_secretariat(user) or team_roles(user).team_ids):
            raise PermissionDenied(
                _("Invitations are listed for the teams' conveners and focal points and the Secretariat.")
            )
        invitations = Invitation.objects.visible_to(user).select_related("team", "agency", "invited_by")
        team_id = self.request.GET.get("team")
        if team_id and team_id.isdigit():
            invitations = invitations.filter(team_id=team_id)
        editable = set(Invitation.objects.editable_by(user).values_list("pk", flat=True))
        rows = list(invitations[:500])
        for invitation in rows:
            invitation.can_manage = invitation.pk in editable
        return {**super().get_context_data(**kwargs), "invitations": rows, "is_secretariat": is_secretariat(user)}


class InvitationActionView(LoginRequiredMixin, View):
    """POST resend, revoke or confirm (the Secretariat, for a hand-over)."""

    action = ""

    def post(self, request, pk):
        invitation = get_object_or_404(Invitation.objects.editable_by(request.user), pk=pk)
        if self.action == "resend":
            services.resend_invitation(pk=invitation.pk, user=request.user, base_url=base_url(request))
            messages.success(
                request, _("Invitation sent again to %(email)s, with a new link.") % {"email": invitation.email}
            )
        elif self.action == "revoke":
            services.revoke_invitation(pk=invitation.pk, user=request.user)
            messages.success(
                request, _("Invitation to %(email)s revoked: its link no longer works.") % {"email": invitation.email}
            )
        else:
            try:
                services.confirm_hand_over(pk=invitation.pk, user=request.user)
            except ValidationError as error:
                raise PermissionDenied(" ".join(error.messages)) from None
            messages.success(request, _("Hand-over to %(name)s confirmed.") % {"name": invitation.name})
        return redirect(request.POST.get("next") if _safe(request.POST.get("next")) else reverse("access:invitations"))


def _safe(url: str | None) -> bool:
    return bool(url) and url.startswith("/") and not url.startswith("//")


@method_decorator(never_cache, name="dispatch")
class AcceptView(View):
    """The invitation link: says plainly when it cannot be used; else sign-up or accept."""

    def get(self, request, token):
        return self.page(request, token)

    def post(self, request, token):
        return self.page(request, token, posted=True)

    def page(self, request, token, posted=False):
        try:
            invitation = services.usable_invitation(token)
        except services.InvitationUnusable as refusal:
            status = 404 if refusal.status == "unknown" else 410
            return render(request, "access/invitation_unusable.html", {"message": refusal.message}, status=status)
        context = {"invitation": invitation}
        user = request.user if request.user.is_authenticated else None
        existing = None if user else services.account_for(invitation.email)
        form = None
        if user is None and existing is None:
            form = AcceptForm(request.POST or None, initial={"username": invitation.email})
        if posted:
            try:
                if user is not None or existing is not None:
                    accepted = services.accept_invitation(token=token, user=user)
                elif form.is_valid():
                    accepted = services.accept_invitation(
                        token=token, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
                    )
                    login(request, accepted, backend="django.contrib.auth.backends.ModelBackend")
                else:
                    accepted = None
            except ValidationError as error:
                add_service_errors(form, error)
                accepted = None
            if accepted is not None:
                messages.success(request, _("Welcome: you are now %(role)s.") % {"role": _role_phrase(invitation)})
                return redirect(invitation.team.get_absolute_url() if invitation.team_id else reverse("dashboard"))
        context |= {"form": form, "existing": existing, "login_url": f"{reverse('login')}?next={request.path}"}
        return render(request, "access/accept.html", context, status=400 if form is not None and form.errors else 200)


def _role_phrase(invitation: Invitation) -> str:
    if invitation.team_id is None:
        return _("a viewer")
    return _("%(role)s of %(team)s") % {"role": invitation.get_role_display().lower(), "team": invitation.team.name}


# --- hand-over and leaving -----------------------------------------------------------------------


class HandOverView(FormPage):
    form_class = HandOverForm
    submit = gettext_lazy("Name the successor")
    intro = gettext_lazy(
        "Your successor gets an invitation. The hand-over takes effect when they accept it (or the Secretariat "
        "confirms it): your term then ends the day before theirs starts, and the convener history shows both."
    )

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.term = get_object_or_404(
            ConvenerTerm.objects.editable_by(request.user).select_related("team", "person"), pk=kwargs["pk"]
        )
        services.check_hand_over(request.user, self.term)
        return super().dispatch(request, *args, **kwargs)

    @property
    def title(self):
        return _("Hand over: %(role)s of %(team)s") % {
            "role": self.term.get_role_display().lower(),
            "team": self.term.team.name,
        }

    def back_url(self):
        return self.term.team.get_absolute_url()

    def act(self, form):
        data = form.cleaned_data
        invitation = services.hand_over(
            term=self.term,
            user=self.request.user,
            email=data["email"],
            name=data["name"],
            title=data["title"],
            starts_on=data["starts_on"],
            agency=data["agency"],
            by_resident_coordinator=data["by_resident_coordinator"] or None,
            language=data["language"],
            message=data["message"],
            base_url=base_url(self.request),
        )
        messages.success(
            self.request,
            _("%(name)s is invited to take over from %(date)s.")
            % {"name": invitation.name, "date": invitation.starts_on},
        )
        return redirect(self.back_url())


class LeaveView(FormPage):
    """ "I'm leaving this role", for the focal point themselves."""

    form_class = LeaveForm
    submit = gettext_lazy("I'm leaving this role")
    intro = gettext_lazy("Your entry ends on the day you give. The successor you name gets an invitation to your role.")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        person_id = request.user.person_id
        self.entry = get_object_or_404(
            FocalPoint.objects.select_related("member__team", "member__agency"),
            pk=kwargs["pk"],
            person_id=person_id or 0,
            end_date__isnull=True,
        )
        return super().dispatch(request, *args, **kwargs)

    @property
    def title(self):
        return _("Leaving: focal point of %(agency)s in %(team)s") % {
            "agency": self.entry.member.agency,
            "team": self.entry.member.team.name,
        }

    def back_url(self):
        return self.entry.member.team.get_absolute_url()

    def act(self, form):
        data = form.cleaned_data
        invitation = services.leave_focal_point(
            entry=self.entry,
            user=self.request.user,
            reason=data["reason"],
            note=data["note"],
            end_date=data["end_date"],
            successor_email=data["successor_email"],
            successor_name=data["successor_name"],
            language=data["language"],
            base_url=base_url(self.request),
        )
        messages.success(self.request, _("Your entry ends. Thank you."))
        if invitation is not None:
            messages.success(self.request, _("%(name)s is invited to take over.") % {"name": invitation.name})
        return redirect(self.back_url())


@method_decorator(never_cache, name="dispatch")
class RosterCheckView(View):
    """The yearly check's link: confirm with one click, or leave naming a successor. No sign-in needed."""

    def entry(self, token):
        found = read_entry_token(token, settings.ROSTER_CONFIRM_EVERY_DAYS * 2)
        if found is None:
            raise Http404(_("This link is not valid or has expired."))
        kind, pk = found
        if kind == "fp":
            return kind, get_object_or_404(
                FocalPoint.objects.select_related("member__team", "member__agency", "person"), pk=pk
            )
        return kind, get_object_or_404(ConvenerTerm.objects.select_related("team", "person", "agency"), pk=pk)

    def get(self, request, token):
        kind, entry = self.entry(token)
        return self.render(request, kind, entry)

    def render(self, request, kind, entry, form=None, done="", status=200):
        if form is None and not done:
            form = LeaveForm() if kind == "fp" else HandOverForm()
        team = entry.member.team if kind == "fp" else entry.team
        ended = entry.end_date is not None and entry.end_date < timezone.localdate()
        return render(
            request,
            "access/check.html",
            {"kind": kind, "entry": entry, "team": team, "form": form, "done": done, "ended": ended},
            status=status,
        )

    def post(self, request, token):
        kind, entry = self.entry(token)
        if request.POST.get("action") == "confirm":
            try:
                # The signed link is the proof, whoever is signed in in this browser.
                roster.confirm_entry(entry=entry)
            except ValidationError as error:
                return self.render(request, kind, entry, done=" ".join(error.messages), status=409)
            return self.render(request, kind, entry, done=_("Thank you: your entry is confirmed for another year."))
        form = LeaveForm(request.POST) if kind == "fp" else HandOverForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if kind == "fp":
                    services.leave_focal_point(
                        entry=entry,
                        user=None,
                        by_link=True,
                        reason=data["reason"],
                        note=data["note"],
                        end_date=data["end_date"],
                        successor_email=data["successor_email"],
                        successor_name=data["successor_name"],
                        language=data["language"],
                        base_url=base_url(request),
                    )
                else:
                    services.hand_over(
                        term=entry,
                        user=None,
                        by_link=True,
                        email=data["email"],
                        name=data["name"],
                        title=data["title"],
                        starts_on=data["starts_on"],
                        agency=data["agency"],
                        by_resident_coordinator=data["by_resident_coordinator"] or None,
                        language=data["language"],
                        message=data["message"],
                        base_url=base_url(request),
                    )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return self.render(
                    request, kind, entry, done=_("Thank you: the roster is updated and your successor is invited.")
                )
        return self.render(request, kind, entry, form=form, status=400)


# --- access requests -------------------------------------------------------------------------------


class AccessRequestCreateView(FormPage):
    form_class = AccessRequestForm
    submit = gettext_lazy("Ask for access")
    intro = gettext_lazy(
        "The team's convener or the Secretariat approves or declines your request; you are told either way."
    )

    def dispatch(self, request, *args, **kwargs):
        self.team = get_object_or_404(Team, pk=kwargs["team"])
        return super().dispatch(request, *args, **kwargs)

    @property
    def title(self):
        return _("Ask to be a focal point of %(team)s") % {"team": self.team.name}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "team": self.team}

    def back_url(self):
        return self.team.get_absolute_url()

    def act(self, form):
        services.request_access(
            user=self.request.user,
            team=self.team,
            agency=form.cleaned_data["agency"],
            message=form.cleaned_data["message"],
            base_url=base_url(self.request),
        )
        messages.success(self.request, _("Your request is sent. You will be told of the decision."))
        return redirect("access:requests")


class AccessRequestListView(LoginRequiredMixin, TemplateView):
    template_name = "access/requests.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        pending_first = Case(When(status="pending", then=Value(0)), default=Value(1), output_field=IntegerField())
        requests = (
            AccessRequest.objects.visible_to(user)
            .select_related("requester", "team", "agency", "decided_by")
            .order_by(pending_first, "-created_at")[:500]
        )
        decidable = set(AccessRequest.objects.editable_by(user).exclude(requester=user).values_list("pk", flat=True))
        rows = list(requests)
        for row in rows:
            row.can_decide = row.pk in decidable and row.status == "pending"
        return {**super().get_context_data(**kwargs), "requests": rows}


class AccessRequestDecideView(FormPage):
    form_class = DecisionForm
    submit = gettext_lazy("Record the decision")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.access_request = get_object_or_404(
            AccessRequest.objects.editable_by(request.user).select_related("team", "agency", "requester"),
            pk=kwargs["pk"],
        )
        services.check_decide_request(request.user, self.access_request)
        return super().dispatch(request, *args, **kwargs)

    @property
    def title(self):
        return _("Access request for %(team)s") % {"team": self.access_request.team.name}

    @property
    def intro(self):
        r = self.access_request
        return _("%(who)s asks to be a focal point of %(agency)s: “%(message)s”") % {
            "who": r.requester.get_full_name() or r.requester.username,
            "agency": r.agency,
            "message": r.message,
        }

    def back_url(self):
        return reverse("access:requests")

    def act(self, form):
        approve = form.cleaned_data["decision"] == "approve"
        services.decide_access_request(
            pk=self.access_request.pk,
            user=self.request.user,
            approve=approve,
            reason=form.cleaned_data["reason"],
            base_url=base_url(self.request),
        )
        messages.success(self.request, _("Request approved.") if approve else _("Request declined."))
        return redirect("access:requests")


class AccessRequestWithdrawView(LoginRequiredMixin, View):
    def post(self, request, pk):
        access_request = get_object_or_404(AccessRequest, pk=pk, requester=request.user)
        services.withdraw_access_request(pk=access_request.pk, user=request.user)
        messages.success(request, _("Request withdrawn."))
        return redirect("access:requests")
