"""Node keeps V8's compiled code of the core's JS glue on disk (loader/src/glue.mjs)."""

import json
import os

import pytest

from conftest import NodeRunner
from kiln import config

START = """
const kiln = await loadKiln({ codeCache: %s });
report({ codeCache: kiln.glueCodeCache, result: kiln.runPython("6 * 7") });
"""


def start(node, folder) -> dict:
    return node.report(START % json.dumps(str(folder) if folder is not False else False))


def cache_files(folder):
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize("major", sorted(config.NODE_MAJORS))
def test_first_start_writes_the_cache_and_the_next_uses_it(major, tmp_path):
    node = NodeRunner(major, tmp_path)
    folder = tmp_path / "code"
    assert start(node, folder) == {"codeCache": "created", "result": 42}
    files = cache_files(folder)
    assert len(files) == 1 and files[0].startswith("glue-") and f"-node{major}." in files[0], files
    assert start(node, folder) == {"codeCache": "used", "result": 42}


def test_a_damaged_cache_is_rejected_and_written_again(node24, tmp_path):
    folder = tmp_path / "code"
    start(node24, folder)
    (cache_file,) = folder.iterdir()
    cache_file.write_bytes(os.urandom(cache_file.stat().st_size))
    assert start(node24, folder) == {"codeCache": "created", "result": 42}
    assert start(node24, folder) == {"codeCache": "used", "result": 42}


def test_a_changed_glue_does_not_use_the_old_cache(node24, tmp_path):
    # V8 checks a cache only against the source's length: the file name holds
    # a hash of the text, so an edit that keeps the length gets its own entry.
    dist = tmp_path / "dist"
    dist.mkdir()
    for item in config.DIST.iterdir():
        if item.name != config.CORE_JS:
            (dist / item.name).symlink_to(item)
    glue = (config.DIST / config.CORE_JS).read_text()
    folder = tmp_path / "code"
    body = "const kiln = await loadKiln({ indexURL: %s, codeCache: %s });\nreport([kiln.glueCodeCache, kiln.runPython('6 * 7')]);"
    run = lambda: node24.report(body % (json.dumps(str(dist) + "/"), json.dumps(str(folder))))  # noqa: E731
    (dist / config.CORE_JS).write_text(glue)
    assert [run(), run()] == [["created", 42], ["used", 42]]
    edited = glue.replace("\n  var _scriptName", "\n\t var _scriptName", 1)
    assert edited != glue and len(edited) == len(glue)
    (dist / config.CORE_JS).write_text(edited)
    assert run() == ["created", 42]
    assert len(cache_files(folder)) == 2


def test_code_cache_false_writes_nothing(node24, tmp_path):
    folder = tmp_path / "code"
    assert start(node24, False) == {"codeCache": "off", "result": 42}
    assert cache_files(folder) == []


def test_two_interpreters_in_one_process_share_the_compiled_glue(node24, tmp_path):
    folder = json.dumps(str(tmp_path / "code"))
    values = node24.report(f"""
        const first = await loadKiln({{ codeCache: {folder} }});
        const second = await loadKiln({{ codeCache: {folder} }});
        first.runPython("x = 'first'");
        second.runPython("x = 'second'");
        report([first.glueCodeCache, second.glueCodeCache, first.runPython("x"), second.runPython("x")]);
    """)
    assert values == ["created", "created", "first", "second"]


def test_an_unwritable_cache_folder_only_costs_the_cache(node24, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert start(node24, blocker / "code") == {"codeCache": "created", "result": 42}
    assert start(node24, blocker / "code") == {"codeCache": "created", "result": 42}
    assert blocker.read_text() == "not a folder"


def test_a_node_worker_uses_the_cache_too(node24, tmp_path):
    folder = json.dumps(str(tmp_path / "code"))
    body = f"""
        const kiln = await loadKiln({{ worker: true, codeCache: {folder} }});
        report([kiln.glueCodeCache, await kiln.runPython("6 * 7")]);
        // The worker writes the cache after its start; a real worker lives on.
        const {{ readdirSync }} = await import("node:fs");
        const written = () => {{ try {{ return readdirSync({folder}).some((f) => f.endsWith(".v8")); }} catch {{ return false; }} }};
        for (let i = 0; i < 200 && !written(); i++) await new Promise((r) => setTimeout(r, 50));
        await kiln.terminate();
    """
    assert node24.report(body) == ["created", 42]
    assert node24.report(body) == ["used", 42]


def test_browsers_import_the_glue_and_keep_their_own_cache(chromium):
    body = "const kiln = await loadKiln(); return [kiln.glueCodeCache, kiln.runPython('6 * 7')];"
    assert chromium.main(body) == ["off", 42]
    assert chromium.worker(body) == ["off", 42]
