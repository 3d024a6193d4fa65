"""`TcpProxy`: a loopback relay to a server that a test can cut and restore on the same port.

To the code under test that is a real network outage (refused connections, reset sockets),
while the server behind it stays up. It relays plain TCP, so the outage tests need an
``http://`` endpoint (moto, MinIO, LocalStack on this host).
"""

from __future__ import annotations

import contextlib
import socket
import threading

__all__ = ["LOOPBACK", "TcpProxy"]

LOOPBACK = "127.0.0.1"


class TcpProxy:
    """Relays 127.0.0.1:`port` to `target`; `stop()` cuts every connection and refuses new
    ones, `start()` listens again on the same port."""

    def __init__(self, target_url: str) -> None:
        host_port = target_url.split("://", 1)[1].rstrip("/")
        host, _, port = host_port.rpartition(":")
        self.target = (host.strip("[]"), int(port))
        with socket.create_server((LOOPBACK, 0)) as probe:
            self.port = int(probe.getsockname()[1])
        self.url = f"http://{LOOPBACK}:{self.port}"
        self._listener: socket.socket | None = None
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._accepting: threading.Thread | None = None

    def __enter__(self) -> TcpProxy:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        assert self._listener is None, "already started"
        self._listener = socket.create_server((LOOPBACK, self.port))  # SO_REUSEADDR is set
        self._listener.settimeout(0.1)
        self._accepting = threading.Thread(target=self._accept, args=(self._listener,), daemon=True)
        self._accepting.start()

    def stop(self) -> None:
        listener, self._listener = self._listener, None
        if listener is None:
            return
        listener.close()
        if self._accepting is not None:
            self._accepting.join(timeout=5)
        with self._lock:
            connections, self._connections = self._connections, set()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()

    @property
    def running(self) -> bool:
        return self._listener is not None

    def _accept(self, listener: socket.socket) -> None:
        while listener.fileno() != -1:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # closed by stop()
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._connections |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(256 * 1024):
                sink.sendall(data)
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
