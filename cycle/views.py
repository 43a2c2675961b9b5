"""Pages of the yearly cycle: My tasks, notifications and how they arrive, the one-click e-mail
settings, the calendar (the Secretariat edits it), e-mails that could not be delivered."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import FormView, TemplateView

from accounts.rules import is_secretariat
from core.forms import add_service_errors
from core.services import StateConflict
from workplans import endorsement
from workplans.models import EndorsementPolicy

from . import selectors, services, texts
from .forms import DeadlineForm, PolicyForm, PreferencesForm
from .models import Deadline, Delivery, Email, Kind
from .tokens import read_settings_token

User = get_user_model()


class TasksView(LoginRequiredMixin, TemplateView):
    """What the user has to do, soonest first, each with a link to where it is done."""

    template_name = "cycle/tasks.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        tasks = selectors.tasks_for(self.request.user, today)
        return {
            **super().get_context_data(**kwargs),
            "today": today,
            "overdue": [t for t in tasks if t.overdue],
            "upcoming": [t for t in tasks if not t.overdue and t.due_on],
            "other": [t for t in tasks if not t.overdue and not t.due_on],
            "count": len(tasks),
        }


class NotificationsView(LoginRequiredMixin, TemplateView):
    """The user's notifications, newest first, 50 a page; marking them read (one or all)."""

    template_name = "cycle/notifications.html"
    per_page = 50

    def get_context_data(self, **kwargs):
        unread_only = self.request.GET.get("unread") == "1"
        queryset = selectors.notifications_for(self.request.user)
        if unread_only:
            queryset = queryset.filter(read_at__isnull=True)
        page = Paginator(queryset, self.per_page).get_page(self.request.GET.get("page"))
        rows = [(n, texts.title(n), texts.body(n)) for n in page.object_list]
        return {**super().get_context_data(**kwargs), "page": page, "rows": rows, "unread_only": unread_only}

    def post(self, request, *args, **kwargs):
        ids = request.POST.getlist("notification")
        if request.POST.get("all") == "1":
            count = services.mark_read(user=request.user)
        else:
            count = services.mark_read(user=request.user, ids=[i for i in ids if i.isdigit()])
        messages.success(request, _("Marked as read: %(count)s.") % {"count": count})
        return redirect(request.POST.get("next") or "cycle:notifications")


class OpenNotificationView(LoginRequiredMixin, View):
    """Following a notification marks it read and goes where it points."""

    def post(self, request, pk):
        notification = get_object_or_404(selectors.notifications_for(request.user), pk=pk)
        services.mark_read(user=request.user, ids=[notification.pk])
        return redirect(notification.link or "cycle:notifications")


class PreferencesView(LoginRequiredMixin, FormView):
    """How each kind of notification reaches the user."""

    template_name = "cycle/preferences.html"
    form_class = PreferencesForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "choices": services.preferences_of(self.request.user)}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "email_off": not self.request.user.email_notifications}

    def form_valid(self, form):
        services.set_preferences(user=self.request.user, choices=form.cleaned_data)
        messages.success(self.request, _("Your notification settings are saved."))
        return redirect("cycle:preferences")


@method_decorator(csrf_exempt, name="dispatch")
class EmailSettingsView(FormView):
    """The one-click link of every notification e-mail: no sign-in; the signed token names the person and
    the kinds the e-mail carried. A GET shows them (a mail scanner following the link changes nothing);
    a POST saves, and a mail client's one-click unsubscribe (RFC 8058) turns them off."""

    template_name = "cycle/email_settings.html"
    form_class = PreferencesForm

    def dispatch(self, request, *args, **kwargs):
        found = read_settings_token(kwargs["token"])
        if found is None:
            return self.response_class(request, "cycle/email_settings_invalid.html", {}, status=404)
        self.person = User.objects.filter(pk=found[0], is_active=True).first()
        self.kinds = [k for k in found[1] if k in Kind.values]
        if self.person is None or not self.kinds:
            return self.response_class(request, "cycle/email_settings_invalid.html", {}, status=404)
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if request.POST.get("List-Unsubscribe") == "One-Click":
            services.set_preferences(user=self.person, choices=dict.fromkeys(self.kinds, Delivery.OFF))
            return HttpResponse(_("Unsubscribed."), content_type="text/plain; charset=utf-8")
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "choices": services.preferences_of(self.person), "kinds": self.kinds}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "person": self.person}

    def form_valid(self, form):
        services.set_preferences(user=self.person, choices=form.cleaned_data)
        messages.success(self.request, _("Saved: these notifications now reach you as you chose."))
        return redirect(self.request.path)


