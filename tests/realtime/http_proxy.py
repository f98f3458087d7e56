"""A small real HTTP proxy on 127.0.0.1 for the tests, the two ways aiohttp uses one: CONNECT tunnels
(https://, wss://) and requests sent with their absolute URL (http://, ws://, the WebSocket upgrade
too). It carries the bytes both ways, counts what it carried, can ask for a login (407) or refuse
tunnels (403), maps host names the tests make up (`demo.invalid`, which resolves nowhere, so a call
that works went through the proxy) to 127.0.0.1, and can end the TLS of a tunnel with a test
certificate so that an https:// endpoint reaches the plain demo server."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import ssl
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

CRLF = "\r\n"


@dataclass
class HttpProxy:
    routes: dict[str, tuple[str, int]] = field(default_factory=dict)  # "host:port" -> where it goes
    login: str = ""  # "user:password" the proxy asks for ("" = none)
    refuse_tunnels: int = 0  # an HTTP status that answers every CONNECT (0 = tunnel)
    tls: ssl.SSLContext | None = None  # end each tunnel's TLS here (the test's certificate)
    carried: list[str] = field(default_factory=list)  # "CONNECT host:port" or "GET http://…"
    refused: list[str] = field(default_factory=list)
    _server: asyncio.Server | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def start(self) -> str:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await self._handle(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
            pass
        finally:
            self._tasks.discard(task)
            writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        method, target, version = request_line.split(" ")
        headers = [line for line in header_lines if line]
        if not self._authorised(headers):
            self.refused.append(f"{method} {target}")
            writer.write(
                b'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n'
                b"Content-Length: 0\r\nConnection: close\r\n\r\n"
            )
            await writer.drain()
            return
        if method == "CONNECT":
            await self._tunnel(target, reader, writer)
        else:
            await self._forward(method, target, version, headers, reader, writer)

    def _authorised(self, headers: list[str]) -> bool:
        if not self.login:
            return True
        expected = "Basic " + base64.b64encode(self.login.encode()).decode()
        return any(
            name.strip().lower() == "proxy-authorization" and value.strip() == expected
            for name, _, value in (line.partition(":") for line in headers)
        )

    def _route(self, host: str, port: int) -> tuple[str, int]:
        return self.routes.get(f"{host}:{port}", (host, port))

    async def _tunnel(self, target: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.refuse_tunnels:
            self.refused.append(f"CONNECT {target}")
            writer.write(f"HTTP/1.1 {self.refuse_tunnels} Forbidden\r\nContent-Length: 0\r\n\r\n".encode())
            await writer.drain()
            return
        host, _, port = target.rpartition(":")
        far_reader, far_writer = await asyncio.open_connection(*self._route(host, int(port)))
        self.carried.append(f"CONNECT {target}")
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()
        if self.tls is not None:
            await writer.start_tls(self.tls)
        await _pipe(reader, writer, far_reader, far_writer)

    async def _forward(
        self,
        method: str,
        target: str,
        version: str,
        headers: list[str],
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        url = urlsplit(target)  # a request for a proxy names its whole URL
        assert url.hostname is not None, target
        far_reader, far_writer = await asyncio.open_connection(*self._route(url.hostname, url.port or 80))
        answers = asyncio.ensure_future(_copy(far_reader, writer))
        try:
            # Each request of the kept-alive connection is seen and counted, until an upgrade (then
            # the WebSocket's frames go both ways as they are).
            while True:
                self.carried.append(f"{method} {target}")
                await _send_on(method, target, version, headers, reader, far_writer)
                if any(line.lower().startswith("upgrade:") for line in headers):
                    await _copy(reader, far_writer)
                    break
                head = await reader.readuntil(b"\r\n\r\n")
                request_line, *lines = head.decode("latin-1").split("\r\n")
                method, target, version = request_line.split(" ")
                headers = [line for line in lines if line]
            await answers
        finally:
            answers.cancel()
            far_writer.close()


async def _send_on(
    method: str,
    target: str,
    version: str,
    headers: list[str],
    reader: asyncio.StreamReader,
    far_writer: asyncio.StreamWriter,
) -> None:
    """One request to the server, in origin form, with its body (Content-Length: what aiohttp sends)."""
    url = urlsplit(target)
    path = url.path + (f"?{url.query}" if url.query else "")
    kept = [line for line in headers if not line.lower().startswith("proxy-")]
    far_writer.write(f"{method} {path} {version}\r\n{''.join(line + CRLF for line in kept)}\r\n".encode())
    length = next(
        (
            int(value)
            for name, _, value in (line.partition(":") for line in kept)
            if name.lower() == "content-length"
        ),
        0,
    )
    if length:
        far_writer.write(await reader.readexactly(length))
    await far_writer.drain()


async def _copy(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError):
        while data := await source.read(65536):
            sink.write(data)
            await sink.drain()
    with contextlib.suppress(Exception):
        sink.close()


async def _pipe(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    far_reader: asyncio.StreamReader,
    far_writer: asyncio.StreamWriter,
) -> None:
    """Bytes both ways until either side closes."""

    try:
        await asyncio.gather(_copy(reader, far_writer), _copy(far_reader, writer))
    finally:
        far_writer.close()


class ProxyThread:
    """The proxy on a loop of its own, for a test that runs the app in another process."""

    def __init__(self, proxy: HttpProxy) -> None:
        import threading

        self.proxy = proxy
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def __enter__(self) -> ProxyThread:
        self._thread.start()
        self.url = asyncio.run_coroutine_threadsafe(self.proxy.start(), self._loop).result(10)
        return self

    def __exit__(self, *_exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.proxy.stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()


def make_certificate(folder: Path, host: str) -> tuple[Path, ssl.SSLContext]:
    """A self-signed certificate for `host` (its PEM file, for SSL_CERT_FILE) and a server context
    that presents it."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "proxy-test-cert.pem", folder / "proxy-test-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    return cert_path, context
