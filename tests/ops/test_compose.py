"""docker-compose.yml and the Dockerfiles, checked by structure (no Docker engine runs here): the
services a deployment needs, their health checks and start order, the Prometheus and Grafana
provisioning, and no secret written into the file."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from espqb.config import REPO_ROOT

APP_SERVICES = ("qbo-gateway", "qbwc-gateway", "worker", "scheduler")
LONG_RUNNING = ("postgres", *APP_SERVICES, "prometheus", "grafana")
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|KEY|PEPPER", re.I)
# A whole value that only refers to the environment: ${NAME}, ${NAME:?message}, or ${NAME:-} with
# an empty default.
ENV_REFERENCE = re.compile(r"^\$\{[A-Z][A-Z0-9_]*(?::\?[^}]*|:-)?\}$")
URL_PASSWORD = re.compile(r"^[a-z+]+://[^:/@]+:(?P<password>[^@]+)@")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
    return loaded


def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = compose["services"]
    return found


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # the KEY=value form
        env = dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}


def test_every_part_of_the_deployment_is_a_service(compose: dict[str, Any]) -> None:
    assert {"postgres", "migrate", *APP_SERVICES, "prometheus", "grafana"} <= set(services(compose))


def test_long_running_services_have_health_checks(compose: dict[str, Any]) -> None:
    for name in LONG_RUNNING:
        check = services(compose)[name].get("healthcheck")
        assert check and check.get("test"), f"{name} has no health check"
        assert check["test"][0] in ("CMD", "CMD-SHELL"), name
    assert "healthcheck" not in services(compose)["migrate"]  # a one-shot step: it exits
    assert services(compose)["migrate"].get("restart") == "no"


def test_start_order_waits_for_a_healthy_database_and_a_finished_migration(compose: dict[str, Any]) -> None:
    everything = services(compose)
    assert everything["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "alembic" in everything["migrate"]["command"] or "migrate" in everything["migrate"]["command"]
    for name in APP_SERVICES:
        depends = everything[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name


def test_the_worker_and_scheduler_run_their_commands_with_metrics(compose: dict[str, Any]) -> None:
    everything = services(compose)
    assert everything["worker"]["command"][:2] == ["espqb", "worker"]
    assert everything["scheduler"]["command"][:2] == ["espqb", "scheduler"]
    scrape = yaml.safe_load((REPO_ROOT / "deploy/prometheus/prometheus.yml").read_text())
    targets = {
        target
        for job in scrape["scrape_configs"]
        for config in job["static_configs"]
        for target in config["targets"]
    }
    for name in ("worker", "scheduler"):
        command = everything[name]["command"]
        port = command[command.index("--metrics-port") + 1]
        assert f"{name}:{port}" in targets
    for name in ("qbo-gateway", "qbwc-gateway"):
        # Scraped on the internal METRICS_PORT, which is not published; never on the public port.
        metrics_port = environment(everything[name])["METRICS_PORT"]
        published = [mapping.split(":")[-1] for mapping in everything[name]["ports"]]
        assert f"{name}:{metrics_port}" in targets and metrics_port not in published
        assert not any(f"{name}:{port}" in targets for port in published)


def test_no_secret_is_written_into_the_file(compose: dict[str, Any]) -> None:
    checked = 0
    for name, service in services(compose).items():
        for key, value in environment(service).items():
            password = URL_PASSWORD.match(value)
            if password is not None:
                assert ENV_REFERENCE.match(password["password"]), f"{name}: {key} has a password in its URL"
                checked += 1
            elif SECRET_NAME.search(key) and value:
                assert ENV_REFERENCE.match(value), f"{name}: {key} is not an environment reference"
                checked += 1
    assert checked >= 10  # the test looked at the real secrets (JWT secret, keys, passwords…)
    text = (REPO_ROOT / "docker-compose.yml").read_text()
    assert "dev-only" not in text  # none of the development defaults of espqb.config


def test_app_services_run_in_production_mode(compose: dict[str, Any]) -> None:
    for name in ("migrate", *APP_SERVICES):
        env = environment(services(compose)[name])
        assert env["ENV"] == "production", name
        assert env["LOG_FORMAT"] == "json", name


def test_grafana_is_provisioned_with_the_prometheus_datasource_and_the_dashboard(
    compose: dict[str, Any],
) -> None:
    grafana = services(compose)["grafana"]
    mounts = {volume.split(":")[1]: volume.split(":")[0] for volume in grafana["volumes"]}
    assert mounts["/etc/grafana/provisioning"] == "./deploy/grafana/provisioning"
    provisioning = REPO_ROOT / "deploy/grafana/provisioning"
    [provider] = yaml.safe_load((provisioning / "dashboards/espqb.yml").read_text())["providers"]
    dashboards_in_container = provider["options"]["path"]
    dashboards_on_host = REPO_ROOT / mounts[dashboards_in_container]
    assert (dashboards_on_host / "espqb.json").is_file()
    [source] = yaml.safe_load((provisioning / "datasources/prometheus.yml").read_text())["datasources"]
    assert (source["uid"], source["type"]) == ("prometheus", "prometheus")
    assert source["url"] == "http://prometheus:9090"
    prometheus = services(compose)["prometheus"]
    assert any(v.startswith("./deploy/prometheus/prometheus.yml:") for v in prometheus["volumes"])


def _workspace_packages() -> set[str]:
    root = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    members = root["tool"]["uv"]["workspace"]["members"]
    return {tomllib.loads((REPO_ROOT / m / "pyproject.toml").read_text())["project"]["name"] for m in members}


def test_dockerfiles_build_from_the_repository_root_with_the_lock_file(compose: dict[str, Any]) -> None:
    builds = {
        (service["build"]["context"], service["build"]["dockerfile"])
        for service in services(compose).values()
        if "build" in service
    }
    assert {dockerfile for _, dockerfile in builds} == {
        "services/qbo-gateway/Dockerfile",
        "services/qbwc-gateway/Dockerfile",
    }
    packages = _workspace_packages()
    for context, dockerfile in builds:
        assert context == "."
        text = (REPO_ROOT / dockerfile).read_text()
        assert re.search(r"^COPY pyproject\.toml uv\.lock ", text, re.M), dockerfile
        sync = re.search(r"uv sync (.*)$", text, re.M)
        assert sync is not None and "--frozen" in sync[1], dockerfile
        assert set(re.findall(r"--package (\S+)", sync[1])) <= packages, dockerfile
        for source in re.findall(r"^COPY (?!--from)(.+) \S+$", text, re.M):
            for path in source.split():
                assert (REPO_ROOT / path).exists(), (
                    f"{dockerfile} copies {path}, which is not in the repository"
                )
                # the simulators and the development tools stay out of production images
                assert not path.startswith(("sandbox", "devtools")), f"{dockerfile} copies {path}"
        assert re.search(r"^USER (?!root)\S+", text, re.M), f"{dockerfile} runs as root"


def test_docker_ignores_local_state() -> None:
    ignored = set((REPO_ROOT / ".dockerignore").read_text().split())
    assert {".venv", "var", ".git"} <= ignored


def test_every_build_dockerfile_exists(compose: dict[str, Any]) -> None:
    for name, service in services(compose).items():
        if "build" in service:
            assert Path(REPO_ROOT / service["build"]["dockerfile"]).is_file(), name
