"""The scrape: every metric in Prometheus text format, plus the delivery queue's depth read at scrape time.

Under gunicorn with PROMETHEUS_MULTIPROC_DIR set, each worker writes its values to files there and a scrape
(whichever worker answers it) sums them with MultiProcessCollector: counters add up over the workers, and
the breaker gauge takes the live maximum. The queue depth comes from the database, so it is read once per
scrape rather than kept by any process."""

from __future__ import annotations

import os
from collections.abc import Iterator

from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.metrics_core import Metric
from sqlalchemy import func, select

from core.storage.db import Database
from core.storage.models import DeliveryJob

__all__ = ["CONTENT_TYPE", "scrape"]

CONTENT_TYPE = CONTENT_TYPE_LATEST
_WAITING = ("queued", "sending")


class _QueueDepth:
    """resetdesk_delivery_queue_depth{provider,status}: jobs not yet sent or given up."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def collect(self) -> Iterator[Metric]:
        family = GaugeMetricFamily(
            "resetdesk_delivery_queue_depth",
            "Delivery jobs waiting (queued) or being sent (sending), by provider, read at scrape time.",
            labels=["provider", "status"],
        )
        counts = {(kind, status): 0 for kind in ("email", "sms") for status in _WAITING}
        query = (
            select(DeliveryJob.kind, DeliveryJob.status, func.count())
            .where(DeliveryJob.status.in_(_WAITING))
            .group_by(DeliveryJob.kind, DeliveryJob.status)
        )
        with self._database.engine.connect() as connection:
            for kind, status, count in connection.execute(query):
                counts[(kind if kind in ("email", "sms") else "other", status)] = count
        for (kind, status), count in sorted(counts.items()):
            family.add_metric([kind, status], count)
        yield family


class _Forward:
    """This process's own metrics (single-process mode): the default registry, as it is."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def scrape(database: Database | None) -> bytes:
    """The text a scrape answers with; `database` None leaves out the queue depth."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_Forward())
    if database is not None:
        registry.register(_QueueDepth(database))
    return generate_latest(registry)
