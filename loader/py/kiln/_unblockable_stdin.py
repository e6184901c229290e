"""sys.stdin for an interpreter that cannot block on reads (a worker without
shared memory): every read raises OSError saying why, instead of a bare EIO."""

import errno
import io


class UnblockableStdin(io.TextIOBase):
    def __init__(self, reason: str) -> None:
        self._reason = reason

    @property
    def name(self) -> str:
        return "<stdin>"

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        return 0

    def isatty(self) -> bool:
        return False

    def _unavailable(self, *args, **kwargs):
        raise OSError(errno.EIO, self._reason)

    read = readline = readlines = _unavailable
