"""Running build commands with logging and a clear failure."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

from . import log
from .errors import KilnError


class CommandFailed(KilnError):
    pass


def run(
    cmd: list[str] | str,
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    log_file: Path | None = None,
    capture: bool = False,
    stdin_text: str | None = None,
) -> str:
    """Run a command; raise CommandFailed naming it and its exit code.

    With log_file, output goes there (the tail is shown on failure), which
    keeps long builds readable while the full log stays on disk.
    """
    shell = isinstance(cmd, str)
    shown = cmd if shell else shlex.join(cmd)
    first_line, *more = shown.strip().splitlines() or [""]
    if len(first_line) > 400:  # link lines list hundreds of objects
        first_line, more = first_line[:400], True
    log.info(f"$ {first_line}" + (" ..." if more else "") + (f"   (in {cwd})" if cwd else ""))
    full_env = {**os.environ, **(env or {})}
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        with open(log_file, "ab") as out:
            proc = subprocess.run(cmd, cwd=cwd, env=full_env, shell=shell, stdout=out, stderr=subprocess.STDOUT)
        if proc.returncode != 0:
            tail = log_file.read_text(errors="replace").splitlines()[-40:]
            raise CommandFailed(f"command failed ({proc.returncode}): {shown}\nlast lines of {log_file}:\n" + "\n".join(tail))
        return ""
    proc = subprocess.run(
        cmd, cwd=cwd, env=full_env, shell=shell, text=True, input=stdin_text, stdout=subprocess.PIPE if capture else None
    )
    if proc.returncode != 0:
        raise CommandFailed(f"command failed ({proc.returncode}): {shown}")
    return proc.stdout if capture else ""
