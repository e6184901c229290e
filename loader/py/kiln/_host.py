"""Objects the JS loader hands to the Python runtime at start-up (api.mjs):
what Python needs from its host to load packages and to make HTTP requests."""

from __future__ import annotations

#: loader/src/packages.mjs: loads packages on demand (split stdlib modules).
packages = None
#: loader/src/net/http_host.mjs: blocking HTTP requests.
http = None
#: loader/src/interrupts.mjs: sleeping, and waits that interrupts end.
system = None


def set_host(name: str, host: object) -> None:
    if name not in ("packages", "http", "system"):
        raise ValueError(f"unknown host object {name!r}")
    globals()[name] = host
