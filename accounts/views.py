"""The user's own preferences: language and e-mail."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView

from . import services


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        choices=[("", gettext_lazy("My browser's")), *settings.LANGUAGES],
        required=False,
        help_text=gettext_lazy("Of the portal's pages and of the e-mails it sends you."),
    )
    email_notifications = forms.BooleanField(
        label=gettext_lazy("Send me e-mail about access requests, invitations I sent and the yearly roster check"),
        required=False,
    )


class PreferencesView(LoginRequiredMixin, FormView):
    template_name = "access/form.html"
    form_class = PreferencesForm

    def get_initial(self):
        return {"language": self.request.user.language, "email_notifications": self.request.user.email_notifications}

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "title": _("Your preferences"),
            "intro": _("Password: use “Change password”; a forgotten one is reset by e-mail from the sign-in page."),
            "submit": _("Save"),
            "back": "/",
        }

    def form_valid(self, form):
        user = services.update_preferences(user=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("Preferences saved."))
        response = redirect("preferences")
        if user.language:
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax")
        else:
            response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
        return response
