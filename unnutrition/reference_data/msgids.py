"""Names stored as data that the interface shows translated.

Region, action area and cluster names live in the database (loaded from
country_converter's UN M49 data and mechanism.py); listing them here with
gettext_noop puts them in the .po catalogues, and templates translate the
stored value at display time. tests/portal check that every stored name is here.
"""

from django.utils.translation import gettext_noop

REGION_NAMES = [
    gettext_noop("Africa"),
    gettext_noop("Americas"),
    gettext_noop("Antarctica"),
    gettext_noop("Asia"),
    gettext_noop("Australia and New Zealand"),
    gettext_noop("Caribbean"),
    gettext_noop("Central America"),
    gettext_noop("Central Asia"),
    gettext_noop("Eastern Africa"),
    gettext_noop("Eastern Asia"),
    gettext_noop("Eastern Europe"),
    gettext_noop("Europe"),
    gettext_noop("Latin America and the Caribbean"),
    gettext_noop("Melanesia"),
    gettext_noop("Micronesia"),
    gettext_noop("Middle Africa"),
    gettext_noop("Northern Africa"),
    gettext_noop("Northern America"),
    gettext_noop("Northern Europe"),
    gettext_noop("Oceania"),
    gettext_noop("Polynesia"),
    gettext_noop("South America"),
    gettext_noop("South-eastern Asia"),
    gettext_noop("Southern Africa"),
    gettext_noop("Southern Asia"),
    gettext_noop("Southern Europe"),
    gettext_noop("Sub-Saharan Africa"),
    gettext_noop("Western Africa"),
    gettext_noop("Western Asia"),
    gettext_noop("Western Europe"),
]

ACTION_AREA_NAMES = [
    gettext_noop("Advocacy"),
    gettext_noop("Capacity strengthening"),
    gettext_noop("Emergency nutrition coordination"),
    gettext_noop("Evidence generation"),
    gettext_noop("Information and knowledge management"),
]

CLUSTER_NAMES = [
    gettext_noop("Food Security"),
    gettext_noop("Health"),
    gettext_noop("Nutrition"),
    gettext_noop("Water, Sanitation and Hygiene (WASH)"),
]
