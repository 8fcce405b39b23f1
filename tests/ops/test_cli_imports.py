"""The production `espqb` carries no simulator: neither importing it, nor the worker, nor the scheduler
loads the Intuit sandbox (`qb_sandbox`) or the SOAP client it uses (`zeep`); and `--help` loads no
gateway, database layer or settings, which is what keeps it quick.

Each check runs a fresh interpreter with `-X importtime`, which lists every module it imports."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

SIMULATORS = ("qb_sandbox", "zeep")
HEAVY = ("sqlalchemy", "qbo_gateway", "qbwc_gateway", "espqb", "pydantic", "alembic")


def _imported(stderr: str) -> set[str]:
    """The module names listed by -X importtime."""
    names = set()
    for line in stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name != "package":  # the header line
                names.add(name)
    return names


def _roots(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}"
    env["RUN_WORKER_IN_PROCESS"] = "false"
    return env


def _espqb(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "espqb_cli.main", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_importing_the_cli_loads_no_simulator_and_no_gateway(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import espqb_cli.main"],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        timeout=120,
        check=True,
    )
    roots = _roots(_imported(result.stderr))
    assert "espqb_cli" in roots  # the listing is real
    assert not roots & {*SIMULATORS, *HEAVY}


def test_help_loads_no_simulator_and_no_gateway(tmp_path: Path) -> None:
    result = _espqb("--help", env=_env(tmp_path))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "worker" in result.stdout and "scheduler" in result.stdout
    assert not _roots(_imported(result.stderr)) & {*SIMULATORS, *HEAVY}


def test_the_worker_runs_without_the_simulators(tmp_path: Path) -> None:
    # An empty database: the worker builds its whole runtime, then says the schema is missing.
    result = _espqb("worker", "--check", env=_env(tmp_path))
    assert result.returncode == 1
    assert "not migrated" in result.stderr
    roots = _roots(_imported(result.stderr))
    assert {"qbo_gateway", "sqlalchemy"} <= roots  # it did load what it runs
    assert not roots & set(SIMULATORS)


@pytest.mark.timeout(180)
def test_the_scheduler_runs_without_the_simulators(tmp_path: Path) -> None:
    env = _env(tmp_path)
    migrated = subprocess.run(
        [sys.executable, "-m", "espqb_cli.main", "migrate"], env=env, capture_output=True, timeout=120
    )
    assert migrated.returncode == 0, migrated.stderr
    stderr_file = tmp_path / "scheduler.stderr"
    with stderr_file.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-X", "importtime", "-m", "espqb_cli.main", "scheduler"],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env=env,
        )
        try:
            assert process.stdout is not None
            first_line = process.stdout.readline()  # blocks until the scheduler has started
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
    assert first_line.startswith("scheduler running"), first_line
    roots = _roots(_imported(stderr_file.read_text()))
    assert {"qbo_gateway", "apscheduler"} <= roots
    assert not roots & set(SIMULATORS)
    assert process.returncode == 0
