"""A file's name as every output shows it: the one helper is :func:`photoaudit.media.sources.shown`
(bytes that are not UTF-8 shown as ``\\xff``), named here for the shell, which imports only
operations and formats (``tests/test_layers.py``)."""

from __future__ import annotations

from ..media.sources import shown

__all__ = ["shown"]
