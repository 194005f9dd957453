"""How hard the project's own tests search: fixed seed, modest example counts.

MATHORACLE_TEST_SEED and MATHORACLE_TEST_EXAMPLES override them (a nightly run may use a
random seed and more examples; a failure prints the seed that reproduces it).
"""
import os

SEED = int(os.environ.get("MATHORACLE_TEST_SEED", "20261125"))
EXAMPLES = int(os.environ.get("MATHORACLE_TEST_EXAMPLES", "30"))
