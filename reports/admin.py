from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import ReportRun


@admin.register(ReportRun)
class ReportRunAdmin(admin.ModelAdmin):
    """Runs are requested in the portal, through the API or by the scheduler; here they are watched."""

    list_display = [
        "id",
        "kind",
        "scope",
        "year",
        "format",
        "status",
        "progress",
        "requested_by",
        "created_at",
        "finished_at",
        "attempts",
        "download",
    ]
    list_filter = ["status", "kind", "format", "year", "email_secretariat"]
    search_fields = ["requested_by__username", "requested_by__email", "team__name", "region__name", "error", "task_id"]
    list_select_related = ["requested_by", "team", "region"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    actions = ["give_up"]
    readonly_fields = [field.name for field in ReportRun._meta.fields if field.name not in ("id",)] + ["download"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("scope"))
    def scope(self, run):
        return run.scope_label or "-"

    @admin.display(description=_("file"))
    def download(self, run):
        if run.status != ReportRun.Status.DONE or not run.file:
            return "-"
        from django.urls import reverse

        return format_html('<a href="{}">{}</a>', reverse("reports:download", args=[run.pk]), run.download_name)

    @admin.action(description=_("Give up the selected queued or running runs"))
    def give_up(self, request, queryset):
        count = sum(
            services.mark_failed(pk, str(_("Given up by %(user)s in the administration.") % {"user": request.user}))
            for pk in queryset.filter(status__in=ReportRun.ACTIVE).values_list("pk", flat=True)
        )
        self.message_user(request, ngettext("%d run given up.", "%d runs given up.", count) % count, messages.SUCCESS)
