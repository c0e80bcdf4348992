"""Prometheus metrics, in a registry of their own (so tests can make as many as they like)."""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

CONTENT_TYPE = CONTENT_TYPE_LATEST
# From "on time" to "a day late" (after downtime): where alert lateness falls.
LATENESS_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1, 5, 30, 60, 300, 3600, 86400)


class Metrics:
    """What an admin's Prometheus scrapes from /metrics."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.deadlines = Gauge(
            "deadline_desk_deadlines", "Deadlines by status", ["status"], registry=r
        )
        self.alerts_sent = Counter(
            "deadline_desk_alerts_sent", "Alerts delivered, by kind", ["kind"], registry=r
        )
        self.alerts_failed = Counter(
            "deadline_desk_alerts_failed", "Alerts given up on, by kind", ["kind"], registry=r
        )
        self.alerts_retried = Counter(
            "deadline_desk_alerts_retried", "Alert sends to retry later", ["kind"], registry=r
        )
        self.alert_lateness = Histogram(
            "deadline_desk_alert_lateness_seconds",
            "From an alert's planned time to its delivery",
            buckets=LATENESS_BUCKETS,
            registry=r,
        )
        self.commands = Counter(
            "deadline_desk_commands",
            "Slash commands handled, by name and outcome",
            ["command", "outcome"],
            registry=r,
        )
        self.gateway_reconnects = Counter(
            "deadline_desk_gateway_reconnects", "Gateway resumes and reconnects", registry=r
        )

    # The dispatcher's observer interface.
    def alert_sent(self, kind: str, lateness_seconds: float, count: int = 1) -> None:
        self.alerts_sent.labels(kind).inc(count)
        self.alert_lateness.observe(max(0.0, lateness_seconds))

    def alert_failed(self, kind: str, count: int = 1) -> None:
        self.alerts_failed.labels(kind).inc(count)

    def alert_retried(self, kind: str, count: int = 1) -> None:
        self.alerts_retried.labels(kind).inc(count)

    def command(self, name: str, outcome: str) -> None:
        self.commands.labels(name, outcome).inc()

    def set_deadlines(self, by_status: Mapping[str, int]) -> None:
        for status, count in by_status.items():
            self.deadlines.labels(status).set(count)

    def render(self) -> bytes:
        return generate_latest(self.registry)
