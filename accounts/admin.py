from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
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
