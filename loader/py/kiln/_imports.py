"""JS objects as importable Python modules: ``import js``, ``pyodide_js``, and
anything registered with register_js_module()."""

from __future__ import annotations

import importlib.machinery
import sys
import types

import _kiln_core

_roots: dict[str, object] = {}
_after_import: dict[str, callable] = {}


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
        if name.startswith("__"):
            object.__setattr__(self, name, value)
        else:
            setattr(self._jsobject, name, value)

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


# Set by the JS loader (runtime.set_package_host): loads packages on demand.
_package_host = None


def set_package_host(host: object) -> None:
    global _package_host
    _package_host = host


class SplitStdlibFinder:
    """Loads a stdlib module split out of the core (a cpython_module package,
    e.g. sqlite3) on first import. Synchronously where the host can read files
    synchronously (Node, Web Workers); through JSPI where Python may block on a
    promise (runPythonAsync in Chromium); elsewhere (runPython on a browser's
    main thread) the import fails with what to do instead."""

    def find_spec(self, fullname: str, path: object, target: object = None):
        if path is not None:
            return None
        from ._distribution import SPLIT_STDLIB

        package = SPLIT_STDLIB.get(fullname)
        if package is None or _package_host is None:
            return None
        if _package_host.canLoadSync:
            _package_host.loadPackageSync(package)
        elif _kiln_core.can_run_sync():
            _kiln_core.run_sync_promise(_package_host.loadPackage(package))
        else:
            raise ModuleNotFoundError(
                f"No module named {fullname!r}: it is split out of Kiln's core into the package {package!r}, "
                f"which cannot be fetched synchronously here (a browser's main thread, or packages over http in Node). "
                f"Call `await kiln.loadPackage({package!r})` first, or run this code with runPythonAsync",
                name=fullname,
            )
        importlib.invalidate_caches()
        return importlib.machinery.PathFinder.find_spec(fullname, path, target)


class PackageHint:
    """Last on sys.meta_path: for a module no finder found that a Kiln package
    provides, say which package to load instead of a bare 'No module named'."""

    def find_spec(self, fullname: str, path: object, target: object = None):
        if path is not None:  # submodules fail on their own
            return None
        from ._distribution import PACKAGE_IMPORTS

        package = PACKAGE_IMPORTS.get(fullname)
        if package is None:
            return None
        raise ModuleNotFoundError(
            f"No module named {fullname!r}. It comes with the Kiln package {package!r}, which is not loaded: "
            f"call `await kiln.loadPackage({package!r})` (or loadPackagesFromImports) in JS first",
            name=fullname,
        )


def install() -> None:
    sys.meta_path.insert(0, JsModuleFinder())
    sys.meta_path.append(SplitStdlibFinder())
    sys.meta_path.append(PackageHint())
