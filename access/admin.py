from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import AccessRequest, Invitation


@admin.register(Invitation)
class InvitationAdmin(SimpleHistoryAdmin):
    """Invitations are sent, resent and revoked from the portal (access.services); here they are read."""

    list_display = [
        "email",
        "name",
        "role",
        "team",
        "agency",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    list_filter = ["role", "created_at"]
    search_fields = ["email", "name", "team__name"]
    list_select_related = ["team", "agency", "invited_by"]
    readonly_fields = [field.name for field in Invitation._meta.fields if field.name != "token_hash"]
    exclude = ["token_hash"]

    def has_add_permission(self, request):
        return False


@admin.register(AccessRequest)
class AccessRequestAdmin(SimpleHistoryAdmin):
    list_display = ["requester", "team", "agency", "status", "created_at", "decided_by", "decided_at"]
    list_filter = ["status"]
    search_fields = ["requester__username", "team__name", "message"]
    list_select_related = ["requester", "team", "agency", "decided_by"]
    readonly_fields = [field.name for field in AccessRequest._meta.fields]

    def has_add_permission(self, request):
        return False
