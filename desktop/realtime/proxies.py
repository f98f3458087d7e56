"""Which proxy each HTTP request of the app goes through, and a proxy's refusal as one sentence.

One decision for every HTTP client of the app (the key mint, the token service, the SDP exchange, the
WebSocket upgrade, the embeddings): each request is given `proxy_for(url)`. That reads the system's
proxy the way Python's `urllib` does: HTTPS_PROXY / HTTP_PROXY / NO_PROXY (either case) everywhere,
and where they are unset, the proxy set in Windows' Internet Settings (the registry) or macOS' network
settings. A proxy auto-configuration (PAC) script is not read.

Why not aiohttp's `trust_env=True`: it also sends a ~/.netrc login for the *service's* host as Basic
auth (beside an `api-key` header, or a ValueError beside our Bearer header), and it looks up a wss://
URL under WSS_PROXY only, so HTTPS_PROXY would not carry the WebSocket. Here wss:// goes through the
https proxy and ws:// through the http one, as a browser does; a user:password in the proxy URL is
passed on (aiohttp sends it as Proxy-Authorization) and never logged or shown.

This computer's own addresses (localhost, 127.0.0.0/8, ::1) always go direct, whatever NO_PROXY says:
a proxy elsewhere cannot reach them, and the demo server and a local token service live there.
How aiohttp uses the proxy: https:// and wss:// through a CONNECT tunnel; http:// and ws:// by sending
the request (the WebSocket upgrade too) with its absolute URL to the proxy.

The lookup runs in a worker thread, never on the event loop (the GUI thread): urllib's bypass check
may resolve host names (macOS, when its bypass list has an address range such as 169.254/16; Windows'
registry bypass), which can take seconds. It asks for the scheme's proxy first and goes direct without
a bypass check when there is none, and it is made once per host and scheme for one HTTP session (one
connect's mint, SDP offer or upgrade; the embeddings client's one session keeps what it found until
it is closed). The failure sentences take the proxy found then.
"""

from __future__ import annotations

import asyncio
import base64
import ipaddress
import logging
import urllib.request
import weakref
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from desktop.realtime.errors import SessionError
from desktop.realtime.masking import remember_secrets

if TYPE_CHECKING:
    import aiohttp

log = logging.getLogger(__name__)

# The proxy entry each scheme goes through, in order of preference.
_SCHEMES = {"https": ("https",), "wss": ("wss", "https"), "http": ("http",), "ws": ("ws", "http")}
PROXY_AUTH_REQUIRED = 407
PROXY_GATEWAY_FAILURES = frozenset({502, 503, 504})  # bad gateway, unavailable, gateway timeout


def is_loopback(host: str) -> bool:
    """localhost, 127.0.0.0/8 or ::1: never through a proxy."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def proxy_url_for(url: str) -> str:
    """The proxy URL (credentials included) that `url` goes through, or "" for a direct connection.
    It may block (see above): on the event loop, call `proxy_for`."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host or is_loopback(host):
        return ""
    proxies = urllib.request.getproxies()
    proxy = next((proxies[name] for name in _SCHEMES.get(parts.scheme.lower(), ()) if proxies.get(name)), "")
    if not proxy or urllib.request.proxy_bypass(host):  # the bypass check only when there is a proxy
        return ""
    return proxy if "://" in proxy else f"http://{proxy}"  # Windows' registry has host:port


# One HTTP session's proxies, by (scheme, host): a connect asks once per host, off the loop.
_routes: weakref.WeakKeyDictionary[aiohttp.ClientSession, dict[tuple[str, str], str]] = (
    weakref.WeakKeyDictionary()
)


async def proxy_for(http: aiohttp.ClientSession, url: str) -> str | None:
    """The `proxy` argument of aiohttp's request or ws_connect that sends `url` the system's way,
    looked up in a worker thread once per host and scheme for `http`."""
    parts = urlsplit(url)
    key = (parts.scheme.lower(), (parts.hostname or "").lower())
    routes = _routes.setdefault(http, {})
    if key not in routes:
        routes[key] = await asyncio.to_thread(proxy_url_for, url)
    proxy = routes[key]
    if not proxy:
        return None
    remember_proxy_password(proxy)
    log.debug("%s goes through the proxy %s", shown_host(url), shown_host(proxy))
    return proxy


