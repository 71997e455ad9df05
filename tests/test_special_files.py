"""
Special files where deploytools expects a file (issue 8, classes 7 and 8): FIFOs that block an
open() forever, /dev/zero that never ends, symlinks to either, files far too large, and
--save-snapshot targets that must not be replaced. Every read is refused in one line (or as the
check's own finding) and in bounded time; no device is ever replaced.
"""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path

import pytest

from deploytools.facts import config_vars, safe_read
from deploytools.facts import snapshot as snapshot_facts
from tests.helpers import ROOT, check_tree, make_project, run_command, within

EXAMPLE = ROOT / "deploytools" / "examples" / "snapshot.json"


def special(tmp_path: Path, kind: str, name: str = "special") -> Path:
    """A path of ``kind``: fifo, zero (a symlink to /dev/zero), dir, huge (a 3 GB sparse file)."""
    path = tmp_path / name
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "zero":
        path.symlink_to("/dev/zero")
    elif kind == "dir":
        path.mkdir()
    elif kind == "huge":
        with path.open("wb") as handle:
            handle.truncate(3 * 1024**3)  # sparse: no disk used, but no reader could hold it
    elif kind == "fifo-link":
        os.mkfifo(tmp_path / f"{name}.fifo")
        path.symlink_to(tmp_path / f"{name}.fifo")
    return path


KINDS = ["fifo", "zero", "dir", "huge", "fifo-link"]
REASONS = {
    "fifo": "not a regular file (a FIFO)",
    "fifo-link": "not a regular file (a FIFO)",
    "zero": "not a regular file (a character device)",
    "dir": "not a regular file (a directory)",
    "huge": "larger than",
}


# -- the shared reader ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_safe_read_refuses_special_and_huge_files_at_once(tmp_path: Path, kind: str) -> None:
    path = special(tmp_path, kind)
    started = time.monotonic()
    with pytest.raises(safe_read.UnsafeFile) as raised:
        within(5, lambda: safe_read.read_bytes(path, 1000))
    assert REASONS[kind] in str(raised.value.strerror)
    assert time.monotonic() - started < 1


def test_safe_read_follows_a_symlink_to_a_regular_file_and_caps_it(tmp_path: Path) -> None:
    target = tmp_path / "real.env"
    target.write_bytes(b"A=1\n")
    link = tmp_path / "link.env"
    link.symlink_to(target)
    assert safe_read.read_bytes(link, 10) == b"A=1\n"
    target.write_bytes(b"x" * 11)
    with pytest.raises(safe_read.FileTooLarge):
        safe_read.read_bytes(link, 10)
    # /proc files say they are empty and are not: the cap holds on what is read, not st_size.
    with pytest.raises(safe_read.FileTooLarge):
        safe_read.read_bytes("/proc/self/environ" if os.environ else "/proc/cpuinfo", 1)


# -- files given on the command line -------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_config_vars_that_is_not_a_regular_file_is_exit_2(tmp_path: Path, kind: str) -> None:
    path = special(tmp_path, kind)
    with pytest.raises(config_vars.ConfigVarsError) as raised:
        within(5, lambda: config_vars.read_config_vars_file(path))
    assert str(raised.value).startswith(f"{path}: cannot be read (")
    assert REASONS[kind] in str(raised.value)
    result = within(30, lambda: run_command("preflight", "--config-vars", str(path)))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_snapshot_that_is_not_a_regular_file_is_exit_2(tmp_path: Path, kind: str) -> None:
    path = special(tmp_path, kind)
    result = within(
        30, lambda: run_command("production_check", "--snapshot", str(path), "--format", "json")
    )
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert error.startswith(f"{path}: cannot read (") and REASONS[kind] in error


# -- files found in the project ------------------------------------------------------------------

PROJECT_FILES = {
    "Procfile": (("procfile",), "deploytools.E208"),
    ".python-version": (("python_version_file",), "deploytools.E206"),
    "app.json": (("app_json",), "deploytools.W211"),
    "requirements.txt": (("requirements_file",), "deploytools.E201"),
    ".gitignore": (("gitignore",), "deploytools.W213"),
}