def year_of(request) -> int:
    raw = request.GET.get("year") or request.POST.get("year") or ""
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    if raw:
        raise Http404
    return timezone.localdate().year


class CalendarView(LoginRequiredMixin, FormView):
    """The year's deadlines for every team and the teams' exceptions, the endorsement rule; the
    Secretariat sets them here."""

    template_name = "cycle/calendar.html"
    form_class = DeadlineForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.year = year_of(request)
            self.can_edit = is_secretariat(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"kind": self.request.GET.get("kind") or Deadline.Kind.WORKPLAN_SUBMISSION}

    def get_context_data(self, **kwargs):
        calendar = selectors.calendar(self.year)
        policy = EndorsementPolicy.objects.filter(year=self.year).first()
        rows = [(kind, label, calendar["global"].get(kind)) for kind, label in Deadline.Kind.choices]
        return {
            **super().get_context_data(**kwargs),
            "year": self.year,
            "years": list(range(self.year - 2, self.year + 3)),
            "rows": rows,
            "exceptions": calendar["exceptions"],
            "policy": policy,
            "policy_form": kwargs.get("policy_form")
            or PolicyForm(
                initial={
                    "rule": policy.rule if policy else "all",
                    "response_days": policy.response_days if policy else 14,
                }
            ),
            "can_edit": self.can_edit,
        }

    def post(self, request, *args, **kwargs):
        if not self.can_edit:
            raise PermissionDenied(_("Only the Secretariat sets the deadlines of the yearly cycle."))
        if request.POST.get("delete"):
            services.delete_deadline(pk=int(request.POST["delete"]), user=request.user)
            messages.success(request, _("Deadline removed."))
            return redirect(f"{request.path}?year={self.year}")
        if request.POST.get("form") == "policy":
            policy_form = PolicyForm(request.POST)
            if policy_form.is_valid():
                try:
                    endorsement.set_endorsement_policy(user=request.user, year=self.year, **policy_form.cleaned_data)
                except ValidationError as error:
                    add_service_errors(policy_form, error)
                else:
                    messages.success(request, _("The endorsement rule for %(year)s is saved.") % {"year": self.year})
                    return redirect(f"{request.path}?year={self.year}")
            return self.render_to_response(self.get_context_data(form=self.get_form(), policy_form=policy_form))
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            deadline = services.set_deadline(user=self.request.user, year=self.year, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Deadline saved: %(deadline)s.") % {"deadline": deadline})
        return redirect(f"{self.request.path}?year={self.year}")


class UndeliveredView(LoginRequiredMixin, TemplateView):
    """E-mails that failed for good, or whose arrival is unknown: the Secretariat sends them again or
    dismisses them."""

    template_name = "cycle/undelivered.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            services.check_handle_emails(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        emails = selectors.undelivered_emails().select_related("recipient").order_by("-created_at")[:200]
        return {**super().get_context_data(**kwargs), "emails": emails}

    def post(self, request, *args, **kwargs):
        pk = request.POST.get("email", "")
        if not pk.isdigit() or not Email.objects.filter(pk=pk).exists():
            raise Http404
        try:
            if request.POST.get("action") == "dismiss":
                services.dismiss_email(pk=int(pk), user=request.user)
                messages.success(request, _("E-mail dismissed."))
            else:
                services.resend_email(pk=int(pk), user=request.user)
                messages.success(request, _("E-mail queued to be sent again."))
        except StateConflict as refusal:
            messages.error(request, str(refusal))
        return redirect("cycle:undelivered")
