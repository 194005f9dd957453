"""Shared by the tests of the statistical laws: one verdict per seeded example."""


def verdicts(prop, case, examples) -> list[bool]:
    """Whether ``prop`` holds for ``case`` on each example (True) or is falsified (False)."""
    out = []
    for ex in examples:
        try:
            prop.check(case, ex)
            out.append(True)
        except AssertionError:
            out.append(False)
    return out
