"""The JS <-> Python bridge under Node (24 with JSPI, 20 without)."""

import json

import pytest


SETUP = """
const kiln = await loadKiln();
kiln.runPython(`
class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y
    def scaled(self, factor, *, offset=0):
        return Point(self.x * factor + offset, self.y * factor + offset)
    def __repr__(self):
        return f"Point({self.x}, {self.y})"
point = Point(3, 4)
`);
const point = kiln.globals.get("point");
"""


# ---- PyProxy: Python objects in JS ---------------------------------------


def test_pyproxy_attributes_get_set_has_delete(node):
    values = node.report(SETUP + """
        const before = [point.x, "x" in point, "missing" in point, point.missing];
        point.x = 30;
        point.z = "new";
        delete point.y;
        report([before, point.x, point.z, "y" in point, kiln.runPython("point.__dict__").toJs()]);
    """)
    assert values == [[3, True, False, None], 30, "new", False, {"x": 30, "z": "new"}]


def test_pyproxy_calls_with_positional_and_keyword_arguments(node):
    values = node.report(SETUP + """
        const scaled = point.scaled(2);
        const shifted = point.scaled.callKwargs(2, { offset: 1 });
        const fn = kiln.runPython("lambda *a, **k: [a, sorted(k.items())]");
        report([String(scaled), String(shifted), String(fn.callKwargs(1, 2, { b: 3, a: 4 })), typeof fn, typeof point]);
    """)
    assert values == ["Point(6, 8)", "Point(7, 9)", "[(1, 2), [('a', 4), ('b', 3)]]", "function", "object"]


def test_pyproxy_item_access_length_and_iteration(node):
    values = node.report("""
        const kiln = await loadKiln();
        const d = kiln.runPython("{'a': 1, 'b': 2}");
        d.set("c", 3);
        d.delete("a");
        const l = kiln.runPython("[10, 20, 30]");
        report({
          get: [d.get("b"), d.get("missing")], has: [d.has("c"), d.has("a")], length: d.length,
          keys: [...d], list: [...l], sum: Array.from(kiln.runPython("range(5)")).reduce((a, b) => a + b),
          gen: [...kiln.runPython("(i * i for i in range(4))")],
        });
    """)
    assert values == {
        "get": [2, None], "has": [True, False], "length": 2, "keys": ["b", "c"], "list": [10, 20, 30],
        "sum": 10, "gen": [0, 1, 4, 9],
    }


def test_pyproxy_generators_take_sent_values(node):
    values = node.report("""
        const kiln = await loadKiln();
        const gen = kiln.runPython("def g():\\n    x = yield 1\\n    yield x * 2\\ng()");
        report([gen.next(), gen.next(21), gen.next()]);
    """)
    assert values == [{"done": False, "value": 1}, {"done": False, "value": 42}, {"done": True}]


def test_pyproxy_list_push_pop_and_generator_throw_return(node):
    values = node.report("""
        const kiln = await loadKiln();
        const items = kiln.runPython("items = [1]\\nitems");
        const length = items.push(2, 3);
        const popped = items.pop();
        const gen = kiln.runPython(`
log = []
def g():
    try:
        yield 1
    except ValueError as e:
        log.append('caught ' + str(e))
        yield 2
    finally:
        log.append('closed')
g()`);
        const first = gen.next();
        let thrown;
        try { kiln.runPython("raise ValueError('boom')"); } catch (e) { thrown = e; }
        const afterThrow = gen.throw(thrown);
        const returned = gen.return(7);
        const exhausted = kiln.runPython("def h():\\n    yield 1\\nh()");
        exhausted.next();
        const jsError = new RangeError("js side");
        let escaped;
        try { exhausted.throw(jsError); } catch (e) { escaped = [e === jsError, e.name, e.message]; }
        report([length, popped, kiln.runPython("items").toJs(), first, afterThrow, returned, kiln.runPython("log").toJs(), escaped]);
    """)
    assert values[:3] == [3, 3, [1, 2]]
    assert values[3:6] == [{"done": False, "value": 1}, {"done": False, "value": 2}, {"done": True, "value": 7}]
    assert values[6] == ["caught boom", "closed"]
    assert values[7] == [True, "RangeError", "js side"], "an uncaught JS error comes back as itself"


