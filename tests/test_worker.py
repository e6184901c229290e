"""Worker mode (loadKiln({worker: true})), interrupts and blocking stdin:
Chromium with and without cross-origin isolation, and Node worker_threads."""

import json

import pytest

# Runs in the calling thread: start a worker-mode interpreter with stdout and
# stdin going through `events` / `answers`, and time things.
WORKER_SETUP = """
    const events = [];
    const t0 = performance.now();
    const at = () => Math.round(performance.now() - t0);
    let answers = [];
    let abortsSeen = 0;
    const kiln = await loadKiln({
      worker: true,
      stdout: (line) => events.push([at(), line]),
      stderr: (line) => events.push([at(), "ERR " + line]),
      // Answers from `answers`; once its input() is interrupted, it answers
      // "late answer", which must reach nobody.
      stdin: async ({ signal }) => {
        while (!answers.length && !signal.aborted) await new Promise((r) => setTimeout(r, 20));
        if (signal.aborted) {
          abortsSeen++;
          return "late answer";
        }
        return answers.shift();
      },
    });
    async function interrupted(code, delay) {
      const run = kiln.runPython(code).then(() => "finished", (e) => e.type ?? e.message);
      await new Promise((r) => setTimeout(r, delay));
      const start = performance.now();
      kiln.interrupt();
      const outcome = await run;
      return [outcome, Math.round(performance.now() - start)];
    }
"""

WORKER_CHECKS = WORKER_SETUP + """
    const result = {};
    // Output streams while code runs: "before" arrives before the sleep ends.
    const done = kiln.runPython("import time\\nprint('before', flush=True)\\ntime.sleep(1.5)\\nprint('after')\\n6 * 7").then((v) => [at(), v]);
    const [doneAt, value] = await done;
    const before = events.find(([, line]) => line === "before");
    result.streaming = [value, before !== undefined && before[0] < doneAt - 1000];
    // Interrupts: a busy loop, a long sleep, a blocked input().
    result.busy = await interrupted("while True: pass", 300);
    // Requested before the worker has even received the run: still that run's.
    result.early = await interrupted("while True: pass", 0);
    result.sleep = await interrupted("import time; time.sleep(30)", 300);
    result.input = await interrupted("input('never answered? ')", 300);
    await new Promise((r) => setTimeout(r, 100)); // the handler's late answer has come and gone
    result.abortsSeen = abortsSeen;
    result.async_await = await (async () => {
      const run = kiln.runPythonAsync("import asyncio\\nawait asyncio.sleep(30)").then(() => "finished", (e) => e.type);
      await new Promise((r) => setTimeout(r, 300));
      const start = performance.now();
      kiln.interrupt();
      return [await run, Math.round(performance.now() - start)];
    })();
    // A SIGINT handler runs instead of KeyboardInterrupt.
    result.handler = await (async () => {
      const run = kiln.runPython(`
import signal, time
hits = []
signal.signal(signal.SIGINT, lambda *a: hits.append(1))
deadline = time.monotonic() + 3
while not hits and time.monotonic() < deadline:
    pass
signal.signal(signal.SIGINT, signal.default_int_handler)
len(hits)`);
      await new Promise((r) => setTimeout(r, 300));
      kiln.interrupt();
      return run;
    })();
    // No stale interrupt: one requested between runs does not hit the next run.
    kiln.interrupt();
    result.after = await kiln.runPython("sum(range(10))");
    // input(), sys.stdin.readline() and end of input, answered asynchronously.
    answers = ["21", "a line", null];
    result.stdin = await kiln.runPython(`
import sys
first = int(input("number? ")) * 2
second = sys.stdin.readline()
try:
    input()
    third = "no EOF"
except EOFError:
    third = "EOFError"
[first, second, third]`);
    // Values and errors cross by copy; other Python objects are refused.
    result.values = await kiln.runPython("{'a': [1, 2.5, None, True], 'b': b'xy'}");
    result.error = await kiln.runPython("1/0").catch((e) => [e instanceof kiln.PythonError, e.type, e.message.trim().split("\\n").at(-1)]);
    result.unconvertible = await kiln.runPython("object()").catch((e) => e.message);
    await kiln.globals.set("shared", { n: 3 });
    result.globals = [await kiln.runPython("shared['n'] * 2"), await kiln.globals.get("shared")];
    // A JS module whose functions run on the calling thread.
    await kiln.registerJsModule("host", { add: (a, b) => a + b, later: async (x) => x + "!", constant: 5 });
    result.callbacks = await kiln.runPython("import host\\n[host.add(2, 3), host.later('hi'), host.constant]");
    await kiln.FS.writeFile("/tmp/from-caller.txt", "written by the caller");
    result.fs = [await kiln.runPython("open('/tmp/from-caller.txt').read()"), await kiln.FS.readFile("/tmp/from-caller.txt", { encoding: "utf8" })];
    result.output = events.map(([, line]) => line).filter((line) => !line.startsWith("ERR"));
    await kiln.terminate();
    result.terminated = await kiln.runPython("1").catch((e) => e.message);
    return result;
"""


