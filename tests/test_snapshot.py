"""Start-up from the memory snapshot (loadKiln({snapshot})): the same
interpreter as a normal start on this host, and a normal start with a warning
when the snapshot cannot be used. (Every test using the `node` fixture also
runs from the snapshot: conftest.SNAPSHOT_LOADER.)"""

import pytest

from conftest import NodeRunner
from kiln import config

NODE_MAJORS = sorted(config.NODE_MAJORS, reverse=True)

# What CPython reads from its host while starting, which the snapshot holds
# from the machine that built it: dumped after either kind of start.
HOST_STATE = """
import json, locale, os, sys, time
json.dumps({
    "environ": dict(os.environ),
    "getenv": os.getenv("KILN_SNAPSHOT_TEST"),
    "ctype": locale.setlocale(locale.LC_CTYPE),
    "timezone": [time.timezone, time.altzone, time.daylight, list(time.tzname)],
    "zone": time.strftime("%Z", time.localtime(0)),
    "path": sys.path,
    "argv": sys.argv,
    "flags": list(sys.flags),
    "stdio": [(s.encoding, s.errors, s.line_buffering) for s in (sys.stdin, sys.stdout, sys.stderr)],
    "browser": __import__("kiln.ffi").ffi.IN_BROWSER,
})
"""


@pytest.mark.parametrize("major", NODE_MAJORS, ids=lambda major: f"node{major}")
def test_a_snapshot_start_reads_this_host_as_a_normal_start_does(major, tmp_path):
    # The build made the snapshot in UTC; this host is in Tokyo, with its own environment.
    values = NodeRunner(major, tmp_path).report(f"""
        process.env.TZ = "Asia/Tokyo";
        const env = {{ KILN_SNAPSHOT_TEST: "from the host", HOME: "/home/elsewhere" }};
        const normal = await loadKiln({{ env }});
        const restored = await loadKiln({{ env, snapshot: true }});
        const other = await loadKiln({{ snapshot: true }});
        report({{
          started: [normal.startedFromSnapshot, restored.startedFromSnapshot],
          normal: JSON.parse(normal.runPython({HOST_STATE!r})),
          restored: JSON.parse(restored.runPython({HOST_STATE!r})),
          random: [restored.runPython("import random; random.random()"), other.runPython("import random; random.random()")],
        }});
    """)
    assert values["started"] == [False, True]
    assert values["restored"] == values["normal"]
    assert values["restored"]["timezone"][0] == -9 * 3600
    assert values["restored"]["zone"] == "UTC+0900"
    assert values["restored"]["getenv"] == "from the host"
    assert values["restored"]["environ"]["HOME"] == "/home/elsewhere"
    assert values["random"][0] != values["random"][1]


@pytest.mark.parametrize("major", NODE_MAJORS, ids=lambda major: f"node{major}")
def test_blocking_on_a_promise_follows_this_engine_after_a_snapshot_start(major, tmp_path):
    # The snapshot was made under Node 24 (JSPI): its memory says JSPI is there.
    values = NodeRunner(major, tmp_path).report("""
        const kiln = await loadKiln({ snapshot: true });
        const result = await kiln.runPythonAsync(`
from pyodide.ffi import run_sync, can_run_sync
import js
try:
    outcome = run_sync(js.Promise.resolve(6)) * 7
except RuntimeError as e:
    outcome = str(e)
[can_run_sync(), outcome]`);
        report([kiln.startedFromSnapshot, kiln.jspiAvailable, result.toJs(), kiln.runPython("1 + 1")]);
    """)
    jspi = major == "24"
    assert values[:2] == [True, jspi]
    assert values[2][0] is jspi
    assert values[2][1] == 42 if jspi else "lacks JSPI" in values[2][1]
    assert values[3] == 2


