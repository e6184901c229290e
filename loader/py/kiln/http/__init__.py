"""HTTP from Python over the host's fetch (Pyodide's `pyodide.http`, which
re-exports this): pyfetch (async), open_url and pyxhr (blocking). urllib,
http.client and urllib3/requests go through the same blocking transport."""

from __future__ import annotations

from io import StringIO

from . import _transport, pyxhr
from ._errors import AbortError, BodyUsedError, HttpStatusError, XHRError, XHRNetworkError, XHRTimeoutError
from ._fetch import FetchResponse, pyfetch
from ._transport import CertificateVerifyError

__all__ = [
    "AbortError",
    "BodyUsedError",
    "CertificateVerifyError",
    "FetchResponse",
    "HttpStatusError",
    "XHRError",
    "XHRNetworkError",
    "XHRTimeoutError",
    "open_url",
    "pyfetch",
    "pyxhr",
]


def open_url(url: str, *, timeout: float | None = None) -> StringIO:
    """Fetch `url`, blocking, and return its body as text (decoded with the
    charset its Content-Type names, UTF-8 by default)."""
    response = pyxhr.get(url, timeout=timeout)
    content_type = response.headers.get("content-type", "")
    charset = next((part.split("=", 1)[1].strip() for part in content_type.split(";") if part.strip().startswith("charset=")), "utf-8")
    return StringIO(response.content.decode(charset, errors="replace"))
