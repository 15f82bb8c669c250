"""Shared helpers of the packaging checks: chart renders, manifests, Kubernetes versions."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import helm_python as helm
import pytest
import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import chart_sync  # noqa: E402

REPO = chart_sync.REPO
CHART = chart_sync.CHART
K8S = REPO / "k8s"
EXAMPLES = K8S / "examples"
VALUES = HERE / "values"

# Oldest supported (the chart's kubeVersion; the CRD uses CEL `reason`/`fieldPath`) and newest.
KUBE_VERSIONS = ["1.28.0", "1.37.0"]
RELEASE = "mission-control-operator"
NAMESPACE = "mission-control-system"

# Value sets rendered by the tests: defaults plus every file in values/.
VALUE_SETS = ["defaults"] + sorted(p.stem for p in VALUES.glob("*.yaml"))
BAD_VALUE_SETS = sorted(p.stem for p in (VALUES / "bad").glob("*.yaml"))


def load_values(name: str) -> dict[str, Any]:
    if name == "defaults":
        return {}
    return yaml.safe_load((VALUES / f"{name}.yaml").read_text()) or {}


def yaml_objects(text: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(text) if d]


def render(values: dict[str, Any], *, name: str = RELEASE, namespace: str = NAMESPACE) -> list[dict[str, Any]]:
    """Every object the chart renders (templates; Helm leaves `crds/` out of renders)."""
    with helm.Chart.load(CHART) as chart:
        manifests = chart.render(values, name=name, namespace=namespace, is_install=True)
    objects = []
    for path, text in sorted(manifests.items()):
        if path.endswith(".txt"):
            continue
        objects.extend(yaml_objects(text))
    return objects


def kustomize_k8s() -> list[dict[str, Any]]:
    """`kubectl kustomize k8s/`: what `kubectl apply -k k8s/` would send."""
    out = subprocess.run(
        ["kubectl", "kustomize", str(K8S)], check=True, capture_output=True, text=True
    ).stdout
    return yaml_objects(out)


def key(obj: dict[str, Any]) -> tuple[str, str, str]:
    meta = obj.get("metadata", {})
    return (obj["kind"], meta.get("namespace", ""), meta["name"])


@pytest.fixture(scope="session")
def crd() -> dict[str, Any]:
    return chart_sync.crd_object()
