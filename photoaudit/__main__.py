"""``python -m photoaudit``: the same as the ``photoaudit`` command."""

from photoaudit.cli import app

app(prog_name="photoaudit")
