"""The exceptions of kiln.http (Pyodide's names, so `except` clauses carry over)."""

from __future__ import annotations


class HttpStatusError(OSError):
    """Raised by raise_for_status() for a 4xx or 5xx response."""

    def __init__(self, status: int, status_text: str, url: str) -> None:
        self.status = status
        self.status_text = status_text
        self.url = url
        kind = "Client Error" if 400 <= status < 500 else "Server Error" if 500 <= status < 600 else "Error"
        super().__init__(f"{status} {kind}: {status_text} for url: {url}")

    def __reduce__(self):
        return (type(self), (self.status, self.status_text, self.url), self.__dict__)


class BodyUsedError(OSError):
    """The response body was already read (clone() the response to read it twice)."""

    def __init__(self, *args: object) -> None:
        super().__init__("Response body is already used")


class AbortError(OSError):
    """The request was aborted: abort(), an abort signal, or a cancelled task."""

    def __init__(self, reason: object = None) -> None:
        message = getattr(reason, "message", None) or (str(reason) if reason is not None else "The request was aborted")
        super().__init__(message)
        self.reason = reason


class XHRError(OSError):
    """A pyxhr request failed."""


class XHRNetworkError(XHRError):
    """A pyxhr request could not reach the server."""


class XHRTimeoutError(XHRError):
    """A pyxhr request timed out."""
