"""The docs say what the code does: the README's tables are the code's own
(`mathoracle list --markdown` prints them)."""
from pathlib import Path

from mathoracle import list_oracles
from mathoracle.tables import catalogue_table, deviations_table, laws_table

README = Path(__file__).resolve().parents[1] / "README.md"
STALE = "README's {} table is stale; replace it with its table in `mathoracle list --markdown`"


def test_readme_catalogue_table_matches_the_code():
    assert catalogue_table(list_oracles()) in README.read_text(), STALE.format("catalogue")


def test_readme_laws_table_matches_the_code():
    assert laws_table() in README.read_text(), STALE.format("laws")


def test_readme_known_deviation_table_matches_the_code():
    assert deviations_table() in README.read_text(), STALE.format("known-deviation")
