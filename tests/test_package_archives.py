"""Package archives unpacked by the loader (loader/src/packages/archive.mjs,
unpack.mjs): Node's zlib and Chromium's DecompressionStream, stored and
deflated members, member names in UTF-8 and code page 437, and archives that
are not zips or do not inflate: refused by name, nothing written."""

import hashlib
import io
import json
import zipfile

import pytest

from kiln import config

# member -> contents; "naXve.txt" gets its name rewritten to code page 437 bytes below
GOOD_MEMBERS = {
    "good_pkg/__init__.py": "VALUE = 'from a deflated member'\n" * 50,
    "good_pkg/stored.txt": "stored, not deflated\n",
    "good_pkg/café.py": "ACCENT = 'é'\n",
    "good_pkg/data/naXve.txt": "code page 437 name\n",
    "good_pkg/empty.bin": "",
    # over loader/src/packages/archive.mjs's THREAD_POOL_MIN_BYTES: inflated on Node's thread pool
    "good_pkg/big.txt": "".join(f"{i:08x}\n" for i in range(40_000)),
}
CP437_NAME = "good_pkg/data/naüve.txt"  # byte 0x81 in code page 437
EXPECTED_FILES = {**{k: v for k, v in GOOD_MEMBERS.items() if "naXve" not in k}, CP437_NAME: GOOD_MEMBERS["good_pkg/data/naXve.txt"]}


