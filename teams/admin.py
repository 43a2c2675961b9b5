from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.i18n import translations_form

from .models import (
    ConvenerTerm,
    FocalPoint,
    HumanitarianCluster,
    MembershipProposal,
    Platform,
    Team,
    TeamMember,
    TeamPlatform,
    TermsOfReference,
)


class ConvenerTermInline(admin.TabularInline):
    model = ConvenerTerm
    extra = 0
    autocomplete_fields = ["agency", "person"]


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    extra = 0
    autocomplete_fields = ["agency"]


class TeamPlatformInline(admin.TabularInline):
    model = TeamPlatform
    extra = 0
    autocomplete_fields = ["platform"]


class TermsOfReferenceInline(admin.StackedInline):
    model = TermsOfReference
    extra = 0


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    # The team's name in each UN language: a box per language; an empty one shows the original.
    form = translations_form("name_translations", _("Name"), max_length=200)
    exclude = ["name_translations"]
    list_display = ["name", "kind", "country", "region", "is_active", "meeting_frequency"]
    list_filter = ["kind", "is_active", "region", "is_demo"]
    search_fields = ["name", "country__name", "country__iso_alpha3"]
    list_select_related = ["country", "region"]
    autocomplete_fields = ["country", "parent", "subdivisions", "national_frameworks"]
    filter_horizontal = ["action_areas", "clusters"]
    inlines = [ConvenerTermInline, TeamMemberInline, TeamPlatformInline, TermsOfReferenceInline]


@admin.register(ConvenerTerm)
class ConvenerTermAdmin(SimpleHistoryAdmin):
    list_display = ["team", "role", "agency", "by_resident_coordinator", "person", "start_date", "end_date"]
    list_filter = ["role", "by_resident_coordinator", "agency"]
    search_fields = ["team__name", "agency__acronym", "person__name"]
    list_select_related = ["team", "agency", "person"]
    autocomplete_fields = ["team", "agency", "person"]


class FocalPointInline(admin.TabularInline):
    model = FocalPoint
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(TeamMember)
class TeamMemberAdmin(SimpleHistoryAdmin):
    list_display = ["team", "agency", "start_date", "end_date"]
    list_filter = ["agency"]
    search_fields = ["team__name", "agency__acronym"]
    list_select_related = ["team", "agency"]
    autocomplete_fields = ["team", "agency"]
    inlines = [FocalPointInline]


@admin.register(FocalPoint)
class FocalPointAdmin(SimpleHistoryAdmin):
    list_display = ["person", "member", "is_primary", "start_date", "end_date"]
    list_filter = ["is_primary", "member__agency"]
    search_fields = ["person__name", "person__email", "member__team__name"]
    list_select_related = ["person", "member__team", "member__agency"]
    autocomplete_fields = ["person", "member"]


@admin.register(Platform)
class PlatformAdmin(SimpleHistoryAdmin):
    list_display = ["name", "country", "government_led", "is_sun_platform", "functioning", "meeting_frequency"]
    list_filter = ["government_led", "is_sun_platform", "functioning", "meeting_frequency"]
    search_fields = ["name", "country__name", "chairing_ministry"]
    list_select_related = ["country"]
    autocomplete_fields = ["country"]


@admin.register(TeamPlatform)
class TeamPlatformAdmin(SimpleHistoryAdmin):
    list_display = ["team", "platform", "since"]
    search_fields = ["team__name", "platform__name"]
    list_select_related = ["team", "platform"]
    autocomplete_fields = ["team", "platform"]


@admin.register(HumanitarianCluster)
class HumanitarianClusterAdmin(SimpleHistoryAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    filter_horizontal = ["lead_agencies"]


@admin.register(TermsOfReference)
class TermsOfReferenceAdmin(SimpleHistoryAdmin):
    list_display = ["title", "team", "adopted_on"]
    search_fields = ["title", "team__name"]
    list_select_related = ["team"]
    autocomplete_fields = ["team"]


@admin.register(MembershipProposal)
class MembershipProposalAdmin(SimpleHistoryAdmin):
    """Proposals are decided in the portal (teams.services.decide_membership); listed here."""

    list_display = ["agency", "team", "status", "proposed_by", "created_at", "decided_by", "decided_at"]
    list_filter = ["status"]
    search_fields = ["team__name", "agency__acronym"]
    list_select_related = ["team", "agency", "proposed_by", "decided_by"]
    readonly_fields = [field.name for field in MembershipProposal._meta.fields]

    def has_add_permission(self, request):
        return False
