"""Serve the Intuit sandbox on a real loopback port for the length of a test or script.

    async with serve_on_loopback(create_intuit_app(sandbox)) as base_url:
        async with httpx.AsyncClient(base_url=base_url) as client:
            ...

The socket is bound before the server starts (port 0, chosen by the OS), so there is no race for a
"free" port. Client timeouts work against it, unlike against ``httpx.ASGITransport``.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI


@asynccontextmanager
async def serve_on_loopback(app: FastAPI, *, host: str = "127.0.0.1") -> AsyncIterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off", ws="none", http="h11", access_log=False)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()  # surfaces the start-up error
                raise RuntimeError("uvicorn stopped before it started")
            await asyncio.sleep(0.01)
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()
