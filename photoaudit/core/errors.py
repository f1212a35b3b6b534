"""The one "could not run" error (exit code 2), in a module of its own so every layer can raise it.

Every error that means "this command could not run" is a :class:`CannotRun`: the register's
and photoaudit.toml's problems, a missing face engine, review that cannot go on, a value
given on the command line that photoaudit cannot use. The command line maps it to exit
code 2 and prints its message, in one place (:func:`photoaudit.cli.shared.cannot_run_is_exit_2`),
beside the failures of the machine itself (``OSError``: a disk, a permission; and the
SQLite store's own errors). Another run holding the lock is not one of them (exit code 3).
"""

from __future__ import annotations


class CannotRun(Exception):
    """The command could not run at all (exit code 2); the message says why in plain words."""


class BadValue(CannotRun, ValueError):
    """A value photoaudit was given (an option, a setting, a cell, a date) that it cannot use.

    Still a ``ValueError``, so code that reads values (and tests) can catch it as one.
    """
