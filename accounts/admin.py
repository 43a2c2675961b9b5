from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import User


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
