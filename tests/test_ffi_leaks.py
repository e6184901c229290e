"""No unbounded growth: 100,000 round trips and proxy lifecycles keep the WASM
heap, the live PyProxy count and the JS reference table within small bounds."""

ROUND_TRIPS = 100_000


def test_round_trips_and_proxy_lifecycles_do_not_leak(node24, capsys):
    values = node24.report(f"""
        const kiln = await loadKiln();
        globalThis.echo = (value) => value;
        const roundTrip = kiln.runPython(`
import js
def round_trip(value):
    return js.echo(value)   # JS -> Python -> JS, and back
round_trip`);
        const makeList = kiln.runPython("lambda n: [n, str(n)]");
        const pyObjects = kiln.runPython("import gc\\nlambda: len(gc.get_objects())");
        const snapshot = () => ({{ ...kiln.debugCounters(), gcObjects: pyObjects() }});

        const warm = () => {{ for (let i = 0; i < 2000; i++) {{ roundTrip({{ i }}); makeList(i).destroy(); }} }};
        warm();
        const before = snapshot();
        for (let i = 0; i < {ROUND_TRIPS}; i++) {{
          const back = roundTrip({{ i }});
          if (back.i !== i) throw new Error("round trip lost the object");
        }}
        const afterCalls = snapshot();
        for (let i = 0; i < {ROUND_TRIPS}; i++) {{
          const proxy = makeList(i);
          proxy.destroy();
        }}
        const afterProxies = snapshot();
        report({{ before, afterCalls, afterProxies }});
    """, timeout=600)
    before, after_calls, after_proxies = values["before"], values["afterCalls"], values["afterProxies"]
    with capsys.disabled():
        print(f"\nleak check over {ROUND_TRIPS:,} round trips, then {ROUND_TRIPS:,} proxy create/destroy:")
        for label, counters in (("before", before), ("after calls", after_calls), ("after proxies", after_proxies)):
            print(f"  {label:<14} {counters}")
    for after in (after_calls, after_proxies):
        assert after["pyproxies"] - before["pyproxies"] <= 10
        assert after["jsRefs"] - before["jsRefs"] <= 10
        assert after["heapUsedBytes"] - before["heapUsedBytes"] < 512 * 1024
        assert after["wasmMemoryBytes"] - before["wasmMemoryBytes"] <= 1024 * 1024
        assert after["gcObjects"] - before["gcObjects"] < 500


def test_errors_failed_conversions_and_hashes_stay_bounded(node24, capsys):
    """PythonErrors kept in JS do not keep their frames' locals; a deep toPy that
    fails half-way frees what it built; hashing JS values fills no table."""
    values = node24.report("""
        const kiln = await loadKiln();
        const pyObjects = kiln.runPython("import gc\\nlambda: (gc.collect(), len(gc.get_objects()))[1]");
        const snapshot = () => ({ ...kiln.debugCounters(), gcObjects: pyObjects(), jsHeap: (globalThis.gc?.(), process.memoryUsage().heapUsed) });
        const fail = kiln.runPython(`
def fail(i):
    payload = bytearray(100_000)   # a large local in the failing frame
    raise ValueError(i)
fail`);
        const kept = [];
        const hostile = () => ({ a: [1, 2, { b: "x" }], get c() { throw new Error("getter fails"); } });
        const hashSymbols = kiln.runPython("import js\\ndef h(n):\\n  for i in range(n): hash(js.Symbol(f's{i}'))\\nh");
        // Once each first, untimed: formatting the first traceback imports modules (traceback, ast, ...)
        try { fail(-1); } catch {}
        try { kiln.toPy(hostile()); } catch {}
        hashSymbols(1);
        const before = snapshot();
        for (let i = 0; i < 2000; i++) {
          try { fail(i); } catch (e) { kept.push(e); }   // 2,000 errors kept alive in JS
        }
        const toPyBefore = pyObjects();
        for (let i = 0; i < 2000; i++) {
          try { kiln.toPy(hostile()); } catch {}
        }
        const toPyGrowth = pyObjects() - toPyBefore;
        hashSymbols(100000);
        const after = snapshot();
        const keptCount = kept.length;
        kept.length = 0;   // dropped: their Python exceptions go with them
        for (let i = 0; i < 5; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 20)); }
        report({ before, after, kept: keptCount, toPyGrowth, afterDrop: pyObjects() });
    """, node_args=("--expose-gc",), timeout=600)
    before, after = values["before"], values["after"]
    with capsys.disabled():
        print(f"\nbounded: {values['kept']} kept PythonErrors, 2,000 failed toPy, 100,000 hashes:\n  before {before}\n  after  {after}"
              f"\n  Python objects: failed toPy +{values['toPyGrowth']}, after dropping the errors {values['afterDrop']}")
    # A failed deep conversion frees the lists and dicts it built.
    assert values["toPyGrowth"] < 50
    # A kept PythonError holds its exception (a few objects), released with it.
    assert values["afterDrop"] - before["gcObjects"] < 500
    # 2,000 frames holding 100 kB each would be 200 MB.
    assert after["heapUsedBytes"] - before["heapUsedBytes"] < 8 * 1024 * 1024
    assert after["jsRefs"] - before["jsRefs"] <= 10
    assert after["jsHeap"] - before["jsHeap"] < 16 * 1024 * 1024
