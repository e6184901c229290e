"""Times one workload iteration; the same code answers in every runtime.

Protocol (JSON lines): `ready()` once loaded, then `answer()` for each request
{"workload": name} -> {"workload": name, "seconds": s} or {..., "error": traceback}.
"""

import gc
import importlib
import json
import platform
import time
import traceback


def time_once(name: str) -> float:
    run = importlib.import_module(f"workloads.{name}").run
    gc.collect()  # do not bill this iteration for garbage the previous one left
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def answer(request: str) -> str:
    name = json.loads(request)["workload"]
    try:
        return json.dumps({"workload": name, "seconds": time_once(name)})
    except Exception:
        return json.dumps({"workload": name, "error": traceback.format_exc()})


def ready() -> str:
    return json.dumps({"ready": True, "python": platform.python_version()})
