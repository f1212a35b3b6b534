"""photoaudit: a photo consent auditor for nurseries, playgroups and pre-schools."""

__version__ = "0.1.0"
