"""The tool's own error type, in a module that imports nothing (the pytest plugin and
``import mathoracle`` stay cheap)."""


class UsageError(Exception):
    """Bad input to the tool itself: reported in one line, exit status 2."""


class OracleError(ArithmeticError):
    """An oracle could not give a verified exact value at an input (mpmath raised, or two
    precisions never agreed). Names the oracle and the input; an error of the oracle, never a
    verdict on the implementation. An ArithmeticError, as mpmath's own are: a caller that
    reads one as "no value at this point" (a reading outside the domain) still may."""
