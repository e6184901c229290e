"""JS objects as importable Python modules: ``import js``, ``pyodide_js``, and
anything registered with register_js_module()."""

from __future__ import annotations

import importlib.machinery
import os
import sys
import types
import zipimport

import _kiln_core

_roots: dict[str, object] = {}
# The stdlib zip (this module's zipimporter's archive), or None outside one.
_STDLIB_ZIP = getattr(__loader__, "archive", None)
_after_import: dict[str, callable] = {}


# What the import system keeps on a module object itself.
_MODULE_ATTRIBUTES = frozenset({"__spec__", "__loader__", "__path__", "__package__", "__file__", "__cached__", "__builtins__"})


class JsModule(types.ModuleType):
    """A module whose attributes are those of a JS object."""

    def __init__(self, name: str, jsobject: object):
        super().__init__(name)
        object.__setattr__(self, "_jsobject", jsobject)

    def __getattr__(self, name: str) -> object:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self._jsobject, name)

    def __setattr__(self, name: str, value: object) -> None:
        if name in _MODULE_ATTRIBUTES:
            object.__setattr__(self, name, value)
        else:
            setattr(self._jsobject, name, value)  # js.__name__ = ... reaches globalThis, as in Pyodide

    def __dir__(self) -> list[str]:
        return dir(self._jsobject)


class JsModuleFinder:
    """Finds and loads JS modules (a meta path finder and loader)."""

    def find_spec(self, fullname: str, path: object, target: object = None):
        if fullname in _after_import:
            return _spec_with_hook(fullname, path, target)
        root, *rest = fullname.split(".")
        if root not in _roots:
            return None
        obj = _roots[root]
        for part in rest:
            try:
                obj = getattr(obj, part)
            except AttributeError:
                return None
        spec = importlib.machinery.ModuleSpec(fullname, self, origin="javascript")
        spec.submodule_search_locations = []  # every JS object may have "submodules"
        spec.loader_state = obj
        return spec

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> JsModule:
        return JsModule(spec.name, spec.loader_state)

    def exec_module(self, module: types.ModuleType) -> None:
        pass


class _LoaderWithHook:
    """Wraps a module's loader to run a hook once the module has executed."""

    def __init__(self, loader, hook):
        self._loader, self._hook = loader, hook

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        module.__spec__.loader = module.__loader__ = self._loader
        self._hook(module)


def _spec_with_hook(fullname: str, path: object, target: object):
    hook = _after_import.pop(fullname)
    spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
    if spec is not None and spec.loader is not None:
        spec.loader = _LoaderWithHook(spec.loader, hook)
    return spec


def after_import(name: str, hook: callable) -> None:
    """Call hook(module) right after `name` is first imported."""
    if name in sys.modules:
        hook(sys.modules[name])
    else:
        _after_import[name] = hook


def register(name: str, jsobject: object) -> None:
    if "." in name:
        raise ValueError(f"register a top-level name, not {name!r} (its attributes are its submodules)")
    unregister(name, missing_ok=True)
    _roots[name] = jsobject


def unregister(name: str, *, missing_ok: bool = False) -> None:
    if name not in _roots:
        if missing_ok:
            return
        raise ValueError(f"no JS module named {name!r} is registered")
    del _roots[name]
    for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
        del sys.modules[module]


class SplitStdlibFinder:
    """Loads a stdlib module split out of the core (a cpython_module package,
    e.g. sqlite3) on first import. Synchronously where the host can read files
    synchronously (Node, Web Workers); through JSPI where Python may block on a
    promise (runPythonAsync in Chromium); elsewhere (runPython on a browser's
    main thread) the import fails with what to do instead."""

    def find_spec(self, fullname: str, path: object, target: object = None):
        if path is not None:
            return None
        from . import _host
        from ._distribution import SPLIT_STDLIB

        package = SPLIT_STDLIB.get(fullname)
        host = _host.packages
        if package is None or host is None:
            return None
        if host.canLoadSync:
            host.loadPackageSync(package)
        elif _kiln_core.can_run_sync():
            _kiln_core.run_sync_promise(host.loadPackage(package))
        else:
            raise ModuleNotFoundError(
                f"No module named {fullname!r}: it is split out of Kiln's core into the package {package!r}, "
                f"which cannot be fetched synchronously here (a browser's main thread, or packages over http in Node). "
                f"Call `await kiln.loadPackage({package!r})` first, or run this code with runPythonAsync",
                name=fullname,
            )
        invalidate_caches()
        return importlib.machinery.PathFinder.find_spec(fullname, path, target)


def invalidate_caches() -> None:
    """After files were written (a package installed): importlib.invalidate_caches(),
    less two costs that buy nothing here. importlib.metadata is not imported
    just to clear caches nothing has filled (a quarter of a second in WASM).
    And the zip this runtime was imported from, the stdlib's, is not
    forgotten: installs write folders, never that file, and reading its
    directory again (in Python, at the next import from it) took 20-40 ms."""
    for finder in sys.meta_path:
        if finder is not importlib.machinery.PathFinder and hasattr(finder, "invalidate_caches"):
            finder.invalidate_caches()
    for entry, finder in list(sys.path_importer_cache.items()):
        # As PathFinder.invalidate_caches: a folder missing before may exist now.
        if finder is None or not os.path.isabs(entry):
            del sys.path_importer_cache[entry]
        elif isinstance(finder, zipimport.zipimporter) and finder.archive == _STDLIB_ZIP:
            continue
        elif hasattr(finder, "invalidate_caches"):
            finder.invalidate_caches()
    importlib._bootstrap_external._NamespacePath._epoch += 1
    metadata = sys.modules.get("importlib.metadata")
    if metadata is not None:
        metadata.MetadataPathFinder.invalidate_caches()  # it may list distributions as they were


def missing_module_hint(error: ModuleNotFoundError) -> str | None:
    """For a failed import of a module a lock-file package provides: which
    package to load. (Only ever added to a real failed import's message:
    importlib.util.find_spec() for such a module still answers None.)"""
    from . import _host

    name = (error.name or "").partition(".")[0]
    if not name or _host.packages is None:
        return None
    try:
        imports = _host.packages.importMap()
    except Exception:
        return None
    from .ffi import jsnull

    if imports is None or imports is jsnull:  # JS null: the lock file is still loading
        return None
    package = imports.to_py().get(name)
    if package is None:
        return None
    if getattr(_host.packages.loadedPackages, package, None) is not None:
        # Loaded, yet this module is missing: not a matter of loading.
        return (
            f"the Kiln package {package!r} is loaded but has no module {error.name!r} "
            "(parts a package's WebAssembly build leaves out are listed in Kiln's docs/packages.md)"
        )
    return (
        f"{name!r} comes with the Kiln package {package!r}, which is not loaded: call "
        f"`await kiln.loadPackage({package!r})` (or kiln.install / loadPackagesFromImports) in JS first, "
        "or `await micropip.install(...)` in Python"
    )


def install() -> None:
    sys.meta_path.insert(0, JsModuleFinder())
    sys.meta_path.append(SplitStdlibFinder())
