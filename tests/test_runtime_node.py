"""The loader API in Node: values, output, errors, stdin, env, file system."""

from kiln import config


def test_run_python_returns_scalars_as_js_values(node):
    values = node.report("""
        const kiln = await loadKiln();
        report({
          int: kiln.runPython("6 * 7"),
          float: kiln.runPython("1 / 4"),
          str: kiln.runPython("'héllo ☃ 𝄞'"),
          true: kiln.runPython("1 < 2"),
          false: kiln.runPython("1 > 2"),
          none: kiln.runPython("None") === undefined,
          statements: kiln.runPython("x = 5") === undefined,
          semicolon: kiln.runPython("x * 2;") === undefined,
          lastExpr: kiln.runPython("y = x + 1\\ny * 10"),
          types: [typeof kiln.runPython("2 ** 53"), typeof kiln.runPython("2 ** 53 + 1")],
        });
    """)
    assert values == {
        "int": 42, "float": 0.25, "str": "héllo ☃ 𝄞", "true": True, "false": False, "none": True,
        "statements": True, "semicolon": True, "lastExpr": 60, "types": ["number", "bigint"],
    }


def test_big_ints_arrive_as_bigint(node):
    values = node.report("""
        const kiln = await loadKiln();
        report([kiln.runPython("2 ** 100"), kiln.runPython("-(3 ** 50)"), kiln.runPython("2 ** 100") === 2n ** 100n]);
    """)
    assert values == [{"bigint": str(2**100)}, {"bigint": str(-(3**50))}, True]


def test_other_objects_arrive_as_proxies_showing_their_repr(node):
    values = node.report("""
        const kiln = await loadKiln();
        const proxy = kiln.runPython("{'a': [1, 2]}");
        report({ text: String(proxy), type: proxy.type });
    """)
    assert values == {"text": "{'a': [1, 2]}", "type": "dict"}


def test_stdout_and_stderr_reach_handlers_line_by_line(node):
    values = node.report("""
        const out = [], err = [];
        const kiln = await loadKiln({ stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
        kiln.runPython("import sys\\nprint('one')\\nprint('two', 'three')\\nprint('err', file=sys.stderr)\\nprint('ü€', end='')");
        report({ out, err });
    """)
    # The partial last line is handed over when the run ends, not lost.
    assert values == {"out": ["one", "two three", "ü€"], "err": ["err"]}


def test_python_exception_becomes_js_error_with_traceback(node):
    values = node.report("""
        const kiln = await loadKiln();
        kiln.runPython("kept = 'state before the error'");
        let error;
        try {
          kiln.runPython("def divide(a, b):\\n    return a / b\\ndivide(1, 0)");
        } catch (e) {
          error = e;
        }
        report({
          isError: error instanceof Error,
          isPythonError: error instanceof kiln.PythonError,
          name: error.name,
          type: error.type,
          message: error.message,
          usable: kiln.runPython("kept + ' survives'"),
        });
    """)
    assert values["isError"] and values["isPythonError"]
    assert values["name"] == "PythonError" and values["type"] == "ZeroDivisionError"
    message = values["message"]
    assert message.startswith("Traceback (most recent call last):")
    assert 'File "<exec>", line 3, in <module>' in message
    assert 'File "<exec>", line 2, in divide' in message and "return a / b" in message
    assert message.rstrip().endswith("ZeroDivisionError: division by zero")
    assert "_runtime" not in message  # the runtime's own frames are not shown
    assert values["usable"] == "state before the error survives"


def test_syntax_error_and_system_exit_are_errors_not_crashes(node):
    values = node.report("""
        const kiln = await loadKiln();
        const caught = [];
        for (const code of ["def broken(:", "raise SystemExit(3)", "import no_such_module_here"]) {
          try { kiln.runPython(code); caught.push(null); } catch (e) { caught.push([e.type, e.message.trim().split("\\n").at(-1)]); }
        }
        caught.push(kiln.runPython("'still running'"));
        report(caught);
    """)
    assert values[0][0] == "SyntaxError"
    assert values[1] == ["SystemExit", "SystemExit: 3"]
    assert values[2] == ["ModuleNotFoundError", "ModuleNotFoundError: No module named 'no_such_module_here'"]
    assert values[3] == "still running"


def test_stdin_handler_feeds_input(node):
    values = node.report("""
        const lines = ["first", "second\\n"];
        const kiln = await loadKiln({ stdin: () => lines.length ? lines.shift() : null, stdout: () => {} });
        report(kiln.runPython("a = input(); b = input('prompt> ')\\ntry:\\n    input()\\nexcept EOFError:\\n    eof = True\\n[a, b, eof]").toString());
    """)
    assert values == "['first', 'second', True]"


def test_default_stdin_in_node_reads_the_process_stdin(node):
    values = node.report("""
        const kiln = await loadKiln({ stdout: () => {} });
        report(kiln.runPython("import sys; sys.stdin.read()"));
    """, stdin="piped text\nline 2\n")
    assert values == "piped text\nline 2\n"


def test_env_and_args_reach_python(node):
    values = node.report("""
        const kiln = await loadKiln({ env: { GREETING: "hi" }, args: ["-X", "dev", "-W", "error"] });
        report(kiln.runPython("import os, sys; [os.environ['GREETING'], sys.flags.dev_mode, sys.warnoptions[-1], os.getcwd()]").toString());
    """)
    assert values == "['hi', True, 'error', '/home/kiln']"


def test_process_time_advances(node):
    # Emscripten's times() reports zeros; process_time must not be stuck at 0.0
    values = node.report("""
        const kiln = await loadKiln();
        report(kiln.runPython(`
import time
start = time.process_time()
deadline = time.monotonic() + 0.2
while time.monotonic() < deadline:
    pass
[time.process_time() - start, time.get_clock_info("process_time").implementation]
`).toJs());
    """)
    elapsed, implementation = values
    assert elapsed >= 0.1, values
    assert implementation == "clock()"


