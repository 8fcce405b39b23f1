"""`make run` fails clearly: when a process it starts cannot run, scripts/run-local.sh says which one
and why in one line, stops the others, leaves nothing running and exits non-zero; no traceback reaches
the terminal (each process writes to its own log under LOG_DIR)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from espqb.config import REPO_ROOT
from tests.support.servers import free_port

SCRIPT = REPO_ROOT / "scripts" / "run-local.sh"


def _uv() -> str:
    found = shutil.which("uv") or shutil.which(str(REPO_ROOT / ".tools" / "bin" / "uv"))
    if found is None:
        pytest.skip("uv is not installed (make install puts it in .tools/bin)")
    return found


def _env(tmp_path: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INTUIT_", "QBO_", "QBWC_"))}
    env |= {name: str(free_port()) for name in ("QBO_PORT", "QBWC_PORT", "SANDBOX_PORT", "CONSOLE_PORT")}
    env |= {"UV": _uv(), "LOG_DIR": str(tmp_path / "log"), "DATABASE_URL": database_url}
    return env


def _start(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        ["bash", str(SCRIPT)],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _run_local(
    env: dict[str, str], process: subprocess.Popen[str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Runs the script (or waits for it) in a session of its own; afterwards no process of that session
    may be left."""
    process = process or _start(env)
    try:
        stdout, stderr = process.communicate(timeout=240)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        raise AssertionError(
            f"run-local.sh did not stop by itself:\n{stdout[-2000:]}\n{stderr[-2000:]}"
        ) from None
    try:
        os.killpg(process.pid, 0)
    except ProcessLookupError:
        pass  # the script and everything it started are gone
    else:
        os.killpg(process.pid, signal.SIGKILL)
        raise AssertionError("run-local.sh exited and left processes running")
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def _answers(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def occupied_port() -> Iterator[int]:
    """A port something else already listens on (and never answers)."""
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        yield squatter.getsockname()[1]


@pytest.mark.timeout(300)
def test_a_sandbox_that_cannot_start_is_named_with_its_reason_and_the_gateways_are_stopped(
    tmp_path: Path, sqlite_template: Path, occupied_port: int
) -> None:
    shutil.copyfile(sqlite_template, tmp_path / "run.sqlite3")
    env = _env(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'run.sqlite3'}")
    env["SANDBOX_PORT"] = str(occupied_port)

    result = _run_local(env)

    assert result.returncode != 0
    said = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(said) == 1, result.stderr
    [line] = said
    assert line.startswith("make run: the Intuit sandbox stopped (exit status ")
    assert "address already in use" in line
    assert f"see {tmp_path / 'log' / 'sandbox.log'}" in line
    assert "Traceback" not in result.stdout + result.stderr
    assert "is running" not in result.stdout  # it never claimed to be up
    for name in ("QBO_PORT", "QBWC_PORT"):
        assert not _answers(int(env[name])), f"a gateway still listens on {name}"


@pytest.mark.timeout(120)
def test_a_database_that_cannot_be_migrated_is_one_line_and_nothing_starts(tmp_path: Path) -> None:
    env = _env(tmp_path, f"postgresql://nobody@127.0.0.1:{free_port()}/none")

    result = _run_local(env)

    assert result.returncode != 0
    said = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(said) == 1, result.stderr
    assert said[0].startswith("make run: the database migration failed: ")
    assert "Connect call failed" in said[0] or "refused" in said[0]
    assert "Traceback" not in result.stdout + result.stderr
    assert sorted(p.name for p in (tmp_path / "log").iterdir()) == ["migrate.log"]


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_ctrl_c_stops_everything_quietly(tmp_path: Path, sqlite_template: Path) -> None:
    shutil.copyfile(sqlite_template, tmp_path / "run.sqlite3")
    env = _env(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'run.sqlite3'}")
    process = _start(env)
    assert process.stdout is not None
    banner = ""
    while "logs " not in banner and (line := process.stdout.readline()):
        banner += line
    assert "is running" in banner, banner
    assert f"logs           {tmp_path / 'log'}/" in banner  # where to look when something goes wrong

    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
    result = _run_local(env, process)

    assert result.returncode == 130
    assert result.stderr == ""  # stopping on request is not a failure to report
    for name in ("QBO_PORT", "QBWC_PORT", "SANDBOX_PORT", "CONSOLE_PORT"):
        assert not _answers(int(env[name])), name
