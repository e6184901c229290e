// `make` ends with this: Python running in WASM under Node, printing to stdout.
import { loadKiln } from "../dist/kiln.mjs";

const started = performance.now();
const kiln = await loadKiln();
const ms = (performance.now() - started).toFixed(0);
kiln.runPython(`
import sys, platform, zlib, sqlite3, json
print(f"Hello from Python {sys.version.split()[0]} on {sys.platform}/{platform.machine()} (started in ${ms} ms)")
db = sqlite3.connect(":memory:")
db.execute("create table squares (n, sq)")
db.executemany("insert into squares values (?, ?)", [(n, n * n) for n in range(10)])
total = db.execute("select sum(sq) from squares").fetchone()[0]
print("sum of squares 0..9 via sqlite3:", total)
print("zlib round trip:", zlib.decompress(zlib.compress(b"kiln" * 100)) == b"kiln" * 100)
`);
const answer = kiln.runPython("6 * 7");
console.log(`JS got ${answer} (${typeof answer}) back from Python`);
