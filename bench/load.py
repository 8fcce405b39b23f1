"""A bounded load test of the JSON API: replicas of both gateways on one PostgreSQL, a steady rate.

    .tools/bin/uv run python bench/load.py [--rate 200] [--seconds 60] [--replicas 2]
        [--database-url postgresql://postgres@127.0.0.1:5432/espqb_load]
        [--qbo-url URL ... --qbwc-url URL ...]        # running replicas instead of starting them
        [--sweep [--sweep-rates 50,100,150,200,300,400] [--step-seconds 10]]

Starts (unless given their URLs) ``--replicas`` uvicorn processes of qbo-gateway (each with its
in-process worker, RUN_WORKER_IN_PROCESS) and of qbwc-gateway on one PostgreSQL database (created and
migrated when missing), and the Intuit sandbox as a process of its own. Sets up ``--qbo-companies``
QuickBooks Online companies (10; installed, their accounts, each connected through the sandbox's consent
page to a realm of its own, as distributors are: Intuit allows 10 requests/s a realm) and one QuickBooks
Desktop company (installed, a Web Connector password, 500 customers and 200 items in its list cache),
as ESP would. Then it sends requests open-loop: request *i* is started at ``start + i / rate`` whether
or not the earlier ones have answered (a slow server is not given a slower client), half to each
gateway, round-robin over that gateway's replicas:

- 20 % sends, ``POST /v1/orders/{n}/send`` (the A7102 example order under a new number);
- 20 % job reads, ``GET /v1/jobs/{id}`` (a job sent before), and 10 % job lists, ``GET /v1/jobs``;
- 50 % lookups, ``GET /v1/quickbooks/{customers|items|accounts}?q=…`` (2–4 letters, as typed).

A request's latency runs from its scheduled start to its answer; a non-2xx answer, a transport error
or no answer within ``--timeout`` seconds is an error. It stops by itself after ``--seconds`` and
prints p50/p95/p99 per kind and overall, errors and the achieved rate. ``--sweep`` instead runs one
replica of each gateway at rising rates for ``--step-seconds`` each and stops at the first rate whose
p99 exceeds 250 ms, with errors, or that it cannot keep up with: the capacity of one process.

The load generator runs on the same machine as the services: on a small machine it takes a share of
the CPU the services would have, so the figures are a floor.
"""

from __future__ import annotations

import os
import sys

# Run as a script, this file's folder comes first on sys.path, and bench/queue.py there would shadow
# the standard library's `queue` module. Drop it before importing anything else.
if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    sys.path.pop(0)

import argparse
import asyncio
import contextlib
import itertools
import json
import random
import re
import signal
import socket
import statistics
import subprocess
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, insert, make_url, text, update
from sqlalchemy.pool import NullPool

from espqb.config import DEV_JWT_SECRET, REPO_ROOT
from espqb.db.engine import normalise_database_url
from espqb.db.migrate import upgrade
from espqb.db.models import QbdListEntry, QbwcCredential
from espqb.orders import a7102_request
from espqb.security.jwt import mint_token

DEFAULT_DATABASE = "postgresql://postgres@127.0.0.1:5432/espqb_load"
APPS = {"qbo": "qbo_gateway.app:create_app", "qbwc": "qbwc_gateway.app:create_app"}
CLIENT_ID, CLIENT_SECRET = "load-client", "load-secret"
P99_LIMIT_MS = 250.0
CONNECTIONS_PER_REPLICA = 64
LOOKUP_KINDS = ("customers", "items", "accounts")
WORDS = ("Lake", "Harbor", "North", "Shore", "Dental", "Realty", "Promo", "Supply", "Pine", "Ridge")


