"""
How a shape of the corpus (tests/projects/) is run and judged: shared by its test
(tests/test_project_shapes.py) and the baseline writer (tests/projects/write_baseline.py).

Every shape is materialised as its user would have it: the files committed to a fresh git
repository on the release branch, the untracked ones left in the work tree, and its production
config in a `heroku config --shell` file. Then `manage.py preflight --format json` runs as a child
process, exactly as the user types it, and only its JSON is judged: `messages[].id` (with
`msg`/`obj` when an expectation names what a finding must be about), `checks[].status` and
`detail` for the expected skips, and `exit_code`. tests/projects/README.md has the format.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.helpers import ROOT, run_manage

PROJECTS = ROOT / "tests" / "projects"
RELEASE_BRANCH = "local/production"
# Stored names that would act on this repository under their real names (a shape's .gitignore
# would ignore files of the corpus, its committed .env would be one of ours) carry "dot-" for
# the leading dot; materialising a shape gives them their real names back.
STORED_DOT = "dot-"
# Names Heroku users give their secrets; values of such config vars must never be printed.
SECRET_NAME = re.compile(
    r"SECRET|PASSWORD|PASSWD|TOKEN|CREDENTIAL|PRIVATE|(^|_)KEY$|(^|_)API_?KEY|_DSN$|AUTH"
)
# The developer's shell must not leak into the user's command: settings modules, databases,
# Heroku credentials and git's own redirections all change what preflight would see.
SHELL_VARIABLES_DROPPED = re.compile(r"^(DJANGO_|HEROKU_|GIT_)|^DATABASE_URL$|^PYTHONPATH$")
GIT_IDENTITY = ("-c", "user.name=Corpus", "-c", "user.email=corpus@example.invalid")
DJANGO_SECURITY_ID = re.compile(r"^security\.[EW]\d{3}$")
PACKAGE_FILES = {"requirements.txt", "Pipfile", "pyproject.toml"}


@dataclass(frozen=True)
class Expectation:
    """
    A finding by ID; with ``mentions``, only one whose message or object names one of those
    names or paths (the hint is left out: it may name anything as an example).
    """

    id: str
    mentions: tuple[str, ...] = ()

    @classmethod
    def parse(cls, raw: str | dict[str, Any]) -> Expectation:
        if isinstance(raw, str):
            return cls(raw)
        names = raw.get("mentions", ())
        return cls(raw["id"], (names,) if isinstance(names, str) else tuple(names))

    def matches(self, message: dict[str, Any]) -> bool:
        if message.get("id") != self.id:
            return False
        text = f"{message.get('msg', '')}\n{message.get('obj', '')}"
        return not self.mentions or any(mentions(text, name) for name in self.mentions)

    def __str__(self) -> str:
        if not self.mentions:
            return self.id
        return f"{self.id} about {' or '.join(repr(name) for name in self.mentions)}"


def mentions(text: str, name: str) -> bool:
    """
    Whether ``text`` names ``name`` as a whole: ".env" is not mentioned by ".env.production",
    nor SECRET_KEY by DJANGO_SECRET_KEY, but ".env" ends a sentence in "ignore .env.".
    """
    pattern = rf"(?<![\w./-]){re.escape(name)}(?![\w-])(?!\.\w)"
    return re.search(pattern, text) is not None


@dataclass
class Shape:
    """One tests/projects/<name>/: its shape.json and its files."""

    name: str
    description: str
    config_vars: dict[str, str]
    # The developer's own shell: what their local settings need to load at all.
    local_env: dict[str, str] = field(default_factory=dict)
    manage_dir: str = "."
    untracked: list[str] = field(default_factory=list)
    args: list[str] = field(default_factory=list)
    must_find: list[Expectation] = field(default_factory=list)
    must_not_find: list[Expectation] = field(default_factory=list)
    must_skip: dict[str, str] = field(default_factory=dict)
    never_print: list[str] = field(default_factory=list)
    must_not_create: list[str] = field(default_factory=list)

    @property
    def files(self) -> Path:
        return PROJECTS / self.name / "files"

    @classmethod
    def load(cls, directory: Path) -> Shape:
        raw = json.loads((directory / "shape.json").read_text(encoding="utf-8"))
        known = {
            "description",
            "notes",
            "config_vars",
            "local_env",
            "manage_dir",
            "untracked",
            "args",
            "must_find",
            "must_not_find",
            "must_skip",
            "never_print",
            "must_not_create",
        }
        unknown = set(raw) - known
        assert not unknown, f"{directory.name}/shape.json: unknown keys {sorted(unknown)}"
        assert raw.get("notes"), f"{directory.name}/shape.json: say why in notes"
        return cls(
            name=directory.name,
            description=raw["description"],
            config_vars=dict(raw.get("config_vars", {})),
            local_env=dict(raw.get("local_env", {})),
            manage_dir=raw.get("manage_dir", "."),
            untracked=list(raw.get("untracked", [])),
            args=list(raw.get("args", [])),
            must_find=[Expectation.parse(e) for e in raw.get("must_find", [])],
            must_not_find=[Expectation.parse(e) for e in raw.get("must_not_find", [])],
            must_skip=dict(raw.get("must_skip", {})),
            never_print=list(raw.get("never_print", [])),
            must_not_create=list(raw.get("must_not_create", [])),
        )


def load_shapes() -> list[Shape]:
    return [Shape.load(d) for d in sorted(PROJECTS.iterdir()) if (d / "shape.json").is_file()]


def real_name(stored: str) -> str:
    return "." + stored[len(STORED_DOT) :] if stored.startswith(STORED_DOT) else stored


def stored_files(shape: Shape) -> Iterator[tuple[Path, str]]:
    """(file in the corpus, its path in the project) for every file of the shape."""
    for path in sorted(shape.files.rglob("*")):
        relative = path.relative_to(shape.files)
        if path.is_dir() or "__pycache__" in relative.parts or path.suffix == ".pyc":
            continue
        yield path, "/".join(real_name(part) for part in relative.parts)


def git(checkout: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", *GIT_IDENTITY, *args],
        cwd=checkout,
        env=child_environment(),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return proc.stdout


def materialise(shape: Shape, checkout: Path) -> None:
    """The shape as its user has it: committed on the release branch, untracked files beside."""
    paths = []
    for source, relative in stored_files(shape):
        target = checkout / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        paths.append(relative)
    missing = sorted(set(shape.untracked) - set(paths))
    assert not missing, f"{shape.name}: untracked files not in files/: {missing}"
    git(checkout, "init", "--quiet", "--initial-branch=main")
    # Force: a shape may commit what its own .gitignore ignores, as users do with `add -f`.
    committed = [p for p in paths if p not in shape.untracked]
    git(checkout, "add", "--force", "--", *committed)
    git(checkout, "commit", "--quiet", "--no-verify", "--no-gpg-sign", "-m", shape.description)
    git(checkout, "checkout", "--quiet", "-b", RELEASE_BRANCH)


def write_config_vars(config_vars: dict[str, str], path: Path) -> None:
    """The config as `heroku config --shell` prints it: NAME='value', single-quoted."""
    quoted = {name: "'" + value.replace("'", "'\\''") + "'" for name, value in config_vars.items()}
    path.write_text(
        "".join(f"{name}={value}\n" for name, value in quoted.items()), encoding="utf-8"
    )


def deploytools_is_installed() -> bool:
    try:
        metadata.distribution("deploytools")
    except metadata.PackageNotFoundError:
        return False
    return True


def child_environment() -> dict[str, str]:
    """The developer's environment without anything that would steer the project's settings."""
    env = {k: v for k, v in os.environ.items() if not SHELL_VARIABLES_DROPPED.search(k)}
    if not deploytools_is_installed():
        # A user has deploytools installed; without the distribution it is at least importable.
        env["PYTHONPATH"] = str(ROOT)
    return env


@dataclass
class Outcome:
    """What one preflight run printed, and how it falls short of the shape's expectations."""

    exit_code: int
    stdout: str
    stderr: str
    document: dict[str, Any] | None
    missed: list[Expectation] = field(default_factory=list)
    # Each unwanted expectation with the message that matched it.
    false_alarms: list[tuple[Expectation, str]] = field(default_factory=list)
    # Everything else: exit code, JSON, skips, secrets, writes into the checkout.
    other: list[str] = field(default_factory=list)

    @property
    def ids(self) -> list[str]:
        if not self.document:
            return []
        return sorted({str(m.get("id")) for m in self.document.get("messages", [])})

    @property
    def problems(self) -> list[str]:
        return [
            *self.other,
            *(f"missed {e}" for e in self.missed),
            *(f"false alarm {e}: {msg}" for e, msg in self.false_alarms),
        ]


