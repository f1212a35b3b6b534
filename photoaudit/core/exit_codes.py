"""photoaudit's exit codes, one enum used by name everywhere (the README's table, "Exit codes").

A cron job, a scheduled task and a script read nothing but this number, so each one says
one thing, and "all clear" (0) is said only when photos were checked and none needs anything.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """What a command's exit status means."""

    CLEAR = 0  # nothing needs deleting or a person to look
    FINDINGS = 1  # something needs deleting or reviewing, or a published copy must come down
    CANNOT_RUN = 2  # the command could not run (the reason is on standard error and in the log)
    ALREADY_RUNNING = 3  # another photoaudit run was already working on it: nothing was done
    UNCHECKED = 4  # the audit ran, but a sub-folder could not be read: the photos in it were not checked
    NOT_CONFIRMED = 5  # purge listed what it would delete, but nobody confirmed it: nothing was deleted
    #: the audited folder holds nothing photoaudit can judge (empty, or only files that are not
    #: photos): a share not mounted, a copy that never happened. Never "all clear".
    NOTHING_FOUND = 6
