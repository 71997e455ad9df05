"""
E215, E406: what preflight runs on the project (tag preflight, on request): Heroku's
collectstatic, and the project's tests.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from django.core import checks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deploytools.checks.registry import Messages, check
from deploytools.context import PreflightContext, Skipped
from deploytools.facts.settings_values import readable_setting

TAGS = ["preflight"]
# Lines of the test output quoted in E406.
SHOWN_OUTPUT_LINES = 15

# ---------------------------------------------------------------------------------------------
# E215: collectstatic


COLLECTSTATIC_SETTINGS = """\
# Written by deploytools preflight: the project's settings, collecting into a temporary folder
# when they name one (settings that set no STATIC_ROOT must fail as on Heroku).
from {module} import *  # noqa: F403

if globals().get("STATIC_ROOT"):
    STATIC_ROOT = {static_root!r}
"""
# The buildpack finds manage.py this deep, files only (bin/steps/collectstatic: find -maxdepth 3).
MANAGE_PY_DEPTH = 3


def build_manage_py(tree: Path) -> Path | None:
    """The manage.py Heroku's build runs collectstatic with: the shallowest, 3 levels at most."""
    found = [
        path
        for depth in range(MANAGE_PY_DEPTH)
        for path in sorted(tree.glob("/".join(["*"] * depth + ["manage.py"])))
        if path.is_file() and not path.is_symlink()
    ]
    return found[0] if found else None


def _collectstatic_environment(
    context: PreflightContext, wrapper: str, temp_dir: str
) -> dict[str, str]:
    """
    The environment of Heroku's build as it runs collectstatic: the app's config vars (the
    buildpack exports them to the build; service URLs as placeholders here), PYTHONPATH=.,
    no DYNO nor PORT (only running dynos have them): settings keyed on DYNO must collect too.
    """
    from deploytools.facts.dyno import dyno_environment

    environment = dyno_environment(context.config_vars or {}, context.project, "web")
    # Our wrapper, whatever DJANGO_SETTINGS_MODULE the config names: it imports that module.
    environment["DJANGO_SETTINGS_MODULE"] = wrapper
    environment["PYTHONPATH"] = os.pathsep.join(
        [temp_dir, ".", *filter(None, [environment.get("PYTHONPATH")])]
    )
    for name in ("DYNO", "PORT"):
        environment.pop(name, None)
    return environment


def _collectstatic_module(context: PreflightContext, manage_py: Path) -> str:
    from deploytools.facts.settings_module import SETTINGS_VARIABLE, default_in

    configured = (context.config_vars or {}).get(SETTINGS_VARIABLE)
    if configured:
        return configured
    default = default_in(manage_py, context.project.relative(manage_py))
    if default is None:
        raise Skipped(_("%(file)s names no settings module") % {"file": manage_py.name})
    return default.module


def _skip_unless_the_build_collects(context: PreflightContext) -> Path:
    """The manage.py the build runs collectstatic with, or Skipped saying why it does not."""
    from deploytools.facts.package_manager import build_packages, skip_container_app

    if not context.collectstatic:
        raise Skipped(_("run with --collectstatic"))
    skip_container_app(context)
    if (context.config_vars or {}).get("DISABLE_COLLECTSTATIC", "0") != "0":
        raise Skipped(_("DISABLE_COLLECTSTATIC is set: Heroku's build does not run it"))
    if (context.project.tree / ".heroku" / "collectstatic_disabled").is_file():
        # bin/steps/collectstatic still honours this deprecated marker file.
        raise Skipped(_(".heroku/collectstatic_disabled exists: Heroku's build does not run it"))
    if "django" not in build_packages(context).names:
        raise Skipped(_("the build does not install Django, so it does not run collectstatic"))
    manage_py = build_manage_py(context.project.tree)
    if manage_py is None:
        raise Skipped(_("no manage.py within 3 folders of the root: the build skips it"))
    return manage_py


EXCEPTION_LINE_RE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit)?: ")


def _last_error(lines: list[str]) -> str:
    """The final exception of a traceback (with its continuation lines), else the last line."""
    starts = [index for index, line in enumerate(lines) if EXCEPTION_LINE_RE.match(line)]
    if starts:
        return " ".join(line for line in lines[starts[-1] :] if line)
    # Django's usage errors end with "Type '... help' for usage."; the error is the line above.
    errors = [line for line in lines if line and not line.startswith("Type '")]
    return errors[-1] if errors else ""


