"""What a report format of the audit is: one render signature, and the formats as a choice.

After pip-audit's ``_format/interface.py`` and ``OutputFormatChoice``: each format is an
object with :meth:`ReportFormat.render`, and :class:`ReportChoice` names them, each with the
option that asks for it and :meth:`ReportChoice.to_format`. The audit command writes every
chosen format the same way, so adding a format is one module with a ``render`` and one
member here (and the option's line in :mod:`photoaudit.cli.weekly`).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ..core.models import Register
    from ..operations.results import AuditResult


@dataclass(frozen=True)
class RenderOptions:
    """What a format may need besides the result: the register (for names), the CSV
    separator (``--csv-sep``), and the command as typed, for the hints a report prints."""

    register: Register | None = None
    sep: str = ","
    prefix: str = "photoaudit"


class ReportFormat(Protocol):
    def render(self, result: AuditResult, options: RenderOptions) -> str:
        """The whole report, as text to write to a private file."""
        ...


class _Json:
    def render(self, result: AuditResult, options: RenderOptions) -> str:
        from . import json_report

        return json_report.render(result)


class _Csv:
    def render(self, result: AuditResult, options: RenderOptions) -> str:
        from . import csv_report

        return csv_report.render(result, options.register, options.sep)


class _FacesCsv:
    def render(self, result: AuditResult, options: RenderOptions) -> str:
        from . import csv_report

        return csv_report.render_faces(result, options.register, options.sep)


class _Html:
    def render(self, result: AuditResult, options: RenderOptions) -> str:
        from . import html_report

        return html_hints(html_report.render(result, options.register), options.prefix)  # type: ignore[arg-type]


def html_hints(page: str, prefix: str) -> str:
    """The hints in an HTML page (``photoaudit review --decisions FILE``) with this run's options,
    escaped for HTML."""
    from .console import complete_hints

    return complete_hints(page, html.escape(prefix, quote=False))


class ReportChoice(str, Enum):
    """The audit's report formats, in the order they are written."""

    JSON = "json"
    CSV = "csv"
    FACES_CSV = "faces-csv"
    HTML = "html"

    def to_format(self) -> ReportFormat:
        return _FORMATS[self]()


_FORMATS: dict[ReportChoice, type[ReportFormat]] = {
    ReportChoice.JSON: _Json,
    ReportChoice.CSV: _Csv,
    ReportChoice.FACES_CSV: _FacesCsv,
    ReportChoice.HTML: _Html,
}