def test_pyproxy_async_iteration_and_awaiting(node):
    values = node.report("""
        const kiln = await loadKiln();
        const agen = kiln.runPython(`
import asyncio
async def ticks():
    for i in range(3):
        await asyncio.sleep(0)
        yield i
ticks()`);
        const seen = [];
        for await (const tick of agen) seen.push(tick);
        const coroutine = kiln.runPython("async def f():\\n    await asyncio.sleep(0.01)\\n    return 'done'\\nf()");
        const order = [];
        await coroutine.then((v) => order.push("then:" + v)).finally(() => order.push("finally"));
        const failing = kiln.runPython("async def bad():\\n    raise ValueError('async failure')\\nbad()");
        const caught = await failing.catch((e) => [e.type, e.message.trim().split("\\n").at(-1)]);
        report([seen, order, caught]);
    """)
    assert values == [[0, 1, 2], ["then:done", "finally"], ["ValueError", "ValueError: async failure"]]


def test_tojs_converts_deeply_with_depth_and_dict_converter(node):
    values = node.report("""
        const kiln = await loadKiln();
        const data = kiln.runPython("{'name': 'kiln', 'tags': ['a', 'b'], 'nested': {'n': (1, 2)}, 'ids': {7}, 'raw': b'ab'}");
        const asObject = data.toJs();
        const asMap = data.toJs({ dictConverter: (entries) => new Map(entries) });
        const snake = data.toJs({ dict_converter: (entries) => new Map(entries) });
        const shallow = data.toJs({ depth: 1 });
        let nonStringKeys;
        try { kiln.runPython("{(1, 2): 'tuple key'}").toJs(); } catch (e) { nonStringKeys = e.message; }
        report({
          object: { ...asObject, ids: [...asObject.ids], raw: [...asObject.raw] }, map: asMap instanceof Map && asMap.get("tags"),
          snake: snake.get("name"), shallowTags: String(shallow.tags), shallowIsProxy: shallow.tags instanceof kiln.ffi.PyProxy,
          nonStringKeys,
        });
    """)
    assert values == {
        "object": {"name": "kiln", "tags": ["a", "b"], "nested": {"n": [1, 2]}, "ids": [7], "raw": [97, 98]},
        "map": ["a", "b"], "snake": "kiln", "shallowTags": "['a', 'b']", "shallowIsProxy": True,
        "nonStringKeys": "kiln: cannot convert a dict with a object key to a JS object; pass dictConverter: (entries) => new Map(entries)",
    }


def test_tojs_preserves_cycles(node):
    values = node.report("""
        const kiln = await loadKiln();
        const cyclic = kiln.runPython("a = [1]; d = {'list': a}; a.append(d); a").toJs();
        const selfDict = kiln.runPython("s = {}; s['me'] = s; s").toJs();
        let withConverter;
        try { kiln.runPython("s").toJs({ dictConverter: Object.fromEntries }); } catch (e) { withConverter = e.message; }
        report([cyclic[0], cyclic[1].list === cyclic, selfDict.me === selfDict, withConverter]);
    """)
    assert values == [1, True, True, "kiln: cannot convert a cyclic structure with a dictConverter"]


def test_copy_destroy_dispose_and_use_after_destroy(node):
    values = node.report("""
        const kiln = await loadKiln();
        const original = kiln.runPython("[1, 2]");
        const copy = original.copy();
        original.destroy();
        const errors = [];
        try { original.length; } catch (e) { errors.push(e.message); }
        try { original.destroy(); errors.push("second destroy is a no-op"); } catch (e) { errors.push("threw"); }
        const disposable = kiln.runPython("{'k': 1}");
        disposable[Symbol.dispose]();
        try { disposable.get("k"); } catch (e) { errors.push(e.message); }
        const custom = kiln.runPython("object()");
        custom.destroy({ message: "custom message" });
        try { String(custom); } catch (e) { errors.push(e.message); }
        report([copy.length, errors]);
    """)
    copy_length, errors = values
    assert copy_length == 2
    assert errors[0].startswith("This PyProxy of a Python list was destroyed (at ")
    assert errors[0].endswith("its Python object can no longer be used")
    assert errors[1] == "second destroy is a no-op"
    assert errors[2].startswith("This PyProxy of a Python dict was destroyed")
    assert errors[3].startswith("This PyProxy of a Python object was destroyed") and errors[3].endswith("custom message")


