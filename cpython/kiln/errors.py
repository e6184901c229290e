"""Errors the `kiln` CLI reports as a message, not a traceback."""


class KilnError(RuntimeError):
    """A failure with a message that tells the user what went wrong."""
