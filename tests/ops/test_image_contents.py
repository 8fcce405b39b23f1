"""What each Dockerfile puts in its image is the product only: no Docker engine runs here, so the
test lays out exactly what the build stage COPYs (minus what .dockerignore leaves out) in a fresh
folder, runs the Dockerfile's own `uv sync` there (offline, from uv's cache), and then checks that
the service and `espqb` work while the simulators and the development tools cannot be imported."""

from __future__ import annotations

import fnmatch
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from espqb.config import REPO_ROOT

DOCKERFILES = {"qbo-gateway": "qbo_gateway", "qbwc-gateway": "qbwc_gateway"}
NOT_IN_THE_PRODUCT = ("qb_sandbox", "espqb_devtools", "zeep")


def _uv() -> str:
    found = shutil.which("uv") or shutil.which(str(REPO_ROOT / ".tools" / "bin" / "uv"))
    if found is None:
        pytest.skip("uv is not installed (make install puts it in .tools/bin)")
    return found


def _build_stage(dockerfile: Path) -> list[str]:
    """The instructions of the first stage, continuation lines joined."""
    text = dockerfile.read_text().replace("\\\n", " ")
    stages = re.split(r"^FROM ", text, flags=re.M)
    return [line.strip() for line in stages[1].splitlines()[1:] if line.strip()]


def _dockerignore() -> list[str]:
    lines = (REPO_ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _ignored(path: Path, patterns: list[str]) -> bool:
    """Docker's reading: `**/name` anywhere, any other pattern from the context's root."""
    relative = path.relative_to(REPO_ROOT).as_posix()
    return any(
        fnmatch.fnmatch(path.name, pattern[3:])
        if pattern.startswith("**/")
        else fnmatch.fnmatch(relative, pattern)
        for pattern in patterns
    )


def _copy_build_context(dockerfile: Path, into: Path) -> str:
    """Copies what the build stage COPYs into `into`; returns its `uv sync` arguments."""
    patterns = _dockerignore()

    def skip(folder: str, names: list[str]) -> list[str]:
        return [name for name in names if _ignored(Path(folder) / name, patterns)]

    sync = None
    for line in _build_stage(dockerfile):
        if line.startswith("COPY ") and "--from" not in line:
            *sources, destination = shlex.split(line)[1:]
            for source in sources:  # Docker's rules: a folder's contents go into the destination
                origin = REPO_ROOT / source
                if origin.is_dir():
                    shutil.copytree(origin, into / destination, dirs_exist_ok=True, ignore=skip)
                else:
                    target = (
                        into / destination / origin.name if destination.endswith("/") else into / destination
                    )
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(origin, target)
        elif line.startswith("RUN uv sync "):
            sync = line.removeprefix("RUN uv sync ")
    assert sync is not None, f"{dockerfile} has no `RUN uv sync`"
    return sync


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "VIRTUAL_ENV", "PYTHON"))}
    env["UV_PYTHON_DOWNLOADS"] = "never"
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.slow  # ~10 s of CPU each, most of it Python compiling the fresh environment's modules
@pytest.mark.parametrize("service", sorted(DOCKERFILES))
def test_the_image_holds_the_product_and_not_the_simulators(service: str, tmp_path: Path) -> None:
    uv = _uv()
    sync = _copy_build_context(REPO_ROOT / "services" / service / "Dockerfile", tmp_path)
    assert not (tmp_path / "sandbox" / "src").exists() and not (tmp_path / "devtools" / "src").exists()
    synced = _run([uv, "sync", *shlex.split(sync), "--offline", "--python", sys.executable], tmp_path)
    assert synced.returncode == 0, synced.stderr

    python = str(tmp_path / ".venv" / "bin" / "python")
    app = _run([python, "-c", f"from {DOCKERFILES[service]}.app import create_app; create_app()"], tmp_path)
    assert app.returncode == 0, app.stderr
    cli = _run([str(tmp_path / ".venv" / "bin" / "espqb"), "--help"], tmp_path)
    assert cli.returncode == 0, cli.stderr
    assert "migrate" in cli.stdout and "worker" in cli.stdout
    probe = f"import importlib.util as u; print([m for m in {NOT_IN_THE_PRODUCT!r} if u.find_spec(m)])"
    importable = _run([python, "-c", probe], tmp_path)
    assert importable.returncode == 0, importable.stderr
    assert importable.stdout.strip() == "[]", f"the {service} image can import {importable.stdout}"
