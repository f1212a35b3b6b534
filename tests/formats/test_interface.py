"""The audit's report formats: one render signature, chosen by an enum."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from photoaudit.core.models import PURPOSES, Action, PhotoVerdict, Register, Use
from photoaudit.formats import csv_report, json_report
from photoaudit.formats.interface import RenderOptions, ReportChoice, html_hints
from photoaudit.operations.examine import AuditResult


def result() -> AuditResult:
    verdict = PhotoVerdict("a.jpg", Action.REVIEW, {p: Use.REVIEW for p in PURPOSES}, reasons=("Face 1 is unknown.",))
    return AuditResult(Path("/transfer"), date(2026, 11, 2), [verdict])


def test_every_choice_renders_through_the_one_signature():
    found, register = result(), Register({})
    options = RenderOptions(register=register, sep=";")
    assert ReportChoice.JSON.to_format().render(found, options) == json_report.render(found)
    assert ReportChoice.CSV.to_format().render(found, options) == csv_report.render(found, register, ";")
    assert ReportChoice.FACES_CSV.to_format().render(found, options) == csv_report.render_faces(found, register, ";")
    assert [c.value for c in ReportChoice] == ["json", "csv", "faces-csv", "html"]
    assert all(callable(c.to_format().render) for c in ReportChoice)


def test_the_html_hints_carry_the_command_as_typed_escaped():
    page = "<code>photoaudit review --decisions FILE</code>"
    assert html_hints(page, "photoaudit --data 'a&b'") == "<code>photoaudit --data 'a&amp;b' review --decisions FILE</code>"
    assert html_hints(page, "photoaudit") == page
