"""The SUN Movement's member countries, and the SUN hub that serves each.

Sources (the SUN Movement's own public pages, as published in 2023):

- https://scalingupnutrition.org/countries - "SUN now has 66 member countries and 4 Indian
  States - collectively known as the SUN Countries" (the four Indian states, Jharkhand,
  Madhya Pradesh, Maharashtra and Uttar Pradesh, are members but not countries: not listed here);
- https://scalingupnutrition.org/regional-hub - four regional hubs "based on a natural
  geographic and linguistic division" and one thematic hub, the Convergence Hub, for fragile and
  conflict-affected SUN countries and those outside the regional hubs' regions;
- the hub pages under https://scalingupnutrition.org/regional-hub/ (asia, francophone-africa,
  anglophone-africa, latin-america-and-the-caribbean), which name the countries each regional hub
  serves; the thirteen others are those of the Convergence Hub
  (https://scalingupnutrition.org/about/what-we-do/priorities/bridging-humanitarian-development-divide).

The UN Nutrition brief (seed 000) names the four regional hubs by city (Bangkok, Dakar, Nairobi,
Panama: `mechanism.SUN_HUBS`); the Convergence Hub has no city there, so its countries are SUN
members without a regional hub.

Every SUN country is a programme country with a UN country team (a Resident Coordinator and the
agencies' country offices): these are the countries where a UN Nutrition country team can exist,
and the only ones the demo data gives a team (`unnutrition.demo_data`). The list is checked here
rather than derived: nothing in pycountry or country_converter knows SUN membership.
"""

# ISO 3166-1 alpha-3 codes by the city of the regional hub that serves them (None: the Convergence Hub).
SUN_COUNTRIES_BY_HUB: dict[str | None, list[str]] = {
    # Asia hub, Bangkok: Bangladesh, Cambodia, Indonesia, Lao PDR, Myanmar, Nepal, Pakistan,
    # Philippines, Sri Lanka, Viet Nam, Timor-Leste.
    "Bangkok": ["BGD", "KHM", "IDN", "LAO", "MMR", "NPL", "PAK", "PHL", "LKA", "VNM", "TLS"],
    # Francophone Africa hub, Dakar: Benin, Burkina Faso, Cameroon, Côte d'Ivoire, Djibouti, Chad,
    # Comoros, Gabon, Guinea, Guinea-Bissau, Madagascar, Mali, Mauritania, Mozambique, Niger, Rwanda,
    # Sao Tome and Principe, Senegal, Togo.
    "Dakar": [
        "BEN", "BFA", "CMR", "CIV", "DJI", "TCD", "COM", "GAB", "GIN", "GNB",
        "MDG", "MLI", "MRT", "MOZ", "NER", "RWA", "STP", "SEN", "TGO",
    ],
    # Anglophone Africa hub, Nairobi: Botswana, Ethiopia, Eswatini, Gambia, Ghana, Lesotho, Liberia,
    # Kenya, Malawi, Namibia, Nigeria, Sierra Leone, Tanzania, Uganda, Zambia, Zimbabwe.
    "Nairobi": [
        "BWA", "ETH", "SWZ", "GMB", "GHA", "LSO", "LBR", "KEN",
        "MWI", "NAM", "NGA", "SLE", "TZA", "UGA", "ZMB", "ZWE",
    ],
    # Latin America and the Caribbean hub, Panama City: Costa Rica, Ecuador, El Salvador, Guatemala,
    # Honduras, Peru, Panama.
    "Panama City": ["CRI", "ECU", "SLV", "GTM", "HND", "PER", "PAN"],
    # Convergence Hub (thematic, no regional hub): Afghanistan, Burundi, Central African Republic,
    # Congo, Democratic Republic of the Congo, Haiti, Somalia, South Sudan, Sudan, Yemen, Kyrgyzstan,
    # Tajikistan, Papua New Guinea.
    None: ["AFG", "BDI", "CAF", "COG", "COD", "HTI", "SOM", "SSD", "SDN", "YEM", "KGZ", "TJK", "PNG"],
}  # fmt: skip

SUN_COUNTRIES: list[str] = sorted(code for codes in SUN_COUNTRIES_BY_HUB.values() for code in codes)

# The countries a demo team may be placed in: SUN countries, each with a UN country team.
PROGRAMME_COUNTRIES = SUN_COUNTRIES