def test_every_trap_and_method_of_a_destroyed_proxy_throws_the_same_error(node):
    values = node.report("""
        const kiln = await loadKiln();
        const results = {};
        const attempts = {
          keys: (p) => Object.keys(p), has: (p) => "x" in p, deleteProperty: (p) => delete p.x,
          get: (p) => p.x, set: (p) => { p.x = 1; }, ownDescriptor: (p) => Object.getOwnPropertyDescriptor(p, "x"),
          apply: (p) => p(), toJs: (p) => p.toJs(), getBuffer: (p) => p.getBuffer(), iterate: (p) => [...p],
          type: (p) => p.type, toString: (p) => String(p), copy: (p) => p.copy(), callKwargs: (p) => p.callKwargs({}),
          item: (p) => p.get(0), length: (p) => p.length, promising: (p) => p.callPromising(),
        };
        for (const [name, attempt] of Object.entries(attempts)) {
          const proxy = kiln.runPython("class Thing(bytearray):\\n  def __call__(self): return 1\\nThing(b'ab')");
          proxy.destroy();
          try { const r = attempt(proxy); results[name] = r instanceof Promise ? await r.then(() => "no error", (e) => e.message) : "no error"; }
          catch (e) { results[name] = e.message; }
        }
        report([results, kiln.runPython("1 + 1")]);
    """)
    results, alive = values
    for name, message in results.items():
        assert message.startswith("This PyProxy of a Python Thing was destroyed"), (name, message)
    assert alive == 2


def test_get_buffer_views_python_memory_without_copying(node):
    values = node.report("""
        const kiln = await loadKiln();
        const arr = kiln.runPython("import array; arr = array.array('d', [1.5, 2.5, 3.5]); arr");
        const view = arr.getBuffer();
        const info = [view.format, view.itemsize, view.ndim, view.shape, view.readonly, view.data.constructor.name];
        view.data[1] = 20;  // writes Python's memory directly
        view.release();
        const bytes = kiln.runPython("b'xyz'").getBuffer();
        const readonly = [bytes.readonly, [...bytes.data]];
        bytes.release();
        report([info, kiln.runPython("list(arr)").toJs(), readonly]);
    """)
    assert values == [["d", 8, 1, [3], False, "Float64Array"], [1.5, 20, 3.5], [True, [120, 121, 122]]]


def test_get_buffer_follows_strides_of_non_contiguous_buffers(node):
    """Pyodide's contract: data spans the buffer's memory, offset and strides in elements."""
    values = node.report("""
        const kiln = await loadKiln();
        const read = (view) => {
          const out = [];
          const walk = (dim, at) => {
            if (dim === view.ndim) { out.push(Number(view.data[at])); return; }
            for (let i = 0; i < view.shape[dim]; i++) walk(dim + 1, at + i * view.strides[dim]);
          };
          walk(0, view.offset);
          const info = [out, view.shape, view.strides, view.offset, view.c_contiguous, view.f_contiguous];
          view.release();
          return info;
        };
        kiln.runPython("import array; a = array.array('d', range(10)); m = memoryview(a)");
        const results = {
          step2: read(kiln.runPython("m[::2]").getBuffer()),
          reversed: read(kiln.runPython("m[::-1]").getBuffer()),
          reversedStep3: read(kiln.runPython("m[8::-3]").getBuffer()),
          twoD: read(kiln.runPython("m.cast('B').cast('d', (2, 5))").getBuffer()),
          transposedLike: read(kiln.runPython("m.cast('B').cast('d', (2, 5))[::-1]").getBuffer()),
        };
        const errors = [];
        // (on an array nothing else exports: `m` above holds `a`'s buffer)
        try { kiln.runPython("b = array.array('d', range(10)); b").getBuffer("process"); } catch (e) { errors.push(e.message); }
        try { kiln.runPython("memoryview(b'abcd')[1:]").getBuffer("Float64Array"); } catch (e) { errors.push(e.message); }
        // A failed view does not keep the Python buffer held: the array can still grow.
        errors.push(kiln.runPython("b.append(1.0); len(b)"));
        report([results, errors]);
    """)
    results, errors = values
    assert results["step2"] == [[0, 2, 4, 6, 8], [5], [2], 0, False, False]
    assert results["reversed"] == [[9, 8, 7, 6, 5, 4, 3, 2, 1, 0], [10], [-1], 9, False, False]
    assert results["reversedStep3"] == [[8, 5, 2], [3], [-3], 6, False, False]
    assert results["twoD"] == [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [2, 5], [5, 1], 0, True, False]
    assert results["transposedLike"][0] == [5, 6, 7, 8, 9, 0, 1, 2, 3, 4]
    assert errors[0].startswith('getBuffer: "process" is not a typed array type')
    assert errors[1].startswith("getBuffer: the buffer's strides") and errors[2] == 11


