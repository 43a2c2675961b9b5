"""The official IATI 2.03 codelists and schemas, as the pyIATI package ships them (IATI's own files).

pyIATI (PyPI, the IATI Technical Team's library) carries, for each version of the standard, the
activity schema (XSD) and every codelist as XML. Its Python code pins 2018 versions of lxml and PyYAML
that do not build on Python 3.11, so it is installed without its dependencies
(requirements-nodeps.txt, `pip install --no-deps`) and only its data files are read here: nothing
of pyIATI is imported. Codes in the IATI XML are looked up here by their codelist name, never typed
by hand: `code("OrganisationRole", "Funding")` is "1" because the codelist says so.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

from defusedxml import ElementTree

VERSION = "2.03"


class CodelistError(LookupError):
    pass


def standard_dir() -> Path:
    spec = importlib.util.find_spec("iati")
    if spec is None or not spec.submodule_search_locations:
        raise CodelistError("The IATI codelists are missing: install requirements-nodeps.txt (pyIATI, --no-deps).")
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "standard" / VERSION.replace(".", "-")


def activity_schema() -> Path:
    return standard_dir() / "schemas" / "iati-activities-schema.xsd"


@cache
def codelist(name: str) -> dict[str, str]:
    """code -> English name, for the codelist `name` (e.g. "Sector")."""
    path = standard_dir() / "codelists" / f"{name}.xml"
    if not path.exists():
        raise CodelistError(f"No IATI codelist {name}")
    root = ElementTree.parse(path).getroot()  # IATI's own files, read without entity expansion all the same
    items = {}
    for item in root.iter("codelist-item"):
        code = (item.findtext("code") or "").strip()
        narrative = item.find("name/narrative")
        items[code] = " ".join((narrative.text or "").split()) if narrative is not None else ""
    return items


def code(name: str, label: str) -> str:
    """The code whose name in codelist `name` is `label` (or starts with it, case-insensitive)."""
    wanted = label.casefold()
    items = codelist(name)
    exact = [key for key, value in items.items() if value.casefold() == wanted]
    if exact:
        return exact[0]
    starting = [key for key, value in items.items() if value.casefold().startswith(wanted)]
    if len(starting) == 1:
        return starting[0]
    raise CodelistError(f"{label!r} is not (or not only) in the IATI codelist {name}")


def check(name: str, value: str) -> str:
    """`value` itself, after checking the codelist has it."""
    if value not in codelist(name):
        raise CodelistError(f"{value!r} is not a code of the IATI codelist {name}")
    return value