# ------------------------------------------------------------------------------------ processes
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Process:
    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    ready_path: str
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [*self.command, "--port", str(self.port)],
                cwd=REPO_ROOT,
                env=self.env,
                stdout=out,
                stderr=out,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.url + self.ready_path, timeout=2).status_code == 200:
                    return
            assert self.proc is not None
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(
                    f"{self.name} did not start; see {self.log}:\n{self.log.read_text()[-2000:]}"
                )
            time.sleep(0.2)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def uvicorn_command(app: str) -> list[str]:
    options = ["--no-server-header", "--no-access-log", "--log-level", "warning"]
    return [sys.executable, "-m", "uvicorn", "--factory", app, "--host", "127.0.0.1", *options]


@contextlib.contextmanager
def services(database_url: str, replicas: int, logs: Path, *, worker: bool) -> Iterator[dict[str, list[str]]]:
    """The Intuit sandbox, and ``replicas`` processes of each gateway on ``database_url``."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("INTUIT_", "QBO_", "QBWC_", "JOB_"))}
    base |= {"ENV": "development", "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING", "LOG_FORMAT": "json"}
    qbo_ports = [free_port() for _ in range(replicas)]
    callback = f"http://127.0.0.1:{qbo_ports[0]}/v1/qbo/callback"
    sandbox = Process(
        "intuit-sandbox",
        [sys.executable, "-m", "qb_sandbox.intuit", "--host", "127.0.0.1"],
        base
        | {
            "INTUIT_SANDBOX_CLIENT_ID": CLIENT_ID,
            "INTUIT_SANDBOX_CLIENT_SECRET": CLIENT_SECRET,
            "INTUIT_SANDBOX_REDIRECT_URIS": callback,
        },
        logs / "sandbox.log",
        "/.well-known/openid-configuration",
    )
    qbo_env = base | {
        "INTUIT_CLIENT_ID": CLIENT_ID,
        "INTUIT_CLIENT_SECRET": CLIENT_SECRET,
        "INTUIT_REDIRECT_URI": callback,
        "INTUIT_DISCOVERY_URL": f"{sandbox.url}/.well-known/openid-configuration",
        "INTUIT_API_BASE_URL": sandbox.url,
        "RUN_WORKER_IN_PROCESS": "true" if worker else "false",
    }
    qbwc_env = base | {"RUN_WORKER_IN_PROCESS": "false"}
    processes = [sandbox]
    processes += [
        Process(
            f"qbo-gateway-{n}", uvicorn_command(APPS["qbo"]), qbo_env, logs / f"qbo-{n}.log", "/readyz", port
        )
        for n, port in enumerate(qbo_ports)
    ]
    processes += [
        Process(
            f"qbwc-gateway-{n}", uvicorn_command(APPS["qbwc"]), qbwc_env, logs / f"qbwc-{n}.log", "/readyz"
        )
        for n in range(replicas)
    ]
    try:
        for process in processes:
            process.start()
        for process in processes:
            process.wait_ready()
        yield {
            "qbo": [p.url for p in processes if p.name.startswith("qbo-")],
            "qbwc": [p.url for p in processes if p.name.startswith("qbwc-")],
        }
    finally:
        for process in reversed(processes):
            process.stop()


def ensure_database(url: str) -> str:
    """The database, created when missing and migrated to head; returns its asyncpg URL."""
    async_url = normalise_database_url(url)
    if not async_url.startswith("postgresql"):
        raise SystemExit("bench/load.py needs PostgreSQL: replicas share one database")
    target = make_url(async_url)
    admin_url = target.set(drivername="postgresql+psycopg", database="postgres")
    admin = create_engine(admin_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database})
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    finally:
        admin.dispose()
    upgrade(async_url)
    return async_url


# ------------------------------------------------------------------------------------ the companies
def headers(company: str) -> dict[str, str]:
    token = mint_token(DEV_JWT_SECRET, company_id=company, user_id="load", roles=["admin"], ttl_seconds=7200)
    return {"Authorization": f"Bearer {token}"}


def order_body(number: str) -> dict[str, Any]:
    body = a7102_request().model_dump(mode="json")
    body["order"]["order_number"] = number
    return body


@dataclass
class Company:
    gateway: str  # "qbo" | "qbwc"
    company_id: str
    urls: list[str]
    headers: dict[str, str]
    jobs: list[str] = field(default_factory=list)
    next_order: int = 100_000


def _check(response: httpx.Response) -> httpx.Response:
    if response.status_code >= 300:
        raise SystemExit(
            f"{response.request.method} {response.request.url}: {response.status_code} {response.text}"
        )
    return response


def set_up_online(urls: list[str], run: str, n: int) -> Company:
    """ESP company ``n`` on QuickBooks Online, connected to a QuickBooks company (realm) of its own:
    Intuit's limits are per realm (10 requests/s), so one realm could not carry this load's lookups
    whatever the gateways do; a real deployment serves many distributors, each with its own."""
    name = f"load-qbo-{run}-{n}"
    company = Company("qbo", name, urls, headers(name))
    with httpx.Client(base_url=urls[0], headers=company.headers, timeout=60) as api:
        _check(api.post("/v1/integration/install", json={"product": "qbo"}))
        settings = json.loads((REPO_ROOT / "examples/settings-qbo-sandbox.json").read_text())
        _check(api.put("/v1/settings", json=settings))
        authorization_url = _check(api.post("/v1/qbo/connect")).json()["authorization_url"]
    with httpx.Client(timeout=60) as browser:
        page = _check(browser.get(authorization_url))
        request_id = re.search(r'name="request_id" value="([^"]+)"', page.text)
        if request_id is None:
            raise SystemExit(
                "the consent page is not the Intuit sandbox's: connect the company by hand first"
            )
        created = browser.post(str(page.url.join("/_sandbox/realms")), json={"name": f"Load company {n}"})
        realm_id = _check(created).json()["realm_id"]
        form = {"request_id": request_id.group(1), "action": "connect", "realm_id": realm_id}
        consent = browser.post(str(page.url.join("oauth2")), data=form)
        landed = browser.get(consent.headers["location"])
        if landed.status_code != 200:
            raise SystemExit(f"connecting QuickBooks Online failed: {landed.status_code} {landed.text[:300]}")
    return company


def set_up_desktop(urls: list[str], run: str, database_url: str, rng: random.Random) -> Company:
    company = Company("qbwc", f"load-qbd-{run}", urls, headers(f"load-qbd-{run}"))
    with httpx.Client(base_url=urls[0], headers=company.headers, timeout=60) as api:
        _check(api.post("/v1/integration/install", json={"product": "qbd"}))
        settings = json.loads((REPO_ROOT / "examples/settings-qbd-sandbox.json").read_text())
        _check(api.put("/v1/settings", json=settings))
        _check(api.post("/v1/qbwc/password"))
    # The lists a Web Connector update would have read: 500 customers and 200 items.
    rows = [
        {
            "company_id": company.company_id,
            "list_type": list_type,
            "list_id": f"{list_type[:2].upper()}{n:06X}-1733400000",
            "full_name": f"{rng.choice(WORDS)} {rng.choice(WORDS)} {n}",
            "is_active": True,
            "data": {},
        }
        for list_type, count in (("Customer", 500), ("ItemNonInventory", 200))
        for n in range(count)
    ]
    engine = create_engine(make_url(database_url).set(drivername="postgresql+psycopg"), poolclass=NullPool)
    try:
        with engine.begin() as conn:
            conn.execute(insert(QbdListEntry), rows)
            conn.execute(
                update(QbwcCredential)
                .where(QbwcCredential.company_id == company.company_id)
                .values(cache_refreshed_at=datetime.now(UTC))
            )
    finally:
        engine.dispose()
    return company


def seed_jobs(company: Company, count: int = 20) -> None:
    with httpx.Client(base_url=company.urls[0], headers=company.headers, timeout=60) as api:
        for _ in range(count):
            number = str(company.next_order)
            company.next_order += 1
            company.jobs.append(
                _check(api.post(f"/v1/orders/{number}/send", json=order_body(number))).json()["id"]
            )


# ------------------------------------------------------------------------------------ the load
@dataclass
class Result:
    kind: str
    target: str  # e.g. "qbo-1"
    latency_ms: float
    error: str | None = None


@dataclass
class Load:
    companies: list[Company]
    clients: dict[str, httpx.AsyncClient]
    timeout: float
    rng: random.Random = field(default_factory=lambda: random.Random(15))
    turns: dict[str, Iterator[int]] = field(default_factory=dict)
    results: list[Result] = field(default_factory=list)
    lag_ms: list[float] = field(default_factory=list)
    samples: dict[str, str] = field(default_factory=dict)  # the first answer of each kind of error
    # Requests in flight to one replica at most (its connections); the rest wait here, which is cheap,
    # rather than in httpx's pool, whose cost grows with the number waiting.
    slots: dict[str, asyncio.Semaphore] = field(default_factory=dict)

    def _request(self, i: int) -> tuple[Company, str, str, str, dict[str, Any]]:
        """Request i: (company, kind, method, path, options)."""
        company = self.companies[i % len(self.companies)]
        draw = self.rng.random()
        if draw < 0.20:
            number = str(company.next_order)
            company.next_order += 1
            return company, "send", "POST", f"/v1/orders/{number}/send", {"json": order_body(number)}
        if draw < 0.40:
            return company, "job", "GET", f"/v1/jobs/{self.rng.choice(company.jobs)}", {}
        if draw < 0.50:
            return company, "jobs-list", "GET", "/v1/jobs", {"params": {"limit": 20}}
        kind = self.rng.choice(LOOKUP_KINDS)
        typed = self.rng.choice(WORDS)[: self.rng.randint(2, 4)].lower()
        params: dict[str, Any] = {"limit": 20} | ({"q": typed} if kind != "accounts" else {})
        return company, "lookup", "GET", f"/v1/quickbooks/{kind}", {"params": params}

    async def _one(self, i: int, scheduled: float) -> None:
        company, kind, method, path, options = self._request(i)
        turn = self.turns.setdefault(company.gateway, itertools.cycle(range(len(company.urls))))
        replica = next(turn)
        target = f"{company.gateway}-{replica}"
        http = self.clients[company.urls[replica]]
        loop = asyncio.get_running_loop()
        self.lag_ms.append((loop.time() - scheduled) * 1000)
        error = None
        try:
            # The whole request, waiting for a connection included, within --timeout of its start.
            slots = self.slots.setdefault(company.urls[replica], asyncio.Semaphore(CONNECTIONS_PER_REPLICA))
            async with asyncio.timeout(max(0.01, scheduled + self.timeout - loop.time())), slots:
                response = await http.request(method, path, headers=company.headers, **options)
            if response.status_code >= 300:
                error = f"HTTP {response.status_code}"
                self.samples.setdefault(f"{kind} via {company.gateway}: {error}", response.text[:200])
            elif kind == "send":
                company.jobs.append(response.json()["id"])
        except httpx.HTTPError as exc:
            error = type(exc).__name__
        except TimeoutError:
            error = f"no answer within {self.timeout:g} s"
        except asyncio.CancelledError:
            error = "unanswered at the end"
        self.results.append(Result(kind, target, (loop.time() - scheduled) * 1000, error))

    async def run(self, rate: float, seconds: float, *, progress: bool = False) -> float:
        """Open loop: request i starts at start + i / rate. Returns the wall time it took. Requests
        still unanswered ``timeout`` seconds after the schedule ended are cancelled and count as errors,
        so a run always ends."""
        loop = asyncio.get_running_loop()
        total = int(rate * seconds)
        start = loop.time() + 0.2
        tasks = []
        next_report = start + 10
        for i in range(total):
            scheduled = start + i / rate
            delay = scheduled - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(self._one(i, scheduled)))
            if progress and loop.time() >= next_report:
                while next_report <= loop.time():
                    next_report += 10
                done = len(self.results)
                failed = sum(1 for r in self.results if r.error)
                print(
                    f"  {loop.time() - start:5.1f} s: {len(tasks)} started, {done} done "
                    f"({failed} errors), {len(tasks) - done} in flight",
                    flush=True,
                )
        _, pending = await asyncio.wait(tasks, timeout=self.timeout + 1) if tasks else (set(), set())
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending)
        return loop.time() - start


def percentile(ordered: list[float], p: float) -> float:
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


@dataclass(frozen=True)
class Summary:
    count: int
    errors: int
    p50: float
    p95: float
    p99: float


def summarise(results: list[Result]) -> Summary:
    ordered = sorted(r.latency_ms for r in results)
    errors = sum(1 for r in results if r.error)
    if not ordered:
        return Summary(0, 0, 0.0, 0.0, 0.0)
    return Summary(
        len(ordered), errors, statistics.median(ordered), percentile(ordered, 95), percentile(ordered, 99)
    )


def report(load: Load, rate: float, seconds: float, wall: float) -> Summary:
    results, lag_ms, samples = load.results, load.lag_ms, load.samples
    by_kind: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        gateway = r.target.rsplit("-", 1)[0]
        for label in (r.kind, f"{r.kind} via {gateway}", f"all via {gateway}"):
            by_kind[label].append(r)
    print(f"{'kind':<18}{'requests':>9}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    labels = [
        f"{k}{g}" for k in ("send", "job", "jobs-list", "lookup") for g in ("", " via qbo", " via qbwc")
    ]
    for label in [*labels, "all via qbo", "all via qbwc", "all"]:
        s = summarise(results if label == "all" else by_kind[label])
        name = label if " via " not in label or label.startswith("all") else "  " + label.split(" ", 1)[1]
        print(f"{name:<18}{s.count:>9}{s.errors:>8}{s.p50:>9.1f}{s.p95:>9.1f}{s.p99:>9.1f}")
    overall = summarise(results)
    achieved = len(results) / wall if wall else 0.0
    print(
        f"achieved: {achieved:.1f} req/s of {rate:g} asked ({len(results)} requests answered or failed in "
        f"{wall:.1f} s; the schedule was {seconds:g} s); errors: {overall.errors} "
        f"({100 * overall.errors / max(1, overall.count):.2f} %)"
    )
    if lag_ms:
        lag = sorted(lag_ms)
        print(
            f"load generator's own lag behind the schedule: p50 {statistics.median(lag):.1f} ms, p99 {percentile(lag, 99):.1f} ms"
        )
    kinds = Counter(f"{r.kind} via {r.target.rsplit('-', 1)[0]}: {r.error}" for r in results if r.error)
    for what, n in kinds.most_common():
        print(f"error: {what} × {n}" + (f" -- {samples[what]}" if what in samples else ""))
    per_replica = Counter(r.target for r in results)
    print("per replica: " + ", ".join(f"{t} {n}" for t, n in sorted(per_replica.items())))
    return overall


async def drive(
    companies: list[Company], rate: float, seconds: float, request_timeout: float
) -> tuple[Load, float]:
    urls = sorted({url for c in companies for url in c.urls})
    limits = httpx.Limits(
        max_connections=CONNECTIONS_PER_REPLICA, max_keepalive_connections=CONNECTIONS_PER_REPLICA
    )
    clients = {url: httpx.AsyncClient(base_url=url, limits=limits, timeout=None) for url in urls}
    main_task = asyncio.current_task()
    if main_task is not None:  # SIGTERM (`timeout`, `kill`): stop, and let the caller stop the services
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, main_task.cancel)
    try:
        load = Load(companies, clients, request_timeout)
        # A short warm-up (connections, the Online companies' lists read once), not counted.
        await load.run(min(rate, 20.0), 1.0)
        load.results.clear()
        load.lag_ms.clear()
        wall = await load.run(rate, seconds, progress=True)
        return load, wall
    finally:
        for client in clients.values():
            await client.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=200.0, help="requests a second, over everything")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--replicas", type=int, default=2, help="processes of each gateway to start")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE)
    parser.add_argument(
        "--timeout", type=float, default=5.0, help="a request without an answer by then is an error"
    )
    parser.add_argument(
        "--qbo-url", action="append", default=[], help="a running qbo-gateway replica (repeat)"
    )
    parser.add_argument(
        "--qbwc-url", action="append", default=[], help="a running qbwc-gateway replica (repeat)"
    )
    parser.add_argument(
        "--no-worker", action="store_true", help="start the qbo-gateways without their worker"
    )
    parser.add_argument(
        "--sweep", action="store_true", help="one replica each, rising rates: one process's capacity"
    )
    parser.add_argument(
        "--qbo-companies",
        type=int,
        default=10,
        help="QuickBooks Online companies, each with its own realm (Intuit allows 10 requests/s a realm)",
    )
    parser.add_argument("--sweep-rates", default="50,100,150,200,300,400")
    parser.add_argument("--step-seconds", type=float, default=10.0)
    args = parser.parse_args()

    # `timeout`, `kill`: leave through the finally blocks, so the services started are stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    database_url = ensure_database(args.database_url)
    run = f"{int(time.time()):x}{random.randrange(16**3):03x}"
    replicas = 1 if args.sweep else args.replicas
    logs = Path(tempfile.mkdtemp(prefix="espqb-load-"))
    given = bool(args.qbo_url or args.qbwc_url)
    if given and not (args.qbo_url and args.qbwc_url):
        raise SystemExit("give both --qbo-url and --qbwc-url, or neither")
    with contextlib.ExitStack() as stack:
        if given:
            urls = {"qbo": args.qbo_url, "qbwc": args.qbwc_url}
        else:
            urls = stack.enter_context(services(database_url, replicas, logs, worker=not args.no_worker))
        rng = random.Random(15)
        onlines = [set_up_online(urls["qbo"], run, n) for n in range(args.qbo_companies)]
        desktop = set_up_desktop(urls["qbwc"], run, database_url, rng)
        for company in (*onlines, desktop):
            seed_jobs(company, count=max(4, 20 // len(onlines)) if company.gateway == "qbo" else 20)
        # Half of the requests to each gateway: the Online companies take turns in the Online half.
        companies = [c for online in onlines for c in (online, desktop)]
        where = make_url(database_url).render_as_string(hide_password=True).split("@")[-1]
        shape = f"{len(urls['qbo'])} × qbo-gateway, {len(urls['qbwc'])} × qbwc-gateway"
        print(f"bench/load.py: {shape}, PostgreSQL {where}; logs in {logs if not given else '(given URLs)'}")
        print(f"cpu cores: {os.cpu_count()}; the load generator shares them")
        if not args.sweep:
            print(f"\nopen loop at {args.rate:g} req/s for {args.seconds:g} s, half to each gateway:")
            load, wall = asyncio.run(drive(companies, args.rate, args.seconds, args.timeout))
            report(load, args.rate, args.seconds, wall)
            return
        capacity = 0.0
        for rate in (float(r) for r in args.sweep_rates.split(",")):
            print(f"\nstep: {rate:g} req/s for {args.step_seconds:g} s ({rate / 2:g} a process)")
            load, wall = asyncio.run(drive(companies, rate, args.step_seconds, args.timeout))
            overall = report(load, rate, args.step_seconds, wall)
            kept_up = len(load.results) / wall >= 0.95 * rate
            if overall.errors or overall.p99 > P99_LIMIT_MS or not kept_up:
                why = (
                    "errors"
                    if overall.errors
                    else ("p99 > 250 ms" if overall.p99 > P99_LIMIT_MS else "fell behind")
                )
                print(f"\nstopped at {rate:g} req/s ({why})")
                break
            capacity = rate
        print(
            f"capacity of one process of each gateway (mixed traffic, p99 ≤ {P99_LIMIT_MS:g} ms, no errors): "
            f"{capacity:g} req/s over the two, about {capacity / 2:g} req/s a process"
        )


if __name__ == "__main__":
    try:
        main()
    except asyncio.CancelledError:  # SIGTERM during the load: the services were stopped on the way out
        sys.exit(143)