def check_worker_results(result: dict) -> None:
    assert result["streaming"] == [42, True]
    for case in ("busy", "early", "sleep", "input", "async_await"):
        outcome, latency = result[case]
        assert outcome == "KeyboardInterrupt", (case, outcome)
        assert latency < 1000, f"{case}: interrupt took {latency} ms"
    assert result["handler"] == 1
    assert result["after"] == 45
    assert result["abortsSeen"] == 1, "the interrupted input()'s stdin handler was not told"
    # (a late answer that reached the next input() would make int() fail here)
    assert result["stdin"] == [42, "a line\n", "EOFError"]
    assert result["values"] == {"a": [1, 2.5, None, True], "b": {"0": 120, "1": 121}} or result["values"]["a"] == [1, 2.5, None, True]
    assert result["error"] == [True, "ZeroDivisionError", "ZeroDivisionError: division by zero"]
    assert "is a Python object, which cannot cross to the calling thread" in result["unconvertible"]
    assert result["globals"] == [6, {"n": 3}]
    assert result["callbacks"] == [5, "hi!", 5]
    assert result["fs"] == ["written by the caller", "written by the caller"]
    assert result["output"][:2] == ["before", "after"]
    assert result["terminated"] == "kiln: the worker was terminated"


def test_worker_mode_in_chromium(chromium):
    check_worker_results(chromium.main(WORKER_CHECKS, timeout=180_000))


def test_worker_mode_in_node_worker_threads(node):
    result = node.report(f"const r = await (async () => {{ {WORKER_CHECKS} }})(); report(r);", timeout=240)
    check_worker_results(result)


def test_without_cross_origin_isolation_worker_runs_but_interrupt_and_input_explain(page, plain_server):
    page.goto(f"{plain_server.url}/pages/blank.html")
    result = page.evaluate("""async () => {
        const lines = [];
        const kiln = await loadKiln({ worker: true, stdout: (l) => lines.push(l) });
        const value = await kiln.runPython("print('streamed'); 40 + 2");
        let interruptError;
        try { kiln.interrupt(); } catch (e) { interruptError = e.message; }
        const inputError = await kiln.runPython("input()").catch((e) => e.message);
        await kiln.registerJsModule("host", { twice: (x) => x * 2 });
        const asyncCallback = await kiln.runPythonAsync("import host\\nawait host.twice(21)");
        return [crossOriginIsolated, kiln.sharedMemory, value, lines, interruptError, inputError, asyncCallback];
    }""")
    isolated, shared, value, lines, interrupt_error, input_error, async_callback = result
    assert isolated is False and shared is False
    assert value == 42 and lines == ["streamed"]
    assert "Cross-Origin-Opener-Policy: same-origin" in interrupt_error and "Cross-Origin-Embedder-Policy: require-corp" in interrupt_error
    assert "input() needs to block" in input_error and "Cross-Origin-Embedder-Policy" in input_error
    assert async_callback == 42


