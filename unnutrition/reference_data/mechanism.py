"""Facts about UN Nutrition itself, from the UN Nutrition brief on country
coordination (2022) and the mechanism's public membership list.

Plain data: the loader (`services.py` beside this file) turns it into rows.
Countries, regions and subdivisions are not here: they come from pycountry and
country_converter.
"""

import datetime as dt

# (acronym, official name, kind, membership, headquarters, website, extra)
AGENCIES = [
    ("FAO", "Food and Agriculture Organization of the United Nations", "specialized_agency", "founding",
     "Rome", "https://www.fao.org", {"hosts_secretariat": True}),
    ("IAEA", "International Atomic Energy Agency", "related_organization", "member",
     "Vienna", "https://www.iaea.org", {}),
    ("IFAD", "International Fund for Agricultural Development", "specialized_agency", "founding",
     "Rome", "https://www.ifad.org", {}),
    ("OHCHR", "Office of the United Nations High Commissioner for Human Rights", "secretariat_office", "member",
     "Geneva", "https://www.ohchr.org", {}),
    ("SR-Food", "Special Rapporteur on the right to food", "special_procedure", "member",
     "Geneva", "https://www.ohchr.org/en/special-procedures/sr-food", {}),
    ("UNDP", "United Nations Development Programme", "fund_programme", "member",
     "New York", "https://www.undp.org", {}),
    ("UN DESA", "United Nations Department of Economic and Social Affairs", "secretariat_office", "member",
     "New York", "https://www.un.org/en/desa", {}),
    ("UNEP", "United Nations Environment Programme", "fund_programme", "member",
     "Nairobi", "https://www.unep.org", {}),
    ("UN-Habitat", "United Nations Human Settlements Programme", "fund_programme", "member",
     "Nairobi", "https://unhabitat.org", {}),
    # The UN System Chart lists UNHCR among "other entities", not among the funds and programmes.
    ("UNHCR", "Office of the United Nations High Commissioner for Refugees", "other_entity", "member",
     "Geneva", "https://www.unhcr.org", {}),
    ("UNICEF", "United Nations Children's Fund", "fund_programme", "founding",
     "New York", "https://www.unicef.org", {}),
    ("UNIDO", "United Nations Industrial Development Organization", "specialized_agency", "member",
     "Vienna", "https://www.unido.org", {}),
    ("OCHA", "United Nations Office for the Coordination of Humanitarian Affairs", "secretariat_office", "member",
     "New York", "https://www.unocha.org", {}),
    ("WFP", "World Food Programme", "fund_programme", "founding",
     "Rome", "https://www.wfp.org", {}),
    ("WHO", "World Health Organization", "specialized_agency", "founding",
     "Geneva", "https://www.who.int", {}),
    ("CGIAR", "CGIAR System Organization", "research_organization", "associate",
     "Montpellier", "https://www.cgiar.org",
     {"membership_through": "Alliance of Bioversity International and CIAT"}),
]  # fmt: skip

# Official Chinese names, as the UN Nutrition brief (seed 000, footnote 1) gives them.
AGENCY_NAMES_ZH = {
    "FAO": "联合国粮食及农业组织",
    "IAEA": "国际原子能机构",
    "IFAD": "国际农业发展基金",
    "OHCHR": "联合国人权事务高级专员办事处",
    "SR-Food": "食物权问题特别报告员",
    "UNDP": "联合国开发计划署",
    "UN DESA": "联合国经济和社会事务部",
    "UNEP": "联合国环境规划署",
    "UN-Habitat": "联合国人类住区规划署",
    "UNHCR": "联合国难民事务高级专员办事处",
    "UNICEF": "联合国儿童基金会",
    "UNIDO": "联合国工业发展组织",
    "OCHA": "联合国人道主义事务协调厅",
    "WFP": "世界粮食计划署",
    "WHO": "世界卫生组织",
    "CGIAR": "国际农业研究磋商组织系统组织",
    "PAHO": "泛美卫生组织",
}

