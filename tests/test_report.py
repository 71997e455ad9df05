"""The report: a line per check, messages in Django's style, one JSON document, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core import checks

from deploytools.checks.registry import CATALOGUE
from deploytools.checks.run import RAISE_CRASHES, RunResult, report_line
from deploytools.conf import OPTIONS
from deploytools.context import Context, Skipped
from deploytools.report import Report, catalogue, document, render
from deploytools.report.text import render_text
from tests.helpers import ROOT, run_command, run_manage

README = (ROOT / "README.md").read_text()
OURS = ("deploytools", "preflight")


def _result() -> RunResult:
    result = RunResult("preflight", seconds=0.5)
    context = Context()
    result.checks.append(report_line("ok", "All good", OURS, lambda: [], context))
    result.checks.append(
        report_line(
            "warn",
            "Something to look at",
            OURS,
            lambda: [
                checks.Warning(
                    "Look.", hint="Do X.", obj="requirements.txt:3", id="deploytools.W202"
                )
            ],
            context,
        )
    )
    result.checks.append(
        report_line(
            "info", "Advice", OURS, lambda: [checks.Info("FYI.", id="deploytools.I205")], context
        )
    )
    return result


def test_skipped_and_crashing_checks_become_report_lines() -> None:
    context = Context()

    def skipping() -> list[checks.CheckMessage]:
        raise Skipped("not a git checkout")

    def crashing() -> list[checks.CheckMessage]:
        raise ValueError("secret-value-in-exception")

    skipped = report_line("s", "Skips", (), skipping, context)
    crashed = report_line("c", "Crashes", (), crashing, context)
    assert (skipped.status, skipped.detail) == ("skipped", "not a git checkout")
    assert crashed.status == "failed"
    assert crashed.ids == ["deploytools.E002"]
    assert "secret-value-in-exception" not in str(crashed.messages[0])
    assert "ValueError" in str(crashed.messages[0])
    assert [type(exc) for exc in context.crashed] == [ValueError]


def test_traceback_option_lets_a_crashing_check_raise() -> None:
    def crashing() -> list[checks.CheckMessage]:
        raise ValueError("boom")

    token = RAISE_CRASHES.set(True)
    try:
        with pytest.raises(ValueError, match="boom"):
            report_line("c", "Crashes", (), crashing, Context())
    finally:
        RAISE_CRASHES.reset(token)
    assert report_line("c", "Crashes", (), crashing, Context()).ids == ["deploytools.E002"]


def test_exit_codes_follow_fail_level() -> None:
    result = _result()
    assert result.exit_code("ERROR") == 0
    assert result.exit_code("WARNING") == 1
    assert result.exit_code("INFO") == 1
    assert result.counts() == {
        "errors": 0,
        "warnings": 1,
        "infos": 1,
        "passed": 2,
        "failed": 1,
        "skipped": 0,
    }


def test_text_report_has_a_line_per_check_messages_and_summary() -> None:
    text = render(Report(_result(), 0, heading="Preflight"), "text")
    lines = text.splitlines()
    assert lines[0] == "Preflight"
    assert lines[1] == "  passed   All good"
    assert lines[2] == "  FAILED   Something to look at [W202]"
    assert lines[3] == "  passed   Advice [I205]"
    assert "WARNINGS:" in lines
    assert "requirements.txt:3: (deploytools.W202) Look.\n\tHINT: Do X." in text
    assert lines[-1] == "2 passed, 1 failed, 0 skipped; 0 errors, 1 warning, 1 info in 0.50s"
    assert "\x1b[" not in text  # no colour without a terminal


def test_json_report_matches_the_contract_and_round_trips() -> None:
    data = json.loads(render(Report(_result(), 1), "json"))
    assert set(data) == {"command", "exit_code", "messages", "checks", "summary"}
    assert data["messages"][0] == {
        "id": "deploytools.W202",
        "level": "WARNING",
        "msg": "Look.",
        "hint": "Do X.",
        "obj": "requirements.txt:3",
        # A plain string obj names no file: only a FileLine does (deploytools/location.py).
        "file": None,
        "line": None,
    }
    assert data["checks"][1] == {
        "name": "warn",
        "title": "Something to look at",
        "tags": ["preflight"],
        "status": "failed",
        "ids": ["deploytools.W202"],
        "detail": "",
        "gauges": [],
    }
    assert data["summary"] == {
        "errors": 0,
        "warnings": 1,
        "infos": 1,
        "passed": 2,
        "failed": 1,
        "skipped": 0,
        "seconds": 0.5,
    }
    assert document.to_json(document.from_json(data), 1) == data


def test_extra_sections_and_secrets_go_through_the_one_renderer() -> None:
    found = Report(
        _result(), 1, sections={"push": {"refused": "because token-XYZ-123"}}, secrets={"XYZ-123"}
    )
    data = json.loads(render(found, "json"))
    assert data["push"] == {"refused": "because token-***"}
    assert set(data) == {"command", "exit_code", "messages", "checks", "summary", "push"}
    body = Report(RunResult("heroku_release"), 0, body="v1 XYZ-123\n", secrets={"XYZ-123"})
    assert render(body, "text") == "v1 ***\n"


def test_text_report_collapses_djangos_passing_checks_into_one_line() -> None:
    result = _result()
    context = Context()
    for name in ("check_debug", "check_sts"):
        result.checks.append(report_line(name, name, ("security",), lambda: [], context))
    result.checks.append(
        report_line(
            "check_ssl_redirect",
            "check ssl redirect",
            ("security",),
            lambda: [checks.Warning("No redirect.", id="security.W008")],
            context,
        )
    )
    lines = render_text(result).splitlines()
    assert "  passed   Django's own system checks — 2 passed" in lines
    assert "  FAILED   check ssl redirect [security.W008]" in lines
    assert not [line for line in lines if "check_debug" in line]
    assert len(json.loads(render(Report(result, 0), "json"))["checks"]) == 6


def test_preflight_text_collapses_the_dynos_django_checks() -> None:
    # The dyno's report comes back as JSON: Django's checks must not turn into ours there.
    outcome = run_manage("preflight", "--config-vars", "deploy/production.env.example")
    lines = outcome.stdout.splitlines()
    collapsed = [line for line in lines if "Django's own system checks" in line]
    assert len(collapsed) == 1 and collapsed[0].startswith("  passed   ")
    assert not [line for line in lines if line.startswith("  passed   check ")]


def test_list_checks_prints_every_id_with_its_level_source_and_meaning() -> None:
    result = run_command("preflight", "--list-checks")
    assert result.exit_code == 0
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines()}
    levels = {"E": "ERROR", "W": "WARNING", "I": "INFO"}
    for spec in CATALOGUE.values():
        for short, meaning in spec.meanings.items():
            # One row per ID, with that ID's own level (W502 is a warning beside E501).
            row = rows[f"deploytools.{short}"]
            assert row[1] == levels[short[0]]
            assert row[3] == spec.source
            assert " ".join(row[4:]) == str(meaning)
    assert "deploytools.E002" in rows
    numbers = [int(i[13:]) for i in rows]
    assert numbers == sorted(numbers)


def test_list_checks_json_is_one_document_with_every_id() -> None:
    result = run_command("preflight", "--list-checks", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert list(data) == ["checks"]
    rows = data["checks"]
    assert all(list(row) == ["id", "level", "tags", "meaning", "title", "source"] for row in rows)
    expected = {i for spec in CATALOGUE.values() for i in spec.ids} | {"deploytools.E002"}
    assert [row["id"] for row in rows] == sorted(expected, key=lambda i: i.split(".")[-1][1:])
    by_id = {row["id"]: row for row in rows}
    assert by_id["deploytools.E001"] == {
        "id": "deploytools.E001",
        "level": "ERROR",
        "tags": ["preflight", "release", "heroku"],
        "meaning": "`DEPLOYTOOLS` setting invalid (unknown key, wrong type)",
        "title": "DEPLOYTOOLS setting is valid",
        "source": "checks/core.py",
    }
    assert by_id["deploytools.W113"]["level"] == "WARNING"
    assert by_id["deploytools.E701"]["source"] == "checks/heroku_platform.py"
    assert "deploytools" not in {t for row in rows for t in row["tags"]}


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_usage_error_exits_2_in_one_line_and_json_keeps_one_document(fmt: str) -> None:
    result = run_manage("preflight", "--format", fmt, "--fail-level", "LOUD")
    assert result.exit_code == 2
    assert "argument --fail-level: invalid choice: 'LOUD'" in result.stderr
    assert "Traceback" not in result.stderr
    if fmt == "json":
        data = json.loads(result.stdout)
        assert data["exit_code"] == 2
        assert "invalid choice: 'LOUD'" in data["error"]
    else:
        assert result.stdout == ""


def test_readme_starts_with_the_two_commands() -> None:
    block = README.split("```sh\n", 1)[1].split("```", 1)[0].splitlines()
    assert [line.split()[0:2] for line in block] == [["make", "preflight"], ["make", "test"]]


def test_readme_tables_match_the_code() -> None:
    # Run `make docs` after adding a check or a setting.
    assert catalogue.settings_table() in README
    assert catalogue.check_table() in README
    for name in OPTIONS:
        assert f"`{name}`" in README


def test_the_architecture_lists_every_module_as_it_is() -> None:
    # Run `make docs` after adding, moving or redescribing a module of deploytools/.
    import importlib.util

    spec = importlib.util.spec_from_file_location("write_docs", ROOT / "scripts/write_docs.py")
    assert spec is not None and spec.loader is not None
    write_docs = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(write_docs)
    text = (ROOT / "docs/architecture.md").read_text(encoding="utf-8")
    assert write_docs.render_architecture(text) == text
    assert "- `preflight.py` — " in text and "  - `dyno.py` — " in text


def test_nothing_in_the_repository_refers_to_files_beside_it() -> None:
    # A user's clone has nothing next to it: every relative path a tracked file names (code,
    # docs, configuration) stays inside the repository.
    import re
    import subprocess

    climbing = re.compile(r"(?:\.\./)+[\w.-]+")
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    outside = []
    for name in filter(None, tracked.split("\0")):
        path = ROOT / name
        if path.suffix in {".mo", ".png"} or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for found in climbing.findall(text):
            if not (path.parent / found).resolve().is_relative_to(ROOT.resolve()):
                outside.append(f"{name}: {found}")
    assert outside == []
    assert Path(ROOT / "tests/fixtures/heroku/platform-api-schema.json").is_file()
