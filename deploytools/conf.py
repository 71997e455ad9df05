"""
Typed, lazy access to the ``DEPLOYTOOLS`` setting.

All of deploytools reads its configuration through :data:`conf`. Each attribute reads
``settings.DEPLOYTOOLS`` at access time, so ``override_settings`` works in tests, and an invalid
value falls back to its default (``deploytools.E001`` reports it) rather than crashing a check.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _


def git_ref_problem(value: str) -> str | None:
    """Why ``value`` is not a usable git branch or remote name (``git check-ref-format``)."""
    if not value:
        return _("must not be empty")
    if value.startswith("-"):
        return _("must not start with '-'")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return _("must not contain control characters")
    bad = sorted({c for c in value if c in " ~^:?*[\\"})
    if bad:
        return _("must not contain %(chars)s") % {"chars": " ".join(repr(c) for c in bad)}
    if ".." in value or "@{" in value or "//" in value or value == "@":
        return _("must not contain '..', '@{' or '//', nor be '@'")
    if value.startswith("/") or value.endswith(("/", ".")):
        return _("must not start with '/' nor end with '/' or '.'")
    if any(part.startswith(".") or part.endswith(".lock") for part in value.split("/")):
        return _("no part may start with '.' or end with '.lock'")
    return None


def _command_problem(value: Any) -> str | None:
    """Why TEST_COMMAND cannot be run: a string that shlex cannot split into words."""
    # An empty command is valid: E406 skips, saying so.
    if isinstance(value, str):
        try:
            shlex.split(value)
        except ValueError as exc:
            return _("cannot be split into words (%(error)s)") % {"error": exc}
    return None


def _ref_problem(value: Any) -> str | None:
    return git_ref_problem(value) if isinstance(value, str) else None


def language_problem(value: Any) -> str | None:
    """Why ``value`` is not a language the commands can speak (Django must know it)."""
    from django.utils.translation import check_for_language

    if isinstance(value, str) and not check_for_language(value):
        return _("is not a language Django knows (e.g. 'fr', 'en')")
    return None


@dataclass(frozen=True)
class Option:
    """One key of ``DEPLOYTOOLS``: its default, accepted types and what it is for."""

    default: Any
    types: tuple[type, ...]
    doc: str
    choices: tuple[str, ...] = ()
    item_type: type | None = None  # for lists: the type of each item
    # A value of the right type can still be unusable: returns why, or None.
    check: Callable[[Any], str | None] | None = None


OPTIONS: dict[str, Option] = {
    "RELEASE_BRANCH": Option(
        "local/production",
        (str,),
        "The tested branch that is pushed to Heroku.",
        check=_ref_problem,
    ),
    "HEROKU_REMOTE": Option(
        "heroku", (str,), "Name of the git remote that points at Heroku.", check=_ref_problem
    ),
    "HEROKU_DEPLOY_BRANCH": Option(
        "master",
        (str,),
        "Branch of the Heroku remote that a push deploys (main or master).",
        check=_ref_problem,
    ),
    "HEROKU_APP": Option(
        None,
        (str, type(None)),
        "Heroku app name; else HEROKU_APP_NAME, else the heroku git remote.",
    ),
    "HEROKU_GENERATION": Option(
        "cedar",
        (str,),
        "The app's Heroku generation when preflight cannot ask the API (--config-vars): "
        "cedar (classic buildpacks) or fir (Cloud Native Buildpacks).",
        choices=("cedar", "fir"),
    ),
    "TEST_COMMAND": Option(
        "python manage.py test",
        (str, list),
        "Command that runs the project's tests (preflight --run-tests, --push).",
        item_type=str,
        check=_command_problem,
    ),
    "OPTIONAL_ENV_VARS": Option(
        [],
        (list, tuple),
        "Environment variables the settings may read that production need not set (W106).",
        item_type=str,
    ),
    "REQUIREMENTS_FILE": Option(
        "requirements.txt", (str,), "Production requirements, relative to the project root."
    ),
    "SLUG_SIZE_WARNING_MB": Option(
        None,
        (int, type(None)),
        "Estimated slug size (MB) that triggers W214; None: 80% of Heroku's compressed slug "
        "size limit (platform data).",
    ),
    "UNSAFE_MIGRATIONS": Option(
        "fail",
        (str,),
        "Release-phase policy for migrations unsafe while the old release serves traffic.",
        choices=("fail", "warn"),
    ),
    "ALLOW_UNSAFE_MIGRATIONS": Option(
        [],
        (list, tuple),
        'Explicit per-migration opt-in, as "app_label.migration_name".',
        item_type=str,
    ),
    "DATABASE_WAIT_SECONDS": Option(
        60, (int, float), "How long the release phase waits for the database (E601)."
    ),
    "MIGRATION_LOCK": Option(
        True,
        (bool,),
        "Take a PostgreSQL advisory lock around migrations. Turn off behind a transaction "
        "pooler such as PgBouncer, where session-level advisory locks do not hold.",
    ),
    "MIGRATION_LOCK_TIMEOUT_SECONDS": Option(
        120, (int, float), "How long a release waits for another release's lock (E602)."
    ),
    "POST_MIGRATE_COMMANDS": Option(
        None,
        (list, tuple, type(None)),
        "Management commands run after migrate; None runs createcachetable when a "
        "database cache is configured.",
        item_type=str,
    ),
    "MEMORY_PROBE_URLS": Option(
        ["/", "/health"],
        (list, tuple),
        "Paths requested when measuring a worker's memory (W802, I803).",
        item_type=str,
    ),
    "HEROKU_API_TIMEOUT_SECONDS": Option(
        10,
        (int, float),
        "Time limit of each Heroku Platform API request, connect to last byte; the whole API "
        "phase gets (2 × retries + 3) times it.",
    ),
    "HEROKU_API_RETRIES": Option(3, (int,), "Retries of a Heroku API request that got 429 or 5xx."),
    "LANGUAGE": Option(
        None,
        (str, type(None)),
        "Language of the commands' reports (e.g. 'fr'); None speaks the project's LANGUAGE_CODE.",
        check=language_problem,
    ),
}


def _valid(name: str, value: Any) -> bool:
    return _type_valid(name, value) and _value_problem(name, value) is None


def _value_problem(name: str, value: Any) -> str | None:
    """Why a value of the right type is still unusable, else None."""
    check = OPTIONS[name].check
    return None if check is None else check(value)


def _type_valid(name: str, value: Any) -> bool:
    option = OPTIONS[name]
    # bool is an int: do not accept True as a number of seconds.
    if isinstance(value, bool) and bool not in option.types:
        return False
    if not isinstance(value, option.types):
        return False
    if option.choices and value not in option.choices:
        return False
    if option.item_type is not None and isinstance(value, list | tuple):
        return all(isinstance(item, option.item_type) for item in value)
    # Counts and durations are never negative.
    return not (isinstance(value, int | float) and not isinstance(value, bool) and value < 0)


def problems(raw: object) -> list[tuple[str | None, str]]:
    """
    (key, problem) pairs for an invalid DEPLOYTOOLS value; empty when it is valid. The key is
    None when the setting as a whole is wrong (not a dict).
    """
    if not isinstance(raw, Mapping):
        return [(None, _("must be a dict, not %(type)s") % {"type": type(raw).__name__})]
    found: list[tuple[str | None, str]] = []
    for key, value in raw.items():
        if key not in OPTIONS:
            found.append((str(key), _("unknown key")))
        elif not _type_valid(key, value):
            option = OPTIONS[key]
            expected = _(" or ").join(t.__name__ for t in option.types)
            if option.choices:
                expected = _(" or ").join(repr(c) for c in option.choices)
            elif option.item_type is not None:
                expected = _(" or ").join(
                    [t.__name__ for t in option.types if t not in (list, tuple, type(None))]
                    + [_("a list of %(type)s") % {"type": option.item_type.__name__}]
                    + (["None"] if type(None) in option.types else [])
                )
            found.append(
                (
                    key,
                    _("expected %(expected)s, got %(type)s")
                    % {"expected": expected, "type": type(value).__name__},
                )
            )
        elif (problem := _value_problem(key, value)) is not None:
            found.append((key, problem))
    return found


class Conf:
    """Typed attribute access to DEPLOYTOOLS with defaults, e.g. ``conf.release_branch``."""

    def get(self, name: str) -> Any:
        """The valid configured value of ``name``, else its default."""
        raw = getattr(settings, "DEPLOYTOOLS", {})
        if isinstance(raw, Mapping) and name in raw and _valid(name, raw[name]):
            return raw[name]
        return OPTIONS[name].default

    @property
    def release_branch(self) -> str:
        return str(self.get("RELEASE_BRANCH"))

    @property
    def heroku_remote(self) -> str:
        return str(self.get("HEROKU_REMOTE"))

    @property
    def heroku_deploy_branch(self) -> str:
        return str(self.get("HEROKU_DEPLOY_BRANCH"))

    @property
    def heroku_app(self) -> str | None:
        return None if (v := self.get("HEROKU_APP")) is None else str(v)

    @property
    def heroku_generation(self) -> str:
        return str(self.get("HEROKU_GENERATION"))

    @property
    def test_command(self) -> str | list[str]:
        return v if isinstance(v := self.get("TEST_COMMAND"), str) else list(v)

    @property
    def optional_env_vars(self) -> frozenset[str]:
        return frozenset(self.get("OPTIONAL_ENV_VARS"))

    @property
    def requirements_file(self) -> str:
        return str(self.get("REQUIREMENTS_FILE"))

    @property
    def slug_size_warning_mb(self) -> int | None:
        return None if (v := self.get("SLUG_SIZE_WARNING_MB")) is None else int(v)

    @property
    def unsafe_migrations(self) -> str:
        return str(self.get("UNSAFE_MIGRATIONS"))

    @property
    def allow_unsafe_migrations(self) -> frozenset[str]:
        return frozenset(self.get("ALLOW_UNSAFE_MIGRATIONS"))

    @property
    def database_wait_seconds(self) -> float:
        return float(self.get("DATABASE_WAIT_SECONDS"))

    @property
    def migration_lock(self) -> bool:
        return bool(self.get("MIGRATION_LOCK"))

    @property
    def migration_lock_timeout_seconds(self) -> float:
        return float(self.get("MIGRATION_LOCK_TIMEOUT_SECONDS"))

    @property
    def post_migrate_commands(self) -> list[str] | None:
        return None if (v := self.get("POST_MIGRATE_COMMANDS")) is None else list(v)

    @property
    def memory_probe_urls(self) -> list[str]:
        return list(self.get("MEMORY_PROBE_URLS"))

    @property
    def heroku_api_timeout_seconds(self) -> float:
        return float(self.get("HEROKU_API_TIMEOUT_SECONDS"))

    @property
    def heroku_api_retries(self) -> int:
        return int(self.get("HEROKU_API_RETRIES"))

    @property
    def language(self) -> str | None:
        return None if (v := self.get("LANGUAGE")) is None else str(v)


conf = Conf()
