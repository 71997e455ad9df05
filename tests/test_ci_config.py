"""
The ready-to-copy CI of the README: docs/ci/github-actions.yml and the Heroku CI entry of
app.json. Each is read as its runner reads it (YAML; JSON) and every deploytools command they
run is parsed by that command's own parser, so an option renamed in the code breaks this test
before it breaks a user's CI.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml

from tests.helpers import ROOT, check_tree, ids, manage_commands, parse_options

WORKFLOW = ROOT / "docs" / "ci" / "github-actions.yml"
SECRET_REF = "${{ secrets.HEROKU_API_KEY }}"


def workflow() -> dict[Any, Any]:
    loaded = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def triggers(document: dict[Any, Any]) -> dict[str, Any]:
    # YAML 1.1 (PyYAML) reads the bare key `on` as True; GitHub reads it as "on".
    found = document.get("on", document.get(True))
    assert isinstance(found, dict)
    return found


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job["steps"])


def test_workflow_runs_preflight_on_pull_requests_with_annotations() -> None:
    document = workflow()
    on = triggers(document)
    assert "pull_request" in on
    job = document["jobs"]["preflight"]
    assert job["if"] == "github.event_name == 'pull_request'"
    runs = [(s, c) for s in steps(job) for c in manage_commands(s.get("run", ""))]
    ((step, (command, args, target)),) = runs
    assert command == "preflight" and target is None
    options = parse_options(command, args)
    assert options["format"] == "github" and options["app"] == "weareone"
    assert step["env"] == {"HEROKU_API_KEY": SECRET_REF}
    # preflight judges the release branch: the step before creates it at the pull request.
    names = [s.get("run", "") for s in steps(job)]
    assert "git switch --create local/production" in names[names.index(step["run"]) - 1]


def test_workflow_keeps_the_nightly_production_check_as_an_html_artifact() -> None:
    document = workflow()
    (schedule,) = triggers(document)["schedule"]
    minute, hour, *rest = schedule["cron"].split()
    assert 0 <= int(minute) < 60 and 0 <= int(hour) < 24 and rest == ["*", "*", "*"]
    job = document["jobs"]["production-check"]
    runs = [(s, c) for s in steps(job) for c in manage_commands(s.get("run", ""))]
    ((step, (command, args, target)),) = runs
    assert command == "production_check"
    assert parse_options(command, args)["format"] == "html"
    assert step["env"] == {"HEROKU_API_KEY": SECRET_REF}
    (upload,) = [s for s in steps(job) if str(s.get("uses", "")).startswith("actions/upload-art")]
    # Kept on failure too: a failing check is when the report matters most.
    assert upload["if"] == "always()"
    assert upload["with"]["path"] == target


def test_workflow_never_prints_the_token() -> None:
    document = workflow()
    scripts = [s.get("run", "") for job in document["jobs"].values() for s in steps(job)]
    for script in scripts:
        assert "HEROKU_API_KEY" not in script and "secrets." not in script
        assert "set -x" not in script and not script.lstrip().startswith("echo")
    # The secret is referenced only where a command needs it, in a step's environment.
    text = WORKFLOW.read_text(encoding="utf-8")
    references = [line.strip() for line in text.splitlines() if "secrets." in line]
    assert references and all(r == f"HEROKU_API_KEY: {SECRET_REF}" for r in references)
    assert document["permissions"] == {"contents": "read"}


def test_workflow_actions_are_pinned_to_a_major_version() -> None:
    uses = [s["uses"] for job in workflow()["jobs"].values() for s in steps(job) if "uses" in s]
    assert uses and all(re.fullmatch(r"actions/[\w-]+@v\d+", u) for u in uses), uses


def test_heroku_ci_runs_the_tests_and_preflight() -> None:
    document = json.loads((ROOT / "app.json").read_text(encoding="utf-8"))
    scripts = document["environments"]["test"]["scripts"]
    assert scripts["test-setup"] == "pip install -r requirements-dev.txt"
    test = scripts["test"]
    assert "python -m pytest -q" in test
    ((command, args, _target),) = manage_commands(test)
    assert command == "preflight"
    config = parse_options(command, args)["config_vars"]
    assert (ROOT / config).is_file()
    # Heroku's CI dynos have no Chromium and no xgettext (heroku-24 ships gettext-base only):
    # there the browser and gettext tests are left out by their markers, on purpose; .ci/run
    # and `make test` run them and fail without them.
    assert "-m 'not browser and not gettext'" in test
    for runner in (ROOT / ".ci" / "run", ROOT / "Makefile"):
        assert "not browser" not in runner.read_text(encoding="utf-8")
        assert "not gettext" not in runner.read_text(encoding="utf-8")


def test_app_json_still_passes_the_projects_own_check() -> None:
    assert ids(check_tree(ROOT, "app_json")) == []


@pytest.mark.parametrize("command", ["preflight", "production_check", "heroku_release"])
def test_every_command_offers_the_ci_formats(command: str) -> None:
    for fmt in ("text", "json", "html", "github", "junit"):
        assert parse_options(command, ["--format", fmt])["format"] == fmt
