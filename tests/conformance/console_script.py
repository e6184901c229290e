# Exercises pyodide.console the way REPL hosts do; run unchanged on Pyodide
# and on Kiln (tests/test_conformance.py compares the two results).
import json
import sys

from pyodide.console import BANNER, Console, ConsoleFuture, PyodideConsole, repr_shorten

out, err = [], []
console = Console(stdout_callback=out.append, stderr_callback=err.append)
seen = {}

states = []
for line in ["x = 1 +", "(1 +", "2)", "def f(a):", "    return a * 3", "", "f(4)", "import sys;", "1 +* 2"]:
    future = console.push(line)
    states.append(future.syntax_check)
    if future.syntax_check == "complete":
        states.append(repr(await future))
    elif future.syntax_check == "syntax-error":
        # (Python 3.14, Pyodide's, names an unfinished line _IncompleteInputError, a SyntaxError subclass)
        last_line = future.formatted_error.strip().splitlines()[-1]
        states.append(last_line.replace("_IncompleteInputError: incomplete input", "SyntaxError: invalid syntax"))
        try:
            await future
        except SyntaxError:
            states.append("rejected with SyntaxError")
seen["states"] = states
seen["buffer_after_incomplete"] = [console.push("for i in range(2):").syntax_check, console.buffer]
console.buffer = []

future = console.push("print('to stdout'); import sys; print('to stderr', file=sys.stderr); 5")
seen["streams"] = [await future, "".join(out), "".join(err)]

# One line per push, as a REPL sends them (several statements in one push are a SyntaxError on both).
for line in ["def g():", "    return 1 / 0", ""]:
    console.push(line)
future = console.push("g()")
try:
    await future
except ZeroDivisionError:
    lines = future.formatted_error.strip().splitlines()
    seen["traceback"] = [lines[0], lines[-1], sum('File "<console>"' in l for l in lines)]

await console.push("import asyncio")
seen["await"] = await console.push("await asyncio.sleep(0.01, result='awaited')")

console.globals["value"] = [1, 2]
seen["complete"] = [console.complete("val"), console.complete("value.ap"), console.complete("x = 5; str.isa")]
seen["shorten"] = [repr_shorten("a" * 20, limit=10), repr_shorten("abc")]
seen["banner"] = [BANNER.startswith(f"Python {sys.version.split()[0]} ("), "on WebAssembly/Emscripten" in BANNER]
seen["types"] = [isinstance(console.push("1"), ConsoleFuture), issubclass(PyodideConsole, Console)]

inputs = iter(["typed line\n"])
reader = Console(stdin_callback=lambda n: next(inputs, ""), stdout_callback=out.append)
future = reader.push("input('q? ')")
seen["stdin"] = await future

persistent = Console(stdout_callback=out.append, persistent_stream_redirection=True)
before = len(out)
print("while redirected")
persistent.persistent_restore_streams()
seen["persistent"] = "".join(out[before:])

json.dumps(seen)
