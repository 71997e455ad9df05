"""E208–W211: the Procfile and app.json, on small project trees."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import (
    check_tree,
    ids,
    make_project,
    objs,
)

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
    result = check_tree(tmp_path, "procfile")
    assert "deploytools.E208" in ids(result)
    assert obj in objs(result)


def test_e208_passes(tmp_path: Path) -> None:
    make_project(tmp_path)
    result = check_tree(tmp_path, "procfile")
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
    result = check_tree(tmp_path, "procfile_web")
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
    assert ids(check_tree(tmp_path, "procfile_web")) == []


@pytest.mark.parametrize(
    ("content", "obj"),
    [
        ("web: gunicorn weareone.wsgi\n", "Procfile"),
        ("web: gunicorn weareone.wsgi\nrelease: python manage.py migrate\n", "Procfile:2"),
    ],
)
def test_w210_no_release(tmp_path: Path, content: str, obj: str) -> None:
    make_project(tmp_path, Procfile=content)
    result = check_tree(tmp_path, "procfile_release")
    assert ids(result) == ["deploytools.W210"]
    assert objs(result) == [obj]


def test_w210_passes(tmp_path: Path) -> None:
    make_project(tmp_path)
    assert ids(check_tree(tmp_path, "procfile_release")) == []


# W211 ------------------------------------------------------------------------------------------


def test_w211_syntax_error_with_line(tmp_path: Path) -> None:
    make_project(tmp_path, app__json='{\n  "name": "x",\n  "env": {,}\n}\n')
    result = check_tree(tmp_path, "app_json")
    assert ids(result) == ["deploytools.W211"]
    assert objs(result) == ["app.json:3"]


def test_w211_wrong_types(tmp_path: Path) -> None:
    document = (
        '{"env": {"A": 1, "B": {"required": "yes"}}, "formation": {"web": {"quantity": "2"}},'
        ' "addons": [{"as": "X"}], "buildpacks": ["heroku/python"], "scripts": {"postdeploy": 3},'
        ' "stack": 24}'
    )
    make_project(tmp_path, app__json=document)
    result = check_tree(tmp_path, "app_json")
    text = " ".join(m.msg for m in result.messages)
    assert ids(result) == ["deploytools.W211"] * 7
    for key in ("env.A", "env.B.required", "formation.web.quantity", "addons[0]"):
        assert key in text
    assert "buildpacks[0]" in text and "scripts.postdeploy" in text and "stack" in text


def test_w211_passes_and_skips_without_app_json(tmp_path: Path) -> None:
    make_project(tmp_path)
    assert ids(check_tree(tmp_path, "app_json")) == []
    (tmp_path / "app.json").unlink()
    assert check_tree(tmp_path, "app_json").checks[0].status == "skipped"
