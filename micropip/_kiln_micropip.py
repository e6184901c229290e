"""Kiln's adapter around upstream micropip, which stays unchanged.

micropip runs on the surfaces Kiln provides as Pyodide does (`_pyodide_core`,
`pyodide.http.pyfetch`, `pyodide_js._api`, ...). This module adds, around
`micropip.install` (replaced on import by a wrapper that calls the original):

* one transaction per install: wheels are staged and written only when the
  whole install succeeded, so a failure leaves nothing half-installed
  (micropip itself installs wheels concurrently and stops at the first error);
* wheel downloads through Kiln's package cache (Cache API / a cache folder);
* errors that say what went wrong: what the index answered, the closest
  package names, which wheel failed its checksum, which packages Kiln has
  built for WASM.
"""

from __future__ import annotations

import asyncio
import difflib
import functools
import re
import warnings
from typing import Any

import _kiln_core

from kiln import _host, _packages
from kiln.ffi import JsException, to_js
from kiln.http import _fetch

_js = _kiln_core.js_global()

_PYPI_HOSTS = ("pypi.org", "files.pythonhosted.org")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


class _DownloadLog:
    """What every URL fetched during one install answered."""

    def __init__(self) -> None:
        self.answers: dict[str, dict[str, Any]] = {}

    async def fetch(self, request, options):
        """pyfetch's fetcher during an install: wheels through the package cache."""
        url = request if isinstance(request, str) else str(request.url)
        method = str(getattr(options, "method", None) or "GET").upper()
        try:
            if method == "GET" and url.split("#", 1)[0].split("?", 1)[0].endswith(".whl"):
                response = await _host.packages.fetchWheel(url, options)
            else:
                response = await _js.fetch(request, options)
        except Exception as error:
            self.answers[url] = {"error": str(error)}
            raise
        self.answers[url] = {
            "status": int(response.status),
            "statusText": str(response.statusText),
            "sha256": response.headers.get("x-kiln-sha256"),
            "cached": response.headers.get("x-kiln-cache") == "hit",
        }
        return response

    def describe(self, url: str) -> str | None:
        answer = self.answers.get(url)
        if answer is None:
            return None
        if "error" in answer:
            return f"{url} failed: {answer['error']}"
        return f"{url} answered {answer['status']} {answer['statusText']}".rstrip()

    def url_with_sha256(self, sha256: str) -> str | None:
        return next((url for url, a in self.answers.items() if a.get("sha256") == sha256), None)

    def stale_cached_wheel(self, error: BaseException) -> str | None:
        """The URL of a wheel served from the cache that failed the index's checksum."""
        match = re.search(r"Invalid checksum: expected \w+, got (\w+)", str(error))
        url = match and self.url_with_sha256(match.group(1))
        return url if url and self.answers[url].get("cached") else None


def _lock_packages() -> dict[str, dict]:
    packages = _host.packages.lockfilePackages()
    return packages.to_py() if packages is not None else {}


def _closest(name: str, candidates: list[str]) -> list[str]:
    return difflib.get_close_matches(_canonical(name), sorted(set(candidates)), n=3, cutoff=0.6)


async def _index_projects(index_urls: list[str]) -> list[str]:
    """Project names the (non-PyPI) indexes list at their root (PEP 691), for hints."""
    names: list[str] = []
    for index in index_urls:
        if "{package_name}" in index or any(host in index for host in _PYPI_HOSTS):
            continue
        try:
            options = to_js({"headers": {"accept": "application/vnd.pypi.simple.v1+json"}}, dict_converter=_js.Object.fromEntries)
            response = await _js.fetch(index.rstrip("/") + "/", options)
            if response.ok and "json" in str(response.headers.get("content-type")):
                names += [project["name"] for project in (await response.json()).to_py().get("projects", [])]
        except Exception:
            continue
    return names


def _built_packages(lock: dict[str, dict]) -> list[str]:
    """Lock-file packages that are wheels built for WASM (not pure Python)."""
    return sorted(name for name, entry in lock.items() if str(entry.get("file_name", "")).endswith("_wasm32.whl"))