def remember_proxy_password(proxy: str) -> None:
    """Whatever logs the proxy's URL or login later, the log file shows its password masked, however
    short: as it stands in the URL (percent-encoded) and decoded, framed the ways it is shown (a URL's
    ":password@", aiohttp's BasicAuth repr, the Proxy-Authorization header); alone when 8 or more
    characters long."""
    parts = urlsplit(proxy)
    if not parts.password:
        return
    user, _, password = parts.netloc.rpartition("@")[0].partition(":")
    plain_user, plain = unquote(user), unquote(password)
    basic = base64.b64encode(f"{plain_user}:{plain}".encode("latin-1", "replace")).decode("ascii")
    framed = {f":{password}@", f":{plain}@", f"password='{plain}'", f'password="{plain}"', basic}
    remember_secrets(*framed, shortest=1)
    remember_secrets(password, plain)


def proxy_in_use(url: str) -> str:
    """host:port of the proxy that `url` goes through (no password), or "" for a direct connection."""
    proxy = proxy_url_for(url)
    return shown_host(proxy) if proxy else ""


def shown_host(url: str) -> str:
    """host:port of `url`, without any user name or password, for a sentence or the log."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    host = parts.hostname or "?"
    return f"{host}:{port}" if port else host


def proxy_auth_required(proxy: str | None) -> SessionError:
    """The proxy asked for a login (407), or refused the one in its URL. A 407 is only ever a proxy's
    (one the network puts in the way without a setting too)."""
    which = f"The proxy {shown_host(proxy)}" if proxy else "A proxy on this network"
    return SessionError(
        f"{which} asks for a user name and password (HTTP 407); give them in the proxy's "
        "address (http://user:password@host:port) or ask the network's administrator.",
        code="proxy_auth_required",
        retryable=False,
    )


def proxy_failure(exc: BaseException, url: str, proxy: str | None) -> SessionError | None:
    """A proxy's refusal or absence while asking for `url` through `proxy` as one sentence, or None
    when `exc` is not the proxy's (then the caller's own "could not reach" sentence stands)."""
    import aiohttp

    if not proxy:
        return None
    if isinstance(exc, aiohttp.ClientHttpProxyError):
        if exc.status == PROXY_AUTH_REQUIRED:
            return proxy_auth_required(proxy)
        if exc.status in PROXY_GATEWAY_FAILURES:  # the proxy tried, and the service's host did not answer
            return SessionError(
                f"The proxy {shown_host(proxy)} could not reach {shown_host(url)} (HTTP {exc.status}); "
                "check the endpoint, or try again later.",
                code="proxy_gateway",
            )
        return SessionError(
            f"The proxy {shown_host(proxy)} refused the connection to {shown_host(url)} (HTTP "
            f"{exc.status}); ask the network's administrator to allow it.",
            code="proxy_refused",
            retryable=False,
        )
    if isinstance(exc, aiohttp.ClientProxyConnectionError):
        return SessionError(
            f"Could not reach the proxy {shown_host(proxy)}; check the proxy setting (HTTPS_PROXY) and "
            "the network connection.",
            code="proxy_unreachable",
        )
    return None


def refused_by_proxy(status: int, proxy: str | None) -> SessionError | None:
    """A 407 that answered a request sent to the proxy (http:// and ws:// URLs): the proxy's, not the
    service's. None for any other status (a 403 may be either's: the service's sentence stands)."""
    if status == PROXY_AUTH_REQUIRED:
        return proxy_auth_required(proxy)
    return None


def loggable(exc: BaseException) -> str:
    """`exc` for a log line: aiohttp's proxy errors carry the proxy's URL with its password and the
    Proxy-Authorization header in their repr, and a failed connection (through a tunnel too) its
    connection key with the proxy's URL and login; those say only their status, or host and OS error."""
    import aiohttp

    if isinstance(exc, aiohttp.ClientResponseError):
        return f"{type(exc).__name__}(status={exc.status}, message={exc.message!r})"
    if isinstance(exc, aiohttp.ClientConnectorError):  # its connection key holds the proxy's URL and login
        return f"{type(exc).__name__}({exc.host}:{exc.port}, {exc.os_error!r})"
    return repr(exc)
