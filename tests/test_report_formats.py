"""
--format github, junit and html, parsed back the way their readers parse them: a regex for
GitHub's workflow commands, an XML parser for JUnit, html5lib (the HTML5 parsing algorithm
browsers follow) for the page. Each must carry exactly the JSON document's findings, for real
runs of the commands: preflight on a copy of weareone with file findings, production_check on
the fake Heroku API, heroku_release --history on rows in the database.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import html5lib
import pytest
from django.core import checks

from deploytools.checks.run import CheckResult, RunResult
from deploytools.context import Gauge
from deploytools.location import FileLine
from deploytools.models import Release
from deploytools.report import Report, ci, render
from deploytools.report.document import from_json, to_json
from deploytools.report.style import BAR_PAIRS, PALETTE, TEXT_PAIRS
from tests.fakeheroku import TOKEN, FakeHeroku
from tests.helpers import EXAMPLE_CONFIG, CommandResult, copy_weareone, run_command, run_manage

OFFLINE_URL = "http://127.0.0.1:9/"
# ::error file=a,line=3,title=t::message -- properties are optional, the message may be empty.
WORKFLOW_COMMAND = re.compile(
    r"^::(?P<command>error|warning|notice)(?: (?P<props>[^:]*))?::(?P<data>.*)$"
)


def unescape(text: str) -> str:
    # GitHub's toolkit escapes % first, so %25 is undone last.
    for code, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(code, char)
    return text


def parse_github(stdout: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The workflow commands of ``stdout`` (command, properties, message) and other lines."""
    commands, others = [], []
    for line in stdout.splitlines():
        found = WORKFLOW_COMMAND.match(line)
        if not found:
            others.append(line)
            continue
        props = {}
        for pair in filter(None, (found["props"] or "").split(",")):
            key, _eq, value = pair.partition("=")
            props[key] = unescape(value)
        commands.append({"command": found["command"], **props, "data": unescape(found["data"])})
    return commands, others


