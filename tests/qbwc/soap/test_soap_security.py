"""Hostile bodies are refused quickly, with bounded memory, before anything behind the SOAP layer runs."""

from __future__ import annotations

import socket
import time
import tracemalloc
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import pytest
from lxml import etree

from qbwc_gateway.soap import DEFAULT_MAX_BODY_BYTES
from tests.qbwc.soap.fakes import FakeSessionHandler, HandlerProbe, make_app, soap_envelope, soap_headers

MB = 1024 * 1024
NS = {"soap": "http://schemas.xmlsoap.org/soap/envelope/"}


@dataclass
class Measured:
    seconds: float = 0.0
    peak_bytes: int = 0


@contextmanager
def measured() -> Iterator[Measured]:
    result = Measured()
    tracemalloc.start()
    started = time.perf_counter()
    try:
        yield result
    finally:
        result.seconds = time.perf_counter() - started
        result.peak_bytes = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()


def billion_laughs(levels: int = 10) -> str:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels)
    ]
    return f"<!DOCTYPE soap:Envelope [{''.join(entities)}]>"


def with_doctype(doctype: str, value: str, *, encoding: str = "utf-8") -> bytes:
    text = (
        f'<?xml version="1.0" encoding="{encoding}"?>{doctype}'
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
        f'<authenticate xmlns="http://developer.intuit.com/"><strUserName>{value}</strUserName>'
        "<strPassword>x</strPassword></authenticate></soap:Body></soap:Envelope>"
    )
    return text.encode(encoding)


@pytest.fixture
def handler() -> FakeSessionHandler:
    return FakeSessionHandler()


async def send(
    body: bytes | AsyncIterator[bytes], handler: FakeSessionHandler, probe: HandlerProbe, **router_kwargs: int
) -> httpx.Response:
    app = make_app(handler, probe, **router_kwargs)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as client:
        return await client.post("/qbwc", content=body, headers=soap_headers())


def assert_client_fault(response: httpx.Response, status: int = 500) -> str:
    assert response.status_code == status
    fault = etree.fromstring(response.content).find("soap:Body/soap:Fault", NS)
    assert fault is not None
    assert fault.findtext("faultcode") == "soap:Client"
    return fault.findtext("faultstring") or ""


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
async def test_billion_laughs_is_refused_without_expansion(
    encoding: str, handler: FakeSessionHandler
) -> None:
    probe = HandlerProbe()
    body = with_doctype(billion_laughs(), "&lol9;", encoding=encoding)

    with measured() as cost:
        response = await send(body, handler, probe)

    assert "Document Type Declaration" in assert_client_fault(response)
    assert handler.calls == [] and probe.resolved == 0
    assert cost.seconds < 2
    assert cost.peak_bytes < 2 * MB  # 10**9 "lol"s would be 3 GB


async def test_external_file_entity_is_not_read(handler: FakeSessionHandler) -> None:
    probe = HandlerProbe()
    body = with_doctype('<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', "&xxe;")

    response = await send(body, handler, probe)

    assert_client_fault(response)
    assert "root:" not in response.text
    assert handler.calls == [] and probe.resolved == 0


async def test_external_http_entity_is_not_fetched(handler: FakeSessionHandler) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.setblocking(False)
    port = listener.getsockname()[1]
    probe = HandlerProbe()
    try:
        body = with_doctype(f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "http://127.0.0.1:{port}/secret">]>', "&xxe;")
        response = await send(body, handler, probe)
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody connected: the entity was never fetched
    finally:
        listener.close()

    assert_client_fault(response)
    assert handler.calls == [] and probe.resolved == 0


async def test_20mb_body_with_content_length_is_refused_before_reading(handler: FakeSessionHandler) -> None:
    probe = HandlerProbe()
    body = soap_envelope("receiveResponseXML", "<response>" + "A" * (20 * MB) + "</response>")

    with measured() as cost:
        response = await send(body, handler, probe)

    assert "exceeds the limit" in assert_client_fault(response, status=413)
    assert handler.calls == [] and probe.resolved == 0
    assert cost.seconds < 2
    assert cost.peak_bytes < 1 * MB


async def test_20mb_chunked_body_is_cut_off_at_the_limit(handler: FakeSessionHandler) -> None:
    probe = HandlerProbe()
    chunk = b"A" * (64 * 1024)
    sent_chunks = 0

    async def twenty_megabytes() -> AsyncIterator[bytes]:
        # No Content-Length: the limit has to be enforced while the stream is read.
        nonlocal sent_chunks
        yield soap_envelope("receiveResponseXML", "<response>")[:-60]
        for _ in range(20 * MB // len(chunk)):
            sent_chunks += 1
            yield chunk

    with measured() as cost:
        response = await send(twenty_megabytes(), handler, probe)

    assert_client_fault(response, status=413)
    assert handler.calls == [] and probe.resolved == 0
    assert cost.seconds < 5
    # Reading stopped just past the 10 MB limit, and at most that much was ever held.
    assert sent_chunks <= DEFAULT_MAX_BODY_BYTES // len(chunk) + 2
    assert cost.peak_bytes < DEFAULT_MAX_BODY_BYTES * 1.4


async def test_limit_is_configurable_and_inclusive(handler: FakeSessionHandler) -> None:
    body = soap_envelope("closeConnection", "<ticket>T</ticket>")
    accepted = await send(body, handler, HandlerProbe(), max_body_bytes=len(body))
    refused = await send(body, handler, HandlerProbe(), max_body_bytes=len(body) - 1)
    assert accepted.status_code == 200
    assert_client_fault(refused, status=413)
