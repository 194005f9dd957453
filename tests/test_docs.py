"""The docs say what the code does: the README's catalogue table is the code's own."""
from pathlib import Path

from mathoracle import list_oracles
from mathoracle.cli import markdown_table

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_catalogue_table_matches_the_code():
    table = markdown_table(list_oracles())
    assert table in README.read_text(), (
        "README's catalogue table is stale; replace it with the output of `mathoracle list --markdown`")


def test_readme_names_every_property():
    from mathoracle.properties import properties_for
    from mathoracle.registry import oracles
    text = README.read_text()
    for oracle in oracles().values():
        for prop in properties_for(oracle):
            assert prop.name in text, f"README does not mention {prop.id}"


def test_readme_known_deviation_table_matches_the_code():
    from mathoracle.cli import deviations_table
    assert deviations_table() in README.read_text(), (
        "README's known-deviation table is stale; replace it with the second table of "
        "`mathoracle list --markdown`")
