"""
Bad input never crashes a check: hand-written malformed files (tests/corpus/), generated text
and bytes, and invalid DEPLOYTOOLS values each give check messages with the right ID.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from deploytools.checks.registry import CATALOGUE
from deploytools.checks.run import RunResult
from deploytools.conf import OPTIONS as CONF_OPTIONS
from deploytools.facts.requirements_txt import parse_requirements
from tests.helpers import (
    GOOD_FILES,
    check_tree,
    make_project,
)

CORPUS = Path(__file__).resolve().parent / "corpus"
REQUIREMENT_CHECKS = (
    "requirements_file",
    "requirements_pinned",
    "requirements_complete",
    "requirements_installed",
    "requirements_dev_only",
)
PYTHON_CHECKS = ("python_version_file", "python_version_current")
PROCFILE_CHECKS = ("procfile", "procfile_web", "procfile_release", "requirements_complete")

# corpus folder -> (file name in the project, checks to run, the ID every sample must raise,
# every ID the checks may raise)
KINDS: dict[str, tuple[str, tuple[str, ...], str, set[str]]] = {
    "requirements": (
        "requirements.txt",
        REQUIREMENT_CHECKS,
        "E201",
        {"E201", "W202", "E203", "W204", "I205"},
    ),
    "procfile": ("Procfile", PROCFILE_CHECKS, "E208", {"E208", "E209", "W210", "E203"}),
    "python-version": (".python-version", PYTHON_CHECKS, "E206", {"E206", "W207"}),
    "runtime": ("runtime.txt", PYTHON_CHECKS, "E206", {"E206", "W207"}),
    "app-json": ("app.json", ("app_json",), "W211", {"W211"}),
    "gitignore": (".gitignore", ("gitignore", "slug_size"), "W213", {"W213", "W214"}),
}
SAMPLES = sorted(
    (kind, path.name) for kind in KINDS for path in (CORPUS / kind).iterdir() if path.is_file()
)


def run_on(base: Path, names: tuple[str, ...]) -> RunResult:
    return check_tree(base, *names)


def found_ids(result: RunResult) -> set[str]:
    found = {str(m.id).removeprefix("deploytools.") for m in result.messages}
    assert "E002" not in found, [m.msg for m in result.messages]
    return found


def place(base: Path, file_name: str, content: bytes) -> None:
    make_project(base)
    if file_name == "runtime.txt":
        # runtime.txt is read instead of .python-version only when that is absent.
        (base / ".python-version").unlink()
    (base / file_name).write_bytes(content)


def test_corpus_covers_every_kind() -> None:
    assert {kind for kind, _name in SAMPLES} == set(KINDS)
    assert len(SAMPLES) >= 50


@pytest.mark.parametrize(("kind", "name"), SAMPLES)
def test_corpus_sample_gives_its_id(tmp_path: Path, kind: str, name: str) -> None:
    file_name, names, expected, allowed = KINDS[kind]
    place(tmp_path, file_name, (CORPUS / kind / name).read_bytes())
    found = found_ids(run_on(tmp_path, names))
    assert expected in found
    assert found <= allowed


@pytest.mark.parametrize(
    ("kind", "content"),
    [
        ("requirements", b"Django==6.1.3 " + b"x" * 100_000 + b"\n"),
        ("requirements", b"-r requirements.txt\n" * 5_000),
        ("procfile", b"web: " + b"a" * 2_000_000),
        ("python-version", b"3." + b"1" * 100_000),
        ("app-json", b"[" * 100_000),
        ("app-json", b'{"env": ' * 50_000),
        ("gitignore", b"**/" * 10_000 + b"\n"),
    ],
    ids=[
        "req-huge-line",
        "req-many-cycles",
        "procfile-2mb",
        "pyver-huge",
        "json-deep",
        "json-deep-2",
        "ignore-stars",
    ],
)
def test_huge_inputs(tmp_path: Path, kind: str, content: bytes) -> None:
    file_name, names, expected, allowed = KINDS[kind]
    place(tmp_path, file_name, content)
    found = found_ids(run_on(tmp_path, names))
    assert expected in found
    assert found <= allowed


def test_utf16_requirements_are_read_like_pip(tmp_path: Path) -> None:
    make_project(tmp_path)
    text = (GOOD_FILES["requirements.txt"]).encode("utf-16")
    (tmp_path / "requirements.txt").write_bytes(text)
    assert found_ids(run_on(tmp_path, REQUIREMENT_CHECKS)) == set()
    assert len(parse_requirements(tmp_path / "requirements.txt").requirements) == 5


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("not a dict", {"E001"}),
        ({"REQUIREMENTS_FILE": 3}, {"E001"}),
        ({"REQUIREMENTS_FILE": "req\x00uirements.txt"}, {"E201"}),
        ({"REQUIREMENTS_FILE": ""}, {"E201"}),
        ({"REQUIREMENTS_FILE": "no/such/dir/requirements.txt"}, {"E201"}),
        ({"SLUG_SIZE_WARNING_MB": "big"}, {"E001"}),
        ({"SLUG_SIZE_WARNING_MB": True}, {"E001"}),
        ({"SLUG_SIZE_WARNING_MB": -5}, {"E001"}),
        ({"SLUG_SIZE_WARNING_MB": 0}, {"W214"}),
        ({"UNKNOWN_KEY": object()}, {"E001"}),
        ({"REQUIREMENTS_FILE": ["requirements.txt"]}, {"E001"}),
    ],
)
def test_bad_deploytools_values(tmp_path: Path, value: object, expected: set[str]) -> None:
    make_project(tmp_path)
    names = ("deploytools_setting", *(n for n in CATALOGUE if CATALOGUE[n].ids[0][13] == "2"))
    with override_settings(DEPLOYTOOLS=value):
        found = found_ids(run_on(tmp_path, names))
    assert found == expected


# Generated input ------------------------------------------------------------------------------

# Fragments of real requirement lines, so that generated files reach the parser's deep paths.
REQUIREMENT_FRAGMENTS = [
    "Django",
    "==",
    ">=",
    "6.1.3",
    "[extra]",
    ";",
    ' python_version < "3.14"',
    "--hash=sha256:ab12",
    "-r ",
    "-c ",
    "-e ",
    "requirements.txt",
    "git+https://github.com/o/r.git@main#egg=r",
    " @ ",
    "https://example.org/p-1.0.tar.gz",
    "./local",
    "--index-url",
    "#",
    "\\",
    " ",
    "\t",
    "\n",
    "\r\n",
    "'",
    '"',
    "\x00",
    "\ufeff",
    "é",
]
PROCFILE_FRAGMENTS = [
    "web",
    "release",
    ":",
    " ",
    "gunicorn",
    "weareone.wsgi",
    ":application",
    "python",
    "manage.py",
    "runserver",
    "heroku_release",
    "--reload",
    "-m",
    "X=1",
    "newrelic-admin run-program",
    "'",
    "\n",
    "\r\n",
    "#",
]


def text_or_bytes(fragments: list[str] | None = None) -> st.SearchStrategy[bytes]:
    options: list[st.SearchStrategy[bytes]] = [
        st.binary(max_size=400),
        st.text(max_size=400).map(lambda t: t.encode("utf-8", "surrogatepass")),
    ]
    if fragments:
        options.append(
            st.lists(st.sampled_from(fragments), max_size=40).map(
                lambda parts: "".join(parts).encode("utf-8")
            )
        )
    return st.one_of(options)


FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
    database=None,
)


def fuzz(kind: str, content: bytes) -> None:
    file_name, names, _expected, allowed = KINDS[kind]
    with tempfile.TemporaryDirectory() as directory:
        base = Path(directory)
        place(base, file_name, content)
        found = found_ids(run_on(base, names))
    assert found <= allowed


@FUZZ
@given(text_or_bytes(REQUIREMENT_FRAGMENTS))
def test_generated_requirements(content: bytes) -> None:
    fuzz("requirements", content)


@FUZZ
@given(text_or_bytes(PROCFILE_FRAGMENTS))
def test_generated_procfile(content: bytes) -> None:
    fuzz("procfile", content)


@FUZZ
@given(text_or_bytes(["3", ".", "13", "1", "#", "python-", "\n", "\r\n", " ", "\ufeff"]))
def test_generated_python_version(content: bytes) -> None:
    fuzz("python-version", content)


@FUZZ
@given(text_or_bytes(["python-", "3", ".", "13", "\n", " "]))
def test_generated_runtime_txt(content: bytes) -> None:
    fuzz("runtime", content)


@FUZZ
@given(
    st.one_of(
        text_or_bytes(["{", "}", "[", "]", '"env"', '"formation"', ":", ",", "1", '"x"', "null"]),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=5),
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.dictionaries(
                    st.sampled_from(
                        ["env", "addons", "formation", "buildpacks", "scripts", "stack"]
                    )
                    | st.text(max_size=4),
                    inner,
                    max_size=4,
                )
            ),
            max_leaves=12,
        ).map(lambda document: __import__("json").dumps(document).encode()),
    )
)
def test_generated_app_json(content: bytes) -> None:
    fuzz("app-json", content)


@FUZZ
@given(text_or_bytes([".env", "db.sqlite3", "/", "*", "**", "!", "\\", "#", ".venv", "\n", " "]))
def test_generated_gitignore(content: bytes) -> None:
    fuzz("gitignore", content)


@FUZZ
@given(text_or_bytes(["SECRET_KEY", " = ", '"k"', "os.environ.get(", ")", "import ", "(", "\n"]))
def test_generated_settings_source(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        base = Path(directory)
        make_project(base)
        (base / "weareone" / "settings.py").write_bytes(content)
        found = found_ids(run_on(base, ("secrets_committed", "requirements_complete")))
    assert found <= {"E212", "E203"}


# Generated DEPLOYTOOLS ------------------------------------------------------------------------

# The preflight checks that read conf (the DEPLOYTOOLS values), run in a real git checkout.
CONF_CHECKS = (
    "deploytools_setting",
    "git_checkout",
    "git_release_branch",
    "git_clean_release_checkout",
    "git_heroku_remote",
    "git_release_ahead",
    "git_tests_pass",
    "requirements_file",
    "requirements_pinned",
    "slug_size",
)
SCALARS = st.one_of(
    st.text(max_size=30),
    st.integers(),
    st.floats(allow_nan=True),
    st.booleans(),
    st.none(),
)
VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=4))


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import subprocess

    base = make_project(tmp_path_factory.mktemp("conf-fuzz"))
    for args in (
        ("init", "-q", "-b", "local/production"),
        ("add", "-A"),
        ("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "v1"),
    ):
        subprocess.run(["git", *args], cwd=base, check=True, capture_output=True)
    return base


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
    database=None,
)
@given(
    st.dictionaries(
        st.one_of(st.sampled_from(sorted(CONF_OPTIONS)), st.text(max_size=12)),
        VALUES,
        max_size=6,
    )
)
@example({"TEST_COMMAND": "pytest 'unbalanced", "RELEASE_BRANCH": "-x"})
@example({"TEST_COMMAND": [1, 2], "HEROKU_REMOTE": "", "HEROKU_DEPLOY_BRANCH": "a..b"})
def test_generated_deploytools_never_crash_a_check(
    checkout: Path, value: dict[str, object]
) -> None:
    from deploytools.checks.runs import command_argv
    from deploytools.conf import conf, problems

    with override_settings(DEPLOYTOOLS=value):
        assert all(problem for _key, problem in problems(value))
        found = found_ids(run_on(checkout, CONF_CHECKS))
        # Every accessor gives a usable value: an invalid one falls back to its default.
        for name in dir(conf):
            if not name.startswith("_") and name != "get":
                getattr(conf, name)
        command_argv(checkout)
    assert ("E001" in found) == bool(problems(value)), found
