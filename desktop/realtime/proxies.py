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
"""

from __future__ import annotations

import ipaddress
import logging
import urllib.request
from urllib.parse import urlsplit

from desktop.realtime.errors import SessionError
from desktop.realtime.masking import remember_secrets

log = logging.getLogger(__name__)

# The proxy entry each scheme goes through, in order of preference.
_SCHEMES = {"https": ("https",), "wss": ("wss", "https"), "http": ("http",), "ws": ("ws", "http")}
PROXY_AUTH_REQUIRED = 407


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
    """The proxy URL (credentials included) that `url` goes through, or "" for a direct connection."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host or is_loopback(host) or urllib.request.proxy_bypass(host):
        return ""
    proxies = urllib.request.getproxies()
    for name in _SCHEMES.get(parts.scheme.lower(), ()):
        if proxies.get(name):
            proxy = proxies[name]
            return proxy if "://" in proxy else f"http://{proxy}"  # Windows' registry has host:port
    return ""


def proxy_for(url: str) -> str | None:
    """The `proxy` argument of aiohttp's request or ws_connect that sends `url` the system's way."""
    proxy = proxy_url_for(url)
    if not proxy:
        return None
    password = urlsplit(proxy).password
    if password:
        remember_secrets(password)  # whatever logs the proxy's URL later, the log file shows it masked
    log.debug("%s goes through the proxy %s", shown_host(url), shown_host(proxy))
    return proxy


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


def proxy_auth_required(url: str) -> SessionError:
    """The proxy asked for a login (407), or refused the one in its URL. A 407 is only ever a proxy's
    (one the network puts in the way without a setting too)."""
    proxy = proxy_url_for(url)
    which = f"The proxy {shown_host(proxy)}" if proxy else "A proxy on this network"
    return SessionError(
        f"{which} asks for a user name and password (HTTP 407); give them in the proxy's "
        "address (http://user:password@host:port) or ask the network's administrator.",
        code="proxy_auth_required",
        retryable=False,
    )


def proxy_failure(exc: BaseException, url: str) -> SessionError | None:
    """A proxy's refusal or absence while asking for `url` as one sentence, or None when `exc` is not
    the proxy's (then the caller's own "could not reach" sentence stands)."""
    import aiohttp

    proxy = proxy_url_for(url)
    if not proxy:
        return None
    if isinstance(exc, aiohttp.ClientHttpProxyError):
        if exc.status == PROXY_AUTH_REQUIRED:
            return proxy_auth_required(url)
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


def refused_by_proxy(status: int, url: str) -> SessionError | None:
    """A 407 that answered a request sent to the proxy (http:// and ws:// URLs): the proxy's, not the
    service's. None for any other status (a 403 may be either's: the service's sentence stands)."""
    if status == PROXY_AUTH_REQUIRED:
        return proxy_auth_required(url)
    return None


def loggable(exc: BaseException) -> str:
    """`exc` for a log line: aiohttp's proxy errors carry the proxy's URL with its password and the
    Proxy-Authorization header in their repr, so those say only their status."""
    import aiohttp

    if isinstance(exc, aiohttp.ClientResponseError):
        return f"{type(exc).__name__}(status={exc.status}, message={exc.message!r})"
    return repr(exc)
