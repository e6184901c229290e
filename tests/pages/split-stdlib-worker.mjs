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
  // a pure-Python group (no side module): installed by Python's zipfile in a worker
  const doctestWant = kiln.runPython("import doctest; doctest.DocTestParser().get_examples('>>> 2 * 3\\n6\\n')[0].want");
  postMessage({ total, korean, doctestWant, loaded: Object.keys(kiln.loadedPackages).sort() });
} catch (error) {
  postMessage({ error: String(error.message ?? error) });
}