@check(
    name="collectstatic",
    title=gettext_lazy("collectstatic succeeds as Heroku's build runs it"),
    ids={
        "E215": gettext_lazy(
            "`collectstatic` fails under the production settings (--collectstatic, --push)"
        )
    },
    tags=TAGS,
)
def check_collectstatic(context: PreflightContext) -> Messages:
    """E215: Heroku's build runs collectstatic; a failure there fails the deploy."""
    import tempfile

    from deploytools.facts.dyno import PLACEHOLDER_DATABASE_URL
    from deploytools.redact import redact, secret_values

    manage_py = _skip_unless_the_build_collects(context)
    module = _collectstatic_module(context, manage_py)
    with tempfile.TemporaryDirectory(prefix="deploytools-static-") as temp_dir:
        static_root = os.path.join(temp_dir, "staticfiles")
        wrapper = "deploytools_collectstatic_settings"
        Path(temp_dir, f"{wrapper}.py").write_text(
            COLLECTSTATIC_SETTINGS.format(module=module, static_root=static_root),
            encoding="utf-8",
        )
        environment = _collectstatic_environment(context, wrapper, temp_dir)
        command = [sys.executable, str(manage_py), "collectstatic", "--noinput", "-v", "0"]
        try:
            proc = subprocess.run(
                command,
                cwd=context.project.tree,
                env=environment,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=600,
                check=False,
            )
            returncode, output = proc.returncode, proc.stderr or proc.stdout
        except subprocess.TimeoutExpired:
            returncode, output = -1, b"collectstatic timed out after 600 s"
        except OSError as exc:
            returncode, output = -1, str(exc).encode()
        collected = sum(len(files) for _root, _dirs, files in os.walk(static_root))
    shown = context.project.relative(manage_py)
    if returncode == 0:
        context.evidence(
            _("python %(manage)s collectstatic: %(count)d files collected")
            % {"manage": shown, "count": collected}
        )
        return []
    lines = [line.strip() for line in output.decode("utf-8", "replace").splitlines()]
    last = _last_error(lines) or _("no output")
    secrets = secret_values(context.config_vars or {}, PLACEHOLDER_DATABASE_URL)
    return [
        checks.Error(
            _("collectstatic fails with the production settings: %(error)s")
            % {"error": redact(last[:500], secrets)},
            hint=_(
                "Reproduce it with the app's config vars set, as Heroku's build does: "
                "python %(manage)s collectstatic --noinput"
            )
            % {"manage": shown},
            obj="collectstatic",
            id="deploytools.E215",
        )
    ]


def command_argv(base_dir: Path) -> list[str]:
    """DEPLOYTOOLS['TEST_COMMAND'] as argv; a leading ``python`` is this interpreter."""
    import shlex
    import sys

    from deploytools.conf import conf

    raw = conf.test_command
    argv = shlex.split(raw) if isinstance(raw, str) else list(raw)
    if argv and argv[0] == "python":
        argv[0] = sys.executable
    return argv


def runner_environment() -> dict[str, str]:
    """
    The environment the test command runs in: the developer's, as `make test` would see it.

    manage.py put DJANGO_SETTINGS_MODULE (the project's runtime settings) into this process's
    environment before preflight ran. Inherited, it would override the test runner's own
    configuration (pytest-django's DJANGO_SETTINGS_MODULE in pyproject.toml or pytest.ini, e.g.
    tests.settings), so tests that pass with `make test` would fail here. Hence it is dropped.
    """
    environment = dict(os.environ)
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    return environment


@check(
    name="git_tests_pass",
    title=gettext_lazy("The project's tests pass"),
    ids={"E406": gettext_lazy("tests failed (--run-tests, --push)")},
    tags=TAGS,
)
def check_git_tests_pass(context: PreflightContext) -> Messages:
    """
    E406: DEPLOYTOOLS['TEST_COMMAND'] exits 0 (with --run-tests or --push).

    The tests run in the checkout, as it is (not in the exported commit: a developer's local
    test settings are untracked, and switching to the release branch would rewrite the work
    tree). When HEAD is not the release branch, the message and the evidence say so, and W403
    warns about it.
    """
    from deploytools import redact

    if not context.run_tests:
        raise Skipped(_("run with --run-tests"))
    argv = command_argv(context.project.tree)
    if not argv:
        raise Skipped(_("DEPLOYTOOLS['TEST_COMMAND'] is empty"))
    on = _tests_run_on(context)
    secrets = redact.secret_values(context.config_vars, readable_setting("SECRET_KEY"))
    checkout = context.project.in_checkout(context.project.app_dir)
    code, output, seconds = _run_tests(argv, checkout, secrets)
    context.evidence(_("%(seconds).1f seconds on %(on)s") % {"seconds": seconds, "on": on})
    if code == 0:
        return []
    tail = "\n".join(output.rstrip().splitlines()[-SHOWN_OUTPUT_LINES:])
    command = " ".join(argv)
    return [
        checks.Error(
            redact.redact(
                _("The tests failed on %(on)s (exit code %(code)d): %(command)s\n%(tail)s")
                % {"on": on, "code": code, "command": command, "tail": tail},
                secrets,
            ),
            hint=_("Fix the failing tests, then run: python manage.py preflight --run-tests"),
            obj=redact.redact(command, secrets),
            id="deploytools.E406",
        )
    ]


def _tests_run_on(context: PreflightContext) -> str:
    """What the tests run on, as the report says it: the release branch, or what is out."""
    from deploytools.conf import conf
    from deploytools.facts import git_repository

    current = git_repository.current_branch(context.project.root)
    if current == conf.release_branch:
        return conf.release_branch
    return _("the current checkout (%(branch)s), not %(release)s") % {
        "branch": current or _("detached HEAD"),
        "release": conf.release_branch,
    }


def _run_tests(argv: list[str], cwd: Path, secrets: set[str]) -> tuple[int, str, float]:
    """Run the test command in ``cwd``: its exit code, its output, and how long it took."""
    from deploytools import redact
    from deploytools.report import progress

    shown = redact.redact(" ".join(argv), secrets)
    progress(_("Running the tests: %(command)s") % {"command": shown})
    started = time.monotonic()
    try:
        proc = subprocess.run(
            argv,
            cwd=cwd,
            env=runner_environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            check=False,
        )
        code, output = proc.returncode, proc.stdout
    except OSError as exc:
        code, output = 127, f"{type(exc).__name__}: {exc.strerror or exc}"
    return code, output, time.monotonic() - started
