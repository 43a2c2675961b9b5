"""The coverage map: a world map drawn on the server, no online tile service.

Country shapes come from the world-atlas npm package (Natural Earth 1:110m as
TopoJSON, keyed by ISO 3166 numeric code). The arcs are decoded once and
projected (equirectangular) to SVG paths; each request only colours them.
"""

import json
from functools import lru_cache

from django.conf import settings
from django.utils.html import escape

WIDTH, HEIGHT = 1000, 480
TOPOJSON = "world-atlas/countries-110m.json"
ANTARCTICA = "010"  # left off: no teams, and it would take a quarter of the map


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


def render_coverage_svg(covered: dict[str, str], title: str) -> str:
    """The map with covered countries (ISO numeric -> label) highlighted."""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}">',
        # Presentation attributes, not a <style> element: works under a strict CSP.
        '<g fill="#d9dde3" stroke="#ffffff" stroke-width="0.5">',
    ]
    for code, (name, data) in country_paths().items():
        label = covered.get(code)
        fill = ' fill="#00689d"' if label else ""
        parts.append(f'<path{fill} d="{data}"><title>{escape(label or name)}</title></path>')
    parts.append("</g></svg>")
    return "".join(parts)