@pytest.mark.parametrize("major", NODE_MAJORS, ids=lambda major: f"node{major}")
def test_the_snapshot_holds_what_the_restore_and_the_first_run_would_import(major, tmp_path):
    # kiln._runtime.prepare_snapshot: in the snapshot, not done again in each
    # process; a normal start still leaves it to the first run.
    values = NodeRunner(major, tmp_path).report(r"""
        const imported = (kiln) => ["kiln.code", "kiln._snapshot"].map((name) => kiln.pyimport("sys").modules.has(name));
        const restored = await loadKiln({ snapshot: true });
        const normal = await loadKiln();
        report({
          before: [imported(restored), imported(normal)],
          runs: [restored, normal].map((kiln) => [kiln.runPython("x = 6\nx * 7"), kiln.runPython("x * 7;")]),
          cached: restored.runPython("import linecache; sorted(k for k in linecache.cache if k.startswith('<'))").toJs(),
          error: (() => { try { restored.runPython("1 +\n"); } catch (e) { return e.type; } })(),
          // sys.modules keeps import order: kiln.code is the snapshot's last.
          lastImported: (await loadKiln({ snapshot: true })).runPython("import sys; list(sys.modules)[-1]"),
        });
    """)
    assert values["before"] == [[True, True], [False, False]]
    # After a restore, an import costs V8's compile of the import machinery's
    # WASM functions (~10 ms): loadKiln and a first run import nothing.
    assert values["lastImported"] == "kiln.code"
    assert values["runs"] == [[42, None], [42, None]]
    assert values["cached"] == ["<exec>"]  # the runs' source only, nothing the build parsed
    assert values["error"] == "SyntaxError"


def _damaged_snapshot_cases() -> dict[str, str]:
    """JS expressions making snapshot bytes from `good` (the build's), each with the reason the loader gives."""
    return {
        "`${indexURL}no-such-snapshot.bin`": "could not be read",
        "new Uint8Array(1000)": "is not a Kiln snapshot",
        "withHeader((h) => ({ ...h, buildId: 'another-build' }))": "made by build another-build",
        "withHeader((h) => ({ ...h, fingerprint: { ...h.fingerprint, tableSize: h.fingerprint.tableSize + 1 } }))":
            "the WASM module differs",
        "withHeader((h) => ({ ...h, stdlibZipBytes: 1 }))": "the standard library zip differs",
        "good.subarray(0, good.length - 10)": "truncated or damaged",
        # The pages a restore leaves as they are must be what the snapshot was made on.
        "withHeader((h) => ({ ...h, checkedHashes: h.checkedHashes.map((hash, i) => i === 7 ? hash ^ 1 : hash) }))":
            "the memory before Python starts differs from the one the snapshot was made on (page ",
        "withHeader((h) => ({ ...h, checkedPages: h.checkedPages.slice(1) }))": "its header is damaged",
    }


@pytest.mark.parametrize("make_bytes", list(_damaged_snapshot_cases()), ids=range(len(_damaged_snapshot_cases())))
def test_a_snapshot_that_does_not_match_is_reported_and_python_starts_normally(node24, make_bytes):
    reason = _damaged_snapshot_cases()[make_bytes]
    proc = node24.run(f"""
        const fs = await import("node:fs");
        const indexURL = {str(config.DIST.as_uri() + "/")!r};
        const good = new Uint8Array(fs.readFileSync(new URL({config.SNAPSHOT!r}, indexURL)));
        // Rewrite the JSON header (after "KILNSNAP" and its u32 length).
        function withHeader(change) {{
          const length = new DataView(good.buffer).getUint32(8, true);
          const header = new TextEncoder().encode(JSON.stringify(change(JSON.parse(new TextDecoder().decode(good.subarray(12, 12 + length))))));
          const out = new Uint8Array(12 + header.length + good.length - 12 - length);
          out.set(good.subarray(0, 8));
          new DataView(out.buffer).setUint32(8, header.length, true);
          out.set(header, 12);
          out.set(good.subarray(12 + length), 12 + header.length);
          return out;
        }}
        const kiln = await loadKiln({{ snapshot: {make_bytes} }});
        report([kiln.startedFromSnapshot, kiln.runPython("import json, sys; json.dumps(len(sys.modules) > 10)")]);
    """)
    assert proc.stdout.strip().splitlines()[-1] == 'REPORT [false,"true"]'
    assert "kiln: not starting from the snapshot:" in proc.stderr and reason in proc.stderr, proc.stderr


