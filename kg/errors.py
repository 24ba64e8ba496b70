"""One exception type for every error a user can cause (bad input, bad query, missing file).

The CLI catches :class:`KGError` and prints its message on one line, with a non-zero exit,
instead of a traceback.
"""


class KGError(Exception):
    """An error caused by the user's input, reported as one line."""
