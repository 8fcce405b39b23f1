"""Real gateway processes on loopback ports, and a load balancer in front of them, for the tests
(and bench/load.py) that prove the gateways are stateless replicas.

Each replica is ``python -m uvicorn --factory <service>.app:create_app`` in a process of its own,
started with the environment it is given (DATABASE_URL first of all). ``RoundRobin`` is the one
address in front of them: an httpx transport that sends each request to the next live replica in
turn, as a load balancer does; a replica whose connection is refused is marked down and the request
goes to the next one (what nginx's ``proxy_next_upstream error`` does: the request never reached it).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from espqb.config import REPO_ROOT
from tests.support.servers import free_port

APPS = {"qbo": "qbo_gateway.app:create_app", "qbwc": "qbwc_gateway.app:create_app"}


@dataclass
class Replica:
    """One gateway process."""

    name: str
    app: str
    env: dict[str, str]
    log: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self) -> None:
        command = [sys.executable, "-m", "uvicorn", "--factory", self.app, "--host", "127.0.0.1"]
        command += ["--port", str(self.port), "--no-server-header", "--no-access-log"]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(command, cwd=REPO_ROOT, env=self.env, stdout=out, stderr=out)

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            if not self.alive or time.monotonic() > deadline:
                raise AssertionError(f"{self.name} did not come up:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: the process ends at once, whatever it was doing (a crash, an OOM kill)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def freeze(self) -> None:
        """SIGSTOP: the process takes no more CPU; connections to it are still accepted by the kernel."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGSTOP)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()


def start_all(replicas: Iterable[Replica]) -> None:
    """Start them side by side (each takes ~2 s to import and migrate-check), then wait for each."""
    replicas = list(replicas)
    for replica in replicas:
        replica.start()
    for replica in replicas:
        replica.wait_ready()


@dataclass
class Call:
    replica: int
    path: str
    soap_action: str


# A hook sees each request before it goes out, with the replica it is going to; it may act (kill a
# replica) and return an httpx exception to raise instead of forwarding, or None to forward.
BeforeHook = Callable[[Call, httpx.Request], Awaitable[None]]
# After the answer came back: may act, and raise to lose the answer on its way to the caller.
AfterHook = Callable[[Call, httpx.Response], Awaitable[None]]


class RoundRobin(httpx.AsyncBaseTransport):
    """One address in front of several replicas: each request goes to the next live one in turn."""

    def __init__(self, replicas: list[Replica]) -> None:
        self.replicas = replicas
        self.down: set[int] = set()
        self.calls: list[Call] = []
        self.before: BeforeHook | None = None
        self.after: AfterHook | None = None
        self._turn = itertools.count()
        # A fresh connection per request: a killed replica then shows as a refused connection,
        # never as a pooled keep-alive connection that breaks halfway.
        self._inner = httpx.AsyncHTTPTransport(limits=httpx.Limits(max_keepalive_connections=0))

    def _next(self) -> int:
        for _ in range(len(self.replicas)):
            index = next(self._turn) % len(self.replicas)
            if index not in self.down:
                return index
        raise httpx.ConnectError("no replica is up")

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        soap_action = request.headers.get("SOAPAction", "").strip('"').rsplit("/", 1)[-1]
        while True:
            index = self._next()
            replica = self.replicas[index]
            call = Call(index, request.url.path, soap_action)
            url = request.url.copy_with(scheme="http", host="127.0.0.1", port=replica.port)
            forwarded = httpx.Request(request.method, url, headers=request.headers, content=body)
            if self.before is not None:
                await self.before(call, forwarded)
            try:
                response = await self._inner.handle_async_request(forwarded)
            except httpx.ConnectError:
                # Refused: it never saw the request; a load balancer takes it out and tries the next.
                self.down.add(index)
                continue
            self.calls.append(call)
            await response.aread()
            if self.after is not None:
                await self.after(call, response)
            return response

    async def aclose(self) -> None:
        await self._inner.aclose()
