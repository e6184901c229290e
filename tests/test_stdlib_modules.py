"""The stdlib modules the core promises, each exercised for real inside WASM."""


CHECKS = {
    "zlib": "import zlib; assert zlib.decompress(zlib.compress(b'kiln' * 1000)) == b'kiln' * 1000",
    "bz2": "import bz2; assert bz2.decompress(bz2.compress(b'kiln' * 1000)) == b'kiln' * 1000",
    "lzma": "import lzma; assert lzma.decompress(lzma.compress(b'kiln' * 1000)) == b'kiln' * 1000",
    "sqlite3": (
        "import sqlite3; db = sqlite3.connect(':memory:'); db.execute('create table t (x)');"
        "db.executemany('insert into t values (?)', [(i,) for i in range(100)]);"
        "assert db.execute('select sum(x) from t').fetchone() == (4950,)"
    ),
    "ctypes": (
        "import ctypes\n"
        "libc = ctypes.CDLL(None)\n"
        "assert libc.strlen(b'hello') == 5\n"
        "class Point(ctypes.Structure):\n    _fields_ = [('x', ctypes.c_int), ('y', ctypes.c_double)]\n"
        "assert Point(3, 1.5).y == 1.5\n"
        "CMPFUNC = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int))\n"
        "values = (ctypes.c_int * 5)(5, 1, 4, 2, 3)\n"
        "libc.qsort(values, 5, ctypes.sizeof(ctypes.c_int), CMPFUNC(lambda a, b: a[0] - b[0]))\n"
        "assert list(values) == [1, 2, 3, 4, 5]"
    ),
    "decimal": "import decimal; assert str(decimal.Decimal(1) / decimal.Decimal(7)) == '0.1428571428571428571428571429'",
    "hashlib": (
        "import hashlib; assert hashlib.sha256(b'abc').hexdigest().startswith('ba7816bf');"
        "assert hashlib.md5(b'').hexdigest() == 'd41d8cd98f00b204e9800998ecf8427e';"
        "assert hashlib.blake2b(b'x').digest_size == 64 and hashlib.sha3_256(b'').hexdigest().startswith('a7ffc6f8')"
    ),
    "json": "import json; assert json.loads(json.dumps({'a': [1, 2.5, None, 'é']})) == {'a': [1, 2.5, None, 'é']}",
    "urllib": (
        "import urllib.parse, urllib.request; "
        "assert urllib.parse.urlsplit('https://x.org/a?b=1').query == 'b=1';"
        "assert urllib.parse.quote('a b/ü') == 'a%20b/%C3%BC'"
    ),
    "datetime": "import datetime; assert datetime.date(2024, 2, 28) + datetime.timedelta(days=1) == datetime.date(2024, 2, 29)",
    # pydoc imports _pyrepl.pager in 3.13: help() needs it
    "pydoc": "import pydoc; assert 'Return the absolute value' in pydoc.render_doc(abs, renderer=pydoc.plaintext)",
    "xml": "import xml.etree.ElementTree as ET; assert ET.fromstring('<a><b>t</b></a>').find('b').text == 't'",
}


def test_core_stdlib_modules_work(node24):
    failures = node24.report(
        """
        const kiln = await loadKiln();
        const checks = %s;
        const failures = {};
        for (const [name, code] of Object.entries(checks)) {
          try { kiln.runPython(code); } catch (e) { failures[name] = e.message; }
        }
        report(failures);
        """
        % __import__("json").dumps(CHECKS)
    )
    assert failures == {}


def test_asyncio_runs_on_the_js_event_loop(node):
    values = node.report("""
        const kiln = await loadKiln();
        report(await kiln.runPythonAsync(`
import asyncio
async def work(n):
    await asyncio.sleep(0.01)
    return n * 2
await asyncio.gather(*(work(i) for i in range(5)))
`).then((r) => r.toJs()));
    """)
    assert values == [0, 2, 4, 6, 8]


def test_ssl_is_absent_and_urllib_works_without_it(node24):
    values = node24.report("""
        const kiln = await loadKiln();
        report(kiln.runPython(`
try:
    import ssl
    result = 'ssl present'
except ModuleNotFoundError as e:
    result = str(e)
import urllib.request, http.client
result`));
    """)
    assert values == "No module named '_ssl'"
