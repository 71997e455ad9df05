"""2xx project-file checks: a failing and a passing case for each ID, on small project trees."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import timedelta
from importlib import metadata
from pathlib import Path

import pytest
from django.test import override_settings

from deploytools.checks.registry import CATALOGUE, Context
from deploytools.checks.run import RunResult, run_checks
from deploytools.requirements import parse_requirements
from tests.conftest import corner_ids

ROOT = Path(__file__).resolve().parent.parent
LOCAL = f"{sys.version_info.major}.{sys.version_info.minor}"
SECRET = "s3cr3t-literal-key-do-not-print-0123456789"
DAY = timedelta(days=1)


def pin(name: str) -> str:
    return f"{name}=={metadata.version(name)}"


GOOD_REQUIREMENTS = "\n".join(
    [
        "# production",
        pin("Django"),
        pin("dj-database-url"),
        pin("whitenoise"),
        pin("gunicorn"),
        pin("psycopg2-binary"),
        "",
    ]
)
GOOD_SETTINGS = """\
import os

import dj_database_url

SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
DATABASES = {"default": dj_database_url.config()}  # DATABASE_URL from Heroku Postgres
"""
GOOD_FILES: dict[str, str | bytes] = {
    "requirements.txt": GOOD_REQUIREMENTS,
    ".python-version": f"# Heroku's Python\n{LOCAL}\n",
    "Procfile": "web: gunicorn --config gunicorn.conf.py weareone.wsgi\n"
    "release: python manage.py heroku_release\n",
    "app.json": '{"name": "x", "env": {"K": {"generator": "secret"}}, "formation": '
    '{"web": {"quantity": 2, "size": "standard-2x"}}, "addons": ["heroku-postgresql"]}\n',
    ".gitignore": ".env\n.env.*\n!*.example\ndb.sqlite3\n/staticfiles/\n.venv/\n",
    # The project's own packages: what settings.INSTALLED_APPS names locally.
    "weareone/__init__.py": "",
    "weareone/settings.py": GOOD_SETTINGS,
    "deploytools/__init__.py": "",
    "tests/__init__.py": "",
}


def make_project(base: Path, **overrides: str | bytes | None) -> Path:
    """A weareone-like project under ``base``; ``overrides`` maps file names to content."""
    files = dict(GOOD_FILES)
    for key, content in overrides.items():
        # requirements__txt -> requirements.txt, weareone__settings__py -> weareone/settings.py
        *parts, last = key.split("__")
        name = "/".join(parts) + "." + last if parts and last in ("txt", "json", "py") else key
        if content is None:
            files.pop(name, None)
        else:
            files[name] = content
    for name, content in files.items():
        path = base / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return base


def run(base: Path, *names: str, **options: object) -> RunResult:
    options.setdefault("settings_module", "weareone.settings")
    context = Context(command="preflight", base_dir=base, config_vars={}, options=dict(options))
    return run_checks(context, [CATALOGUE[name] for name in names])


def ids(result: RunResult) -> list[str]:
    assert "deploytools.E002" not in [m.id for m in result.messages]
    return sorted(str(m.id) for m in result.messages)


def objs(result: RunResult) -> list[str]:
    return sorted(str(m.obj) for m in result.messages)


def git(base: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=base, check=True, capture_output=True)


ALL_2XX = [name for name, spec in CATALOGUE.items() if spec.ids and spec.ids[0][13] == "2"]


def test_every_2xx_id_is_registered() -> None:
    registered = {i for name in ALL_2XX for i in CATALOGUE[name].ids}
    expected = {f"deploytools.E2{n:02d}" for n in (1, 3, 6, 8, 9, 12, 15)}
    expected |= {f"deploytools.W2{n:02d}" for n in (2, 4, 7, 10, 11, 13, 14)}
    expected.add("deploytools.I205")
    assert registered == expected
    assert all("preflight" in CATALOGUE[name].tags and CATALOGUE[name].deploy for name in ALL_2XX)


def test_good_project_passes_everything(tmp_path: Path) -> None:
    make_project(tmp_path)
    result = run(tmp_path, *ALL_2XX)
    assert ids(result) == []
    statuses = {c.name: c.status for c in result.checks}
    assert statuses["collectstatic"] == "skipped"
    assert statuses["requirements_complete"] == "passed"


# E201 ------------------------------------------------------------------------------------------


def test_e201_missing_requirements(tmp_path: Path) -> None:
    make_project(tmp_path, requirements__txt=None)
    result = run(tmp_path, "requirements_file", "requirements_pinned")
    assert ids(result) == ["deploytools.E201"]
    assert objs(result) == ["requirements.txt"]
    assert result.checks[1].status == "skipped"


def test_e201_unparseable_line_has_file_and_line(tmp_path: Path) -> None:
    make_project(tmp_path, requirements__txt="Django==6.1\n\nthis is not ! a requirement\n")
    result = run(tmp_path, "requirements_file")
    assert ids(result) == ["deploytools.E201"]
    assert objs(result) == ["requirements.txt:3"]


def test_e201_include_missing_and_cycle(tmp_path: Path) -> None:
    make_project(tmp_path, requirements__txt="-r base.txt\n-r nowhere.txt\n")
    (tmp_path / "base.txt").write_text("six==1.17.0\n--requirement=requirements.txt\n")
    result = run(tmp_path, "requirements_file")
    assert ids(result) == ["deploytools.E201", "deploytools.E201"]
    assert objs(result) == ["base.txt:2", "requirements.txt:2"]
    assert "include cycle" in " ".join(m.msg for m in result.messages)


def test_e201_passes_on_every_pip_line_form(tmp_path: Path) -> None:
    text = "\n".join(
        [
            "# every form pip accepts",
            "--index-url https://pypi.org/simple",
            "--extra-index-url=https://example.org/simple --trusted-host example.org",
            "-c constraints.txt",
            "-r sub/base.txt",
            'Django[argon2]==6.1.3 ; python_version >= "3.10"  # trailing comment',
            "whitenoise==6.12.0 \\",
            "    --hash=sha256:0123456789abcdef \\",
            "    --hash=sha256:fedcba9876543210",
            "-e git+https://github.com/org/lib.git@0a1b2c3d4e5f#egg=lib",
            "git+https://github.com/org/other.git@v1.2.3#egg=other",
            "thing @ https://example.org/thing-2.0.tar.gz",
            "https://example.org/wheel-1.0-py3-none-any.whl",
            "./vendor/pkg",
            "-e .",
            "--prefer-binary",
            "",
        ]
    )
    make_project(tmp_path, requirements__txt=text)
    (tmp_path / "constraints.txt").write_text("six==1.17.0\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "base.txt").write_text("-r ../other.txt\nsix\n")
    (tmp_path / "other.txt").write_text("gunicorn==27.0.1\n")
    result = run(tmp_path, "requirements_file", "requirements_pinned")
    assert ids(result) == []
    parsed = parse_requirements(tmp_path / "requirements.txt", tmp_path)
    by_name = {r.name: r for r in parsed.requirements}
    assert by_name["whitenoise"].pinned_version == "6.12.0"
    assert by_name["whitenoise"].line == 7
    assert by_name["lib"].pinned_by == "commit 0a1b2c3d4e5f"
    assert by_name["other"].pinned_by == "version tag v1.2.3"
    assert by_name["thing"].pinned_by == "archive of version 2.0"
    assert by_name["gunicorn"].file == "other.txt"
    assert by_name["django"].extras == ("argon2",)


# W202 ------------------------------------------------------------------------------------------


def test_w202_unpinned_and_branch_vcs(tmp_path: Path) -> None:
    text = GOOD_REQUIREMENTS + "requests>=2\ngit+https://github.com/org/lib.git@main#egg=lib\n"
    make_project(tmp_path, requirements__txt=text)
    result = run(tmp_path, "requirements_pinned")
    assert ids(result) == ["deploytools.W202", "deploytools.W202"]
    assert objs(result) == ["requirements.txt:7", "requirements.txt:8"]
    assert "names no commit or version" in result.messages[1].msg


def test_w202_passes_when_constrained(tmp_path: Path) -> None:
    make_project(tmp_path, requirements__txt=GOOD_REQUIREMENTS + "-c c.txt\nrequests\n")
    (tmp_path / "c.txt").write_text("requests==2.34.2\n")
    assert ids(run(tmp_path, "requirements_pinned")) == []


# E203 ------------------------------------------------------------------------------------------


def test_e203_missing_middleware_driver_procfile_and_settings_import(tmp_path: Path) -> None:
    text = pin("Django") + "\n"
    make_project(tmp_path, requirements__txt=text)
    result = run(tmp_path, "requirements_complete")
    messages = " ".join(m.msg for m in result.messages)
    assert set(ids(result)) == {"deploytools.E203"}
    for dist in ("whitenoise", "dj-database-url", "gunicorn", "psycopg2-binary"):
        assert dist in messages
    assert "Procfile:1" in objs(result)
    assert "weareone/settings.py:3" in objs(result)
    # The hint gives the pin of what is installed here.
    assert any(pin("whitenoise") in str(m.hint) for m in result.messages)


def test_e203_driver_from_config_vars(tmp_path: Path) -> None:
    make_project(tmp_path)
    context = Context(
        base_dir=tmp_path,
        config_vars={"DATABASE_URL": "mysql://u:p@h/db"},
        options={"settings_module": "weareone.settings"},
    )
    result = run_checks(context, [CATALOGUE["requirements_complete"]])
    assert ids(result) == ["deploytools.E203"]
    assert "mysqlclient" in result.messages[0].msg


def test_e203_passes_transitively_and_for_equivalents(tmp_path: Path) -> None:
    # psycopg2 (not -binary) provides the same import; asgiref comes with Django.
    text = GOOD_REQUIREMENTS.replace(pin("psycopg2-binary"), "psycopg2==2.9.13")
    make_project(tmp_path, requirements__txt=text)
    (tmp_path / "weareone" / "settings.py").write_text(GOOD_SETTINGS + "import asgiref\n")
    assert ids(run(tmp_path, "requirements_complete")) == []


# W204 ------------------------------------------------------------------------------------------


def test_w204_installed_differs(tmp_path: Path) -> None:
    make_project(tmp_path, requirements__txt=GOOD_REQUIREMENTS + "six==0.1\nnot-installed-x==1.0\n")
    result = run(tmp_path, "requirements_installed")
    assert ids(result) == ["deploytools.W204", "deploytools.W204"]
    assert objs(result) == ["requirements.txt:7", "requirements.txt:8"]
    assert metadata.version("six") in result.messages[0].msg


def test_w204_passes(tmp_path: Path) -> None:
    make_project(tmp_path)
    result = run(tmp_path, "requirements_installed")
    assert ids(result) == []
    assert "5 pins compared" in result.checks[0].detail


# I205 ------------------------------------------------------------------------------------------


def test_i205_dev_tools(tmp_path: Path) -> None:
    text = GOOD_REQUIREMENTS + "pytest==9.2.0\npytest-django==4.14.0\nruff==0.17.6\n"
    make_project(tmp_path, requirements__txt=text)
    result = run(tmp_path, "requirements_dev_only")
    assert ids(result) == ["deploytools.I205"] * 3
    # An info is advice: the check still passed.
    assert result.checks[0].status == "passed"


def test_i205_passes(tmp_path: Path) -> None:
    make_project(tmp_path)
    assert ids(run(tmp_path, "requirements_dev_only")) == []


# E206 / W207 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "obj"),
    [
        (None, ".python-version"),
        ("3.x\n", ".python-version:1"),
        ("# old\n3.9\n", ".python-version:2"),
        ("3.13\n3.12\n", ".python-version:2"),
        ("python-3.13\n", ".python-version:1"),
    ],
)
def test_e206_invalid_python_version(tmp_path: Path, content: str | None, obj: str) -> None:
    make_project(tmp_path, **{".python-version": content})
    result = run(tmp_path, "python_version_file")
    assert ids(result) == ["deploytools.E206"]
    assert objs(result) == [obj]


def test_e206_runtime_txt_disagrees(tmp_path: Path) -> None:
    make_project(tmp_path, runtime__txt="python-3.12.1\n", **{".python-version": "3.13.1\n"})
    result = run(tmp_path, "python_version_file")
    assert ids(result) == ["deploytools.E206"]
    assert objs(result) == ["runtime.txt"]


def test_e206_passes_with_patch_version_and_crlf(tmp_path: Path) -> None:
    make_project(tmp_path, **{".python-version": f"\ufeff# pinned\r\n{LOCAL}.1\r\n"})
    result = run(tmp_path, "python_version_file")
    assert ids(result) == []
    assert f"{LOCAL}.1" in result.checks[0].detail


def test_e206_support_follows_the_end_of_life_date(tmp_path: Path) -> None:
    from deploytools.support import PYTHON_RELEASES

    end = PYTHON_RELEASES["3.11"].end_of_life
    make_project(tmp_path, **{".python-version": "3.11\n"})
    # The day after 3.11's end of life Heroku no longer builds it, without a data change.
    after = run(tmp_path, "python_version_file", today=end + DAY)
    assert ids(after) == ["deploytools.E206"]
    assert "Python 3.11, which Heroku does not build" in after.messages[0].msg
    assert "3.11" not in str(after.messages[0].hint).split(":")[0]  # not offered as supported
    assert ids(run(tmp_path, "python_version_file", today=end)) == []


def test_w207_runtime_txt_and_local_mismatch(tmp_path: Path) -> None:
    other = "3.12" if LOCAL != "3.12" else "3.13"
    make_project(tmp_path, runtime__txt=f"python-{other}\n", **{".python-version": None})
    result = run(tmp_path, "python_version_current", "python_version_file")
    assert ids(result) == ["deploytools.W207", "deploytools.W207"]
    assert "deprecated" in result.messages[0].msg
    assert other in result.messages[1].msg


def test_w207_passes(tmp_path: Path) -> None:
    make_project(tmp_path)
    assert ids(run(tmp_path, "python_version_current")) == []


# E208 / E209 / W210 ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "obj"),
    [
        (None, "Procfile"),
        ("web gunicorn weareone.wsgi\n", "Procfile:1"),
        ("worker: celery -A weareone worker\n", "Procfile"),
        ("web: gunicorn weareone.wsgi\nweb: gunicorn weareone.wsgi\n", "Procfile:2"),
        ("web: gunicorn 'weareone.wsgi\n", "Procfile:1"),
    ],
)
def test_e208_procfile(tmp_path: Path, content: str | None, obj: str) -> None:
    make_project(tmp_path, Procfile=content)
    result = run(tmp_path, "procfile")
    assert "deploytools.E208" in ids(result)
    assert obj in objs(result)


def test_e208_passes(tmp_path: Path) -> None:
    make_project(tmp_path)
    result = run(tmp_path, "procfile")
    assert ids(result) == []
    assert result.checks[0].detail == "release, web"


@pytest.mark.parametrize(
    "web",
    [
        "python manage.py runserver 0.0.0.0:$PORT",
        "gunicorn --reload weareone.wsgi",
        "gunicorn otherproject.wsgi:application",
        "uvicorn otherproject.asgi:application --port $PORT",
        "python app.py",
    ],
)
def test_e209_wrong_web_process(tmp_path: Path, web: str) -> None:
    make_project(tmp_path, Procfile=f"web: {web}\nrelease: python manage.py heroku_release\n")
    result = run(tmp_path, "procfile_web")
    assert ids(result) == ["deploytools.E209"]
    assert objs(result) == ["Procfile:1"]


@pytest.mark.parametrize(
    "web",
    [
        "gunicorn weareone.wsgi",
        "WEB_CONCURRENCY=3 newrelic-admin run-program gunicorn weareone.wsgi:application",
        "python -m gunicorn --bind 0.0.0.0:$PORT weareone.wsgi:application",
        "uvicorn weareone.asgi:application --host 0.0.0.0 --port $PORT",
        "waitress-serve --port=$PORT weareone.wsgi:application",
    ],
)
def test_e209_passes(tmp_path: Path, web: str) -> None:
    make_project(tmp_path, Procfile=f"web: {web}\n")
    assert ids(run(tmp_path, "procfile_web")) == []


@pytest.mark.parametrize(
    ("content", "obj"),
    [
        ("web: gunicorn weareone.wsgi\n", "Procfile"),
        ("web: gunicorn weareone.wsgi\nrelease: python manage.py migrate\n", "Procfile:2"),
    ],
)
def test_w210_no_release(tmp_path: Path, content: str, obj: str) -> None:
    make_project(tmp_path, Procfile=content)
    result = run(tmp_path, "procfile_release")
    assert ids(result) == ["deploytools.W210"]
    assert objs(result) == [obj]


def test_w210_passes(tmp_path: Path) -> None:
    make_project(tmp_path)
    assert ids(run(tmp_path, "procfile_release")) == []


# W211 ------------------------------------------------------------------------------------------


def test_w211_syntax_error_with_line(tmp_path: Path) -> None:
    make_project(tmp_path, app__json='{\n  "name": "x",\n  "env": {,}\n}\n')
    result = run(tmp_path, "app_json")
    assert ids(result) == ["deploytools.W211"]
    assert objs(result) == ["app.json:3"]


def test_w211_wrong_types(tmp_path: Path) -> None:
    document = (
        '{"env": {"A": 1, "B": {"required": "yes"}}, "formation": {"web": {"quantity": "2"}},'
        ' "addons": [{"as": "X"}], "buildpacks": ["heroku/python"], "scripts": {"postdeploy": 3},'
        ' "stack": 24}'
    )
    make_project(tmp_path, app__json=document)
    result = run(tmp_path, "app_json")
    text = " ".join(m.msg for m in result.messages)
    assert ids(result) == ["deploytools.W211"] * 7
    for key in ("env.A", "env.B.required", "formation.web.quantity", "addons[0]"):
        assert key in text
    assert "buildpacks[0]" in text and "scripts.postdeploy" in text and "stack" in text


def test_w211_passes_and_skips_without_app_json(tmp_path: Path) -> None:
    make_project(tmp_path)
    assert ids(run(tmp_path, "app_json")) == []
    (tmp_path / "app.json").unlink()
    assert run(tmp_path, "app_json").checks[0].status == "skipped"


# E212 ------------------------------------------------------------------------------------------


def test_e212_tracked_env_file(tmp_path: Path) -> None:
    make_project(tmp_path)
    (tmp_path / ".env").write_text(f"DJANGO_SECRET_KEY={SECRET}\n")
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / ".env.production").write_text("X=1\n")
    (tmp_path / ".env.example").write_text("DJANGO_SECRET_KEY=\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-f", ".env", "config/.env.production", ".env.example", "Procfile")
    result = run(tmp_path, "secrets_committed")
    assert ids(result) == ["deploytools.E212", "deploytools.E212"]
    assert objs(result) == [".env", "config/.env.production"]
    assert SECRET not in repr([(m.msg, m.hint) for m in result.messages])


@pytest.mark.parametrize(
    "line",
    [
        f'SECRET_KEY = "{SECRET}"',
        f'SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "{SECRET}")',
        f'SECRET_KEY = os.getenv("DJANGO_SECRET_KEY", default="{SECRET}")',
        f'SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or "{SECRET}"',
        f'SECRET_KEY: str = "{SECRET}"',
    ],
)
def test_e212_literal_secret_key(tmp_path: Path, line: str) -> None:
    make_project(tmp_path, weareone__settings__py=f"import os\n\n{line}\n")
    result = run(tmp_path, "secrets_committed")
    assert ids(result) == ["deploytools.E212"]
    assert objs(result) == ["weareone/settings.py:3"]
    assert SECRET not in repr([(m.msg, m.hint, m.obj) for m in result.messages])
    assert SECRET not in result.checks[0].detail


def test_e212_follows_split_settings(tmp_path: Path) -> None:
    make_project(
        tmp_path,
        weareone__settings__py="from .base import *  # noqa\n",
        weareone__base__py=f'SECRET_KEY = "{SECRET}"\n',
    )
    result = run(tmp_path, "secrets_committed")
    assert objs(result) == ["weareone/base.py:1"]


def test_e212_passes(tmp_path: Path) -> None:
    make_project(tmp_path)
    (tmp_path / ".env.example").write_text("DJANGO_SECRET_KEY=\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    result = run(tmp_path, "secrets_committed")
    assert ids(result) == []
    assert "weareone/settings.py" in result.checks[0].detail


# W213 ------------------------------------------------------------------------------------------


def test_w213_gitignore_gaps(tmp_path: Path) -> None:
    make_project(tmp_path, **{".gitignore": "*.pyc\n.env.local\n!db.sqlite3\n"})
    (tmp_path / "env").mkdir()
    (tmp_path / "env" / "pyvenv.cfg").write_text("home = /usr\n")
    with override_settings(STATIC_ROOT=tmp_path / "static" / "collected"):
        result = run(tmp_path, "gitignore")
    assert ids(result) == ["deploytools.W213"]
    assert result.messages[0].msg == (
        ".gitignore does not ignore .env, db.sqlite3, static/collected, env/."
    )


def test_w213_missing_gitignore(tmp_path: Path) -> None:
    make_project(tmp_path, **{".gitignore": None})
    assert ids(run(tmp_path, "gitignore")) == ["deploytools.W213"]


def test_w213_passes(tmp_path: Path) -> None:
    make_project(tmp_path, **{".gitignore": "**/.env\ndb.sqlite3\nstatic/\n.venv*/\n"})
    (tmp_path / ".venv-py311").mkdir()
    (tmp_path / ".venv-py311" / "pyvenv.cfg").write_text("home = /usr\n")
    with override_settings(STATIC_ROOT=tmp_path / "static"):
        assert ids(run(tmp_path, "gitignore")) == []


# W214 ------------------------------------------------------------------------------------------


def test_w214_slug_near_limit(tmp_path: Path) -> None:
    make_project(tmp_path)
    (tmp_path / "data.bin").write_bytes(b"\0" * (3 * 1024 * 1024))
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    with override_settings(DEPLOYTOOLS={"SLUG_SIZE_WARNING_MB": 1}):
        result = run(tmp_path, "slug_size")
    assert ids(result) == ["deploytools.W214"]
    assert "project files 3.0 MB" in result.messages[0].msg


def test_w214_slugignore_and_threshold(tmp_path: Path) -> None:
    make_project(tmp_path, requirements__txt="six==1.17.0\n")
    (tmp_path / "data.bin").write_bytes(b"\0" * (3 * 1024 * 1024))
    (tmp_path / ".slugignore").write_text("*.bin\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    with override_settings(DEPLOYTOOLS={"SLUG_SIZE_WARNING_MB": 1}):
        result = run(tmp_path, "slug_size")
    assert ids(result) == []
    assert "project files 0.0 MB + 1 distributions" in result.checks[0].detail


# E215 ------------------------------------------------------------------------------------------


def test_e215_skipped_without_option(tmp_path: Path) -> None:
    make_project(tmp_path)
    result = run(tmp_path, "collectstatic")
    assert result.checks[0].status == "skipped"
    assert result.checks[0].detail == "run with --collectstatic"


@pytest.mark.slow
def test_e215_collectstatic_fails(tmp_path: Path) -> None:
    make_project(tmp_path)
    # The child imports the real weareone settings, not this tree's stand-in package.
    shutil.rmtree(tmp_path / "weareone")
    (tmp_path / "brokensettings.py").write_text(
        "from weareone.settings import *  # noqa\n"
        f"STATICFILES_DIRS = [{str(tmp_path / 'assets')!r}]\n"
    )
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "site.css").write_text("body { background: url('missing.png'); }\n")
    context = Context(
        base_dir=tmp_path,
        config_vars={"DJANGO_SECRET_KEY": SECRET},
        options={"settings_module": "brokensettings", "collectstatic": True},
    )
    result = run_checks(context, [CATALOGUE["collectstatic"]])
    assert ids(result) == ["deploytools.E215"]
    assert "missing.png" in result.messages[0].msg
    assert SECRET not in repr([(m.msg, m.hint) for m in result.messages])


@pytest.mark.slow
def test_e215_runs_in_the_build_environment(tmp_path: Path) -> None:
    make_project(tmp_path)
    shutil.rmtree(tmp_path / "weareone")
    # Heroku's build exports the config vars but is no dyno: no DYNO, no PORT.
    (tmp_path / "buildsettings.py").write_text(
        "import os\n"
        "from weareone.settings import *  # noqa\n"
        "if 'DYNO' in os.environ or 'PORT' in os.environ or os.environ.get('MARKER') != 'yes':\n"
        "    raise RuntimeError('not the build environment')\n"
    )
    context = Context(
        base_dir=tmp_path,
        config_vars={"MARKER": "yes"},
        options={"settings_module": "buildsettings", "push": True},
    )
    result = run_checks(context, [CATALOGUE["collectstatic"]])
    assert ids(result) == []
    assert result.checks[0].status == "passed"


# The real project ------------------------------------------------------------------------------


@pytest.mark.slow
def test_weareone_passes_every_2xx_check() -> None:
    context = Context(
        command="preflight",
        base_dir=ROOT,
        config_vars={"DJANGO_SECRET_KEY": SECRET},
        options={"settings_module": "weareone.settings", "collectstatic": True},
    )
    result = run_checks(context, [CATALOGUE[name] for name in ALL_2XX])
    # Running the suite under another Python and Django (CI's 3.11 + Django 5.2 corner) is
    # W207's and W204's case exactly; everything else must still pass.
    expected = corner_ids()
    assert [(m.id, m.msg) for m in result.messages if m.id not in expected] == []
    assert {c.name: c.status for c in result.checks if not set(c.ids) & expected} == {
        name: "passed" for name in ALL_2XX if not set(CATALOGUE[name].ids) & expected
    }
    assert "files collected" in next(c for c in result.checks if c.name == "collectstatic").detail
