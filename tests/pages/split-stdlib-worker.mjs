// A module worker: stdlib modules split out of the core load synchronously
// on import here (synchronous XHR), even under plain runPython.
import { loadKiln } from "../dist/kiln.mjs";

try {
  const kiln = await loadKiln();
  const total = kiln.runPython(
    "import sqlite3; db = sqlite3.connect(':memory:'); db.execute('create table t (x)');" +
      "db.executemany('insert into t values (?)', [(2,), (5,)]); db.execute('select sum(x) from t').fetchone()[0]",
  );
  const korean = kiln.runPython("'한국어'.encode('euc_kr').hex()");
  postMessage({ total, korean, loaded: Object.keys(kiln.loadedPackages).sort() });
} catch (error) {
  postMessage({ error: String(error.message ?? error) });
}