@pytest.mark.parametrize("where", ["main", "worker"])
def test_set_interrupt_buffer_in_thread(chromium, where):
    """Pyodide's own API: an interrupt buffer written from another thread."""
    body = """
        const kiln = await loadKiln();
        const buffer = new Uint8Array(new SharedArrayBuffer(1));
        kiln.setInterruptBuffer(buffer);
        const blob = new Blob([`onmessage = (e) => { if (e.data === "ping") return postMessage("pong"); const b = new Uint8Array(e.data); setTimeout(() => { b[0] = 2; }, 300); };`]);
        const writer = new Worker(URL.createObjectURL(blob));
        // Chromium delivers the first message to a new worker only once the
        // sender's event loop turns, which a blocking run does not let happen:
        // a round trip first (the HTTP helper thread does the same).
        writer.postMessage("ping");
        await new Promise((resolve) => writer.addEventListener("message", resolve, { once: true }));
        const interrupt = () => writer.postMessage(buffer.buffer);
        const outcome = async (code, run) => {
          interrupt();
          const start = performance.now();
          const result = await Promise.resolve().then(() => run(code)).then(() => "finished", (e) => e.type);
          return [result, Math.round(performance.now() - start)];
        };
        const r = {};
        r.busy = await outcome("while True: pass", (c) => kiln.runPython(c));
        r.sleep = await outcome("import time; time.sleep(30)", (c) => kiln.runPythonAsync(c));
        r.await = await outcome("import asyncio; await asyncio.sleep(30)", (c) => kiln.runPythonAsync(c));
        buffer[0] = 2;  // left set after a run: must not leak into the next one
        r.stale = kiln.runPython("1 + 1");
        buffer[0] = 2;
        let checked;
        try { kiln.checkInterrupt(); checked = "no error"; } catch (e) { checked = e.type; }
        r.check = checked;
        return r;
    """
    result = chromium.main(body) if where == "main" else chromium.worker(body)
    for case in ("busy", "sleep", "await"):
        outcome, elapsed = result[case]
        assert outcome == "KeyboardInterrupt", (case, outcome)
        assert elapsed < 1500, (case, elapsed)
    assert result["stale"] == 2
    assert result["check"] == "KeyboardInterrupt"


def test_set_interrupt_buffer_in_node_main_thread(node):
    """Node: another thread writes the buffer while Python runs on the main thread."""
    result = node.report("""
        const { Worker } = await import("node:worker_threads");
        const kiln = await loadKiln();
        const buffer = new Uint8Array(new SharedArrayBuffer(1));
        kiln.setInterruptBuffer(buffer);
        const writer = new Worker("const { parentPort } = require('node:worker_threads'); parentPort.on('message', (b) => { setTimeout(() => { new Uint8Array(b)[0] = 2; }, 300); });", { eval: true });
        writer.unref();
        const outcome = (code) => {
          writer.postMessage(buffer.buffer);
          const start = performance.now();
          let result;
          try { kiln.runPython(code); result = "finished"; } catch (e) { result = e.type; }
          return [result, Math.round(performance.now() - start)];
        };
        const r = { busy: outcome("while True: pass"), sleep: outcome("import time; time.sleep(30)") };
        buffer[0] = 2;
        r.stale = kiln.runPython("1 + 1");
        // Set before the run's task takes its first step: still that run's.
        const early = performance.now();
        const run = kiln.runPythonAsync("import asyncio\\nawait asyncio.sleep(30)");
        buffer[0] = 2;
        r.early = [await run.then(() => "finished", (e) => e.type), Math.round(performance.now() - early)];
        r.after = await kiln.runPythonAsync("2 + 2");
        report(r);
    """, timeout=120)
    for case in ("busy", "sleep", "early"):
        outcome, elapsed = result[case]
        assert outcome == "KeyboardInterrupt" and elapsed < 1500, (case, result[case])
    assert result["stale"] == 2
    assert result["after"] == 4


def test_no_interrupt_is_lost_among_hundreds(node):
    """CPython's signal check reads the buffer and then clears it: an interrupt
    written in between was lost (about one in 150), and the interrupted
    `while True: pass` ran forever. Hundreds of interrupts, each sent at once
    or a few milliseconds into the run, must each end their run."""
    result = node.report("""
        const kiln = await loadKiln({ worker: true });
        const outcomes = {};
        for (let i = 0; i < 600; i++) {
          const run = kiln.runPython("while True: pass").then(() => "finished", (e) => e.type);
          const delay = i % 2 ? i % 7 : 0;
          if (delay) await new Promise((r) => setTimeout(r, delay));
          kiln.interrupt();
          let timer;
          const hung = new Promise((r) => { timer = setTimeout(() => r("not interrupted after 10 s"), 10_000); });
          const outcome = await Promise.race([run, hung]);
          clearTimeout(timer);
          outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
          if (outcome !== "KeyboardInterrupt") break;
        }
        await kiln.terminate();
        report(outcomes);
    """, timeout=240)
    assert result == {"KeyboardInterrupt": 600}


