"""Reads about places that other apps share."""

from .models import Country, Region


def region_with_descendants(region: Region) -> list[int]:
    """The region's id and every region below it (the tree has ~30 rows)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Region.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, stack = [], [region.pk]
    while stack:
        pk = stack.pop()
        found.append(pk)
        stack.extend(children.get(pk, []))
    return found


def top_region_names() -> dict[int, str]:
    """Every region id -> the name of its top-level region (Africa, Americas, ...)."""
    rows = {pk: (parent_id, name) for pk, parent_id, name in Region.objects.values_list("pk", "parent_id", "name")}
    top = {}
    for pk in rows:
        current = pk
        while rows[current][0] is not None:
            current = rows[current][0]
        top[pk] = rows[current][1]
    return top


def localized_names_by_numeric(key: str = "iso_numeric") -> dict[str, str]:
    """Every country's ISO numeric code (or `key`: "iso_alpha3") -> its name in the reader's language,
    in one query."""
    return {
        getattr(country, key): str(country.localized_name())
        for country in Country.objects.only("iso_numeric", "iso_alpha3", "name")
    }
