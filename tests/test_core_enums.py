"""The C core and its JS half share enum values (kinds, capability flags,
error kinds) across the WASM boundary. Each side spells them in its own
language; this checks that the two spellings agree, name for name and value
for value, so a flag added on one side only fails here instead of at run time."""

import re
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[1] / "cpython" / "core"

# (C file, C enum: its name or the prefix of its members, JS file, JS const)
PAIRS = [
    ("kiln_core.h", "enum kiln_py_kind", "KILN_", "convert.js", "PY_KIND"),
    ("kiln_core.h", "enum kiln_js_flags", "JS_", "jsproxy.js", "JS_FLAG"),
    ("pyproxy.c", "enum kiln_py_flags", "PY_", "pyproxy.js", "PY_FLAG"),
    ("convert.c", "enum", "CONTAINER_", "deep.js", "CONTAINER"),
    ("error.c", "enum", "ERR_", "error.js", "PY_ERROR"),
]

# C-only bookkeeping members, not values that cross the boundary.
C_ONLY = {"JS_FLAG_COUNT"}


def _value(expression: str) -> int:
    expression = expression.strip()
    shift = re.fullmatch(r"(\d+)\s*<<\s*(\d+)", expression)
    return int(shift[1]) << int(shift[2]) if shift else int(expression, 0)


def _c_enum(text: str, head: str, prefix: str) -> dict[str, int]:
    for match in re.finditer(re.escape(head) + r"\s*\{(.*?)\}", text, re.S):
        body = re.sub(r"/\*.*?\*/", "", match[1], flags=re.S)
        members = dict(re.findall(r"\b(" + re.escape(prefix) + r"\w+)\s*=\s*([^,]+)", body))
        if members:
            return {name.removeprefix(prefix): _value(v) for name, v in members.items() if name not in C_ONLY}
    raise AssertionError(f"no {head} with {prefix}* members found")


def _js_const(text: str, name: str) -> dict[str, int]:
    match = re.search(r"const " + re.escape(name) + r"\s*=\s*\{(.*?)\};", text, re.S)
    assert match, f"no const {name} found"
    return {key: _value(v) for key, v in re.findall(r"(\w+)\s*:\s*([^,\n]+)", match[1])}


@pytest.mark.parametrize("c_file, head, prefix, js_file, js_name", PAIRS, ids=[p[4] for p in PAIRS])
def test_c_and_js_enum_values_agree(c_file, head, prefix, js_file, js_name):
    c_values = _c_enum((CORE / c_file).read_text(), head, prefix)
    js_values = _js_const((CORE / js_file).read_text(), js_name)
    assert len(c_values) >= 5, c_values
    assert js_values == c_values, f"{c_file} {head} and {js_file} {js_name} differ"


def test_error_kinds_index_the_c_exception_table_in_order():
    text = (CORE / "error.c").read_text()
    table = re.search(r"PyObject \*types\[\] = \{(.*?)\};", text, re.S)[1]
    types = [t.strip() for t in table.split(",")]
    kinds = _c_enum(text, "enum", "ERR_")
    expected = {"ATTRIBUTE": "PyExc_AttributeError", "TYPE": "PyExc_TypeError", "INDEX": "PyExc_IndexError",
                "VALUE": "PyExc_ValueError", "RUNTIME": "PyExc_RuntimeError", "CONVERSION": "ConversionError"}
    assert {kind: types[index] for kind, index in kinds.items()} == expected