def _zip_bytes(name: str, members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, text in members.items():
            compress = zipfile.ZIP_STORED if member.endswith("stored.txt") else zipfile.ZIP_DEFLATED
            archive.writestr(member, text, compress_type=compress)
        archive.writestr(f"{name}-1.0.dist-info/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
        archive.writestr(f"{name}-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
    return buffer.getvalue()


def _good_wheel() -> bytes:
    data = _zip_bytes("good_pkg", GOOD_MEMBERS)
    # same length, in the local header and the central directory; no UTF-8 flag (it is ASCII)
    data = data.replace(b"naXve.txt", b"na\x81ve.txt")
    assert zipfile.ZipFile(io.BytesIO(data)).getinfo(CP437_NAME).file_size == len(GOOD_MEMBERS["good_pkg/data/naXve.txt"])
    return data


def _undeflatable_wheel(name: str) -> bytes:
    """A zip whose second member's deflate stream starts with block type 3 (invalid)."""
    data = bytearray(_zip_bytes(name, {f"{name}/__init__.py": "fine\n", f"{name}/bad.py": "x = 1\n" * 100}))
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(f"{name}/bad.py")
    header = info.header_offset
    start = header + 30 + int.from_bytes(data[header + 26:header + 28], "little") + int.from_bytes(data[header + 28:header + 30], "little")
    data[start] = 0xFF
    return bytes(data)


def _bad_side_module_wheel() -> bytes:
    """A good zip whose .so is not WebAssembly: refused before anything is written."""
    return _zip_bytes("badso_pkg", {"badso_pkg/__init__.py": "", "badso_pkg/_ext.so": "not wasm\n" * 10})


ARCHIVES = {
    "good_pkg": _good_wheel,
    "badso_pkg": _bad_side_module_wheel,
    # Verified by its sha256: where members are inflated on first read (Node),
    # it installs and its bad member fails when read.
    "broken_pkg": lambda: _undeflatable_wheel("broken_pkg"),
    # No sha256 in the lock: inflated, and refused, at load on every host.
    "unpinned_pkg": lambda: _undeflatable_wheel("unpinned_pkg"),
    "notazip_pkg": lambda: b"this is not a zip archive\n" * 100,
}


def _lock_with_archives(folder, url_of) -> dict:
    """The dist lock file plus ARCHIVES written into `folder`; url_of(file name) -> URL."""
    lock = json.loads((config.DIST / config.LOCK_FILE).read_text())
    for name, make in ARCHIVES.items():
        file_name = f"{name}-1.0-py3-none-any.whl"
        data = make()
        (folder / file_name).write_bytes(data)
        lock["packages"][name] = {
            "name": name, "version": "1.0", "file_name": file_name, "url": url_of(file_name), "install_dir": "site",
            "sha256": None if name == "unpinned_pkg" else hashlib.sha256(data).hexdigest(),
            "package_type": "package", "imports": [name],
            # badso_pkg needs good_pkg: a failed load installs neither
            "depends": ["good_pkg"] if name == "badso_pkg" else [],
            "unvendored_tests": False, "shared_library": False,
        }
    return lock


# Loads the good archive and the two bad ones; reports what each did and what is on disk.
SCENARIO = """
    const errors = [];
    const listing = () => kiln.runPython(`
import os, sysconfig
site = sysconfig.get_path("purelib")
sorted(os.listdir(site))
`).toJs();
    const before = listing();
    for (const name of ["unpinned_pkg", "notazip_pkg", "badso_pkg"]) {
      await kiln.loadPackage(name).then(() => errors.push("loaded " + name), (e) => errors.push(e.message));
    }
    const unchanged = JSON.stringify(before) === JSON.stringify(listing());
    await kiln.loadPackage("good_pkg");
    const files = kiln.runPython(`
import os, sysconfig
site = sysconfig.get_path("purelib")
found = {}
for folder, _, names in os.walk(os.path.join(site, "good_pkg")):
    for n in names:
        path = os.path.join(folder, n)
        found[os.path.relpath(path, site)] = open(path, encoding="utf-8").read()
dist_info = os.path.join(site, "good_pkg-1.0.dist-info")
import good_pkg
[found, open(os.path.join(dist_info, "INSTALLER")).read(), open(os.path.join(dist_info, "PYODIDE_SOURCE")).read(),
 good_pkg.VALUE, __import__("importlib").import_module("good_pkg.café").ACCENT]
`).toJs({ dict_converter: Object.fromEntries });
    const consoleErrors = [];
    const consoleError = console.error;
    console.error = (...args) => consoleErrors.push(args.join(" "));
    let broken, reads;
    try {
      broken = await kiln.loadPackage("broken_pkg").then(() => "loaded", (e) => e.message);
      reads = broken !== "loaded" ? null : kiln.runPython(`
import errno, os, sysconfig
folder = os.path.join(sysconfig.get_path("purelib"), "broken_pkg")
def read(name):
    try:
        return open(os.path.join(folder, name)).read()
    except OSError as e:
        return errno.errorcode[e.errno]
[os.stat(os.path.join(folder, "bad.py")).st_size, read("bad.py"), read("bad.py"), read("__init__.py")]
`).toJs();
    } finally {
      console.error = consoleError;
    }
    return [errors, unchanged, files, Object.keys(kiln.loadedPackages), broken, reads, consoleErrors];
"""


BROKEN = "broken_pkg-1.0-py3-none-any.whl is corrupt: 'broken_pkg/bad.py' does not inflate ("


def _check(values, url_of, members_inflated_on_first_read):
    errors, unchanged, (files, installer, source, value, accent), loaded, broken, reads, console_errors = values
    assert errors[0].startswith("unpinned_pkg-1.0-py3-none-any.whl is corrupt: 'unpinned_pkg/bad.py' does not inflate ("), errors[0]
    assert errors[1] == "notazip_pkg-1.0-py3-none-any.whl is not a valid zip archive (no end-of-directory record)"
    assert errors[2].startswith("kiln: badso_pkg-1.0-py3-none-any.whl: 'badso_pkg/_ext.so' is not a valid WebAssembly module ("), errors[2]
    assert errors[2].endswith("Nothing was installed."), errors[2]
    assert unchanged, "an archive that fails to unpack leaves nothing behind"
    assert files == EXPECTED_FILES
    assert installer == "kiln\n" and source == url_of("good_pkg-1.0-py3-none-any.whl")
    assert value == "from a deflated member" and accent == "é"
    if members_inflated_on_first_read:
        # Installed; the bad member is an OSError each time it is read, logged by name; the rest reads.
        assert broken == "loaded"
        assert reads == [600, "EIO", "EIO", "fine\n"]
        assert len(console_errors) == 2
        assert console_errors[0].startswith("kiln: cannot read /lib/python3.13/site-packages/broken_pkg/bad.py: " + BROKEN), console_errors
        assert loaded == ["good-pkg", "broken-pkg"]  # canonical names
    else:
        assert broken.startswith(BROKEN), broken
        assert reads is None and console_errors == []
        assert loaded == ["good-pkg"]


def test_archives_unpack_in_node(node, tmp_path):
    lock_path = tmp_path / "archives-lock.json"
    lock_path.write_text(json.dumps(_lock_with_archives(tmp_path, lambda f: (tmp_path / f).as_uri())))
    values = node.report(f"""
        const kiln = await loadKiln({{ lockFileURL: {json.dumps(lock_path.as_uri())} }});
        report(await (async () => {{ {SCENARIO} }})());
    """)
    _check(values, lambda f: (tmp_path / f).as_uri(), members_inflated_on_first_read=True)


def _served_lock(http_root, server_url):
    folder = http_root / "files" / "archives"
    folder.mkdir(parents=True, exist_ok=True)
    url_of = lambda f: f"{server_url}/files/archives/{f}"  # noqa: E731
    (folder / "lock.json").write_text(json.dumps(_lock_with_archives(folder, url_of)))
    return url_of


@pytest.mark.parametrize("thread", ["main", "worker"])
def test_archives_unpack_in_chromium(chromium, server_url, http_root, thread):
    url_of = _served_lock(http_root, server_url)
    run = chromium.main if thread == "main" else chromium.worker
    values = run(f"""
        if (typeof DecompressionStream !== "function") throw new Error("no DecompressionStream here");
        const kiln = await loadKiln({{ lockFileURL: {json.dumps(url_of("lock.json"))} }});
        {SCENARIO}
    """)
    _check(values, url_of, members_inflated_on_first_read=False)


def test_files_inflated_on_first_read_match_the_wheels_record(node):
    # Node leaves a verified wheel's members (all but side modules) deflated
    # until first read: each file's size is right before it is read, and its
    # bytes match the sha256 the wheel's RECORD gives.
    values = node.report("""
        const kiln = await loadKiln();
        await kiln.loadPackage("packaging");
        report(kiln.runPython(`
import base64, hashlib, os
from importlib.metadata import distribution
dist = distribution("packaging")
checked, wrong = 0, []
for f in dist.files:
    if f.hash is None:
        continue
    path = f.locate()
    size = os.stat(path).st_size
    with open(path, "rb") as file:
        data = file.read()
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    if size != f.size or len(data) != f.size or digest != f.hash.value:
        wrong.append(str(f))
    checked += 1
[checked, wrong]
`).toJs());
    """)
    checked, wrong = values
    assert checked > 20 and wrong == []


# Where the install folder is not plain MEMFS the loader writes through the
# FS's path calls (loader/src/packages/tree_writer.mjs): a folder that is a
# mount of the host's disk, or a symlink to another folder.
ODD_FOLDERS = {
    "mount": """
        FS.mkdirTree(site + "/good_pkg/data");
        FS.mount(FS.filesystems.NODEFS, { root: HOST }, site + "/good_pkg/data");
    """,
    "symlink": """
        FS.mkdirTree("/home/kiln/elsewhere");
        FS.symlink("/home/kiln/elsewhere", site + "/good_pkg");
    """,
}


@pytest.mark.parametrize("folder", sorted(ODD_FOLDERS))
def test_archives_unpack_into_a_mounted_or_linked_folder(node, tmp_path, folder):
    host = tmp_path / "host"
    host.mkdir()
    lock_path = tmp_path / "archives-lock.json"
    lock_path.write_text(json.dumps(_lock_with_archives(tmp_path, lambda f: (tmp_path / f).as_uri())))
    values = node.report(f"""
        const kiln = await loadKiln({{ lockFileURL: {json.dumps(lock_path.as_uri())} }});
        const FS = kiln.FS, HOST = {json.dumps(str(host))};
        const site = kiln.runPython("import sysconfig; sysconfig.get_path('purelib')");
        {ODD_FOLDERS[folder]}
        await kiln.loadPackage("good_pkg");
        report(kiln.runPython(`
import os, sysconfig
site = sysconfig.get_path("purelib")
found = {{}}
for folder, _, names in os.walk(os.path.join(site, "good_pkg"), followlinks=True):
    for n in names:
        path = os.path.join(folder, n)
        found[os.path.relpath(path, site)] = open(path, encoding="utf-8").read()
import good_pkg
[found, good_pkg.VALUE, os.path.realpath(os.path.join(site, "good_pkg", "__init__.py"))]
`).toJs({{ dict_converter: Object.fromEntries }}));
    """)
    found, value, init_path = values
    assert found == EXPECTED_FILES and value == "from a deflated member"
    if folder == "mount":  # written onto the host's disk, not into memory
        assert sorted(p.name for p in host.iterdir()) == ["naüve.txt"]
        assert (host / "naüve.txt").read_text(encoding="utf-8") == EXPECTED_FILES[CP437_NAME]
    else:
        assert init_path == "/home/kiln/elsewhere/__init__.py"
