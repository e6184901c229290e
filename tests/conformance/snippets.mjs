// Conformance snippets: code written against Pyodide's documented API
// (loadPyodide, runPython, pyodide.ffi, pyodide.code, pyodide_js, `import js`).
// Each must give the same result on Kiln as on Pyodide. run.mjs runs them on
// either runtime; tests/test_conformance.py checks both.
//
// A snippet: { name, run: async (pyodide) => value, expect }. They share one
// runtime, so each keeps to its own names.

export const snippets = [
  // ---- runPython and values ------------------------------------------------
  { name: "runPython returns the last expression", run: (py) => py.runPython("1 + 2"), expect: 3 },
  { name: "runPython returns strings", run: (py) => py.runPython("'py' * 2"), expect: "pypy" },
  { name: "runPython returns floats", run: (py) => py.runPython("7 / 2"), expect: 3.5 },
  { name: "runPython returns booleans", run: (py) => py.runPython("3 > 2"), expect: true },
  { name: "None becomes undefined", run: (py) => py.runPython("None") === undefined, expect: true },
  { name: "big ints become BigInt", run: (py) => py.runPython("2 ** 64") === 2n ** 64n, expect: true },
  {
    name: "runPython with a globals dict",
    run: (py) => {
      const ns = py.toPy({ x: 20 });
      return py.runPython("x + 1", { globals: ns });
    },
    expect: 21,
  },
  {
    name: "globals.set and globals.get",
    run: (py) => {
      py.globals.set("conf_value", 41);
      py.runPython("conf_value += 1");
      return py.globals.get("conf_value");
    },
    expect: 42,
  },
  {
    name: "runPythonAsync with top-level await",
    run: (py) => py.runPythonAsync("import asyncio\nawait asyncio.sleep(0)\n'awaited'"),
    expect: "awaited",
  },
  {
    name: "PythonError carries the exception type and traceback",
    run: (py) => {
      try {
        py.runPython("raise ValueError('conformance')");
      } catch (e) {
        return [e.constructor.name, e.type, e.message.includes("ValueError: conformance")];
      }
    },
    expect: ["PythonError", "ValueError", true],
  },
  {
    name: "runtime keeps working after an error",
    run: (py) => {
      try {
        py.runPython("1 / 0");
      } catch {}
      return py.runPython("'still alive'");
    },
    expect: "still alive",
  },
  // ---- PyProxy ---------------------------------------------------------------
  {
    name: "PyProxy of a dict: get, set, has, delete, length",
    run: (py) => {
      const d = py.runPython("{'a': 1}");
      d.set("b", 2);
      d.delete("a");
      const result = [d.get("b"), d.has("a"), d.length, d.type];
      d.destroy();
      return result;
    },
    expect: [2, false, 1, "dict"],
  },
  {
    name: "PyProxy attribute access and method calls",
    run: (py) => {
      py.runPython("class ConfCounter:\n    def __init__(self):\n        self.n = 0\n    def add(self, k=1):\n        self.n += k\n        return self.n");
      const counter = py.globals.get("ConfCounter")();
      counter.add();
      counter.add.callKwargs({ k: 5 });
      return counter.n;
    },
    expect: 6,
  },
  {
    name: "PyProxy iteration with for...of",
    run: (py) => Array.from(py.runPython("range(4)")),
    expect: [0, 1, 2, 3],
  },
  {
    name: "toJs converts a list of dicts (plain objects by default)",
    run: (py) => {
      const value = py.runPython("[{'k': 1}]").toJs();
      return [Array.isArray(value), value[0] instanceof Map, value[0].k];
    },
    expect: [true, false, 1],
  },
  {
    name: "toJs with a Map dict_converter",
    run: (py) => py.runPython("{1: 'one'}").toJs({ dict_converter: (entries) => new Map(entries) }).get(1),
    expect: "one",
  },
  {
    name: "toJs with dict_converter: Object.fromEntries",
    run: (py) => py.runPython("{'a': {'b': [1, 2]}}").toJs({ dict_converter: Object.fromEntries }),
    expect: { a: { b: [1, 2] } },
  },
  {
    name: "toJs with depth: 1 leaves inner proxies",
    run: (py) => {
      const outer = py.runPython("[[1], [2]]").toJs({ depth: 1 });
      return [outer.length, outer[0] instanceof py.ffi.PyProxy];
    },
    expect: [2, true],
  },
  {
    name: "PyProxy instanceof checks from pyodide.ffi",
    run: (py) => {
      const fn = py.runPython("len");
      return [fn instanceof py.ffi.PyProxy, fn instanceof py.ffi.PyCallable, py.runPython("{}") instanceof py.ffi.PyDict];
    },
    expect: [true, true, true],
  },
  {
    name: "destroyed PyProxy throws on use",
    run: (py) => {
      const p = py.runPython("[1, 2, 3]");
      p.destroy();
      try {
        p.length;
        return "no error";
      } catch (e) {
        return e instanceof Error;
      }
    },
    expect: true,
  },
  {
    name: "copy keeps a PyProxy usable after destroying the original",
    run: (py) => {
      const p = py.runPython("[5, 6]");
      const q = p.copy();
      p.destroy();
      return q.toJs();
    },
    expect: [5, 6],
  },
  {
    name: "awaiting a PyProxy of a coroutine",
    run: async (py) => {
      const coroutine = py.runPython("import asyncio\nasync def conf_co():\n    await asyncio.sleep(0)\n    return 11\nconf_co()");
      return await coroutine;
    },
    expect: 11,
  },
  {
    name: "getBuffer shares Python memory",
    run: (py) => {
      const arr = py.runPython("import array\nconf_arr = array.array('i', [1, 2, 3])\nconf_arr");
      const buffer = arr.getBuffer();
      buffer.data[0] = 100;
      buffer.release();
      return py.runPython("conf_arr[0]");
    },
    expect: 100,
  },
  {
    name: "pyimport returns a module",
    run: (py) => py.pyimport("math").floor(2.7),
    expect: 2,
  },
  {
    name: "toPy converts JS objects to dicts and lists",
    run: (py) => py.runPython("lambda d: sorted(d.keys()) + d['list']")(py.toPy({ b: 1, a: 2, list: [3] })).toJs(),
    expect: ["a", "b", "list", 3],
  },
  // ---- JsProxy (Python side) ---------------------------------------------------
  {
    name: "import js and call JS functions",
    run: (py) => py.runPython("import js\njs.Math.max(1, 7, 3)"),
    expect: 7,
  },
  {
    name: "from js import and construct with .new()",
    run: (py) => py.runPython("from js import Array\narr = Array.new(3)\nlen(arr)"),
    expect: 3,
  },
  {
    name: "JsProxy of an array: indexing, iteration, in",
    run: (py) => py.runPython("import js\na = js.JSON.parse('[10, 20, 30]')\n[a[1], list(a), 30 in a, len(a)]").toJs(),
    expect: [20, [10, 20, 30], true, 3],
  },
  {
    name: "JsProxy.to_py deep conversion",
    run: (py) => py.runPython("import js\njs.JSON.parse('{\"a\": [1, {\"b\": 2}]}').to_py()").toJs({ dict_converter: Object.fromEntries }),
    expect: { a: [1, { b: 2 }] },
  },
  {
    name: "JsProxy of a Map behaves like a dict",
    run: (py) => py.runPython("import js\nm = js.Map.new([['x', 1]])\nm['y'] = 2\n[m['x'], 'y' in m, len(m)]").toJs(),
    expect: [1, true, 2],
  },
  {
    name: "to_js with dict_converter from Python",
    run: (py) => py.runPython("from pyodide.ffi import to_js\nimport js\nto_js({'k': [1, 2]}, dict_converter=js.Object.fromEntries)"),
    expect: { k: [1, 2] },
  },
  {
    name: "JS exception becomes JsException",
    run: (py) =>
      py.runPython(`
from pyodide.ffi import JsException
import js
try:
    js.JSON.parse("{not json")
except JsException as e:
    result = e.js_error.name
result`),
    expect: "SyntaxError",
  },
  {
    name: "awaiting a JS Promise in Python",
    run: (py) => py.runPythonAsync("import js\nawait js.Promise.resolve(8)"),
    expect: 8,
  },
  {
    name: "JS null is jsnull in Python",
    run: (py) => py.runPython("import js\nfrom pyodide.ffi import jsnull\njs.JSON.parse('null') is jsnull"),
    expect: true,
  },
  {
    name: "Uint8Array.to_bytes()",
    run: (py) => py.runPython("import js\njs.Uint8Array.new([104, 105]).to_bytes().decode()"),
    expect: "hi",
  },
  {
    name: "isinstance checks against pyodide.ffi classes",
    run: (py) => py.runPython("import js\nfrom pyodide.ffi import JsProxy, JsArray\nx = js.Array.new()\n[isinstance(x, JsProxy), isinstance(x, JsArray)]").toJs(),
    expect: [true, true],
  },
  // ---- callbacks and lifetimes -----------------------------------------------------
  {
    name: "create_proxy for a callback JS keeps",
    run: (py) => {
      globalThis.confStore = {};
      py.runPython("import js\nfrom pyodide.ffi import create_proxy\nconf_cb = create_proxy(lambda x: x * 3)\njs.confStore.cb = conf_cb");
      const result = globalThis.confStore.cb(5);
      py.runPython("conf_cb.destroy()");
      return result;
    },
    expect: 15,
  },
  {
    name: "create_once_callable",
    run: (py) => {
      globalThis.confOnce = {};
      py.runPython("import js\nfrom pyodide.ffi import create_once_callable\njs.confOnce.f = create_once_callable(lambda: 'once')");
      return globalThis.confOnce.f();
    },
    expect: "once",
  },
  {
    name: "Python callback called synchronously by JS (Array.map)",
    run: (py) => py.runPython("import js\nlist(js.Array.new(1, 2, 3).map(lambda x, *_: x * 10))").toJs(),
    expect: [10, 20, 30],
  },
  {
    name: "Python exception raised in a JS callback round-trips",
    run: (py) =>
      py.runPython(`
import js
class ConfError(Exception):
    pass
def boom(*args):
    raise ConfError("inner")
conf_result = None
try:
    js.Array.new(1, 2).forEach(boom)
except ConfError as e:
    conf_result = str(e)
conf_result`),
    expect: "inner",
  },
  // ---- modules and the API object ---------------------------------------------------
  {
    name: "registerJsModule makes a JS object importable",
    run: (py) => {
      py.registerJsModule("conf_jsmod", { triple: (x) => x * 3 });
      return py.runPython("from conf_jsmod import triple\ntriple(4)");
    },
    expect: 12,
  },
  {
    name: "unregisterJsModule removes it",
    run: (py) => {
      py.registerJsModule("conf_gone", { a: 1 });
      py.unregisterJsModule("conf_gone");
      try {
        py.runPython("import conf_gone");
        return "imported";
      } catch (e) {
        return e.type;
      }
    },
    expect: "ModuleNotFoundError",
  },
  {
    name: "pyodide_js is the API object",
    run: (py) => py.runPython("import pyodide_js\npyodide_js.runPython('40 + 2')"),
    expect: 42,
  },
  {
    name: "pyodide.code.eval_code",
    run: (py) => py.runPython("from pyodide.code import eval_code\neval_code('a = 4\\na * a')"),
    expect: 16,
  },
  {
    name: "pyodide.code.find_imports",
    run: (py) => py.runPython("from pyodide.code import find_imports\nfind_imports('import numpy as np\\nfrom scipy import linalg')").toJs(),
    expect: ["numpy", "scipy"],
  },
  {
    name: "setStdout with a batched handler",
    run: (py) => {
      const lines = [];
      py.setStdout({ batched: (line) => lines.push(line) });
      py.runPython("print('conformance output')");
      py.setStdout();
      return lines;
    },
    expect: ["conformance output"],
  },
  {
    name: "FS shared between JS and Python",
    run: (py) => {
      py.FS.writeFile("/tmp/conf.txt", "from js");
      return py.runPython("open('/tmp/conf.txt').read().upper()");
    },
    expect: "FROM JS",
  },
  {
    name: "asyncio tasks run on the JS event loop",
    run: (py) =>
      py.runPythonAsync(`
import asyncio
async def conf_job(n):
    await asyncio.sleep(0.001 * n)
    return n
list(await asyncio.gather(*(conf_job(i) for i in range(3))))`).then((r) => r.toJs()),
    expect: [0, 1, 2],
  },
];
