"""The source fetcher: sha256 verified, cached by hash, clear errors."""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

KILN = [sys.executable, "-m", "kiln"]


def _recipe(folder: Path, name: str, url: str, sha256: str) -> None:
    (folder / name).mkdir(parents=True)
    (folder / name / "meta.yaml").write_text(
        f"package:\n  name: {name}\n  version: 1.0.0\n"
        f"source:\n  url: {url}\n  sha256: '{sha256}'\n"
        "build:\n  type: static_library\n  script: 'true'\n"
    )


@pytest.fixture
def served_tarball(http_root, server_url):
    payload = b"pretend this is a source tarball\n" * 100
    (http_root / "files").mkdir(exist_ok=True)
    (http_root / "files" / "demo-1.0.0.tar.gz").write_bytes(payload)
    return f"{server_url}/files/demo-1.0.0.tar.gz", hashlib.sha256(payload).hexdigest()


def _fetch(tmp_path, name):
    env = {**os.environ, "KILN_PACKAGES_DIR": str(tmp_path / "recipes"), "KILN_CACHE": str(tmp_path / "cache")}
    return subprocess.run([*KILN, "fetch", name], capture_output=True, text=True, env=env)


def test_sha256_mismatch_stops_with_file_expected_and_actual(tmp_path, served_tarball):
    url, actual = served_tarball
    wrong = "0" * 64
    _recipe(tmp_path / "recipes", "demo", url, wrong)
    proc = _fetch(tmp_path, "demo")
    assert proc.returncode == 1
    assert "sha256 mismatch for demo-1.0.0.tar.gz" in proc.stderr
    assert f"expected: {wrong}" in proc.stderr
    assert f"actual:   {actual}" in proc.stderr
    # Nothing unverified is left in the cache (the stage's lock file holds no data),
    # and the folder is not taken for a complete download.
    leftovers = [p for p in (tmp_path / "cache").rglob("*") if p.is_file() and not p.name.endswith(".lock")]
    assert leftovers == []
    assert not (tmp_path / "cache" / "downloads" / wrong).exists()
    assert not (tmp_path / "cache" / "downloads" / actual).exists()


def test_verified_source_is_cached_by_hash(tmp_path, served_tarball, http_root):
    url, sha = served_tarball
    _recipe(tmp_path / "recipes", "demo", url, sha)
    first = _fetch(tmp_path, "demo")
    assert first.returncode == 0, first.stderr
    cached = Path(first.stdout.strip())
    assert cached == tmp_path / "cache" / "downloads" / sha / "demo-1.0.0.tar.gz"
    (http_root / "files" / "demo-1.0.0.tar.gz").unlink()  # a second fetch must not need the server
    second = _fetch(tmp_path, "demo")
    assert second.returncode == 0 and Path(second.stdout.strip()) == cached


def test_missing_file_reports_404_with_the_url(tmp_path, server_url):
    url = f"{server_url}/files/absent-1.0.tar.gz"
    _recipe(tmp_path / "recipes", "absent", url, "0" * 64)
    proc = _fetch(tmp_path, "absent")
    assert proc.returncode == 1
    assert f"404 Not Found: {url}" in proc.stderr


def test_unknown_recipe_is_named(tmp_path):
    (tmp_path / "recipes").mkdir()
    proc = _fetch(tmp_path, "nothing-here")
    assert proc.returncode == 1
    assert "no recipe named 'nothing-here'" in proc.stderr