# The interleaving that lost interrupts, replayed: CPython reads the buffer
# (0), another thread requests an interrupt, CPython writes 0.
SIGNAL_CHECK_REPLAY = """
    const kiln = await loadKiln();
    const r = {};
    for (const Type of [Uint8Array, Int32Array, Float64Array]) {
      const buffer = new Type(new SharedArrayBuffer(Type.BYTES_PER_ELEMENT));
      kiln.setInterruptBuffer(buffer);
      const seen = kiln._module.Py_EmscriptenSignalBuffer;
      const first = seen[0];
      buffer[0] = 2;  // the other thread
      seen[0] = 0;    // CPython's clear after its read
      const kept = buffer[0];
      const second = seen[0];
      r[Type.name] = [first, kept, second, buffer[0]];
    }
    // And through that view, a request still reaches running code.
    const buffer = new Uint8Array(new SharedArrayBuffer(1));
    kiln.setInterruptBuffer(buffer);
    kiln.registerJsModule("trigger", { fire: () => { buffer[0] = 2; } });
    try {
      kiln.runPython("import trigger\\ntrigger.fire()\\nwhile True: pass");
      r.interrupted = "finished";
    } catch (e) {
      r.interrupted = e.type;
    }
    r.after = kiln.runPython("6 * 7");
    return r;
"""


def check_signal_check_replay(result: dict) -> None:
    for name in ("Uint8Array", "Int32Array"):
        assert result[name] == [0, 2, 2, 0], name
    assert result["Float64Array"][:2] == [0, 2]
    assert result["interrupted"] == "KeyboardInterrupt"
    assert result["after"] == 42


def test_the_signal_check_takes_a_request_in_one_step(node):
    check_signal_check_replay(node.report(f"const r = await (async () => {{ {SIGNAL_CHECK_REPLAY} }})(); report(r);"))


@pytest.mark.parametrize("where", ["main", "worker"])
def test_the_signal_check_takes_a_request_in_one_step_in_chromium(chromium, where):
    result = chromium.main(SIGNAL_CHECK_REPLAY) if where == "main" else chromium.worker(SIGNAL_CHECK_REPLAY)
    check_signal_check_replay(result)


# The eval loop raises KeyboardInterrupt in whatever Python code runs, also a
# weakref callback, where CPython only prints it: the interrupt is delivered
# again to the running code instead of being lost.
INTERRUPTED_CALLBACK = """
    const errors = [];
    const kiln = await loadKiln({ worker: true, stdout: () => {}, stderr: (line) => errors.push(line) });
    const run = kiln.runPython(`
import weakref
class Thing: pass
thing = Thing()
def callback(ref):
    while True: pass
ref = weakref.ref(thing, callback)
del thing  # the callback runs now, and is interrupted
while True: pass`).then(() => "finished", (e) => e.type);
    await new Promise((r) => setTimeout(r, 300));
    kiln.interrupt();
    let timer;
    const hung = new Promise((r) => { timer = setTimeout(() => r("not interrupted after 10 s"), 10_000); });
    const outcome = await Promise.race([run, hung]);
    clearTimeout(timer);
    const after = outcome === "KeyboardInterrupt" ? await kiln.runPython("6 * 7") : null;
    await kiln.terminate();
    return [outcome, after, errors];
"""


def test_an_interrupt_raised_where_python_only_prints_it_still_stops_the_run(node):
    result = node.report(f"const r = await (async () => {{ {INTERRUPTED_CALLBACK} }})(); report(r);", timeout=60)
    assert result == ["KeyboardInterrupt", 42, []]


def test_an_interrupt_raised_where_python_only_prints_it_still_stops_the_run_in_chromium(chromium):
    assert chromium.main(INTERRUPTED_CALLBACK, timeout=60_000) == ["KeyboardInterrupt", 42, []]
