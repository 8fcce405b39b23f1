"""The README's walkthroughs, run as written against `make run`'s services, so the README cannot rot.

`make run` starts both gateways and the Intuit sandbox once for this module, on free ports rather than
8001-8003 (so a developer's own `make run` is not disturbed, and the README is proven on other ports
than its defaults). Each `<!-- walkthrough:… -->` bash block of README.md then runs in bash from the
repository root, as a reader pastes it into a second terminal.

Nothing is injected that the README does not show. The environment is the test run's own, cleared of
every setting that could point the blocks at the right place behind the README's back (`INTUIT_*`,
`QBO_*`, `QBWC_*`, `SANDBOX_*`, `ESPQB_*`, `DATABASE_URL`); then only these are set:

- `QBO_PORT`, `QBWC_PORT`, `SANDBOX_PORT`: the variables the README tells the reader to export when
  `make run` got other ports;
- `DATABASE_URL`, for isolation: PostgreSQL when TEST_DATABASE_URL is set, else a fresh SQLite file
  (the blocks prove the README, not the backend; the backends have their own tests);
- `ESPQB_SANDBOX_COMPANY_FILE`, for isolation: the simulated Desktop company file, in a temporary folder;
- `LOG_DIR`, for isolation: the services' logs go to that temporary folder, not over a developer's own
  `var/log/`.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from espqb.config import REPO_ROOT
from espqb_devtools.main import app as dev_app
from tests.conftest import TEST_DATABASE_URL, truncate_all
from tests.support.servers import free_port

README = REPO_ROOT / "README.md"
HIDDEN_HELP = ("INTUIT_", "QBO_", "QBWC_", "SANDBOX_", "ESPQB_")
DEFAULT_PORTS = {"QBO_PORT": "8001", "QBWC_PORT": "8002", "SANDBOX_PORT": "8003"}


def walkthrough_blocks() -> dict[str, str]:
    found = re.findall(r"<!-- walkthrough:(\w+) -->\s*```bash\n(.*?)```", README.read_text(), re.S)
    return dict(found)


@dataclass(frozen=True)
class Services:
    env: dict[str, str]
    log: Path

    def port(self, name: str) -> str:
        return self.env[name]


def _isolated_database(request: pytest.FixtureRequest, folder: Path) -> str:
    if TEST_DATABASE_URL:
        url: str = request.getfixturevalue("postgres_url")
        truncate_all(url)
        return url
    template: Path = request.getfixturevalue("sqlite_template")
    shutil.copyfile(template, folder / "readme.sqlite3")
    return f"sqlite+aiosqlite:///{folder / 'readme.sqlite3'}"


def _wait_until_up(proc: subprocess.Popen[bytes], env: dict[str, str], log: Path) -> None:
    urls = (
        f"http://127.0.0.1:{env['QBO_PORT']}/readyz",
        f"http://127.0.0.1:{env['QBWC_PORT']}/readyz",
        f"http://127.0.0.1:{env['SANDBOX_PORT']}/_sandbox/realms",
    )
    deadline = time.monotonic() + 180
    pending = list(urls)
    while pending or "esp-quickbooks is running" not in log.read_text():
        try:
            while pending and httpx.get(pending[0], timeout=2).status_code == 200:
                pending.pop(0)
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"make run's services did not come up:\n{log.read_text()[-3000:]}")
        time.sleep(0.25)


@pytest.fixture(scope="module")
def services(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    folder = tmp_path_factory.mktemp("readme")
    env = {k: v for k, v in os.environ.items() if not k.startswith(HIDDEN_HELP) and k != "DATABASE_URL"}
    env |= {name: str(free_port()) for name in DEFAULT_PORTS}
    env["CONSOLE_PORT"] = str(free_port())  # make run starts the console too; its default could clash
    env["DATABASE_URL"] = _isolated_database(request, folder)
    env["ESPQB_SANDBOX_COMPANY_FILE"] = str(folder / "desktop-company.json")
    env["LOG_DIR"] = str(folder / "log")
    log = folder / "make-run.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            ["make", "--no-print-directory", "run"],
            cwd=REPO_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_until_up(proc, env, log)
            yield Services(env, log)
        finally:
            _stop_group(proc)


def _stop_group(proc: subprocess.Popen[bytes]) -> None:
    """Stop `make run` and everything it started, as Ctrl-C would; whatever is still alive after 20 s
    (make itself may have gone while a service still shuts down) is killed, so no test leaves a
    server behind."""
    os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        proc.poll()  # reaps make once it ends: a zombie would still count as a member of the group
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    else:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def run_block(name: str, services: Services) -> str:
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", walkthrough_blocks()[name]],
        cwd=REPO_ROOT,
        env=services.env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, f"stdout:\n{result.stdout[-3000:]}\nstderr:\n{result.stderr[-3000:]}"
    return result.stdout


# --- the README as text ---------------------------------------------------------------------------------


def test_readme_has_both_walkthroughs() -> None:
    assert set(walkthrough_blocks()) == {"qbo", "qbd"}


def test_the_readme_calls_the_command_lines_one_way() -> None:
    """`.venv/bin/espqb …` / `.venv/bin/espqb-dev …`, never a bare `espqb …` nor `uv run espqb …`."""
    readme = README.read_text()
    bare = re.findall(r".{0,30}(?<![/\w.-])espqb(?:-dev)?(?=[ `\"]).{0,20}", readme)
    assert not bare, bare
    assert "uv run" not in readme
    assert ".venv/bin/espqb-dev sandbox books --online" in readme


def test_the_readme_and_the_deployment_name_one_intuit_discovery_host() -> None:
    """Intuit's discovery documents live on developer.intuit.com, in every place that names one."""
    for path in (README, REPO_ROOT / "docker-compose.yml", REPO_ROOT / "shared/src/espqb/config.py"):
        urls = re.findall(r"https://[\w.-]+/\.well-known/\w+/?", path.read_text())
        assert urls, f"{path.name} names no Intuit discovery URL"
        assert {url.split("/")[2] for url in urls} == {"developer.intuit.com"}, (path.name, urls)