def test_tostring_is_python_repr_and_type_names_the_class(node):
    values = node.report(SETUP + """
        report([String(point), `${kiln.runPython("'quoted'")}`, point.type, kiln.runPython("{}").type,
                kiln.runPython("import collections; collections.OrderedDict()").type]);
    """)
    assert values == ["Point(3, 4)", "quoted", "Point", "dict", "collections.OrderedDict"]


def test_pyproxy_capability_classes(node):
    values = node.report("""
        const kiln = await loadKiln();
        const { PyProxy, PyCallable, PyDict, PyIterable, PyAwaitable, PyBuffer, PySequence } = kiln.ffi;
        const d = kiln.runPython("{}"), f = kiln.runPython("len"), b = kiln.runPython("b''");
        report([d instanceof PyProxy, d instanceof PyDict, d instanceof PyCallable, f instanceof PyCallable,
                d instanceof PyIterable, b instanceof PyBuffer, kiln.runPython("[1]") instanceof PySequence,
                ({}) instanceof PyProxy, kiln.runPython("import asyncio; asyncio.sleep(0)") instanceof PyAwaitable]);
    """)
    assert values == [True, True, False, True, True, True, True, False, True]


# ---- JsProxy: JS objects in Python ---------------------------------------


def test_import_js_gives_the_global_scope(node):
    values = node.report("""
        globalThis.answer = 42;
        const kiln = await loadKiln();
        report(kiln.runPython(`
import js
from js import Math, answer
[answer, js.answer, Math.max(3, 9, 4), js.Array.isArray(js.Array.new()), type(js.JSON).__name__]`).toJs());
    """)
    assert values == [42, 42, 9, True, "JsProxy"]


def test_jsproxy_attributes_items_calls_new_iteration_len_in(node):
    values = node.report("""
        const kiln = await loadKiln();
        globalThis.obj = { count: 1, greet(name) { return `hi ${name} (${this.count})`; } };
        report(kiln.runPython(`
from js import obj, Array, Map, Set, Date
from pyodide.ffi import to_js
obj.count = 5
obj.extra = "x"
arr = Array.new(3, 1, 2)
arr[0] = 30
m = Map.new(to_js([["a", 1]]))
m["b"] = 2
del m["a"]
d = Date.new(2020, 0, 15)
[obj.greet("ann"), obj.extra, hasattr(obj, "nope"), list(arr), len(arr), arr[-1], 1 in arr,
 dict(m.items()), len(m), "b" in m, sorted(Set.new(to_js([3, 1, 2]))), d.getFullYear(), arr.typeof]`).toJs());
    """)
    assert values == ["hi ann (5)", "x", False, [30, 1, 2], 3, 2, True, {"b": 2}, 1, True, [1, 2, 3], 2020, "object"]


def test_jsproxy_equality_identity_and_hash(node):
    values = node.report("""
        const kiln = await loadKiln();
        globalThis.shared = {};
        report(kiln.runPython(`
import js
from js import Object
a, b = js.shared, js.shared   # two proxies of one JS object
[a == b, a != b, hash(a) == hash(b), Object.new() == Object.new(), len({a, b})]`).toJs());
    """)
    assert values == [True, False, True, False, 1]


def test_typed_arrays_and_python_buffers(node):
    values = node.report("""
        const kiln = await loadKiln();
        globalThis.bytes = new Uint8Array([1, 2, 3]);
        globalThis.floats = new Float32Array([0.5, 1.5]);
        report(kiln.runPython(`
from js import bytes, floats, Uint8Array
view = floats.to_py()
raw = bytes.to_bytes()
bytes.assign(b"\\\\x07\\\\x08\\\\x09")
target = bytearray(3)
bytes.assign_to(target)
[list(raw), view.format, view.tolist(), list(bytes), list(target), list(Uint8Array.new(2).to_bytes())]`).toJs());
    """)
    assert values == [[1, 2, 3], "f", [0.5, 1.5], [7, 8, 9], [7, 8, 9], [0, 0]]


def test_to_py_converts_deeply_and_keeps_cycles(node):
    values = node.report("""
        const kiln = await loadKiln();
        const cyclic = { name: "root", items: [1, "two", { three: 3 }], tags: new Set(["a"]), map: new Map([[1, "one"]]) };
        cyclic.self = cyclic;
        globalThis.cyclic = cyclic;
        report(kiln.runPython(`
from js import cyclic
data = cyclic.to_py()
shallow = cyclic.to_py(depth=1)
[data["items"], data["tags"] == {"a"}, data["map"], data["self"] is data, type(shallow["items"]).__name__]`).toJs());
    """)
    assert values == [[1, "two", {"three": 3}], True, {"1": "one"}, True, "JsArray"]


