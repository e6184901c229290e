"""Run inside Kiln by tests/test_micropip.py: upstream micropip, used as code
written for Pyodide uses it, against the tests' package index. Each step
records what it saw; failures record the error type and message."""

import importlib.metadata
import json
import sys


async def attempt(coro):
    try:
        await coro
        return "ok"
    except Exception as error:
        return f"{type(error).__name__}: {error}"


def installed(*names):
    found = {}
    for name in names:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = None
    return found


def loaded_packages():
    import pyodide_js

    return sorted(pyodide_js.loadedPackages.to_py())


def listed():
    import micropip

    return sorted(micropip.list().keys())


async def probe_indexes(base):
    """Each index API, specifiers, extras, markers, URLs, lock packages, list/freeze/uninstall."""
    import micropip

    seen = {}
    # PEP 691 JSON (chosen by the Accept header micropip sends).
    seen["json"] = await attempt(micropip.install("attrs", index_urls=[base + "/index/simple"]))
    # PEP 503 HTML, with a version specifier.
    seen["html"] = await attempt(micropip.install("six<1.17", index_urls=[base + "/index/html"]))
    # The legacy JSON API, through a {package_name} placeholder.
    seen["legacy"] = await attempt(micropip.install("idna", index_urls=[base + "/index/pypi/{package_name}/json"]))
    seen["versions"] = installed("attrs", "six", "idna")
    # An environment marker that is false: nothing to install.
    seen["marker"] = await attempt(micropip.install('certifi; python_version < "3"', index_urls=[base + "/index/simple"]))
    seen["certifi_after_marker"] = installed("certifi")["certifi"]
    # Extras pull in their dependencies (requests[socks] -> PySocks), from the index set once.
    micropip.set_index_urls([base + "/index/simple"])
    seen["extras"] = await attempt(micropip.install("requests[socks]"))
    seen["extras_installed"] = installed("requests", "urllib3", "idna", "certifi", "charset-normalizer", "pysocks")
    # A version conflict with what is installed is refused, and changes nothing.
    seen["conflict"] = await attempt(micropip.install("six==1.17.0"))
    seen["six_after_conflict"] = installed("six")["six"]
    # ... unless reinstall=True.
    seen["reinstall"] = await attempt(micropip.install("six==1.17.0", reinstall=True))
    seen["six_after_reinstall"] = installed("six")["six"]
    # A wheel URL pinned by #sha256=, and `name @ url` (the wheel the tests built).
    wheel = base + "/index/files/kiln_greeting-1.0-py3-none-any.whl"
    seen["direct_url"] = await attempt(micropip.install(f"kiln-greeting @ {wheel}"))
    import kiln_greeting

    seen["greeting"] = kiln_greeting.greet("wasm")
    # A lock-file package through the same call: found in Kiln's lock file
    # (the index has no numpy), with its dependencies from the lock.
    seen["lock_package"] = await attempt(micropip.install("pluggy"))
    seen["loaded_agree"] = [loaded_packages() == listed(), loaded_packages()]
    # uninstall removes files and the loadedPackages entry.
    micropip.uninstall("attrs")
    seen["after_uninstall"] = [installed("attrs")["attrs"], "attrs" in loaded_packages(), loaded_packages() == listed()]
    # A mock package: importable, and known to importlib.metadata (so it
    # satisfies a requirement) without any download.
    micropip.add_mock_package("mocked-thing", "2.0", modules={"mocked_thing": "VALUE = 7"})
    import importlib.metadata

    import mocked_thing

    seen["mock"] = [mocked_thing.VALUE, importlib.metadata.version("mocked-thing")]
    frozen = json.loads(micropip.freeze())
    seen["freeze"] = {name: [entry["version"], entry["file_name"].startswith(("http", "file")), bool(entry["sha256"])]
                      for name, entry in frozen["packages"].items() if name in ("six", "requests", "kiln-greeting", "pluggy")}
    seen["frozen_lock"] = micropip.freeze()
    seen["alive"] = sum(range(10))
    return seen


async def probe_errors(base):
    """Each error path: a clear message, nothing installed, the runtime usable."""
    import micropip

    index = [base + "/index/simple"]
    seen = {}
    seen["unknown"] = await attempt(micropip.install("reqeusts", index_urls=index))
    seen["binary_only"] = await attempt(micropip.install("markupsafe", index_urls=index))
    seen["index_404"] = await attempt(micropip.install("six", index_urls=[base + "/no-such-index"]))
    seen["bad_sha256"] = await attempt(micropip.install("attrs", index_urls=[base + "/index/badhash"]))
    wheel = base + "/index/files/six-1.17.0-py2.py3-none-any.whl"
    seen["bad_fragment"] = await attempt(micropip.install(f"{wheel}#sha256={'0' * 64}"))
    seen["foreign_platform"] = await attempt(micropip.install(
        base + "/index/files/markupsafe-3.0.4-cp313-cp313-manylinux2014_x86_64.manylinux_2_17_x86_64.manylinux_2_28_x86_64.whl"))
    seen["missing_wheel"] = await attempt(micropip.install(base + "/index/files/ghost-1.0-py3-none-any.whl"))
    # requests needs urllib3 etc.: one bad wheel among them leaves none installed.
    seen["partial"] = await attempt(micropip.install(["requests", "attrs"], index_urls=[base + "/index/badhash"]))
    # A side module that cannot load is loaded before anything is written.
    seen["unloadable"] = await attempt(micropip.install("kiln-unloadable", index_urls=index))
    seen["nothing_installed"] = installed("six", "attrs", "requests", "urllib3", "markupsafe", "kiln-unloadable")
    seen["loaded"] = loaded_packages()
    seen["agree"] = loaded_packages() == listed()
    seen["alive"] = sum(range(10))
    # And a good install still works afterwards.
    seen["after"] = await attempt(micropip.install("six", index_urls=index))
    seen["six"] = installed("six")["six"]
    return seen


def modules():
    return sorted(name for name in sys.modules if name.startswith(("six", "attrs", "requests")))
