"""Audit of preflight: Django's own deploy checks fail for real, and --list-checks as JSON."""

from __future__ import annotations

import json
from pathlib import Path

from deploytools.checks.registry import CATALOGUE
from tests.conftest import ROOT, run_command, run_manage

EXAMPLE = ROOT / "deploy" / "production.env.example"


def test_djangos_deploy_checks_fail_preflight_with_debug_on_and_no_hsts(tmp_path: Path) -> None:
    # weareone's production settings with the two classic mistakes; the passing side (no
    # security.* message with weareone's own settings) is test_preflight_json_contract_...
    (tmp_path / "audit_insecure_settings.py").write_text(
        "from weareone.settings import *  # noqa: F403\nDEBUG = True\nSECURE_HSTS_SECONDS = 0\n"
    )
    outcome = run_manage(
        "preflight",
        "--format",
        "json",
        "--fail-level",
        "WARNING",
        "--config-vars",
        str(EXAMPLE),
        env={"DJANGO_SETTINGS_MODULE": "audit_insecure_settings", "PYTHONPATH": str(tmp_path)},
    )
    document = json.loads(outcome.stdout)
    found = {m["id"] for m in document["messages"]}
    assert {"security.W018", "security.W004"} <= found, (found, outcome.stderr)
    assert outcome.exit_code == 1
    assert document["exit_code"] == 1
    failed = {c["name"] for c in document["checks"] if c["status"] == "failed"}
    assert {"check_debug", "check_sts"} <= failed


def test_list_checks_json_is_one_document_of_the_catalogue() -> None:
    outcome = run_command("preflight", "--list-checks", "--format", "json")
    assert outcome.exit_code == 0
    document = json.loads(outcome.stdout)
    assert list(document) == ["checks"]
    rows = document["checks"]
    assert all(list(row) == ["id", "level", "tags", "title"] for row in rows)
    expected = {i for spec in CATALOGUE.values() for i in spec.ids}
    assert [row["id"] for row in rows] == sorted(expected, key=lambda i: i.split(".")[-1][1:])
    by_id = {row["id"]: row for row in rows}
    assert by_id["deploytools.E001"] == {
        "id": "deploytools.E001",
        "level": "ERROR",
        "tags": ["preflight", "release", "heroku"],
        "title": "DEPLOYTOOLS setting is valid",
    }
    assert by_id["deploytools.W113"]["level"] == "WARNING"
    assert "deploytools" not in {t for row in rows for t in row["tags"]}
    # The text table is unchanged.
    text = run_command("preflight", "--list-checks").stdout
    assert text.splitlines()[0].startswith("deploytools.E001  ERROR")