# ---- conversions -----------------------------------------------------------


def test_scalars_convert_implicitly_both_ways(node):
    values = node.report("""
        const kiln = await loadKiln();
        const echo = kiln.runPython("lambda x: [type(x).__name__, x]");
        const cases = [undefined, true, 7, 2.5, 2n ** 70n, -(2n ** 64n), "text ☃", 2 ** 53];
        report(cases.map((v) => echo(v).toJs()));
    """)
    assert values == [
        ["NoneType", None], ["bool", True], ["int", 7], ["float", 2.5],
        ["int", {"bigint": str(2**70)}], ["int", {"bigint": str(-(2**64))}], ["str", "text ☃"], ["float", 2.0**53],
    ]


def test_null_becomes_jsnull_or_none_if_configured(node):
    values = node.report("""
        const a = await loadKiln();
        const b = await loadKiln({ convertNullToNone: true });
        const code = "from pyodide.ffi import jsnull\\nimport js\\nv = js.JSON.parse('null')\\n[repr(v), v is jsnull, v is None, bool(v)]";
        report([a.runPython(code).toJs(), b.runPython(code).toJs(), a.runPython("from pyodide.ffi import jsnull; jsnull") === null]);
    """)
    assert values == [["jsnull", True, False, False], ["None", False, True, False], True]


def test_to_js_from_python_and_topy_from_js(node):
    values = node.report("""
        const kiln = await loadKiln();
        const fromPython = kiln.runPython(`
from pyodide.ffi import to_js
import js
cyclic = [1]
cyclic.append(cyclic)
[to_js({"a": [1, 2]}), to_js(cyclic), to_js({"m": 1}, dict_converter=js.Map.new)]`);
        const [asObject, cyclic, asMap] = fromPython.toJs({ depth: 1 });
        const py = kiln.toPy({ a: [1, { b: null }], s: new Set([1]) });
        report([asObject, cyclic[1] === cyclic, asMap instanceof Map, String(py), py.type]);
    """)
    assert values == [{"a": [1, 2]}, True, True, "{'a': [1, {'b': jsnull}], 's': {1}}", "dict"]


# ---- exceptions both ways ----------------------------------------------------


def test_js_exception_is_caught_in_python_and_reraised_to_js_unchanged(node):
    values = node.report("""
        const kiln = await loadKiln();
        const original = new TypeError("bad input from JS");
        globalThis.fail = () => { throw original; };
        const caught = kiln.runPython(`
from js import fail
from pyodide.ffi import JsException
try:
    fail()
except JsException as e:
    result = [type(e).__name__, str(e), e.js_error.name]
result`).toJs();
        let rethrown;
        try { kiln.runPython("from js import fail\\nfail()"); } catch (e) { rethrown = e; }
        report([caught, rethrown === original]);
    """)
    assert values == [["JsException", "TypeError: bad input from JS", "TypeError"], True]


def test_python_exception_round_trips_through_a_js_callback(node):
    values = node.report("""
        const kiln = await loadKiln();
        globalThis.callTwice = (f) => { f(); f(); };
        report(kiln.runPython(`
from js import callTwice
class Custom(Exception):
    pass
original = Custom("raised in Python")
def callback():
    raise original
try:
    callTwice(callback)
except Custom as e:
    result = [e is original, e.args[0]]
result`).toJs());
    """)
    assert values == [True, "raised in Python"]


def test_python_error_in_js_has_the_traceback_and_runtime_survives(node):
    values = node.report("""
        const kiln = await loadKiln();
        let error;
        try { kiln.runPython("def inner():\\n    raise KeyError('missing')\\ninner()"); } catch (e) { error = e; }
        report([error instanceof kiln.PythonError, error.type, error.message.includes('line 2, in inner'), kiln.runPython("1 + 1")]);
    """)
    assert values == [True, "KeyError", True, 2]


# ---- async -------------------------------------------------------------------


def test_asyncio_runs_on_the_js_event_loop_and_interleaves_with_js(node):
    values = node.report("""
        const kiln = await loadKiln();
        const events = [];
        globalThis.note = (what) => events.push(what);
        // The timer starts from Python, just before the tasks, so compile and
        // import time on a slow machine cannot reorder the events.
        globalThis.startTimer = () => setTimeout(() => events.push("js timer"), 50);
        kiln.runPython("import asyncio");
        const result = await kiln.runPythonAsync(`
from js import note, startTimer
async def worker(name, delay):
    await asyncio.sleep(delay)
    note(name)
    return name
task = asyncio.ensure_future(worker("slow", 0.25))
startTimer()
fast = await worker("fast", 0.0)
[fast, await task]`);
        report([result.toJs(), events]);
    """)
    assert values[0] == ["fast", "slow"]
    assert values[1] == ["fast", "js timer", "slow"]


