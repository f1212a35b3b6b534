"""The one "could not run" error (exit code 2), in a module of its own so every layer can raise it."""

from __future__ import annotations


class CannotRun(Exception):
    """The command could not run at all (exit code 2); the message says why in plain words."""
