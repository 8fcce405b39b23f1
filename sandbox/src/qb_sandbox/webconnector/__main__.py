"""``python -m qb_sandbox.webconnector --qwc FILE.qwc --password ... --company-file var/qbd-company.json``

``--edition ca --multi-currency --seed-demo --class-tracking`` shape a company file that does not exist yet.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from .qwc import QwcError, read_qwc
from .runner import SUCCESSFUL, run_sessions

PASSWORD_ENV = "QBWC_PASSWORD"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m qb_sandbox.webconnector",
        description="A simulated QuickBooks Web Connector: runs update sessions for one .qwc application.",
    )
    parser.add_argument("--qwc", required=True, type=Path, help="the .qwc file the service generated")
    parser.add_argument(
        "--url", help="service URL to call instead of the .qwc AppURL (e.g. plain http locally)"
    )
    parser.add_argument(
        "--password",
        help=f"the Web Connector password (default: ${PASSWORD_ENV}, which keeps it out of `ps`)",
    )
    parser.add_argument(
        "--company-file", required=True, type=Path, help="JSON company file, created when missing"
    )
    parser.add_argument(
        "--edition",
        choices=("us", "ca", "uk"),
        default="us",
        help="QuickBooks edition of a company file created now (default: us)",
    )
    parser.add_argument(
        "--multi-currency", action="store_true", help="turn multi-currency on in a company file created now"
    )
    parser.add_argument(
        "--seed-demo",
        action="store_true",
        help="give a company file created now the demo accounts, sales tax lists, terms",
    )
    parser.add_argument(
        "--class-tracking",
        action="store_true",
        help="turn class tracking on in a company file created now (classes on documents)",
    )
    parser.add_argument("--once", action="store_true", help="run one session and exit")
    parser.add_argument(
        "--every", type=int, metavar="SECONDS", help="interval between sessions (default: .qwc)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    password = args.password or os.environ.get(PASSWORD_ENV)
    if not password:
        print(f"error: give --password or set {PASSWORD_ENV}", file=sys.stderr)
        return 2
    try:
        registration = read_qwc(args.qwc)
    except (OSError, QwcError) as exc:
        print(f"error: cannot use {args.qwc}: {exc}", file=sys.stderr)
        return 2
    try:
        report = asyncio.run(
            run_sessions(
                registration,
                password=password,
                company_file=args.company_file,
                url=args.url,
                once=args.once,
                every_seconds=args.every,
                new_company={
                    "edition": args.edition,
                    "multi_currency": args.multi_currency,
                    "seed_demo": args.seed_demo,
                    "class_tracking": args.class_tracking,
                },
            )
        )
    except KeyboardInterrupt:
        return 130
    return 0 if report.outcome in SUCCESSFUL else 1


if __name__ == "__main__":
    sys.exit(main())
