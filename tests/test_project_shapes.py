"""
The acceptance corpus (tests/projects/): preflight on project shapes taken from real Django apps
that deploy to Heroku, each with the findings it must raise and the false alarms it must not.
tests/projects/corpus.py runs and judges a shape; tests/projects/README.md has the format.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.projects.corpus import (
    DJANGO_SECURITY_ID,
    PACKAGE_FILES,
    Expectation,
    Outcome,
    Shape,
    catalogue_titles,
    explain,
    judge,
    load_shapes,
    mentions,
    parse_document,
    run_shape,
    stored_files,
)

SHAPES = load_shapes()


def test_the_corpus_has_the_shapes_issue_7_asks_for() -> None:
    assert len(SHAPES) >= 14, [s.name for s in SHAPES]
    for shape in SHAPES:
        assert shape.must_find or shape.must_skip, f"{shape.name} expects no finding at all"
        assert shape.must_not_find, f"{shape.name} names no false alarm to avoid"


def test_every_shape_uses_deploytools_as_a_real_project_would() -> None:
    for shape in SHAPES:
        files = {relative: path for path, relative in stored_files(shape)}
        settings = [p for r, p in files.items() if r.endswith(".py") and "settings" in r]
        assert any('"deploytools"' in p.read_text(encoding="utf-8") for p in settings), (
            f"{shape.name}: no settings module lists deploytools in INSTALLED_APPS"
        )
        packages = [
            p
            for r, p in files.items()
            if r.rsplit("/", 1)[-1] in PACKAGE_FILES or r.startswith("requirements/")
        ]
        assert any("deploytools" in p.read_text(encoding="utf-8") for p in packages), (
            f"{shape.name}: deploytools is not among its packages"
        )
        for untracked in shape.untracked:
            assert untracked in files, f"{shape.name}: untracked {untracked} is not in files/"


@pytest.mark.slow
def test_expectations_name_catalogued_ids() -> None:
    known = set(catalogue_titles())
    for shape in SHAPES:
        ids = {e.id for e in [*shape.must_find, *shape.must_not_find]} | set(shape.must_skip)
        unknown = {i for i in ids if i not in known and not DJANGO_SECURITY_ID.match(i)}
        assert not unknown, f"{shape.name}: unknown check IDs {sorted(unknown)}"
        both = {str(e) for e in shape.must_find} & {str(e) for e in shape.must_not_find}
        assert not both, f"{shape.name}: both expected and forbidden: {sorted(both)}"


def test_mentions_names_whole_words_only() -> None:
    assert mentions(".env.production is committed", ".env.production")
    assert not mentions(".env.production is committed", ".env")
    assert mentions("ignore .env.", ".env")
    assert not mentions("DJANGO_SECRET_KEY is set", "SECRET_KEY")
    assert mentions("names: DJANGO_SECRET_KEY, DATABASE_URL", "DJANGO_SECRET_KEY")


def test_the_judge_catches_leaks_broken_json_and_could_not_check(tmp_path: Path) -> None:
    shape = Shape(
        name="synthetic",
        description="no files: only the judge is under test",
        config_vars={"DJANGO_SECRET_KEY": "synthetic-secret-value-0123456789"},
        must_find=[Expectation("deploytools.E212", (".env.production",))],
        must_not_find=[Expectation("deploytools.E212", (".env",))],
    )
    report = {
        "exit_code": 1,
        "messages": [{"id": "deploytools.E212", "msg": ".env is committed", "obj": ".env"}],
    }
    leaked = Outcome(1, json.dumps(report), "key: synthetic-secret-value-0123456789", report)
    judge(shape, leaked, tmp_path)
    assert [str(e) for e in leaked.missed] == ["deploytools.E212 about '.env.production'"]
    assert [str(e) for e, _msg in leaked.false_alarms] == ["deploytools.E212 about '.env'"]
    assert leaked.other == ["a secret value was printed (starts 'syn')"]
    printed = 'settings loaded\n{"exit_code": 0}'
    assert parse_document(printed) is None
    assert parse_document('{"exit_code": 0}\n{"exit_code": 0}') is None
    assert parse_document('\n{"exit_code": 0}\n') == {"exit_code": 0}
    two_documents = Outcome(2, printed, "Traceback (most recent call last):", None)
    judge(shape, two_documents, tmp_path)
    assert two_documents.other == [
        "exit code 2 (0 or 1 expected: 2 is 'could not check')",
        "a traceback on stderr",
        "stdout is not exactly one JSON document",
    ]


@pytest.mark.slow
@pytest.mark.parametrize("shape", SHAPES, ids=[s.name for s in SHAPES])
def test_preflight_judges_the_shape(shape: Shape, tmp_path: Path) -> None:
    outcome = run_shape(shape, tmp_path)
    if outcome.problems:
        pytest.fail(explain(shape, outcome), pytrace=False)
