"""How long does `espqb` take to start? Wall and CPU time of `espqb --help` and of a command's --help.

    .tools/bin/uv run python bench/cli_startup.py [--runs 10]

Each run is a fresh process, as when an operator or a cron job calls the command. Prints the median
and the slowest run. `espqb` loads no gateway, database layer or simulator for --help, so expect a
few tenths of a second on an idle machine.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time

COMMANDS = (["--help"], ["worker", "--help"], ["status", "--help"])


def _espqb() -> str:
    beside = os.path.join(os.path.dirname(sys.executable), "espqb")
    found = beside if os.path.exists(beside) else shutil.which("espqb")
    if found is None:
        raise SystemExit("espqb is not installed in this environment")
    return found


def _one_run(argv: list[str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    espqb = _espqb()
    print(f"{'command':<24}{'wall p50':>10}{'wall max':>10}{'cpu p50':>10}")
    for command in COMMANDS:
        runs = [_one_run([espqb, *command]) for _ in range(args.runs)]
        walls, cpus = [w for w, _ in runs], [c for _, c in runs]
        label = "espqb " + " ".join(command)
        print(
            f"{label:<24}{statistics.median(walls):>9.2f}s{max(walls):>9.2f}s{statistics.median(cpus):>9.2f}s"
        )


if __name__ == "__main__":
    main()