def secret_values(shape: Shape) -> set[str]:
    """Values of secret-like names and URL passwords (config and local), and never_print."""
    found = set(shape.never_print)
    for name, value in [*shape.config_vars.items(), *shape.local_env.items()]:
        if SECRET_NAME.search(name):
            found.add(value)
        try:
            password = urlsplit(value).password
        except ValueError:
            password = None
        if password:
            found.add(password)
    # Shorter strings are ordinary words; no shape uses a secret that short.
    return {value for value in found if len(value) >= 8}


@cache
def catalogue_titles() -> dict[str, str]:
    """Check ID -> the title of its report line, from preflight --list-checks."""
    result = run_manage("preflight", "--list-checks", "--format", "json")
    assert result.exit_code == 0, result.stderr
    return {c["id"]: c["title"] for c in json.loads(result.stdout)["checks"]}


def judge(shape: Shape, outcome: Outcome, checkout: Path) -> None:
    """Record on ``outcome`` every way the run falls short of the shape's expectations."""
    other = outcome.other
    if outcome.exit_code not in (0, 1):
        other.append(f"exit code {outcome.exit_code} (0 or 1 expected: 2 is 'could not check')")
    if "Traceback (most recent call last)" in outcome.stderr:
        other.append("a traceback on stderr")
    printed = outcome.stdout + outcome.stderr
    for secret in sorted(secret_values(shape)):
        if secret in printed:
            other.append(f"a secret value was printed (starts {secret[:3]!r})")
    for path in shape.must_not_create:
        if (checkout / path).exists():
            other.append(f"preflight wrote {path} into the checkout")
    document = outcome.document
    if document is None:
        other.append("stdout is not exactly one JSON document")
        return
    if document.get("exit_code") != outcome.exit_code:
        other.append(
            f"JSON exit_code {document.get('exit_code')} but the process exited {outcome.exit_code}"
        )
    messages = document.get("messages", [])
    outcome.missed = [e for e in shape.must_find if not any(e.matches(m) for m in messages)]
    outcome.false_alarms = [
        (unwanted, str(message.get("msg")))
        for unwanted in shape.must_not_find
        for message in messages
        if unwanted.matches(message)
    ]
    titles = catalogue_titles()
    for check_id, reason in shape.must_skip.items():
        title = titles.get(check_id)
        lines = [c for c in document.get("checks", []) if c.get("title") == title]
        if title is None or not lines:
            other.append(f"{check_id}: no such check in this preflight")
        for line in lines:
            status, detail = line.get("status"), str(line.get("detail", ""))
            if status != "skipped" or reason.lower() not in detail.lower():
                other.append(f"{check_id} should be skipped ({reason!r}), was {status}: {detail!r}")