# Regional offices that sit in teams in their agency's place.
REGIONAL_OFFICES = [
    ("PAHO", "Pan American Health Organization", "WHO", "Washington, D.C.", "https://www.paho.org"),
]

# Steering Committee: five founding seats and two rotating ones, (acronym, seat, start, end, stated on).
# The brief names the rotating members "as of December 2022" (截至2022年12月): a snapshot, not a
# term. Their seats are open-ended (no end is known) and carry the date the brief states them,
# the first of that month; a newer source closes them and opens the next members' seats.
AS_OF_DECEMBER_2022 = dt.date(2022, 12, 1)
STEERING_COMMITTEE = [
    ("FAO", "founding", None, None, None),
    ("IFAD", "founding", None, None, None),
    ("UNICEF", "founding", None, None, None),
    ("WFP", "founding", None, None, None),
    ("WHO", "founding", None, None, None),
    ("IAEA", "rotating", None, None, AS_OF_DECEMBER_2022),
    ("UNEP", "rotating", None, None, AS_OF_DECEMBER_2022),
]

CHAIRS = [
    {
        "person": {"name": "Naoko Yamamoto", "honorific": "Dr", "agency": "WHO",
                   "title": "Assistant Director-General, Universal Health Coverage / Healthier Populations, WHO"},
        "agency": "WHO",
        "position": "Assistant Director-General for Universal Health Coverage / Healthier Populations",
        "start_date": dt.date(2021, 1, 1),
        "end_date": dt.date(2022, 12, 31),
    },
]  # fmt: skip

# The four networks of the SUN Movement's Global Support System.
SUN_NETWORKS = [
    ("UN Nutrition", "UNN"),
    ("SUN Civil Society Network", "CSN"),
    ("SUN Donor Network", "SDN"),
    ("SUN Business Network", "SBN"),
]

# SUN regional hubs: (name, city, ISO alpha-3 of the host country).
SUN_HUBS = [
    ("SUN regional hub Bangkok", "Bangkok", "THA"),
    ("SUN regional hub Dakar", "Dakar", "SEN"),
    ("SUN regional hub Nairobi", "Nairobi", "KEN"),
    ("SUN regional hub Panama", "Panama City", "PAN"),
]

# Humanitarian clusters that teams link with, with their global lead agencies.
CLUSTERS = [
    ("Nutrition", ["UNICEF"]),
    ("Food Security", ["FAO", "WFP"]),
    ("Health", ["WHO"]),
    ("Water, Sanitation and Hygiene (WASH)", ["UNICEF"]),
]

# What an activity of a joint workplan is about. The first four are the Latin America and Caribbean
# group's four joint action areas as the brief lists them: (i) evidence generation, (ii) advocacy,
# (iii) information and knowledge management, (iv) capacity strengthening. The fifth is not one of
# them: the brief says the group works on these four "in addition to" (除...外) coordinating emergency
# nutrition action in the region, and that UN Nutrition teams link humanitarian and development actors
# and platforms with the humanitarian clusters. Teams plan activities of that kind too, so it is a
# category of activity here, but a team's own joint action areas (`Team.action_areas`, e.g. the LAC
# group's) never count it: its emergency coordination shows as its links to the clusters.
JOINT_ACTION_AREAS = ["evidence", "advocacy", "knowledge", "capacity"]
ACTION_AREAS = [
    ("evidence", "Evidence generation", "Studies, overviews and data that inform joint action."),
    ("advocacy", "Advocacy", "Joint positions and messages for nutrition as a political priority."),
    ("knowledge", "Information and knowledge management", "Sharing knowledge, tools and lessons among partners."),
    ("capacity", "Capacity strengthening",
     "Technical support to national institutions to implement, monitor and coordinate national and local responses."),
    ("emergency", "Emergency nutrition coordination",
     "Joint nutrition action in emergencies, with the humanitarian clusters."),
]  # fmt: skip

# The UN M49 grouping of the Caribbean, Central and South America (its members come from the
# M49 taxonomy: reference_data.services.m49_taxonomy).
LAC_REGION = "Latin America and the Caribbean"