@pytest.mark.parametrize("kind", ["fifo", "zero", "huge", "fifo-link"])
@pytest.mark.parametrize("name", sorted(PROJECT_FILES))
def test_project_file_that_is_not_a_regular_file_is_the_checks_finding(
    tmp_path: Path, name: str, kind: str
) -> None:
    make_project(tmp_path)
    (tmp_path / name).unlink()
    special(tmp_path, kind, name)
    names, expected = PROJECT_FILES[name]
    result = within(20, lambda: check_tree(tmp_path, *names, "python_version_current"))
    found = {str(m.id) for m in result.messages}
    assert "deploytools.E002" not in found
    if name == ".gitignore":
        # Unreadable rules protect nothing: the entries W213 wants are reported missing.
        assert expected in found
    else:
        assert expected in found, [m.msg for m in result.messages]
        text = " ".join(str(m.msg) for m in result.messages)
        assert REASONS[kind] in text or "larger than" in text


def test_settings_sources_that_block_do_not_hang_preflight_checks(tmp_path: Path) -> None:
    make_project(tmp_path)
    settings = tmp_path / "weareone" / "settings.py"
    settings.unlink()
    os.mkfifo(settings)
    result = within(20, lambda: check_tree(tmp_path, "secrets_committed", "requirements_complete"))
    assert "deploytools.E002" not in {str(m.id) for m in result.messages}


def test_production_check_with_a_fifo_procfile_does_not_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # capacity reads the Procfile's web command when the formation has none.
    from deploytools.checks import capacity
    from deploytools.context import ProductionContext
    from tests.helpers import project_at

    make_project(tmp_path)
    (tmp_path / "Procfile").unlink()
    os.mkfifo(tmp_path / "Procfile")
    context = ProductionContext(
        project=project_at(tmp_path), snapshot=snapshot_facts.Snapshot(app={"name": "x"})
    )
    assert within(5, lambda: capacity._web_command(context, {})) is None


# -- --save-snapshot targets ---------------------------------------------------------------------


def example() -> snapshot_facts.Snapshot:
    return snapshot_facts.load_snapshot(EXAMPLE)


def test_save_snapshot_writes_through_a_symlink_and_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("old")
    real.chmod(0o640)
    link = tmp_path / "snap.json"
    link.symlink_to(real)
    snapshot_facts.save_snapshot(example(), link)
    assert link.is_symlink() and link.resolve() == real
    assert json.loads(real.read_text())["app"]["name"] == example().app_name
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["real.json", "snap.json"]


def test_save_snapshot_through_a_dangling_symlink_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "snap.json"
    link.symlink_to(tmp_path / "new.json")
    snapshot_facts.save_snapshot(example(), link)
    assert link.is_symlink() and (tmp_path / "new.json").is_file()


def test_save_snapshot_never_follows_a_planted_temporary_file(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("keep me")
    # Where the old code wrote its temporary file before renaming it.
    (tmp_path / ".snap.json.tmp").symlink_to(victim)
    snapshot_facts.save_snapshot(example(), tmp_path / "snap.json")
    assert victim.read_text() == "keep me"
    assert (tmp_path / "snap.json").is_file()


def _device(tmp_path: Path) -> Path:
    node = tmp_path / "null"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a /dev/null of our own
    except PermissionError:
        node.symlink_to("/dev/null")  # not root: a symlink to the real one, as a user would
    return node


@pytest.mark.parametrize("kind", ["device", "fifo", "dir", "stdout-link"])
def test_save_snapshot_refuses_a_target_that_is_not_a_regular_file(
    tmp_path: Path, kind: str
) -> None:
    if kind == "device":
        target = _device(tmp_path)
    elif kind == "stdout-link":
        target = tmp_path / "out"
        target.symlink_to("/dev/stdout")
    else:
        target = special(tmp_path, kind)
    before = os.lstat(target)
    kind_before = stat.S_IFMT(os.stat(target).st_mode)
    result = within(
        30,
        lambda: run_command(
            "production_check",
            "--snapshot",
            str(EXAMPLE),
            "--save-snapshot",
            str(target),
            "--format",
            "json",
        ),
    )
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert error.startswith(f"{target}: cannot write (not a regular file (")
    assert error.endswith("); refusing to replace it)")
    after = os.lstat(target)
    assert (after.st_ino, after.st_mode) == (before.st_ino, before.st_mode)
    assert stat.S_IFMT(os.stat(target).st_mode) == kind_before
    # Nothing left behind next to it either.
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
