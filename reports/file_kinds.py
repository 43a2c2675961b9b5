"""Report kinds whose file an app above reports builds: the UN INFO sub-output sheet and the IATI
activity XML of a team's year (built by exchange, which sits above reports in the import layers).

reports never imports exchange: exchange's AppConfig.ready() registers a builder for each kind here,
and the report job (reports.jobs.produce) asks this registry. Requesting, queueing, the outbox,
retries, storage and downloads are the reports' own, as for every other kind.

A builder takes the team and the year and returns the file's bytes in the active language, or raises
reports.document.CannotRender with a sentence the requester reads (no workplan that year, say).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .document import CannotRender


@dataclass(frozen=True)
class FileKind:
    kind: str
    format: str  # the ReportRun.Format the file always comes in
    build: Callable[..., bytes]


_BUILDERS: dict[str, FileKind] = {}

# The kinds, and the one format each comes in, whether or not their builder is registered yet.
FORMATS = {"un_info": "xlsx", "iati": "xml"}


def register(kind: str, *, format: str, build: Callable[..., bytes]) -> None:
    """Called by the app that builds `kind` (exchange.apps.ExchangeConfig.ready)."""
    if FORMATS.get(kind) != format:
        raise ValueError(f"Report kind {kind!r} comes as {FORMATS.get(kind)!r}, not {format!r}")
    _BUILDERS[kind] = FileKind(kind, format, build)


def is_file_kind(kind: str) -> bool:
    return kind in FORMATS


def format_of(kind: str) -> str | None:
    return FORMATS.get(kind)


def build_file(run) -> bytes:
    """The file of a run of a registered kind."""
    builder = _BUILDERS.get(run.kind)
    if builder is None:
        raise CannotRender(_("This portal cannot produce this kind of file (no builder is installed)."))
    return builder.build(team=run.team, year=run.year)
