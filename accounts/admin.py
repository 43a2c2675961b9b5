from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken, get_digest_token
from knox.settings import CONSTANTS, knox_settings
from simple_history.admin import SimpleHistoryAdmin

from .models import SecurityEvent, User
from .rules import is_secretariat


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, DjangoUserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "is_secretariat", "person", "is_active"]
    list_filter = ["is_secretariat", "is_staff", "is_active"]
    search_fields = ["username", "email", "first_name", "last_name", "person__name"]
    list_select_related = ["person"]
    autocomplete_fields = ["person"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        ("UN Nutrition", {"fields": ["is_secretariat", "person"]}),
    ]


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    """The security log, read-only: nobody edits or deletes its lines."""

    list_display = ["at", "kind", "username", "user", "ip_address", "detail"]
    list_filter = ["kind", "at"]
    search_fields = ["username", "user__username", "ip_address", "detail"]
    list_select_related = ["user"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return is_secretariat(request.user)

    def has_module_permission(self, request):
        return is_secretariat(request.user)


# --- API tokens (django-rest-knox) ----------------------------------------------
# knox's own admin asks for a raw user id, leaves the expiry blank (a token that
# never expires) and lists the 128-character digest. This one picks the user by
# name, proposes the token endpoint's expiry, never shows the digest, and shows
# the new token once, on its own page, right after it is issued.


def _token_label(token) -> str:
    return f"{token.token_key}… ({token.user})"


# The digest (the stored hash of the token) means nothing to a person: keep it out
# of every page and of the admin's action log (`object_repr`), where knox's
# __str__ would put it. A token is named by its first characters, as knox looks it up.
AuthToken.__str__ = _token_label


class TokenIssueForm(forms.ModelForm):
    class Meta:
        model = AuthToken
        fields = ["user", "expiry"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # an issued token: shown read-only, nothing to edit
            return
        ttl = knox_settings.TOKEN_TTL
        self.fields["user"].queryset = User.objects.filter(is_active=True)
        self.fields["user"].help_text = _("Type part of the name, username or e-mail address.")
        self.fields["expiry"].initial = timezone.now() + ttl
        self.fields["expiry"].help_text = _(
            "Left empty, the token expires in %(days)d days, like a token the API issues."
        ) % {"days": ttl.days}

    def clean_expiry(self):
        expiry = self.cleaned_data.get("expiry")
        if expiry is not None and expiry <= timezone.now():
            raise forms.ValidationError(_("The expiry must be in the future."))
        return expiry

    def save(self, commit=True):
        token = super().save(commit=False)
        token.digest, self.token = get_digest_token()
        token.token_key = self.token[: CONSTANTS.TOKEN_KEY_LENGTH]
        if commit:
            token.save()
        return token


admin.site.unregister(AuthToken)


@admin.register(AuthToken)
class AuthTokenAdmin(admin.ModelAdmin):
    """API tokens: issued here or by the token endpoint, revoked by deleting them."""

    form = TokenIssueForm
    list_display = ["token_start", "user", "created", "expiry"]
    list_select_related = ["user"]
    search_fields = ["token_key", "user__username", "user__first_name", "user__last_name", "user__email"]
    autocomplete_fields = ["user"]
    readonly_fields = ["token_start", "user", "created", "expiry"]
    date_hierarchy = "created"

    @admin.display(description=_("token starts with"), ordering="token_key")
    def token_start(self, token):
        return f"{token.token_key}…"

    def get_fields(self, request, obj=None):
        return ["user", "expiry"] if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def has_change_permission(self, request, obj=None):
        # A token is issued or revoked, never edited.
        return False

    def response_add(self, request, obj, post_url_continue=None):
        """The token, shown this once: it is stored hashed and cannot be shown again."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("API token issued"),
            "token": obj,
            "token_value": obj._issued_token,
        }
        response = TemplateResponse(request, "admin/knox/authtoken/issued.html", context)
        response["Cache-Control"] = "no-store"
        return response

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        obj._issued_token = form.token
