"""Pure-Python workloads: each module's run() does one iteration and raises if its result is wrong."""
