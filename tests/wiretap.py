"""A TCP relay on 127.0.0.1 that keeps every byte passing through it, to compare with the WARCs.

Put in front of the fixture server, it shows exactly what the server sent and the crawler asked,
so a test can check a stored record byte by byte against the wire. `exchanges()` splits each
connection into HTTP/1.1 request and response messages (Content-Length or chunked bodies; a
response the client broke off keeps what arrived).
"""

from __future__ import annotations

import contextlib
import socket
import threading
from dataclasses import dataclass
from types import TracebackType
from typing import Self


@dataclass(frozen=True)
class WireResponse:
    status_line: bytes
    header_lines: list[bytes]  # each "Name: value", as sent
    body: bytes  # as sent: still chunk-framed if chunked, possibly cut short
    content: bytes  # the body with chunk framing removed

    def header_pairs(self) -> list[tuple[bytes, bytes]]:
        pairs = []
        for line in self.header_lines:
            name, _, value = line.partition(b":")
            pairs.append((name, value.strip()))
        return pairs


@dataclass(frozen=True)
class WireExchange:
    request_line: bytes
    request_header_lines: list[bytes]
    response: WireResponse

    @property
    def target(self) -> str:
        return self.request_line.split(b" ")[1].decode("ascii")


class WireTap:
    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.base_url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self._lock = threading.Lock()
        self._streams: list[tuple[bytearray, bytearray]] = []  # (client -> server, reverse)
        self._threads: list[threading.Thread] = []
        self._accepting = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> Self:
        self._accepting.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        self.listener.close()
        self._accepting.join(timeout=10)
        for thread in list(self._threads):
            thread.join(timeout=10)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # the listener was closed
            server = socket.create_connection(self.upstream)
            sent, received = bytearray(), bytearray()
            with self._lock:
                self._streams.append((sent, received))
            for source, sink, log in ((client, server, sent), (server, client, received)):
                thread = threading.Thread(target=_pump, args=(source, sink, log), daemon=True)
                self._threads.append(thread)
                thread.start()

    def exchanges(self) -> list[WireExchange]:
        with self._lock:
            streams = [(bytes(sent), bytes(received)) for sent, received in self._streams]
        found = []
        for sent, received in streams:
            requests = [m for m in sent.split(b"\r\n\r\n") if m]  # GET requests: no bodies
            responses = _responses(received)
            for request, response in zip(requests, responses, strict=False):
                request_line, *lines = request.split(b"\r\n")
                found.append(WireExchange(request_line, lines, response))
        return found


def _pump(source: socket.socket, sink: socket.socket, log: bytearray) -> None:
    try:
        while data := source.recv(65536):
            log.extend(data)
            sink.sendall(data)
    except OSError:
        pass  # one side went away; the other is closed below
    finally:
        for sock in (sink, source):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


def _responses(data: bytes) -> list[WireResponse]:
    out = []
    while data:
        head, _, rest = data.partition(b"\r\n\r\n")
        status_line, *lines = head.split(b"\r\n")
        headers = {n.strip().lower(): v.strip() for n, _, v in (x.partition(b":") for x in lines)}
        if headers.get(b"transfer-encoding") == b"chunked":
            body, content, data = _chunked(rest)
        else:
            length = int(headers.get(b"content-length", b"0"))
            body = content = rest[:length]
            data = rest[length:]
        out.append(WireResponse(status_line, lines, body, content))
    return out


def _chunked(data: bytes) -> tuple[bytes, bytes, bytes]:
    """(framed body, content, what follows) of a chunked body at the start of `data`."""
    content, position = b"", 0
    while True:
        size_line, _, _ = data[position:].partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        start = position + len(size_line) + 2
        content += data[start : start + size]
        position = start + size + 2
        if size == 0:
            return data[:position], content, data[position:]
