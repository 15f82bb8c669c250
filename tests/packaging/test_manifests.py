"""Plain manifests (k8s/), their examples, their drift from the chart, and the Dockerfile."""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml

import chart_sync
from conftest import (
    CHART,
    EXAMPLES,
    HERE,
    K8S,
    KUBE_VERSIONS,
    REPO,
    VALUES,
    key,
    kustomize_k8s,
    load_values,
    render,
    yaml_objects,
)

VENV_BIN = Path(sys.executable).parent
MANIFESTS = sorted(K8S.glob("*.yaml"))
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))
# Labels only Helm adds; everything else must be the same in k8s/ and the chart.
HELM_ONLY_LABELS = ("helm.sh/chart", "app.kubernetes.io/managed-by")


def tool(name: str) -> str:
    path = VENV_BIN / name
    return str(path) if path.exists() else shutil.which(name) or pytest.fail(f"{name} not found")


def test_kustomization_lists_every_manifest():
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    listed = set(kustomization["resources"])
    on_disk = {p.name for p in MANIFESTS} - {"kustomization.yaml"}
    assert listed == on_disk


@pytest.mark.parametrize("kube_version", KUBE_VERSIONS)
def test_kustomize_output_is_valid_kubernetes(kube_version):
    objects = kustomize_k8s()
    kinds = sorted(o["kind"] for o in objects)
    assert kinds == sorted([
        "CustomResourceDefinition", "Namespace", "ServiceAccount", "ClusterRole",
        "ClusterRoleBinding", "Role", "RoleBinding", "Deployment", "Service",
    ])
    errors = []
    for obj in objects:
        try:
            kubernetes_validate.validate(obj, kube_version, strict=True)
        except kubernetes_validate.ValidationError as e:
            errors.append(f"{key(obj)}: {e.message} at {'/'.join(map(str, e.path))}")
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("kube_version", KUBE_VERSIONS)
@pytest.mark.parametrize(
    "path", [p for p in MANIFESTS if p.name != "kustomization.yaml"], ids=lambda p: p.name
)
def test_each_manifest_passes_kubernetes_validate_strict(path, kube_version):
    """The CLI itself, file by file, as a platform team would run it."""
    run = subprocess.run(
        [tool("kubernetes-validate"), "--strict", "-k", kube_version, str(path)],
        capture_output=True, text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "INFO" in run.stdout and "ERROR" not in run.stdout, run.stdout


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_example_is_a_commented_missioncontrol_valid_against_the_crd_schema(path):
    text = path.read_text()
    assert text.startswith("#"), f"{path.name} should open with comments saying what it is for"
    objects = yaml_objects(text)
    assert [o["kind"] for o in objects] == ["MissionControl"]
    jsonschema.validate(objects[0], chart_sync.resource_schema())


def test_example_schema_check_catches_a_misspelt_field():
    """The strict schema is what makes the example check worth having: prove it bites."""
    (obj,) = yaml_objects((EXAMPLES / "postgres-redis-ha.yaml").read_text())
    obj = copy.deepcopy(obj)
    obj["spec"]["autoscaling"]["targetCPUUtilizationPercentage"] = 60
    with pytest.raises(jsonschema.ValidationError, match="targetCPUUtilizationPercentage"):
        jsonschema.validate(obj, chart_sync.resource_schema())


@pytest.mark.parametrize(
    ("example", "value_set"),
    [("sqlite-single", "sqlite-single"), ("postgres-redis-ha", "postgres-redis-ha")],
)
def test_example_and_chart_value_set_describe_the_same_instance(example, value_set):
    (from_example,) = yaml_objects((EXAMPLES / f"{example}.yaml").read_text())
    (from_chart,) = [o for o in render(load_values(value_set)) if o["kind"] == "MissionControl"]
    assert from_chart["spec"] == from_example["spec"]
    assert from_chart["metadata"]["name"] == from_example["metadata"]["name"]


def _strip_helm_labels(obj):
    obj = copy.deepcopy(obj)
    labels = obj.get("metadata", {}).get("labels", {})
    for label in HELM_ONLY_LABELS:
        labels.pop(label, None)
    return obj


def test_k8s_operator_manifests_equal_the_chart_defaults():
    """k8s/ and the chart for release mission-control-operator in mission-control-system."""
    chart = {key(o): o for o in render({})}
    plain = {key(o): o for o in kustomize_k8s()}
    for kind in ("Deployment", "Service"):
        (k,) = [k for k in plain if k[0] == kind]
        assert k in chart, f"the chart renders no {k}"
        assert _strip_helm_labels(chart[k]) == plain[k], f"{k} differs between k8s/ and the chart"


def test_rbac_of_k8s_and_chart_is_identical():
    """k8s/rbac.yaml (owned by the operator) and the chart grant exactly the same."""
    chart = {key(o): o for o in render({})}
    plain = {key(o): o for o in kustomize_k8s()}
    rbac_kinds = ("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding")
    assert {k for k in plain if k[0] in rbac_kinds} == {k for k in chart if k[0] in rbac_kinds}
    for k in (k for k in plain if k[0] in rbac_kinds):
        for field in ("rules", "roleRef", "subjects"):
            assert chart[k].get(field) == plain[k].get(field), f"{k} {field} differs"


def test_chart_and_k8s_deploy_into_the_namespace_k8s_creates():
    (ns,) = [o for o in kustomize_k8s() if o["kind"] == "Namespace"]
    namespaced = [o for o in kustomize_k8s() if o["metadata"].get("namespace")]
    assert {o["metadata"]["namespace"] for o in namespaced} == {ns["metadata"]["name"]}


def test_yamllint_is_clean():
    targets = [K8S, CHART / "values.yaml", CHART / "Chart.yaml", VALUES]
    run = subprocess.run(
        [tool("yamllint"), "--strict", "-c", str(HERE / "yamllint.yaml"),
         *(str(t.relative_to(REPO)) for t in targets)],
        capture_output=True, text=True, cwd=REPO,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_hadolint_is_clean_at_warning_level():
    run = subprocess.run(
        [tool("hadolint"), "--config", str(REPO / ".hadolint.yaml"),
         "--failure-threshold", "warning", "--no-color", str(REPO / "Dockerfile")],
        capture_output=True, text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_dockerfile_uses_no_buildkit_only_syntax():
    """The classic builder must build it: no heredocs, no RUN --mount, no # syntax= line."""
    text = (REPO / "Dockerfile").read_text()
    assert "<<" not in text
    assert "--mount" not in text
    assert not any(line.lower().startswith("# syntax=") for line in text.splitlines())


def _builder_stage():
    lines = (REPO / "Dockerfile").read_text().splitlines()
    start = next(i for i, l in enumerate(lines) if re.match(r"FROM\s+\S+\s+AS\s+builder$", l))
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("FROM "))
    # Join continuation lines into whole instructions.
    text = "\n".join(lines[start:end]).replace("\\\n", " ")
    return [l.strip() for l in text.splitlines() if l.strip() and not l.strip().startswith("#")]


def test_dockerignore_lets_through_everything_the_builder_copies():
    ignore = (REPO / ".dockerignore").read_text().splitlines()
    allowed = [l[1:].rstrip("/") for l in ignore if l.startswith("!")]
    for instr in _builder_stage():
        if instr.startswith("COPY ") and "--from" not in instr:
            for src in instr.split()[1:-1]:
                assert any(src == a or src.startswith(a + "/") or a.startswith(src + "/") for a in allowed), (
                    f".dockerignore excludes {src}, which the builder stage copies"
                )


def test_builder_dependency_layer_sees_a_complete_workspace(tmp_path):
    """The cached dependency layer copies only manifests and writes stub sources: run its
    first RUN with a `cargo` that checks the stub workspace resolves (every member present,
    Cargo.lock current) instead of building it."""
    instrs = _builder_stage()
    first_run = next(i for i, s in enumerate(instrs) if s.startswith("RUN "))
    for instr in instrs[:first_run]:
        if instr.startswith("COPY "):
            *srcs, dest = instr.split()[1:]
            for src in srcs:
                target = tmp_path / dest / Path(src).name if dest.endswith("/") else tmp_path / dest
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(REPO / src, target)
    shim = tmp_path / ".shim"
    shim.mkdir()
    real = shutil.which("cargo") or pytest.fail("cargo not found")
    (shim / "cargo").write_text(
        f'#!/bin/sh\nexec "{real}" tree --locked --offline --workspace --depth 0 >/dev/null\n'
    )
    (shim / "cargo").chmod(0o755)
    run = subprocess.run(
        ["sh", "-c", instrs[first_run][len("RUN "):]], cwd=tmp_path, capture_output=True, text=True,
        env={**os.environ, "PATH": f"{shim}:{os.environ['PATH']}"},
    )
    assert run.returncode == 0, run.stderr