def test_python_awaits_js_promises_and_js_awaits_python_coroutines(node):
    values = node.report("""
        const kiln = await loadKiln();
        globalThis.later = (v) => new Promise((resolve) => setTimeout(() => resolve(v), 5));
        const fromPython = await kiln.runPythonAsync("from js import later\\n(await later(20)) + 1");
        const coroutine = kiln.runPython("import asyncio\\nasync def twice(x):\\n    await asyncio.sleep(0)\\n    return x * 2\\ntwice(21)");
        report([fromPython, await coroutine]);
    """)
    assert values == [21, 42]


def test_awaiting_a_rejected_promise_raises_jsexception(node):
    values = node.report("""
        const kiln = await loadKiln();
        const rejection = new RangeError("rejected on purpose");
        globalThis.reject = () => Promise.reject(rejection);
        const inPython = await kiln.runPythonAsync(`
from js import reject
from pyodide.ffi import JsException
try:
    await reject()
except JsException as e:
    caught = [str(e), e.js_error.name]
caught`);
        let outside;
        try { await kiln.runPythonAsync("from js import reject\\nawait reject()"); } catch (e) { outside = e; }
        report([inPython.toJs(), outside === rejection]);
    """)
    assert values == [["RangeError: rejected on purpose", "RangeError"], True]


def test_run_sync_and_time_sleep_use_jspi_on_node24(node24):
    values = node24.report("""
        const kiln = await loadKiln();
        globalThis.later = (v) => new Promise((resolve) => setTimeout(() => resolve(v), 20));
        let ticks = 0;
        const interval = setInterval(() => ticks++, 5);
        const blocked = await kiln.runPythonAsync(`
import time
from pyodide.ffi import run_sync, can_run_sync
from js import later
start = time.monotonic()
time.sleep(0.1)
[can_run_sync(), run_sync(later(7)) * 6, round(time.monotonic() - start, 1)]`);
        clearInterval(interval);
        let syncError;
        try { kiln.runPython("from pyodide.ffi import run_sync\\nfrom js import later\\nrun_sync(later(1))"); } catch (e) { syncError = e.message.trim().split("\\n").at(-1); }
        report([kiln.jspiAvailable, blocked.toJs(), ticks >= 10, syncError]);
    """)
    assert values[0] is True
    assert values[1][:2] == [True, 42] and values[1][2] >= 0.1
    assert values[2], "JS timers must keep running while Python sleeps"
    assert values[3].startswith("RuntimeError: Cannot block on a JS promise here")


def test_run_sync_suspends_across_the_call_trampoline(node24):
    """A C extension's function (called through the call trampoline) calls
    Python code that blocks on a promise: the suspension must cross the
    trampoline, which therefore has to stay in WebAssembly."""
    values = node24.report("""
        const kiln = await loadKiln();
        await kiln.loadPackage("kiln-fpcast-ext");
        globalThis.later = (v) => new Promise((resolve) => setTimeout(() => resolve(v), 10));
        const result = await kiln.runPythonAsync(`
from pyodide.ffi import run_sync
from js import later
import kiln_fpcast
kiln_fpcast.call_without_kwargs(lambda: run_sync(later(7)) * 6)`);
        report([kiln._module.kilnBridge.callTrampoline, result]);
    """)
    assert values == ["wasm", 42]


def test_run_sync_without_jspi_raises_a_clear_error(tmp_path):
    from conftest import NodeRunner

    node20 = NodeRunner("20", tmp_path)
    values = node20.report("""
        const kiln = await loadKiln();
        const result = await kiln.runPythonAsync(`
from pyodide.ffi import run_sync, can_run_sync
import js
try:
    run_sync(js.Promise.resolve(1))
except RuntimeError as e:
    message = str(e)
[can_run_sync(), message]`);
        report([kiln.jspiAvailable, result.toJs()]);
    """)
    assert values[0] is False
    assert values[1][0] is False
    assert "lacks JSPI" in values[1][1]


# ---- lifetimes ---------------------------------------------------------------


