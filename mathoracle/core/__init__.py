"""The core every layer builds on, and which imports none of them.

- ``model``: what an oracle is (``Oracle``, ``Exact``, ``ErrorModel``, ``Param``), with
  ``dependence`` (which outputs a NaN input reaches), ``verify`` (every exact answer checked
  at a second precision), ``precision`` (the working digits), ``memo`` (answers kept) and
  ``compiled`` (SymPy compiled to mpmath, kept on disk);
- ``accuracy``: ulps, the derived allowance, the verdict (``judge``);
- ``laws``: what a property is and what its check sees (``Property``, ``Case``,
  ``Falsified``, ``Refused``, the ``expect_*`` comparisons);
- ``calling``: calling a target and vetting what it returns, under ``guard``'s limits,
  with ``buffers`` (the caller's memory);
- ``implementation``: an implementation and its known deviations;
- ``formats`` (float16 to float64, bfloat16, float8), ``statuses``, ``errors``.

The content packages (``mathoracle.oracles``, ``properties``, ``implementations``) import
the core and each other; the engine (runner, registry, CLI, report) imports everything.
``tests/test_imports.py`` holds both rules.
"""
