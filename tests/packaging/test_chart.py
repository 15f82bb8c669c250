"""The Helm chart: lint, renders of several value sets, schema, generated files."""

from __future__ import annotations

import json
import re

import helm_python as helm
import jsonschema
import kubernetes_validate
import pytest

import chart_sync
from conftest import (
    BAD_VALUE_SETS,
    CHART,
    KUBE_VERSIONS,
    VALUES,
    VALUE_SETS,
    key,
    load_values,
    render,
)


def test_chart_crd_is_a_byte_copy_of_k8s_crd():
    assert chart_sync.CHART_CRD.read_bytes() == chart_sync.CRD.read_bytes(), (
        "charts/mission-control-operator/crds/ differs from k8s/crd.yaml: "
        "run `python tests/packaging/chart_sync.py --write`"
    )
    assert [p.name for p in (CHART / "crds").iterdir()] == [chart_sync.CHART_CRD.name]


@pytest.mark.parametrize("path", sorted(chart_sync.generated()), ids=lambda p: p.name)
def test_generated_file_is_up_to_date(path):
    assert path.read_text() == chart_sync.generated()[path], (
        f"{path.relative_to(chart_sync.REPO)} is stale: "
        "run `python tests/packaging/chart_sync.py --write`"
    )


def test_values_table_lists_every_value_in_values_yaml():
    """Every leaf of values.yaml has a row (the schema forbids keys it does not describe)."""
    schema = json.loads(chart_sync.SCHEMA.read_text())
    values = helm.Chart.load(CHART).values
    rows = {row[0] for row in chart_sync.values_rows(schema, values)}

    def leaves(node, prefix=""):
        for k, v in node.items():
            if isinstance(v, dict) and v and k not in ("resources", "podSecurityContext", "securityContext"):
                yield from leaves(v, f"{prefix}{k}.")
            else:
                yield f"{prefix}{k}"

    missing = sorted(set(leaves(values)) - rows)
    assert not missing, f"values without a row in the README table: {missing}"


@pytest.mark.parametrize("kube_version", KUBE_VERSIONS)
@pytest.mark.parametrize("value_set", VALUE_SETS)
def test_lint_is_clean_in_strict_mode(value_set, kube_version):
    report = helm.lint(CHART, load_values(value_set), strict=True, kube_version=f"v{kube_version}")
    problems = [m for m in report["messages"] if m["severity"] >= 2] + report["errors"]
    assert not problems, json.dumps(problems, indent=2)
    assert report["total_charts_linted"] == 1


@pytest.mark.parametrize("value_set", VALUE_SETS)
def test_default_values_and_value_sets_pass_the_schema(value_set):
    with helm.Chart.load(CHART) as chart:
        chart.validate_schema(load_values(value_set))


@pytest.mark.parametrize("kube_version", KUBE_VERSIONS)
@pytest.mark.parametrize("value_set", VALUE_SETS)
def test_every_rendered_object_is_valid_kubernetes(value_set, kube_version, crd):
    objects = render(load_values(value_set))
    assert objects, "nothing rendered"
    custom = {"mission-control.dev/v1alpha1"}
    errors = []
    for obj in objects:
        if obj["apiVersion"] in custom:
            continue  # kubernetes-validate skips custom resources; see the next test
        try:
            kubernetes_validate.validate(obj, kube_version, strict=True)
        except kubernetes_validate.ValidationError as e:
            errors.append(f"{key(obj)}: {e.message} at {'/'.join(map(str, e.path))}")
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("value_set", VALUE_SETS)
def test_rendered_missioncontrols_match_the_crd_schema(value_set):
    schema = chart_sync.resource_schema()
    rendered = [o for o in render(load_values(value_set)) if o["kind"] == "MissionControl"]
    assert len(rendered) == (1 if load_values(value_set).get("instance", {}).get("enabled") else 0)
    for obj in rendered:
        jsonschema.validate(obj, schema)