def parse_html(text: str) -> Any:
    """The page as html5lib parses it; any parse error fails the test."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    return parser.parse(text)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """weareone with findings in its files: an unpinned requirement and runserver on web."""
    copy = copy_weareone(tmp_path / "weareone")
    requirements = copy / "requirements.txt"
    requirements.write_text(requirements.read_text() + "requests>=2\n")
    (copy / "Procfile").write_text(
        "release: python manage.py heroku_release\nweb: python manage.py runserver 0.0.0.0:$PORT\n"
    )
    return copy


def preflight(project: Path, fmt: str) -> CommandResult:
    return run_manage(
        "preflight", "--format", fmt, "--config-vars", str(EXAMPLE_CONFIG), cwd=project
    )


def test_preflight_github_annotations_match_the_json_finding_for_finding(project: Path) -> None:
    document = json.loads(preflight(project, "json").stdout)
    result = preflight(project, "github")
    assert result.exit_code == document["exit_code"] == 1, result.stderr
    commands, others = parse_github(result.stdout)
    levels = {"ERROR": "error", "CRITICAL": "error", "WARNING": "warning", "INFO": "notice"}
    # In the order of the checks, as the JSON lists its messages.
    expected = sorted(document["messages"], key=lambda m: m["id"])
    assert sorted(c["title"].split()[0] for c in commands) == [m["id"] for m in expected]
    by_id = {m["id"]: m for m in document["messages"]}
    for command in commands:
        message = by_id[command["title"].split()[0]]
        assert command["command"] == levels[message["level"]]
        assert command.get("file") == message["file"]
        assert command.get("line") == (str(message["line"]) if message["line"] else None)
        assert message["msg"] in command["data"]
        if message["hint"]:
            assert command["data"].endswith("\nHINT: " + message["hint"])
    # The file findings point at the lines a reviewer sees in the diff.
    lines = len((project / "requirements.txt").read_text().splitlines())
    located = {(c["title"].split()[0], c.get("file"), c.get("line")) for c in commands}
    assert ("deploytools.W202", "requirements.txt", str(lines)) in located
    assert ("deploytools.E209", "Procfile", "2") in located
    # Everything else is the summary line, which GitHub prints as is.
    # (Two runs: only their durations may differ.)
    untimed = [re.sub(r" in [\d.]+s$", "", line) for line in others]
    assert untimed == [re.sub(r" in [\d.]+s$", "", f"preflight: {summary(document)}")]


def summary(document: dict[str, Any]) -> str:
    from deploytools.report.text import summary_line

    return summary_line(from_json(document))


def test_workflow_command_escaping_follows_githubs_rules() -> None:
    data = {
        "command": "preflight",
        "messages": [
            {
                "id": "deploytools.W202",
                "level": "WARNING",
                "msg": "100% of\r\nlines: a, b",
                "hint": None,
                "obj": "a,b:c.txt:7",
                "file": "a,b:c.txt",
                "line": 7,
            }
        ],
        "checks": [
            {"name": "x", "title": "T: one, two", "status": "failed", "ids": ["deploytools.W202"]}
        ],  # fmt: skip
        "summary": {"seconds": 0},
    }
    line = ci.render_github(data).splitlines()[0]
    assert line == (
        "::warning file=a%2Cb%3Ac.txt,line=7,title=deploytools.W202 (T%3A one%2C two)"
        "::100%25 of%0D%0Alines: a, b"
    )
    (command,), _others = parse_github(line)
    assert command["file"] == "a,b:c.txt" and command["data"] == "100% of\r\nlines: a, b"


def junit_cases(stdout: str) -> tuple[ElementTree.Element, list[ElementTree.Element]]:
    root = ElementTree.fromstring(stdout.encode())
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    # The attributes JUnit's schema requires, and what they count.
    for name in ("name", "tests", "failures", "errors", "skipped"):
        assert suite.get(name) is not None, name
    cases = suite.findall("testcase")
    for case in cases:
        assert case.get("name") and case.get("classname")
    return suite, cases


def assert_junit_matches(document: dict[str, Any], stdout: str) -> None:
    suite, cases = junit_cases(stdout)
    checks = document["checks"]
    crashed = [c for c in checks if "deploytools.E002" in c["ids"]]
    assert suite.get("name") == document["command"]
    assert int(suite.get("tests", "")) == len(cases) == len(checks)
    assert int(suite.get("failures", "")) == document["summary"]["failed"] - len(crashed)
    assert int(suite.get("errors", "")) == len(crashed)
    assert int(suite.get("skipped", "")) == document["summary"]["skipped"]
    found: list[str] = []
    for case, check in zip(cases, checks, strict=True):
        assert case.get("name") == check["title"]
        assert case.get("classname") == f"deploytools.{document['command']}.{check['name']}"
        failure = case.find("failure")
        skipped = case.find("skipped")
        if check["status"] == "failed":
            assert failure is not None and failure.get("type") == ",".join(check["ids"])
            found += re.findall(r"^\[([\w.]+)\]", failure.text or "", re.M)
        elif check["status"] == "skipped":
            assert skipped is not None and skipped.get("message") == check["detail"]
        else:
            assert failure is None and skipped is None
            output = case.find("system-out")
            found += (
                re.findall(r"^\[([\w.]+)\]", output.text or "", re.M) if output is not None else []
            )
    assert sorted(found) == sorted(m["id"] for m in document["messages"])


def test_preflight_junit_matches_the_json(project: Path) -> None:
    document = json.loads(preflight(project, "json").stdout)
    result = preflight(project, "junit")
    assert result.exit_code == 1
    assert result.stdout.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    assert_junit_matches(document, result.stdout)
    _suite, cases = junit_cases(result.stdout)
    web = next(c for c in cases if c.get("classname", "").endswith(".procfile_web"))
    failure = web.find("failure")
    assert failure is not None and "runserver" in (failure.text or "")
    assert "HINT: Serve the app with: web: gunicorn weareone.wsgi" in (failure.text or "")


@pytest.mark.parametrize("state", ["production_ready", "hobby"])
def test_production_check_ci_formats_match_the_json(
    fake_heroku: FakeHeroku, state: str, tmp_path: Path
) -> None:
    app = fake_heroku.add_state(state)
    saved = tmp_path / "snapshot.json"
    live = run_command(
        "production_check", "--app", app, "--url", OFFLINE_URL, "--format", "json",
        "--save-snapshot", str(saved),
    )  # fmt: skip
    assert json.loads(live.stdout)["snapshot"] == {
        "app": app,
        "fetched_at": json.loads(saved.read_text())["fetched_at"],
        "source": "platform-api",
    }

    def check(fmt: str) -> CommandResult:
        # The same snapshot, offline: the three formats judge exactly the same facts.
        return run_command("production_check", "--snapshot", str(saved), "--format", fmt)

    document = json.loads(check("json").stdout)
    assert document["snapshot"]["source"] == str(saved)
    junit, github = check("junit"), check("github")
    assert junit.exit_code == github.exit_code == document["exit_code"]
    assert document["messages"], "the comparison below must compare something"
    assert_junit_matches(document, junit.stdout)
    commands, _others = parse_github(github.stdout)
    assert sorted(c["title"].split()[0] for c in commands) == sorted(
        m["id"] for m in document["messages"]
    )
    for output in (live.stdout, junit.stdout, github.stdout, junit.stderr, github.stderr):
        assert TOKEN not in output


def test_junit_is_valid_xml_whatever_the_messages_hold() -> None:
    data = {
        "command": "preflight",
        "messages": [{"id": "deploytools.E201", "level": "ERROR", "msg": "bad \x00\x1b[31m <&>",
                      "hint": "fix ]]> it", "obj": None, "file": None, "line": None}],
        "checks": [{"name": "requirements_file", "title": "T", "status": "failed",
                    "ids": ["deploytools.E201"], "detail": ""}],
        "summary": {"failed": 1, "skipped": 0, "seconds": 0.1},
    }  # fmt: skip
    _suite, (case,) = junit_cases(ci.render_junit(data))
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("message") == "bad \ufffd\ufffd[31m <&>"
    assert "fix ]]> it" in (failure.text or "")


# -- HTML ------------------------------------------------------------------------------------


def test_preflight_html_is_grouped_by_area_with_file_links(project: Path) -> None:
    document = json.loads(preflight(project, "json").stdout)
    result = preflight(project, "html")
    assert result.exit_code == 1
    tree = parse_html(result.stdout)
    headings = [h.text for h in tree.iter("h2")]
    assert headings[:5] == ["Core", "Settings", "Project files", "Migrations", "Git"]
    items = tree.findall(".//li[@class]")
    checks = [li for li in items if li.get("class", "").startswith("check ")]
    assert len(checks) == len(document["checks"])
    ids_shown = [span.text for span in tree.iter("span") if span.get("class") == "id"]
    assert sorted(ids_shown) == sorted(m["id"] for m in document["messages"])
    links = {a.text: a.get("href") for a in tree.iter("a") if a.get("class") == "file"}
    lines = len((project / "requirements.txt").read_text().splitlines())
    base = project.resolve().as_uri()
    # Outside a GitHub workflow the links open the files of this checkout.
    assert links[f"requirements.txt:{lines}"] == f"{base}/requirements.txt"
    assert links["Procfile:2"] == f"{base}/Procfile"
    fixes = [pre for pre in tree.iter("pre") if pre.get("class") == "fix"]
    assert any("web: gunicorn weareone.wsgi" in "".join(pre.itertext()) for pre in fixes)


def test_html_links_point_at_github_in_a_workflow(project: Path) -> None:
    env = {
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "weareone/weareone",
        "GITHUB_SHA": "0123456789abcdef0123456789abcdef01234567",
    }
    result = run_manage(
        "preflight", "--format", "html", "--config-vars", str(EXAMPLE_CONFIG), env=env, cwd=project
    )
    tree = parse_html(result.stdout)
    links = {a.text: a.get("href") for a in tree.iter("a") if a.get("class") == "file"}
    assert (
        links["Procfile:2"]
        == f"https://github.com/weareone/weareone/blob/{env['GITHUB_SHA']}/Procfile#L2"
    )


def test_file_line_survives_the_json_and_the_simulated_dyno() -> None:
    # The dyno sends its report as JSON: a file finding must come back as one.
    result = RunResult("preflight")
    message = checks.Warning("x", obj=FileLine("Procfile", 3), id="deploytools.W210")
    result.checks.append(CheckResult("procfile_release", "t", (), "failed",
                                     ["deploytools.W210"], messages=[message]))  # fmt: skip
    data = to_json(result, 1)
    assert (data["messages"][0]["obj"], data["messages"][0]["file"]) == ("Procfile:3", "Procfile")
    assert data["messages"][0]["line"] == 3
    back = from_json(json.loads(json.dumps(data))).messages[0].obj
    assert isinstance(back, FileLine) and (back.path, back.line) == ("Procfile", 3)
    assert str(back) == "Procfile:3"
    assert FileLine("Procfile", 0) == "Procfile" and FileLine("Procfile", 0).line is None


def test_every_html_text_is_in_the_active_language(bracketed: None) -> None:
    result = RunResult("production_check", seconds=0.2)
    warning = checks.Warning("m", hint="heroku x", obj="db", id="deploytools.W709")
    result.checks += [
        CheckResult("heroku_postgres_ha", "«HA»", (), "failed", ["deploytools.W709"],
                    detail="e", messages=[warning]),
        CheckResult("heroku_stack", "«Stack»", (), "skipped", detail="r"),
        CheckResult("web_memory", "«Memory»", (), "passed",
                    gauges=[Gauge("«Web dyno memory»", 100, 512, "MB", 0.8)]),
    ]  # fmt: skip
    tree = parse_html(render(Report(result, 1, heading="«Production check of x»"), "html"))
    assert tree.get("lang") == "fr"
    texts = [
        *(h.text for h in tree.iter("h2")),
        *(s.text for s in tree.iter("span") if s.get("class") in ("status", "label")),
        *(p.text for p in tree.iter("p") if p.get("class") == "fix-label"),
        *(
            "".join(li.itertext()).lstrip("✓✗– ")
            for li in tree.iter("li")
            if "count" in li.get("class", "")
        ),
        *(dt.text for dt in tree.iter("dt")),
        *(f.text for f in tree.iter("figcaption")),
    ]
    assert len(texts) > 12
    assert [t for t in texts if not (t or "").strip().startswith("«")] == []


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(PALETTE[a]), luminance(PALETTE[b])), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_colours_meet_wcag_aa_contrast() -> None:
    # WCAG 2.1: 4.5:1 for text (1.4.3), 3:1 for graphics a reader must see (1.4.11).
    assert contrast("text", "background") > 15  # the arithmetic is right
    assert {pair: round(contrast(*pair), 1) for pair in TEXT_PAIRS if contrast(*pair) < 4.5} == {}
    assert {pair: round(contrast(*pair), 1) for pair in BAR_PAIRS if contrast(*pair) < 3} == {}


@pytest.mark.django_db
def test_history_html_is_a_timeline_with_the_undo_commands() -> None:
    from django.utils import timezone

    now = timezone.now()
    Release.objects.create(
        version="v41", commit="9f3c2e1a7b6d5c4e3f2a1b0c9d8e7f6a5b4c3d2e", status="succeeded",
        started_at=now, finished_at=now, duration_seconds=8.44,
        migrations_applied=["auth.0012_alter_user_first_name_max_length"],
        undo_targets={"auth": "0011_update_proxy_permissions"},
    )  # fmt: skip
    Release.objects.create(
        version="v40", commit="4e1f0c2b", status="failed", started_at=now - timezone.timedelta(1),
        finished_at=now, duration_seconds=1.5, error="deploytools.E605: shop.0003 failed",
    )  # fmt: skip
    result = run_command("heroku_release", "--history", "--format", "html")
    assert result.exit_code == 0, result.stderr
    tree = parse_html(result.stdout)
    (timeline,) = [ol for ol in tree.iter("ol") if ol.get("class") == "timeline"]
    releases = timeline.findall("li")
    assert [r.find(".//h3").text for r in releases] == ["v41 — succeeded", "v40 — failed"]
    first = "".join(releases[0].itertext())
    assert "9f3c2e1" in first and "8.44 s" in first
    assert "auth.0012_alter_user_first_name_max_length" in first
    (undo,) = list(releases[0].iter("pre"))
    assert "".join(undo.itertext()) == "python manage.py migrate auth 0011_update_proxy_permissions"
    assert "deploytools.E605: shop.0003 failed" in "".join(releases[1].itertext())
    assert "before" not in first  # the rollback order is said once, above the timeline
    assert "then heroku rollback" in "".join(tree.find(".//main").itertext())


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (
            ("heroku_release", "--history", "--format", "github"),
            "--history prints text, json or html",
        ),
        (
            ("heroku_release", "--history", "--format", "junit"),
            "--history prints text, json or html",
        ),
        (("preflight", "--list-checks", "--format", "html"), "--list-checks prints text or json"),
        (("production_check", "--format", "pdf"), "invalid choice: 'pdf'"),
    ],
)
def test_formats_that_do_not_apply_exit_2_in_one_line(args: tuple[str, ...], needle: str) -> None:
    result = run_manage(*args)
    assert result.exit_code == 2
    assert needle in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr and result.stdout == ""