CAMBODIA = {
    "team": {
        "name": "UN Nutrition Cambodia",
        "kind": "country",
        "country": "KHM",
        "works_with_resident_coordinator": True,
        "notes": (
            "Cooperation is formalised by an annual workplan and terms of reference; agencies meet regularly. "
            "Among the first countries to finish the operational roadmap of the Global Action Plan on Child "
            "Wasting. Provincial working groups coordinate food security and nutrition, with agencies "
            "supporting different provinces."
        ),
    },
    "members": ["FAO", "UNICEF", "WFP", "WHO"],
    "conveners": [{"role": "convener", "agency": "WFP", "start_date": None, "end_date": None}],
    "sun": {
        "focal_point": {
            "name": "Sok Silo",
            "honorific": "H.E.",
            "title": "Secretary-General, Council for Agricultural and Rural Development",
            "organization": "Council for Agricultural and Rural Development (CARD)",
            "country": "KHM",
        },
        "networks": {
            "UNN": "UN Nutrition Cambodia",
            "CSN": "Civil Society Alliance",
            "SBN": "SUN Business Network Cambodia",
            "SDN": "SUN Donor Network Cambodia",
        },
    },
    "platforms": [
        {
            "name": "Technical Working Group for Food Security and Nutrition",
            "government_led": True,
            "is_sun_platform": True,
        },
    ],
    "national_frameworks": [
        ("Second National Strategy for Food Security and Nutrition", 2019, 2023),
        ("Cambodia Roadmap for Food Systems for Sustainable Development 2030", None, 2030),
    ],
    "terms_of_reference": "Terms of reference of the UN Nutrition team in Cambodia",
    "resources": [
        {
            "source": "Joint proposals developed through UN Nutrition",
            "amount": "3500000.00",
            "currency": "USD",
            "purpose": "Operational roadmap of the Global Action Plan on Child Wasting",
        },
    ],
}

LATIN_AMERICA = {
    "team": {
        "name": "Latin America and Caribbean regional nutrition group",
        "kind": "regional",
        "region": LAC_REGION,
        "meeting_frequency": "monthly",
        "notes": (
            "Regional nutrition teams of member agencies and other partners. Coordinates closely with the "
            "Regional Inter-Agency Coordination Group for Latin America and the Caribbean. Runs webinars, e.g. "
            "technical support to Haiti on the Global Action Plan on Child Wasting and the annual regional "
            "overview of food security and nutrition."
        ),
    },
    "members": ["FAO", "PAHO", "UNICEF", "WFP"],
    "conveners": [{"role": "convener", "agency": "UNICEF", "start_date": None, "end_date": None}],
    # The four joint action areas; the emergency coordination it does besides them is its links to
    # the Food Security, Health and WASH clusters below (see ACTION_AREAS).
    "action_areas": JOINT_ACTION_AREAS,
    "clusters": ["Food Security", "Health", "Water, Sanitation and Hygiene (WASH)"],
}

# The brief's subnational level: in Cambodia, provincial working groups coordinate food security and
# nutrition, and the UN agencies support the coordination in different provinces (各联合国机构支持
# 不同省份的协调工作). The brief names neither the provinces nor which agency supports which, so
# the groups are one subnational team of the country team with its four agencies, and no provinces:
# the team records its provinces (`Team.subdivisions`) itself, and the loader never overwrites them.
CAMBODIA_PROVINCES = {
    "team": {
        "name": "Provincial food security and nutrition working groups, Cambodia",
        "kind": "subnational",
        "country": "KHM",
        "parent": "UN Nutrition Cambodia",
        "notes": (
            "Provincial working groups coordinate food security and nutrition; the UN agencies of the "
            "country team support the coordination in different provinces."
        ),
    },
    "members": ["FAO", "UNICEF", "WFP", "WHO"],
    "conveners": [],
}

TEAMS = [CAMBODIA, LATIN_AMERICA, CAMBODIA_PROVINCES]
