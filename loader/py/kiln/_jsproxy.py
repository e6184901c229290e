"""Python-side behaviour of JsProxy, by capability.

Each JS value's proxy type (built in C, cpython/core/jsproxy.c) derives from
the classes here that match what the value can do, so ``isinstance(x,
JsArray)`` works and Python protocols (await, async for, dict-like and
list-like methods) behave as Python code expects.
"""

from __future__ import annotations

import _kiln_core


_js = _kiln_core.js_global()


class _JsProxyMethods:
    """Methods every JsProxy has."""

    __slots__ = ()

    def to_py(self, *, depth: int = -1, default_converter: object = None) -> object:
        """Deep conversion: Array -> list, Map/object -> dict, Set -> set, buffers -> memoryview."""
        return _kiln_core.to_py(self, depth=depth, default_converter=default_converter)

    @property
    def typeof(self) -> str:
        return _kiln_core.js_typeof(self)

    def object_keys(self) -> object:
        return _js.Object.keys(self)

    def object_values(self) -> object:
        return _js.Object.values(self)

    def object_entries(self) -> object:
        return _js.Object.entries(self)

    def as_object_map(self) -> JsObjectMap:
        """A dict-like view of a plain JS object's own properties."""
        return JsObjectMap(self)

    def bind(self, this: object) -> object:
        """This function with `this` fixed (JS Function.bind semantics)."""
        return _kiln_core.jsproxy_bind(self, this)

    def destroy(self) -> None:
        """Release the PyProxy this wraps (a create_proxy() result)."""
        _kiln_core.destroy_proxy(self)

    def unwrap(self) -> object:
        """The Python object behind a create_proxy() result."""
        return _kiln_core.to_py(self, depth=0)


class JsObjectMap:
    """Dict-like access to a JS object's own enumerable properties."""

    def __init__(self, obj: object):
        self._obj = obj

    def __getitem__(self, key: str) -> object:
        if not _js.Object.prototype.hasOwnProperty.call(self._obj, key):
            raise KeyError(key)
        return _js.Reflect.get(self._obj, key)

    def __setitem__(self, key: str, value: object) -> None:
        _js.Reflect.set(self._obj, key, value)

    def __delitem__(self, key: str) -> None:
        if not _js.Reflect.deleteProperty(self._obj, key) or key in self:
            raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and bool(_js.Object.prototype.hasOwnProperty.call(self._obj, key))

    def __iter__(self):
        return iter(_js.Object.keys(self._obj))

    def __len__(self) -> int:
        return len(_js.Object.keys(self._obj))

    def keys(self):
        return list(self)

    def values(self):
        return [self[k] for k in self]

    def items(self):
        return [(k, self[k]) for k in self]

    def get(self, key: str, default: object = None) -> object:
        return self[key] if key in self else default


class JsCallable:
    __slots__ = ()


class JsIterable:
    __slots__ = ()


class JsIterator:
    __slots__ = ()


class JsArray:
    """A JS Array (or typed array): indexing, len, ``in``, and list methods."""

    __slots__ = ()

    def append(self, value: object) -> None:
        self.push(value)

    def extend(self, values: object) -> None:
        for value in values:
            self.push(value)

    def pop(self, index: int = -1) -> object:
        length = len(self)
        if length == 0:
            raise IndexError("pop from empty JS array")
        if index < 0:
            index += length
        if not 0 <= index < length:
            raise IndexError("JS array index out of range")
        return self.splice(index, 1)[0]

    def index(self, value: object) -> int:
        position = self.indexOf(value)
        if position < 0:
            raise ValueError(f"{value!r} is not in the JS array")
        return position

    def count(self, value: object) -> int:
        return sum(1 for item in self if item == value)

    def __reversed__(self):
        for i in range(len(self) - 1, -1, -1):
            yield self[i]


class JsMap:
    """A JS Map (or anything with get/has): Python mapping methods."""

    __slots__ = ()

    def keys(self) -> list:
        return list(iter(self))

    def values(self) -> list:
        return [self[key] for key in self]

    def items(self) -> list:
        return [(key, self[key]) for key in self]

    def get(self, key: object, default: object = None) -> object:
        return self[key] if key in self else default


class JsMutableMap:
    """A JS Map with set/delete: Python mutable mapping methods (combined with JsMap)."""

    __slots__ = ()

    _missing = object()

    def pop(self, key: object, default: object = _missing) -> object:
        if key in self:
            value = self[key]
            del self[key]
            return value
        if default is JsMutableMap._missing:
            raise KeyError(key)
        return default

    def setdefault(self, key: object, default: object = None) -> object:
        if key not in self:
            self[key] = default
        return self[key]

    def update(self, other: object = (), **kwargs: object) -> None:
        items = other.items() if hasattr(other, "items") else other
        for key, value in items:
            self[key] = value
        for key, value in kwargs.items():
            self[key] = value

    def clear(self) -> None:
        _js.Map.prototype.clear.call(self)


class JsPromise:
    """A JS thenable: awaitable from Python coroutines."""

    __slots__ = ()

    def __await__(self):
        from . import webloop

        return webloop.future_of_promise(self).__await__()


class JsAsyncIterable:
    __slots__ = ()

    def __aiter__(self):
        return _js.Reflect.get(self, _js.Symbol.asyncIterator).call(self)


class JsAsyncIterator:
    __slots__ = ()

    def __aiter__(self):
        return self

    async def __anext__(self):
        step = await self.next()
        if step.done:
            raise StopAsyncIteration
        return step.value


class JsBuffer:
    """An ArrayBuffer, typed array or DataView: copies to and from Python buffers."""

    __slots__ = ()

    def to_bytes(self) -> bytes:
        return _kiln_core.buffer_to_bytes(self)

    def to_memoryview(self) -> memoryview:
        return _kiln_core.to_py(self, depth=1)

    def to_string(self, encoding: str = "utf-8") -> str:
        return self.to_bytes().decode(encoding)

    def assign(self, source: object) -> None:
        """Copy a Python buffer of the same size into this JS buffer."""
        _kiln_core.buffer_copy(self, source, True)

    def assign_to(self, target: object) -> None:
        """Copy this JS buffer into a writable Python buffer of the same size."""
        _kiln_core.buffer_copy(self, target, False)


def register_mixins() -> None:
    core = _kiln_core
    _kiln_core.register_jsproxy_mixins(
        {
            0: _JsProxyMethods,
            core.JS_CALLABLE: JsCallable,
            core.JS_ARRAY: JsArray,
            core.JS_GET: JsMap,
            core.JS_SET: JsMutableMap,
            core.JS_ITERABLE: JsIterable,
            core.JS_ITERATOR: JsIterator,
            core.JS_THENABLE: JsPromise,
            core.JS_BUFFER: JsBuffer,
            core.JS_ASYNC_ITERABLE: JsAsyncIterable,
            core.JS_ASYNC_ITERATOR: JsAsyncIterator,
        }
    )

