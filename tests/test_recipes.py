"""The recipe builder: a second build of built recipes rebuilds nothing; bad recipes fail early."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

KILN = [sys.executable, "-m", "kiln"]


def test_second_build_rebuilds_nothing():
    proc = subprocess.run([*KILN, "build-recipes", "numpy", "kiln-demo-ext"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "numpy: cached" in proc.stderr
    assert "kiln-demo-ext: cached" in proc.stderr and "kiln-demo-shlib: cached" in proc.stderr
    assert "building " not in proc.stderr


def test_invalid_recipe_names_the_field(tmp_path):
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "meta.yaml").write_text(
        "package:\n  name: broken\n  version: 1.0\nsource:\n  url: https://example.invalid/x.tar.gz\n"
        "  sha256: '" + "a" * 64 + "'\nbuild:\n  type: no-such-type\n"
    )
    env = {**os.environ, "KILN_PACKAGES_DIR": str(tmp_path)}
    proc = subprocess.run([*KILN, "build-recipes", "broken"], capture_output=True, text=True, env=env)
    assert proc.returncode == 1
    assert "no-such-type" in proc.stderr and "broken" in proc.stderr


def test_shipped_wheels_are_compressed():
    """Wheels are served as they are: a stored (uncompressed) entry costs download size."""
    dist = Path(__file__).parents[1] / "dist"
    stored = []
    for wheel in sorted(dist.glob("*.whl")):
        with zipfile.ZipFile(wheel) as zf:
            stored += [f"{wheel.name}:{i.filename}" for i in zf.infolist() if i.compress_type == zipfile.ZIP_STORED and i.file_size > 1024]
    assert stored == []
