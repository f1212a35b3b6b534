"""The operations the commands offer (enrol, audit, reaudit, check, review, find, ...),
wired from the layers below: no printing, no typer.
"""
