"""How long a service asks us to wait before the next request, from the headers of a 429 or 503.

`Retry-After` (RFC 9110) is either whole seconds or an HTTP date; Azure OpenAI also sends
`retry-after-ms`, which is more precise and wins when both are there. A value that cannot be read is
ignored: the app's own backoff applies then. How long the app is willing to wait is the reconnect
policy's business (desktop/session/reconnect.py), not this module's.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Mapping
from datetime import UTC
from email.utils import parsedate_to_datetime

# Plain ASCII digits, perhaps with a fraction: float() would also take 1e9, 1_000 and other scripts' digits.
_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?")


def retry_after(headers: Mapping[str, str], now: Callable[[], float] = time.time) -> float | None:
    """Seconds to wait (0 or more), or None when the headers name no usable wait.
    `now` is the wall clock an HTTP date is counted from."""
    lowered = {name.lower(): value for name, value in headers.items()}
    milliseconds = _number(lowered.get("retry-after-ms", ""))
    if milliseconds is not None:
        return milliseconds / 1000.0
    value = lowered.get("retry-after", "").strip()
    if not value:
        return None
    seconds = _number(value)
    return seconds if seconds is not None else _until_date(value, now())


def _number(text: str) -> float | None:
    if not _NUMBER.fullmatch(text.strip()):
        return None
    value = float(text.strip())
    return value if math.isfinite(value) else None


def _until_date(text: str, now: float) -> float | None:
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:  # RFC 9110 dates are GMT; a date without a zone is taken as such
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, moment.timestamp() - now)