def test_strftime_with_a_trailing_percent_prints_it(node24):
    # musl left a NUL byte (so CPython raised ValueError); glibc prints the '%'
    # (cpython/patches/0005). CPython's own test of this skips when it raises.
    values = node24.report("""
        const kiln = await loadKiln();
        report(kiln.runPython(`
import time, datetime
t = time.struct_time((2020, 1, 2, 3, 4, 5, 3, 2, 0))
[time.strftime("%", t), time.strftime("a%", t), time.strftime("%Y%%%", t), time.strftime("%%", t),
 datetime.date(2020, 1, 2).strftime("%Y%")]
`).toJs());
    """)
    assert values == ["%", "a%", "2020%%", "%", "2020%"]


def test_fs_init_runs_before_python_starts(node):
    values = node.report("""
        const kiln = await loadKiln({
          fsInit(FS, { sitePackages }) {
            FS.mkdirTree("/work/data");
            FS.writeFile("/work/data/x.txt", "from fsInit");
            FS.writeFile(sitePackages + "/early.py", "VALUE = 42");
            FS.chdir("/work");
          },
        });
        report(kiln.runPython("import os, early; [os.getcwd(), open('data/x.txt').read(), early.VALUE]").toJs());
    """)
    assert values == ["/work", "from fsInit", 42]


def test_file_system_is_shared_between_js_and_python(node):
    values = node.report("""
        const kiln = await loadKiln();
        kiln.FS.writeFile("/tmp/from_js.txt", "written by JS");
        kiln.runPython("open('/tmp/from_py.txt', 'w').write(open('/tmp/from_js.txt').read().upper())");
        report(kiln.FS.readFile("/tmp/from_py.txt", { encoding: "utf8" }));
    """)
    assert values == "WRITTEN BY JS"


def test_version_and_pyodide_alias(node):
    values = node.report("""
        const kiln = await loadPyodide();
        report({ version: kiln.version, python: kiln.runPython("import sys; sys.version.split()[0]"), same: loadPyodide === loadKiln });
    """)
    assert values == {"version": config.KILN_VERSION, "python": config.PYTHON_VERSION, "same": True}


def test_missing_index_url_gives_an_error_naming_the_file(node):
    proc = node.run("""
        try {
          await loadKiln({ indexURL: "/no/such/folder/" });
        } catch (e) {
          console.log("ERROR " + e.message);
        }
    """)
    # Whichever of the three core files fails first is named with its full URL.
    assert proc.stdout.startswith("ERROR kiln: cannot ")
    assert "file:///no/such/folder/kiln.asm." in proc.stdout or "file:///no/such/folder/python_stdlib.zip" in proc.stdout


def test_runpython_rejects_non_string_code(node):
    values = node.report("""
        const kiln = await loadKiln();
        try { kiln.runPython(42); } catch (e) { report([e.name, e.message]); }
    """)
    assert values == ["TypeError", "runPython expects a string of code, got number"]


def test_destroyed_proxy_refuses_use(node):
    values = node.report("""
        const kiln = await loadKiln();
        const proxy = kiln.runPython("[1, 2, 3]");
        proxy.destroy();
        try { String(proxy); } catch (e) { report(e.message); }
    """)
    assert "destroyed" in values


def test_deep_recursion_is_a_recursion_error_not_a_crash(node):
    # CPython's C recursion limit is patched to fit the JS engine's stack
    # (cpython/patches/0003): deep recursion in Python code and through C
    # (json, repr of nested lists, __getattr__) ends in RecursionError, and
    # the runtime stays usable.
    values = node.report("""
        const kiln = await loadKiln();
        const outcomes = [];
        for (const code of [
          "def f(n): return f(n + 1)\\nf(0)",
          "import json\\nx = []\\nfor _ in range(100000): x = [x]\\njson.dumps(x)",
          "x = []\\nfor _ in range(100000): x = [x]\\nrepr(x)",
          "class A:\\n  def __getattr__(self, name): return getattr(self, name + 'x')\\nA().y",
          "import functools\\n@functools.lru_cache\\ndef h(n): return h(n + 1)\\nh(0)",
        ]) {
          try { kiln.runPython(code); outcomes.push("no error"); } catch (e) { outcomes.push(e.type ?? e.message); }
        }
        // Python -> JS -> Python recursion: the JS frames between count too
        // (kiln_pyproxy_call), so the limit trips with stack left to raise.
        globalThis.bounce = (n) => kiln.globals.get("bounce_py")(n + 1);
        kiln.runPython("import js\\ndef bounce_py(n): return js.bounce(n)");
        for (let i = 0; i < 2; i++) {
          try { kiln.runPython("bounce_py(0)"); outcomes.push("no error"); } catch (e) { outcomes.push(e.type ?? e.message); }
        }
        outcomes.push(kiln.runPython("sum(range(10))"));
        report(outcomes);
    """)
    assert values == ["RecursionError"] * 7 + [45]


def test_start_and_first_run_import_only_what_they_need(node24):
    """Start-up weight: starting and a first runPython import no module that
    only some code needs (runPython parses with _ast, not ast with re and
    enum; package loads do not import sysconfig or importlib.metadata)."""
    values = node24.report("""
        const kiln = await loadKiln();
        kiln.runPython("1 + 1");
        await kiln.loadPackage("iniconfig");
        report(kiln.runPython(`
import sys
[m for m in ("ast", "re", "enum", "sysconfig", "zipfile", "importlib.metadata", "asyncio", "inspect") if m in sys.modules]
`).toJs());
    """)
    assert values == []
