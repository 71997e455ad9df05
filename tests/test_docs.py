"""The README documents every setting and every check ID, generated from the code."""

from __future__ import annotations

from pathlib import Path

from deploytools import docs
from deploytools.checks.registry import CATALOGUE
from deploytools.conf import OPTIONS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_readme_starts_with_the_two_commands() -> None:
    block = README.split("```sh\n", 1)[1].split("```", 1)[0].splitlines()
    assert [line.split()[0:2] for line in block] == [["make", "preflight"], ["make", "test"]]


def test_readme_tables_match_the_code() -> None:
    # Run `make docs` after adding a check or a setting.
    assert docs.settings_table() in README
    assert docs.check_table() in README


def test_readme_names_every_id_and_setting() -> None:
    for spec in CATALOGUE.values():
        for msg_id in spec.ids:
            assert f"`{msg_id}`" in README
    for name in OPTIONS:
        assert f"`{name}`" in README


def test_every_id_has_a_meaning_in_the_table() -> None:
    catalogue_ids = {i.split(".")[1] for spec in CATALOGUE.values() for i in spec.ids}
    assert catalogue_ids <= set(docs.MEANINGS)