def test_the_sandbox_books_command_says_in_one_line_that_the_sandbox_is_not_there() -> None:
    nobody = f"http://127.0.0.1:{free_port()}"

    result = CliRunner().invoke(dev_app, ["sandbox", "books", "--online", "--sandbox-url", nobody])

    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"espqb-dev sandbox books: cannot reach the Intuit sandbox at {nobody} (ConnectError): "
        "is `make run` going, and on that port (SANDBOX_PORT)?"
    ]


# --- the README against `make run` ------------------------------------------------------------------------


@pytest.mark.slow
def test_make_run_prints_the_token_commands_the_readme_quotes_and_they_work(services: Services) -> None:
    readme = README.read_text()
    quoted = re.search(r"It prints how to get a development token[^\n]*\s*```bash\n(.*?)```", readme, re.S)
    assert quoted is not None
    printed = quoted.group(1).replace("localhost:8001", f"localhost:{services.port('QBO_PORT')}")
    banner = services.log.read_text()
    for line in printed.strip().splitlines():
        assert line in banner, line

    answer = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", printed],
        cwd=REPO_ROOT,
        env=services.env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert answer.returncode == 0, answer.stderr
    assert "updated_at" in json.loads(answer.stdout), answer.stdout  # the settings, not a problem answer


@pytest.mark.slow
def test_the_online_walkthrough_lands_the_a7102_invoice_in_the_intuit_sandbox(services: Services) -> None:
    online = run_block("qbo", services)

    assert "connected" in online
    assert re.search(r'^    "status": "succeeded"', online, re.M), online  # the job's own, not a step's
    assert "A7102" in online and "218.5" in online and "118.5" in online


@pytest.mark.slow
def test_the_desktop_walkthrough_lands_the_a7102_invoice_in_the_company_file(services: Services) -> None:
    desktop = run_block("qbd", services)

    assert "waiting_for_web_connector" in desktop
    assert "outcome:        completed" in desktop
    assert "A7102" in desktop and "218.50" in desktop and "118.50" in desktop
    assert Path(services.env["ESPQB_SANDBOX_COMPANY_FILE"]).exists()
