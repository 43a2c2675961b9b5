from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Country, Person, Region, Subdivision, SunMembership, SunNetwork, SunNetworkPresence, SunRegionalHub


@admin.register(Region)
class RegionAdmin(SimpleHistoryAdmin):
    list_display = ["name", "m49_code", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "m49_code"]
    list_select_related = ["parent"]


class SunNetworkPresenceInline(admin.TabularInline):
    model = SunNetworkPresence
    extra = 0


@admin.register(Country)
class CountryAdmin(SimpleHistoryAdmin):
    list_display = ["name", "iso_alpha2", "iso_alpha3", "iso_numeric", "region", "is_sun_country"]
    list_filter = ["region__parent", "region"]
    search_fields = ["name", "official_name", "iso_alpha2", "iso_alpha3"]
    list_select_related = ["region", "sun_membership"]
    inlines = [SunNetworkPresenceInline]

    @admin.display(boolean=True, description="SUN country")
    def is_sun_country(self, obj):
        return hasattr(obj, "sun_membership")


@admin.register(Subdivision)
class SubdivisionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "type", "country"]
    list_filter = ["type"]
    search_fields = ["name", "code", "country__name"]
    list_select_related = ["country"]


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ["name", "title", "agency", "organization", "country", "email", "phone"]
    list_filter = ["agency", "is_demo"]
    search_fields = ["name", "email", "title", "organization"]
    list_select_related = ["agency", "country"]
    autocomplete_fields = ["country"]


@admin.register(SunMembership)
class SunMembershipAdmin(SimpleHistoryAdmin):
    list_display = ["country", "joined_on", "government_focal_point"]
    search_fields = ["country__name", "government_focal_point__name"]
    list_select_related = ["country", "government_focal_point"]
    autocomplete_fields = ["country", "government_focal_point"]


@admin.register(SunNetwork)
class SunNetworkAdmin(SimpleHistoryAdmin):
    list_display = ["name", "acronym"]
    search_fields = ["name", "acronym"]


@admin.register(SunNetworkPresence)
class SunNetworkPresenceAdmin(SimpleHistoryAdmin):
    list_display = ["country", "network", "local_name"]
    list_filter = ["network"]
    search_fields = ["country__name", "local_name"]
    list_select_related = ["country", "network"]


@admin.register(SunRegionalHub)
class SunRegionalHubAdmin(SimpleHistoryAdmin):
    list_display = ["name", "city", "country"]
    search_fields = ["name", "city"]
    list_select_related = ["country"]
