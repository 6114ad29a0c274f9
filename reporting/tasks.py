"""Celery tasks of the reporting app (found by autodiscovery)."""

from reporting.exports import purge_exports, run_export

__all__ = ["purge_exports", "run_export"]
