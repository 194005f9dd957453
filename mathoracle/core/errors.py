"""The tool's own error type, in a module that imports nothing (the pytest plugin and
``import mathoracle`` stay cheap)."""


class UsageError(Exception):
    """Bad input to the tool itself: reported in one line, exit status 2."""
