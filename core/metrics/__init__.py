"""Prometheus metrics: what ResetDesk counts (names.py), the one-line calls core makes (record.py), the
directory timing proxy (directory.py) and the scrape (collect.py). No web framework here: GET /metrics is
channels/web/metrics.py.

Labels come from small fixed sets (channels, methods, outcomes, reasons, endpoints); an unknown value is
counted as "other", so no identifier or free text can ever become a label."""

from core.metrics import record
from core.metrics.collect import CONTENT_TYPE, scrape
from core.metrics.directory import timed_directory

__all__ = ["CONTENT_TYPE", "record", "scrape", "timed_directory"]
