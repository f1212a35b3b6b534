"""The command line: typer commands, one module per group, assembled in :mod:`photoaudit.cli.main`.
The only package that imports typer.
"""