def test_a_snapshot_refuses_options_that_change_how_python_starts(node24):
    values = node24.report("""
        const errors = [];
        for (const options of [
          { args: ["-X", "dev"], snapshot: true },
          { env: { PYTHONHASHSEED: "0", PYTHONWARNINGS: "error" }, snapshot: true },
          { snapshot: 5 },
        ]) {
          try { await loadKiln(options); errors.push("started"); }
          catch (error) { errors.push(`${error.name}: ${error.message}`); }
        }
        const kiln = await loadKiln({ snapshot: true });
        errors.push(kiln.runPython("6 * 7"));
        report(errors);
    """)
    assert values[0].startswith("TypeError: kiln: options.snapshot cannot be combined with options.args")
    assert values[1].startswith("TypeError: kiln: options.snapshot cannot be combined with PYTHONHASHSEED, PYTHONWARNINGS")
    assert values[2] == "TypeError: kiln: options.snapshot must be true, a URL or the snapshot's bytes, got [object Number]"
    assert values[3] == 42


def test_a_pth_file_written_by_fsinit_makes_python_start_normally(node24):
    proc = node24.run("""
        const kiln = await loadKiln({
          snapshot: true,
          fsInit(FS, { sitePackages }) {
            FS.mkdirTree("/extra");
            FS.writeFile(`${sitePackages}/extra.pth`, "/extra\\n");
          },
        });
        report([kiln.startedFromSnapshot, kiln.runPython("import sys; '/extra' in sys.path")]);
    """)
    assert proc.stdout.strip().splitlines()[-1] == "REPORT [false,true]"
    assert "fsInit wrote /lib/python3.13/site-packages/extra.pth" in proc.stderr


def test_snapshot_start_in_chromium_main_thread_and_worker(chromium):
    body = """
        const kiln = await loadKiln({ snapshot: true });
        return [kiln.startedFromSnapshot, kiln.runPython(`
import json, os, sys
from js import navigator
import kiln.ffi
json.dumps([kiln.ffi.IN_BROWSER, os.environ["LANG"].startswith(navigator.languages[0].replace("-", "_")), 'encodings' in sys.modules])
`)];
    """
    assert chromium.main(body) == [True, "[true, true, true]"]
    assert chromium.worker(body) == [True, "[true, true, true]"]


def test_kiln_clear_pages_zeroes_exactly_the_range(node24):
    """What a restore uses to zero the pages its snapshot holds nothing for
    (snapshot.js): every page in the range ends zero, nothing outside changes."""
    values = node24.report(r"""
        const kiln = await loadKiln();
        report(kiln.runPython(`
import ctypes
PAGE = 4096
core = ctypes.CDLL(None)
buffer = ctypes.create_string_buffer(7 * PAGE)
start = (ctypes.addressof(buffer) + PAGE - 1) // PAGE * PAGE  # whole pages inside the buffer
for offset in (start - 8, start + PAGE - 1, start + 3 * PAGE, start + 4 * PAGE + 100, start + 5 * PAGE):
    ctypes.memset(offset, 0x5A, 1)
core.kiln_clear_pages(ctypes.c_void_p(start), ctypes.c_void_p(start + 5 * PAGE), PAGE // 8)
[ctypes.string_at(start, 5 * PAGE).count(0) == 5 * PAGE,
 ctypes.string_at(start - 8, 1)[0], ctypes.string_at(start + 5 * PAGE, 1)[0]]
`).toJs());
    """)
    assert values == [True, 0x5A, 0x5A]