async def _explain(error: BaseException, log: _DownloadLog, index_urls: list[str]) -> str | None:
    """A fuller message for micropip's error, or None to keep its own."""
    message = str(error)
    lock = _lock_packages()
    if match := re.search(r"Can't fetch metadata for '([^']+)'", message):
        name = match.group(1)
        tried = [text for url in log.answers if f"/{name}" in url and (text := log.describe(url))]
        closest = _closest(name, [*lock, *(_canonical(n) for n in await _index_projects(index_urls))])
        parts = [f"No package named {name!r} was found in Kiln's lock file or the package index ({', '.join(index_urls)})."]
        if tried:
            parts.append("The index answered: " + "; ".join(tried) + ".")
        if closest:
            parts.append("Closest names: " + ", ".join(closest) + ".")
        return " ".join(parts)
    if match := re.search(r"Can't find a pure Python 3 wheel for '([^']+)'", message):
        requirement = match.group(1)
        built = _built_packages(lock)
        return (
            f"{requirement!r} has no wheel Kiln can run: the index has neither a pure-Python wheel (py3-none-any) nor "
            f"one built for {_host.packages.platform}. Packages Kiln has built for WASM (from its lock file): "
            f"{', '.join(built) or 'none'}."
        )
    if match := re.search(r"Invalid checksum: expected (\w+), got (\w+)", message):
        expected, actual = match.groups()
        url = log.url_with_sha256(actual) or "a downloaded wheel"
        return f"sha256 mismatch for {url}: the index lists {expected}, the file has {actual}."
    if match := re.search(r"Can't fetch wheel from '([^']+)'", message):
        described = log.describe(match.group(1))
        return f"Could not download {described or match.group(1)}."
    return None


def _forget_loaded(file_names: list[str]) -> None:
    """Take staged wheels micropip already announced out of loadedPackages."""
    loaded = _host.packages.loadedPackages
    for file_name in file_names:
        name = _canonical(file_name.split("-", 1)[0])
        if hasattr(loaded, name):
            delattr(loaded, name)


def _wrap(original):
    @functools.wraps(original)
    async def install(requirements, keep_going=False, deps=True, credentials=None, pre=False, index_urls=None, *,
                      constraints=None, reinstall=False, verbose=None):
        arguments = (requirements, keep_going, deps, credentials, pre, index_urls)
        options = {"constraints": constraints, "reinstall": reinstall, "verbose": verbose}
        try:
            await _transaction(original, arguments, options)
        except RuntimeError as error:
            # A cached wheel the index's digest disagrees with (a file
            # replaced on the server): forget it and download it again, once.
            stale = getattr(error, "kiln_stale_url", None)
            if stale is None:
                raise
            await _host.packages.forgetURL(stale)
            await _transaction(original, arguments, options)

    install.__kiln_wrapped__ = original
    return install


def _warn_unpinned(requirements) -> None:
    """A wheel URL without #sha256= installs unverified: say so, naming it."""
    for requirement in [requirements] if isinstance(requirements, str) else list(requirements):
        if isinstance(requirement, str) and requirement.split("#", 1)[0].endswith(".whl") and "#sha256=" not in requirement:
            file_name = requirement.split("#", 1)[0].rsplit("/", 1)[-1]
            warnings.warn(
                f"kiln: installing {file_name} from {requirement} without a sha256 to check it against "
                "(add #sha256=<hex> to the URL to pin it)",
                stacklevel=4,
            )


async def _transaction(original, arguments, options) -> None:
    """One micropip.install call as a transaction (see the module docstring)."""
    _warn_unpinned(arguments[0])
    log = _DownloadLog()
    transaction = _packages.Transaction()
    transaction_token = _packages.current_transaction.set(transaction)
    fetcher_token = _fetch.default_fetcher.set(log.fetch)
    try:
        await original(*arguments, **options)
        await transaction.load_cxx_runtime_if_needed()
        await transaction.load_side_modules()
    except (ValueError, RuntimeError, OSError, JsException) as error:
        # (JsException: a lock-file package that loadPackage could not load.)
        _forget_loaded(transaction.abort())
        import micropip

        indexes = arguments[5] or micropip._package_manager_singleton.index_urls
        explained = await _explain(error, log, [indexes] if isinstance(indexes, str) else list(indexes))
        kind = RuntimeError if isinstance(error, JsException) else type(error)
        clear = kind((explained or str(error)) + " Nothing was installed.")
        clear.kiln_stale_url = log.stale_cached_wheel(error)
        raise clear from None
    except BaseException:
        _forget_loaded(transaction.abort())
        raise
    finally:
        _packages.current_transaction.reset(transaction_token)
        _fetch.default_fetcher.reset(fetcher_token)
    transaction.commit()


def install_hook(micropip) -> None:
    """Called right after `import micropip` (kiln._runtime registers it)."""
    micropip.install = _wrap(micropip.install)


async def install_requirements(requirements: list[str], options: dict[str, Any]) -> list[list[str]]:
    """kiln.install(): every requirement in one micropip.install call; returns
    [name, version] of each package it installed."""
    import micropip

    loaded = _host.packages.loadedPackages
    before = set(loaded.to_py())
    allowed = {"keep_going", "deps", "credentials", "pre", "index_urls", "constraints", "reinstall", "verbose"}
    unknown = set(options) - allowed
    if unknown:
        raise TypeError(f"kiln.install(): unknown option(s) {sorted(unknown)}; known: {sorted(allowed)}")
    await micropip.install(requirements, **options)
    installed = micropip.list()
    return [[name, installed[name].version] for name in sorted(set(loaded.to_py()) - before) if name in installed]
