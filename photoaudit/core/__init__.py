"""The core: plain data and the rules, pure functions that never read a file, a pixel, SQL or typer.

Consent rules, provenance rules, safeguards, matching, cover planning, decisions, the
wording helpers and the shape of the version-1 report. Imports nothing outside core.
See docs/architecture.md.
"""
