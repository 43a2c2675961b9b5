from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.i18n import translations_form

from .models import (
    ActionArea,
    Activity,
    Contribution,
    CooperationFramework,
    CooperationOutcome,
    Funder,
    JointProposal,
    NationalFramework,
    ProgressUpdate,
    ResourceMobilised,
    SdgGoal,
    SdgTarget,
    Tag,
    Workplan,
)


@admin.register(ActionArea)
class ActionAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(SdgGoal)
class SdgGoalAdmin(admin.ModelAdmin):
    list_display = ["number", "title"]
    search_fields = ["title"]


@admin.register(SdgTarget)
class SdgTargetAdmin(admin.ModelAdmin):
    list_display = ["code", "goal", "text"]
    list_filter = ["goal"]
    search_fields = ["code", "text"]


@admin.register(NationalFramework)
class NationalFrameworkAdmin(SimpleHistoryAdmin):
    form = translations_form("name_translations", _("Name"))
    exclude = ["name_translations"]
    list_display = ["name", "country", "start_year", "end_year"]
    search_fields = ["name", "country__name"]
    list_select_related = ["country"]
    autocomplete_fields = ["country"]


class CooperationOutcomeInline(admin.TabularInline):
    model = CooperationOutcome
    extra = 0


@admin.register(CooperationFramework)
class CooperationFrameworkAdmin(SimpleHistoryAdmin):
    list_display = ["country", "start_year", "end_year"]
    search_fields = ["country__name"]
    list_select_related = ["country"]
    autocomplete_fields = ["country"]
    inlines = [CooperationOutcomeInline]


@admin.register(CooperationOutcome)
class CooperationOutcomeAdmin(SimpleHistoryAdmin):
    list_display = ["code", "title", "framework"]
    search_fields = ["code", "title", "framework__country__name"]
    list_select_related = ["framework__country"]


class ActivityInline(admin.TabularInline):
    model = Activity
    extra = 0
    fields = ["title", "action_area", "lead_agency", "status", "start_date", "end_date", "budget_required"]
    show_change_link = True
    autocomplete_fields = ["lead_agency"]


@admin.register(Workplan)
class WorkplanAdmin(SimpleHistoryAdmin):
    list_display = ["team", "year", "status", "submitted_at", "endorsed_at"]
    list_filter = ["status", "year", "team__kind"]
    search_fields = ["team__name", "team__country__name", "team__country__iso_alpha3"]
    list_select_related = ["team"]
    autocomplete_fields = ["team"]
    readonly_fields = ["submitted_by", "submitted_at", "endorsed_by", "endorsed_at"]
    inlines = [ActivityInline]


class ProgressUpdateInline(admin.TabularInline):
    model = ProgressUpdate
    extra = 0
    readonly_fields = ["author"]


@admin.register(Activity)
class ActivityAdmin(SimpleHistoryAdmin):
    list_display = [
        "title",
        "workplan",
        "action_area",
        "lead_agency",
        "status",
        "start_date",
        "end_date",
        "currency",
        "budget_required",
        "budget_available",
        "budget_spent",
    ]
    list_filter = ["status", "action_area", "lead_agency", "workplan__year", "is_national"]
    search_fields = ["title", "description", "workplan__team__name"]
    list_select_related = ["workplan__team", "action_area", "lead_agency"]
    autocomplete_fields = [
        "workplan",
        "lead_agency",
        "participating_agencies",
        "sdg_targets",
        "national_frameworks",
        "subdivisions",
        "cooperation_outcome",
    ]
    inlines = [ProgressUpdateInline]


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(SimpleHistoryAdmin):
    list_display = ["activity", "reported_on", "percent_complete", "status", "author"]
    list_filter = ["status"]
    search_fields = ["activity__title", "text"]
    list_select_related = ["activity", "author"]
    autocomplete_fields = ["activity"]


@admin.register(ResourceMobilised)
class ResourceMobilisedAdmin(SimpleHistoryAdmin):
    list_display = ["team", "source", "amount", "currency", "purpose", "received_on"]
    list_filter = ["currency"]
    search_fields = ["team__name", "source", "purpose"]
    list_select_related = ["team"]
    autocomplete_fields = ["team", "workplan"]


@admin.register(Funder)
class FunderAdmin(SimpleHistoryAdmin):
    """The Secretariat's list of funders that contributions and joint proposals choose from."""

    list_display = ["name", "kind", "iati_identifier", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code", "iati_identifier"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "group", "code", "position"]
    list_filter = ["group"]
    search_fields = ["name", "code"]


@admin.register(Contribution)
class ContributionAdmin(SimpleHistoryAdmin):
    list_display = ["activity", "agency", "kind", "amount", "person_days", "funder"]
    list_filter = ["kind", "agency", "funder"]
    raw_id_fields = ["activity"]

    def has_add_permission(self, request):
        return False  # written through workplans.services (the activity's budget available follows)

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(JointProposal)
class JointProposalAdmin(SimpleHistoryAdmin):
    list_display = ["title", "team", "donor", "status", "amount_requested", "currency", "submitted_on"]
    list_filter = ["status"]
    search_fields = ["title", "team__name"]
    raw_id_fields = ["team", "activities", "outputs"]