def test_defaults_render_the_operator_and_least_privilege_rbac():
    objects = {(o["kind"], o["metadata"]["name"]): o for o in render({})}
    assert set(objects) == {
        ("ServiceAccount", "mission-control-operator"),
        ("ClusterRole", "mission-control-operator"),
        ("ClusterRoleBinding", "mission-control-operator"),
        ("Role", "mission-control-operator-leader-election"),
        ("RoleBinding", "mission-control-operator-leader-election"),
        ("Deployment", "mission-control-operator"),
        ("Service", "mission-control-operator-metrics"),
    }
    deploy = objects[("Deployment", "mission-control-operator")]
    pod = deploy["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["command"] == ["mission-control-operator", "run"]
    assert container["image"] == "ghcr.io/mission-control/mission-control:0.1.0"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["ports"] == [{"name": "metrics", "containerPort": 8080, "protocol": "TCP"}]
    env = {e["name"]: e for e in container["env"]}
    assert env["POD_NAME"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name"
    assert env["LEASE_NAME"]["value"] == "mission-control-operator"
    assert "WATCH_NAMESPACE" not in env
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
    assert pod["securityContext"]["runAsUser"] == 65532
    assert pod["serviceAccountName"] == "mission-control-operator"
    assert container["resources"]["limits"]["memory"] == "256Mi"
    # No wildcard anywhere in the RBAC.
    for kind in ("ClusterRole", "Role"):
        for obj in (o for (k, _), o in objects.items() if k == kind):
            for rule in obj["rules"]:
                for field in ("apiGroups", "resources", "verbs"):
                    assert "*" not in rule[field], (kind, rule)


def test_more_than_one_replica_adds_a_disruption_budget_and_keeps_one_lease():
    objects = {o["kind"]: o for o in render(load_values("postgres-redis-ha"))}
    assert objects["Deployment"]["spec"]["replicas"] == 2
    assert objects["PodDisruptionBudget"]["spec"]["maxUnavailable"] == 1
    assert (
        objects["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"]
        == objects["Deployment"]["spec"]["selector"]["matchLabels"]
    )
    mc = objects["MissionControl"]
    assert (mc["metadata"]["name"], mc["metadata"]["namespace"]) == ("fleet", "prod")
    assert mc["spec"]["autoscaling"]["enabled"] is True
    assert mc["spec"]["ingress"]["host"] == "mc.example.com"
    assert mc["spec"]["telemetry"]["otlpEndpoint"].startswith("http://")


def test_watching_one_namespace_binds_the_cluster_role_there_only():
    objects = render(load_values("single-namespace"))
    kinds = [o["kind"] for o in objects]
    assert "ClusterRoleBinding" not in kinds
    assert "Service" not in kinds  # metrics.service.enabled: false
    (binding,) = [
        o for o in objects
        if o["kind"] == "RoleBinding" and o["roleRef"]["kind"] == "ClusterRole"
    ]
    assert binding["metadata"]["namespace"] == "team-b"
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "mc-operator", "namespace": "mission-control-system"}
    ]
    (deploy,) = [o for o in objects if o["kind"] == "Deployment"]
    env = {e["name"]: e.get("value") for e in deploy["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["WATCH_NAMESPACE"] == "team-b"
    assert env["LOG_FORMAT"] == "text"
    assert deploy["spec"]["template"]["spec"]["imagePullSecrets"] == [{"name": "regcred"}]


def test_release_name_without_the_chart_name_prefixes_the_objects():
    names = {o["metadata"]["name"] for o in render({}, name="platform")}
    assert "platform-mission-control-operator" in names


@pytest.mark.parametrize("bad", BAD_VALUE_SETS)
def test_bad_values_are_rejected_with_a_clear_message(bad):
    text = (VALUES / "bad" / f"{bad}.yaml").read_text()
    expected = re.search(r"^# expect: (.+)$", text, re.M)
    assert expected, f"values/bad/{bad}.yaml has no `# expect:` line"
    with pytest.raises(helm.HelmError) as raised:
        render(load_values(f"bad/{bad}"))
    message = str(raised.value)
    assert expected.group(1) in message, message
