"""The coverage map: a world map drawn on the server, no online tile service.

Country shapes come from the world-atlas npm package (Natural Earth 1:110m as
TopoJSON, keyed by ISO 3166 numeric code). The arcs are decoded once and
projected (equirectangular) to SVG paths; each request only colours them.
Countries too small to see at this scale (or missing from it: Tuvalu, Nauru)
get a dot at their position from the OCHA/HDX country taxonomy
(hdx-python-country), so a small island state with a team is not invisible.
"""

import csv
import importlib.resources
import json
from functools import lru_cache

from django.conf import settings
from django.utils.html import escape

WIDTH, HEIGHT = 1000, 480
TOPOJSON = "world-atlas/countries-110m.json"
ANTARCTICA = "010"  # left off: no teams, and it would take a quarter of the map
SMALL = 8  # a country whose shape is narrower and lower than this (px) gets a dot as well
TAXONOMY = "Countries & Territories Taxonomy MVP - C&T Taxonomy.csv"


def _project(lon: float, lat: float) -> tuple[int, int]:
    # Latitudes below -58 (Antarctica) are cut off the canvas to save space.
    return round((lon + 180) / 360 * WIDTH), round((84 - lat) / 142 * HEIGHT)


@lru_cache(maxsize=1)
def country_paths() -> dict[str, tuple[str, str]]:
    """ISO numeric code -> (English name, SVG path data)."""
    with open(settings.NODE_MODULES / TOPOJSON, encoding="utf-8") as handle:
        topology = json.load(handle)
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]

    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:  # delta-encoded, quantized positions
            x, y = x + dx, y + dy
            points.append(_project(x * sx + tx, y * sy + ty))
        arcs.append(points)

    def ring(indexes) -> str:
        points: list[tuple[int, int]] = []
        for index in indexes:
            arc = arcs[index] if index >= 0 else arcs[~index][::-1]
            points.extend(arc[1:] if points else arc)
        deduped = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
        if len(deduped) < 3:
            return ""
        # A ring that crosses the antimeridian (Russia, Fiji) would draw a line
        # across the whole map: lift the pen where it jumps.
        parts = [f"M{deduped[0][0]} {deduped[0][1]}"]
        for (x0, _y0), (x, y) in zip(deduped, deduped[1:], strict=False):
            parts.append(f"{'M' if abs(x - x0) > WIDTH / 2 else 'L'}{x} {y}")
        return "".join(parts) + "Z"

    paths = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        polygons = geometry.get("arcs", [])
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        data = "".join(ring(r) for polygon in polygons for r in polygon)
        if data and geometry.get("id") not in (None, ANTARCTICA):
            paths[geometry["id"]] = (geometry["properties"]["name"], data)
    return paths


@lru_cache(maxsize=1)
def small_countries() -> frozenset[str]:
    """ISO numeric codes of the shapes too small to see at this scale."""
    small = set()
    for code, (_name, data) in country_paths().items():
        numbers = [int(n) for n in data.replace("M", " ").replace("L", " ").replace("Z", " ").split()]
        xs, ys = numbers[0::2], numbers[1::2]
        if max(xs) - min(xs) < SMALL and max(ys) - min(ys) < SMALL:
            small.add(code)
    return frozenset(small)


@lru_cache(maxsize=1)
def country_points() -> dict[str, tuple[int, int]]:
    """ISO numeric code -> the country's position on the map (HDX taxonomy's latitude and longitude)."""
    points = {}
    with (importlib.resources.files("hdx.location") / TAXONOMY).open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code, lat, lon = row["m49 numerical code"], row["Latitude"], row["Longitude"]
            if code and lat and lon:
                try:
                    points[code.zfill(3)] = _project(float(lon), float(lat))
                except ValueError:
                    continue
    return points


def render_coverage_svg(covered: dict[str, str], title: str, names: dict[str, str] | None = None) -> str:
    """The map with covered countries (ISO numeric -> label) highlighted; `names` (ISO numeric ->
    name in the reader's language) names the others. Small or missing covered countries get a dot."""
    names = names or {}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
        # Presentation attributes, not a <style> element: works under a strict CSP.
        '<g fill="#d9dde3" stroke="#ffffff" stroke-width="0.5">',
    ]
    paths = country_paths()
    for code, (name, data) in paths.items():
        label = covered.get(code)
        fill = ' fill="#00689d"' if label else ""
        parts.append(f'<path{fill} d="{data}"><title>{escape(label or names.get(code) or name)}</title></path>')
    parts.append("</g>")
    points = country_points()
    dots = [code for code in covered if (code not in paths or code in small_countries()) and code in points]
    if dots:
        parts.append('<g fill="#00689d" stroke="#ffffff" stroke-width="1.5">')
        for code in sorted(dots):
            x, y = points[code]
            parts.append(f'<circle cx="{x}" cy="{y}" r="5"><title>{escape(covered[code])}</title></circle>')
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)
