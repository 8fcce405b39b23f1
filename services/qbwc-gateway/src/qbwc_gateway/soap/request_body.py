"""Read a request body without ever holding more than the limit in memory.

The limit is checked against ``Content-Length`` before reading anything, and again while streaming,
because chunked requests have no length and a client may lie about it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from .faults import SoapFault

DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024


def too_large(max_bytes: int) -> SoapFault:
    return SoapFault.client(f"The request body exceeds the limit of {max_bytes} bytes.", http_status=413)


def check_declared_length(content_length: str | None, max_bytes: int) -> None:
    if content_length is None:
        return
    try:
        declared = int(content_length)
    except ValueError:
        raise SoapFault.client("Invalid Content-Length header.", http_status=400) from None
    if declared > max_bytes:
        raise too_large(max_bytes)


async def read_limited(chunks: AsyncIterator[bytes], max_bytes: int) -> bytes:
    """Concatenate ``chunks``; stop reading and raise a 413 fault as soon as ``max_bytes`` is passed."""
    buffer = bytearray()
    async for chunk in chunks:
        if len(buffer) + len(chunk) > max_bytes:
            raise too_large(max_bytes)
        buffer += chunk
    return bytes(buffer)