def test_borrowed_proxies_expire_and_create_proxy_persists(node):
    values = node.report("""
        const kiln = await loadKiln();
        globalThis.keep = (f) => { globalThis.kept = f; };
        kiln.runPython("from js import keep\\nkeep(lambda: 'borrowed')");
        let borrowedError;
        try { globalThis.kept(); } catch (e) { borrowedError = e.message; }
        kiln.runPython("from js import keep\\nfrom pyodide.ffi import create_proxy\\nhandler = create_proxy(lambda: 'persistent')\\nkeep(handler)");
        const first = globalThis.kept();
        kiln.runPython("handler.destroy()");
        let destroyedError;
        try { globalThis.kept(); } catch (e) { destroyedError = e.message; }
        kiln.runPython("from js import keep\\nfrom pyodide.ffi import create_once_callable\\nkeep(create_once_callable(lambda: 'once'))");
        const once = globalThis.kept();
        let onceError;
        try { globalThis.kept(); } catch (e) { onceError = e.message; }
        report([borrowedError, first, destroyedError, once, onceError]);
    """)
    assert "create_proxy" in values[0]
    assert values[1] == "persistent"
    assert "destroyed" in values[2]
    assert values[3] == "once"
    assert "can be called only once" in values[4]


def test_destroy_proxies_releases_a_list_of_proxies(node):
    values = node.report("""
        const kiln = await loadKiln();
        const proxies = [];
        kiln.runPython("[object(), object()]").toJs({ pyproxies: proxies });
        globalThis.proxies = proxies;
        kiln.runPython("from js import proxies\\nfrom pyodide.ffi import destroy_proxies\\ndestroy_proxies(proxies)");
        const errors = proxies.map((p) => { try { String(p); return "alive"; } catch { return "destroyed"; } });
        report(errors);
    """)
    assert values == ["destroyed", "destroyed"]


def test_garbage_collected_pyproxies_are_released(node24):
    values = node24.report("""
        const kiln = await loadKiln();
        const before = kiln.debugCounters().pyproxies;
        (() => { for (let i = 0; i < 1000; i++) kiln.runPython("object()"); })();
        const created = kiln.debugCounters().pyproxies - before;
        for (let i = 0; i < 5; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 10)); }
        report([created, kiln.debugCounters().pyproxies - before]);
    """, node_args=("--expose-gc",))
    assert values[0] == 1000
    assert values[1] < 50, "FinalizationRegistry should have released the collected proxies"


# ---- runtime API -------------------------------------------------------------


def test_globals_pyimport_and_js_modules(node):
    values = node.report("""
        const kiln = await loadKiln();
        kiln.globals.set("fromJs", 5);
        kiln.registerJsModule("jslib", { double: (x) => x * 2, nested: { name: "inner" } });
        const result = kiln.runPython("import jslib\\nfrom jslib.nested import name\\n[fromJs, jslib.double(21), name]").toJs();
        kiln.unregisterJsModule("jslib");
        let missing;
        try { kiln.runPython("import jslib"); } catch (e) { missing = e.type; }
        report([result, kiln.pyimport("math").sqrt(81), kiln.globals.get("fromJs"), missing]);
    """)
    assert values == [[5, 42, "inner"], 9, 5, "ModuleNotFoundError"]


def test_set_stdout_batched_and_raw_and_set_stdin(node):
    values = node.report("""
        const kiln = await loadKiln();
        const lines = [], bytes = [], written = [];
        kiln.setStdout({ batched: (line) => lines.push(line) });
        kiln.runPython("print('batched one')\\nprint('two')");
        kiln.setStdout({ raw: (byte) => bytes.push(byte) });
        kiln.runPython("print('hi')");
        kiln.setStdout({ write: (buffer) => { written.push(new TextDecoder().decode(buffer)); return buffer.length; } });
        kiln.runPython("print('written')");
        kiln.setStdin(() => "typed");
        const typed = kiln.runPython("input()");
        let badHandler;
        try { kiln.setStdout({}); } catch (e) { badHandler = e.name; }
        report([lines, String.fromCharCode(...bytes), written.join(""), typed, badHandler]);
    """)
    assert values == [["batched one", "two"], "hi\n", "written\n", "typed", "TypeError"]


def test_python_side_kiln_and_pyodide_modules(node):
    values = node.report("""
        const kiln = await loadKiln();
        report(kiln.runPython(`
import kiln, kiln.code, kiln.ffi, pyodide, pyodide.ffi, pyodide.code, pyodide_js
from pyodide.code import eval_code, find_imports
[eval_code("x = 2\\\\nx * 21"), find_imports("import numpy.linalg\\\\nfrom a.b import c\\\\nimport os, json"),
 pyodide.ffi.to_js is kiln.ffi.to_js, pyodide_js.version == kiln.__version__, pyodide.code.eval_code is kiln.code.eval_code]`).toJs());
    """)
    assert values == [42, ["numpy", "a", "os", "json"], True, True, True]


