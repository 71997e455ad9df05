"""deploytools installs with pip into any Django project, as pyproject.toml declares."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

from tests.helpers import (
    ROOT,
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--disable-pip-version-check",
            "--wheel-dir",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    (path,) = out.glob("deploytools-*.whl")
    return path


def test_wheel_holds_the_app_and_nothing_of_the_project(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "deploytools/apps.py" in names
    assert "deploytools/py.typed" in names
    assert "deploytools/migrations/0001_initial.py" in names
    assert "deploytools/management/commands/preflight.py" in names
    assert "deploytools/management/commands/heroku_release.py" in names
    assert "deploytools/management/commands/production_check.py" in names
    assert "deploytools/examples/snapshot.json" in names
    assert not [n for n in names if n.startswith(("weareone/", "tests/", "bench/"))]


def test_wheel_declares_its_dependencies_and_supported_versions(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        meta_name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        meta = Parser().parsestr(archive.read(meta_name).decode())
    requires = meta.get_all("Requires-Dist") or []
    # Django 4.2 and later, Python 3.11 and later, no upper bound on either: installing
    # deploytools never changes a project's Django nor excludes Heroku's default Python.
    assert "Django>=4.2" in [r.replace(" ", "") for r in requires], requires
    for dist in ("dj-database-url", "heroku3", "packaging", "requests", "six"):
        assert any(r.lower().startswith(dist) for r in requires), dist
    assert meta["Requires-Python"].replace(" ", "") == ">=3.11"
    assert meta["License"] == "MIT"


def test_pyproject_asks_for_a_setuptools_that_reads_its_license_field() -> None:
    # The SPDX string form `license = "MIT"` (PEP 639) needs setuptools 77; the table form
    # builds with every setuptools since 61 (PEP 621). A project pinned to an older setuptools
    # than the form needs cannot install deploytools at all.
    import tomllib

    from packaging.requirements import Requirement
    from packaging.version import Version

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    (setuptools,) = [Requirement(r) for r in pyproject["build-system"]["requires"]]
    oldest = min(Version(s.version) for s in setuptools.specifier if s.operator == ">=")
    license_field = pyproject["project"]["license"]
    needed = Version("77") if isinstance(license_field, str) else Version("61")
    assert oldest >= needed, (oldest, license_field)


def test_installed_wheel_works_in_another_django_project(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--disable-pip-version-check",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    project = tmp_path / "otherproject"
    project.mkdir()
    (project / "othersettings.py").write_text(
        "SECRET_KEY = 'x'\nINSTALLED_APPS = ['deploytools']\n"
        "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': ':memory:'}}\n"
        "DEPLOYTOOLS = {'NOT_A_KEY': 1}\n"
    )
    env = {
        "PATH": os.environ["PATH"],
        # The installed wheel first, then this interpreter's Django; never the source tree.
        "PYTHONPATH": os.pathsep.join([str(project), str(target)]),
        "DJANGO_SETTINGS_MODULE": "othersettings",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "django", "check"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    assert "deploytools.E001" in proc.stderr
    assert (
        str(target)
        in subprocess.run(
            [sys.executable, "-c", "import deploytools; print(deploytools.__file__)"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
    )
