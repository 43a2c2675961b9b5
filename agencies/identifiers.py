"""Stable external identifiers of agencies, for API clients that match records across systems.

IATI organisation identifiers of the member agencies that publish to IATI: the prefix XM-DAC
(the OECD DAC list of multilateral organisations) and the agency's DAC channel code, as each
agency reports its own activities. Agencies without one (a Special Rapporteur's mandate, a
department with no IATI publication) have none: clients get null, never a made-up code.
"""

IATI_ORGANISATION_IDENTIFIERS = {
    "FAO": "XM-DAC-41301",
    "IFAD": "XM-DAC-988",
    "OCHA": "XM-DAC-41127",
    "UN-Habitat": "XM-DAC-41120",
    "UNDP": "XM-DAC-41114",
    "UNEP": "XM-DAC-41116",
    "UNHCR": "XM-DAC-41121",
    "UNICEF": "XM-DAC-41122",
    "UNIDO": "XM-DAC-41123",
    "WFP": "XM-DAC-41140",
    "WHO": "XM-DAC-928",
}


def iati_identifier(acronym: str | None) -> str | None:
    """The agency's IATI organisation identifier, or None."""
    return IATI_ORGANISATION_IDENTIFIERS.get(acronym or "")
