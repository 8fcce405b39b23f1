"""The README's walkthroughs, run as written against `make run`'s services, so the README cannot rot.

`scripts/run-local.sh` (what `make run` runs) starts both gateways and the Intuit sandbox; each
`<!-- walkthrough:… -->` bash block of README.md then runs in bash from the repository root. Only the
ports are moved to free ones, so a developer's own `make run` is not disturbed.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from espqb.config import REPO_ROOT
from tests.support.servers import free_port

pytestmark = pytest.mark.slow


def walkthrough_blocks() -> dict[str, str]:
    readme = (REPO_ROOT / "README.md").read_text()
    found = re.findall(r"<!-- walkthrough:(\w+) -->\s*```bash\n(.*?)```", readme, re.S)
    return dict(found)


@pytest.fixture
def services(database_url: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    ports = {"QBO_PORT": free_port(), "QBWC_PORT": free_port(), "SANDBOX_PORT": free_port()}
    env = {
        **os.environ,
        **{k: str(v) for k, v in ports.items()},
        "DATABASE_URL": database_url,
        "ESPQB_SANDBOX_COMPANY_FILE": str(tmp_path / "company.json"),
        "UV": str(REPO_ROOT / ".tools/bin/uv") if (REPO_ROOT / ".tools/bin/uv").exists() else "uv",
        "LOG_LEVEL": "WARNING",
    }
    log = (tmp_path / "run.log").open("w")
    proc = subprocess.Popen(
        ["bash", "scripts/run-local.sh"],
        cwd=REPO_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if all(
                    httpx.get(f"http://127.0.0.1:{ports[p]}{path}", timeout=2).status_code == 200
                    for p, path in (
                        ("QBO_PORT", "/readyz"),
                        ("QBWC_PORT", "/readyz"),
                        ("SANDBOX_PORT", "/_sandbox/realms"),
                    )
                ):
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(
                    "make run's services did not come up:\n" + (tmp_path / "run.log").read_text()[-3000:]
                )
            time.sleep(0.5)
        env["INTUIT_API_BASE_URL"] = f"http://127.0.0.1:{ports['SANDBOX_PORT']}"
        yield {**env, **{k: str(v) for k, v in ports.items()}}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def run_block(block: str, env: dict[str, str]) -> str:
    for default, key in (("8001", "QBO_PORT"), ("8002", "QBWC_PORT"), ("8003", "SANDBOX_PORT")):
        block = block.replace(f"localhost:{default}", f"localhost:{env[key]}")
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, f"stdout:\n{result.stdout[-3000:]}\nstderr:\n{result.stderr[-3000:]}"
    return result.stdout


def test_readme_has_both_walkthroughs() -> None:
    assert set(walkthrough_blocks()) == {"qbo", "qbd"}


def test_readme_walkthroughs_work(services: dict[str, str]) -> None:
    blocks = walkthrough_blocks()
    online = run_block(blocks["qbo"], services)
    assert "connected" in online
    assert '"status": "succeeded"' in online
    assert "218.5" in online and "118.5" in online and "A7102" in online

    desktop = run_block(blocks["qbd"], services)
    assert "waiting_for_web_connector" in desktop
    assert "outcome:        completed" in desktop or "completed" in desktop
    assert "218.50" in desktop and "118.50" in desktop and "A7102" in desktop
