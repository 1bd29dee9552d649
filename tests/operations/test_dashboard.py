"""The Grafana dashboard in deploy/ asks only for series chunkd exports, and
docs/operations.md lists every one of them and every operations setting."""

from __future__ import annotations

import json
import re

from prometheus_client import REGISTRY

import gateway.metrics  # noqa: F401  registers the HTTP series
import server.metrics  # noqa: F401
from server.config import Settings
from tests.harness import ROOT

SERIES = re.compile(r"\bchunkd_[a-z_]+")


def exported() -> set[str]:
    names: set[str] = set()
    for family in REGISTRY.collect():
        if family.name.startswith("chunkd_"):
            names.add(family.name)
            names.update(sample.name for sample in family.samples)
            names.update(f"{family.name}{suffix}" for suffix in ("_total", "_bucket", "_count", "_sum"))
    return names


def test_every_series_the_dashboard_queries_is_exported() -> None:
    dashboard = json.loads((ROOT / "deploy" / "grafana-dashboard.json").read_text())
    queried = {
        name for panel in dashboard["panels"] for target in panel["targets"] for name in SERIES.findall(target["expr"])
    }
    assert queried and queried <= exported(), queried - exported()


def test_operations_doc_lists_every_metric_and_operations_setting() -> None:
    doc = (ROOT / "docs" / "operations.md").read_text()
    families = {family.name for family in REGISTRY.collect() if family.name.startswith("chunkd_")}
    missing = {name for name in families if name not in doc and f"{name}_total" not in doc}
    assert not missing, missing
    assert families  # the registry was read
    settings = (
        "metrics_address",
        "metrics_refresh_seconds",
        "log_format",
        "drain_seconds",
        "tls_cert",
        "tls_key",
        "tls_client_ca",
        "grpc_ca",
        "grpc_client_cert",
        "grpc_client_key",
        "rate_limit_rps",
        "rate_limit_burst",
        "max_running_tasks",
        "pages_per_day",
        "otel_endpoint",
    )
    for name in settings:
        assert name in Settings.model_fields
        assert f"CHUNKD_{name.upper()}" in doc, name