def parse_document(stdout: str) -> dict[str, Any] | None:
    """The report when stdout is exactly one JSON object (whitespace around it aside)."""
    try:
        document = json.loads(stdout)
    except json.JSONDecodeError:
        return None
    return document if isinstance(document, dict) else None


def run_shape(shape: Shape, workspace: Path) -> Outcome:
    """Materialise ``shape`` under ``workspace`` and preflight it as its user would."""
    checkout = workspace / shape.name
    checkout.mkdir(parents=True)
    materialise(shape, checkout)
    config_file = workspace / f"{shape.name}.config-vars"
    write_config_vars(shape.config_vars, config_file)
    status_before = git(checkout, "status", "--porcelain", "--untracked-files=all")
    proc = subprocess.run(
        [sys.executable, "manage.py", "preflight", "--format", "json"]
        + ["--config-vars", str(config_file), *shape.args],
        cwd=checkout / shape.manage_dir,
        env={**child_environment(), **shape.local_env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    outcome = Outcome(proc.returncode, proc.stdout, proc.stderr, parse_document(proc.stdout))
    judge(shape, outcome, checkout)
    status_after = git(checkout, "status", "--porcelain", "--untracked-files=all")
    if status_after != status_before:
        # The user's commit and work tree are theirs: preflight reads them, never writes.
        outcome.other.append(f"preflight changed the work tree: {status_after!r}")
    return outcome


def explain(shape: Shape, outcome: Outcome) -> str:
    """A failure that explains itself: what was expected, what preflight said."""
    lines = [f"shape {shape.name}: {shape.description}"]
    lines += [f"  - {p}" for p in outcome.problems]
    lines.append(f"  must find:     {', '.join(map(str, shape.must_find)) or '-'}")
    lines.append(f"  must not find: {', '.join(map(str, shape.must_not_find)) or '-'}")
    lines.append(f"  found:         {', '.join(outcome.ids) or '-'}")
    if outcome.document:
        for message in outcome.document.get("messages", []):
            lines.append(f"    {message.get('id')} [{message.get('obj')}] {message.get('msg')}")
    else:
        lines.append(f"  stdout: {outcome.stdout[:2000]!r}")
    lines.append(f"  exit code {outcome.exit_code}; stderr: {outcome.stderr[-2000:]!r}")
    return "\n".join(lines)
