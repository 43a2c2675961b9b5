from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Agency, ChairTerm, SteeringCommitteeSeat


class SeatInline(admin.TabularInline):
    model = SteeringCommitteeSeat
    extra = 0


@admin.register(Agency)
class AgencyAdmin(SimpleHistoryAdmin):
    list_display = ["acronym", "name", "kind", "membership", "parent", "hosts_secretariat", "website"]
    list_filter = ["membership", "kind", "hosts_secretariat"]
    search_fields = ["acronym", "name"]
    list_select_related = ["parent"]
    inlines = [SeatInline]


@admin.register(SteeringCommitteeSeat)
class SteeringCommitteeSeatAdmin(SimpleHistoryAdmin):
    list_display = ["agency", "seat_type", "start_date", "end_date"]
    list_filter = ["seat_type"]
    search_fields = ["agency__acronym", "agency__name"]
    list_select_related = ["agency"]


@admin.register(ChairTerm)
class ChairTermAdmin(SimpleHistoryAdmin):
    list_display = ["person", "agency", "start_date", "end_date"]
    list_filter = ["agency"]
    search_fields = ["person__name", "agency__acronym"]
    list_select_related = ["person", "agency"]
    autocomplete_fields = ["person"]