def test_eval_code_async_supports_top_level_await(node):
    values = node.report("""
        const kiln = await loadKiln();
        report(await kiln.runPythonAsync(`
from pyodide.code import eval_code_async
import asyncio
await eval_code_async("import asyncio\\\\nawait asyncio.sleep(0)\\\\n6 * 7")`));
    """)
    assert values == 42


def test_bound_js_method_keeps_its_this_when_passed_back_to_js(node):
    """jsproxy.bind(obj) is a real bound function: JS calling it later (a timer) gets the right `this`."""
    value = node.report("""
        const kiln = await loadKiln();
        report(await kiln.runPythonAsync(`
import asyncio
from js import AbortController, setTimeout
controller = AbortController.new()
setTimeout(controller.abort.bind(controller), 10)
await asyncio.sleep(0.1)
controller.signal.aborted`));
    """)
    assert value is True


# Python code that reads far outside WASM memory: a trap, not a Python error.
TRAP = "import ctypes; ctypes.string_at(0xFFFFFF00, 64)"


@pytest.mark.parametrize("path", ["error_format", "destroy", "finalizer"])
def test_a_trap_in_python_reached_from_js_is_fatal_and_refuses_further_use(node24, path):
    """Error formatting, a proxy's destroy() and a garbage-collected proxy's
    finalizer all run Python code (__str__, __del__): a trap there must go
    through the fatal-error guard like any other call into WASM."""
    trigger = {
        "error_format": """
            kiln.runPython(`
class Boom(Exception):
    def __str__(self):
        ${TRAP}
raise Boom()
`);""",
        "destroy": """
            const p = kiln.runPython(`
class Doomed:
    def __del__(self):
        ${TRAP}
Doomed()
`);
            p.destroy();""",
        "finalizer": """
            kiln.runPython(`
class Doomed:
    def __del__(self):
        ${TRAP}
Doomed()
`);
            for (let i = 0; i < 20 && !logged.length; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 10)); }
            throw new Error(logged.length ? "finalized" : "never finalized");""",
    }[path]
    values = node24.report(
        f"""
        const TRAP = {json.dumps(TRAP)};
        const logged = [];
        console.error = (...args) => logged.push(args.map((a) => String(a?.message ?? a)).join(" "));
        const kiln = await loadKiln();
        let first;
        try {{ {trigger} }} catch (e) {{ first = e.message; }}
        let after;
        try {{ kiln.runPython("1 + 1"); after = "still ran"; }} catch (e) {{ after = e.message; }}
        report([first, after, logged]);
        """,
        node_args=("--expose-gc",),
    )
    first, after, logged = values
    if path == "finalizer":
        assert first == "finalized"
        assert logged[0].startswith("kiln: releasing a Python object after garbage collection failed: kiln: fatal error inside the WASM runtime")
    else:
        assert first.startswith("kiln: fatal error inside the WASM runtime: memory access out of bounds"), first
    assert after.startswith("kiln: this runtime failed fatally earlier and can no longer run Python"), after


def test_get_buffer_with_zero_strides(node24):
    """A broadcast NumPy array repeats elements with a zero stride: the view
    spans just the memory it covers and the reader revisits the same element."""
    values = node24.report("""
        const kiln = await loadKiln();
        await kiln.loadPackage("numpy");
        const view = kiln.runPython("import numpy as np; np.broadcast_to(np.arange(3.0) + 1, (2, 3))").getBuffer();
        const rows = [];
        for (let i = 0; i < view.shape[0]; i++) {
          const row = [];
          for (let j = 0; j < view.shape[1]; j++) row.push(view.data[view.offset + i * view.strides[0] + j * view.strides[1]]);
          rows.push(row);
        }
        const info = [rows, view.shape, view.strides, view.offset, view.data.length, view.c_contiguous, view.f_contiguous];
        view.release();
        const column = kiln.runPython("np.broadcast_to(np.float32(7), (4,))").getBuffer();
        info.push([Array.from(column.data), column.strides, column.offset]);
        column.release();
        report(info);
    """)
    rows, shape, strides, offset, length, c_contiguous, f_contiguous, column = values
    assert rows == [[1, 2, 3], [1, 2, 3]] and shape == [2, 3] and strides == [0, 1] and offset == 0
    assert length == 3 and c_contiguous is False and f_contiguous is False
    assert column == [[7], [0], 0]
