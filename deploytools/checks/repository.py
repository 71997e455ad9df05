"""
E212–W214: what the repository would push (tag preflight): no secrets, the right ignores, a
slug well under Heroku's limit (platform data: the 1 GB compressed slug limit of Cedar apps;
Fir apps build OCI images, to which the slug limit does not apply).
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from django.core import checks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deploytools.checks.registry import Messages, check
from deploytools.conf import conf
from deploytools.context import Context, Skipped, skip_on_a_dyno
from deploytools.facts.production_settings import production_settings
from deploytools.facts.project_files import tracked_files
from deploytools.facts.settings_source import settings_source
from deploytools.location import FileLine

TAGS = ["preflight"]

# ---------------------------------------------------------------------------------------------
# E212, W213: secrets and .gitignore


def is_env_file(path: str) -> bool:
    """A dotenv file (.env, .env.production, ...), not an example of one."""
    name = path.rsplit("/", 1)[-1]
    return (name == ".env" or name.startswith(".env.")) and not name.endswith(".example")


def secret_names_in(path: Path) -> list[str]:
    """The names of the variables of a dotenv file whose values look secret (never the values)."""
    from deploytools import redact
    from deploytools.facts.safe_read import read_text

    try:
        text = read_text(path, 1_000_000, "utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return []
    found = []
    for line in text.splitlines():
        name, sep, value = line.strip().removeprefix("export ").partition("=")
        name, value = name.strip(), value.strip().strip("'\"")
        if not sep or not name.isidentifier() or not value:
            continue
        if redact.secret_values({name: value}):
            found.append(name)
    return found


def _env_file_errors(context: Context, tracked: list[str]) -> Messages:
    messages: Messages = []
    for path in tracked:
        if not is_env_file(path):
            continue
        names = secret_names_in(context.project.tree / path)
        if not names:
            # Committed settings without secrets (DEBUG=1, a log level) are no leak.
            continue
        messages.append(
            checks.Error(
                _(
                    "%(path)s is committed to git with secret values (%(names)s): they are in "
                    "every clone."
                )
                % {"path": path, "names": ", ".join(names)},
                hint=_(
                    "Untrack it, rotate those secrets, and ignore it: git rm --cached %(path)s "
                    "&& echo %(pattern)s >> .gitignore"
                )
                % {"path": shlex.quote(path), "pattern": shlex.quote(path.rsplit("/", 1)[-1])},
                obj=FileLine(path),
                id="deploytools.E212",
            )
        )
    return messages


@check(
    name="secrets_committed",
    title=gettext_lazy("No secrets committed (.env files, literal SECRET_KEY)"),
    ids={
        "E212": gettext_lazy(
            "secrets committed (a tracked .env file with secret values, a literal SECRET_KEY "
            "in the production settings)"
        )
    },
    tags=TAGS,
)
def check_secrets_committed(context: Context) -> Messages:
    """E212: no tracked .env file holds secrets; no production settings module a literal key."""
    tracked = tracked_files(context)
    if tracked is None:
        context.evidence(_("not a git checkout: tracked .env files not checked"))
        messages: Messages = []
    else:
        messages = _env_file_errors(context, tracked)
    source = settings_source(context)
    for where in source.literal_secret_keys:
        messages.append(
            checks.Error(
                _("%(where)s sets SECRET_KEY from a string literal in the source.")
                % {"where": where},
                hint=_(
                    "Read it from the environment only, SECRET_KEY = "
                    "os.environ['DJANGO_SECRET_KEY'], and set a new one: heroku config:set "
                    "DJANGO_SECRET_KEY=$(openssl rand -base64 48)"
                ),
                obj=where,
                id="deploytools.E212",
            )
        )
    if source.files:
        context.evidence(_("settings read: %(files)s") % {"files": ", ".join(source.files)})
    return messages


def _venv_dirs(base_dir: Path) -> list[str]:
    try:
        return sorted(
            entry.name
            for entry in base_dir.iterdir()
            if entry.is_dir() and (entry / "pyvenv.cfg").is_file()
        )
    except OSError:
        return []


@check(
    name="gitignore",
    title=gettext_lazy(
        ".gitignore covers .env files, the SQLite database, static files, virtualenvs"
    ),
    ids={
        "W213": gettext_lazy(
            ".gitignore misses .env / .env.* / db.sqlite3 / STATIC_ROOT / virtualenv"
        )
    },
    tags=TAGS,
    production_settings=True,
)
def check_gitignore(context: Context) -> Messages:
    """W213: files that must never be pushed are ignored by git."""
    from deploytools.facts.build_files import is_ignored, parse_ignore_file

    skip_on_a_dyno(_("running on a Heroku dyno: what git ignores was decided at the push"))
    rules = parse_ignore_file(context.project.tree / ".gitignore") or []
    # ".env.local" stands for every .env.* file a developer keeps beside .env.
    wanted = [(".env", False, ".env"), (".env.local", False, ".env.*"), ("db.sqlite3", False, "")]
    static_root = production_settings(context).static_root
    if static_root:
        try:
            relative = Path(static_root).resolve().relative_to(context.project.tree.resolve())
            if relative.parts:
                wanted.append((relative.as_posix(), True, ""))
        except (ValueError, OSError):
            pass  # outside the project: git never sees it
    missing = [
        shown or path for path, is_dir, shown in wanted if not is_ignored(rules, path, is_dir)
    ]
    # Virtualenvs live in the checkout (ignored ones are not in the commit judged).
    venvs = _venv_dirs(context.project.root)
    if venvs:
        missing.extend(f"{v}/" for v in venvs if not is_ignored(rules, v, True))
    elif not any(is_ignored(rules, name, True) for name in (".venv", "venv")):
        missing.append(".venv/")
    if not missing:
        context.evidence(", ".join(shown or path for path, _is_dir, shown in wanted))
        return []
    lines = "\\n".join(missing)
    return [
        checks.Warning(
            _(".gitignore does not ignore %(paths)s.") % {"paths": ", ".join(missing)},
            hint=_("Add them: printf '%(lines)s\\n' >> .gitignore") % {"lines": lines},
            obj=FileLine(".gitignore"),
            id="deploytools.W213",
        )
    ]


# ---------------------------------------------------------------------------------------------
# W214: slug size


MEGABYTE = 1024 * 1024


def _project_files(context: Context) -> list[str]:
    """The files a push ships: git's tracked files, else a walk that skips ignored ones."""
    from deploytools.facts.build_files import is_ignored, parse_ignore_file

    tracked = tracked_files(context)
    if tracked is not None:
        return tracked
    rules = parse_ignore_file(context.project.tree / ".gitignore") or []
    found: list[str] = []
    for root, dirs, files in os.walk(context.project.tree):
        relative_root = Path(root).relative_to(context.project.tree).as_posix()
        prefix = "" if relative_root == "." else relative_root + "/"
        dirs[:] = [
            d
            for d in dirs
            if d != ".git"
            and not (Path(root, d) / "pyvenv.cfg").exists()
            and not is_ignored(rules, prefix + d, True)
        ]
        found.extend(prefix + f for f in files if not is_ignored(rules, prefix + f))
        if len(found) > 500_000:
            break
    return found


# A slug should stay below this share of Heroku's limit: dependencies grow between checks.
SLUG_HEADROOM = 0.8


@check(
    name="slug_size",
    title=gettext_lazy("Estimated slug size is well under Heroku's slug size limit"),
    ids={"W214": gettext_lazy("estimated slug size near Heroku's compressed slug size limit")},
    tags=TAGS,
)
def check_slug_size(context: Context) -> Messages:
    """W214: project files (minus .slugignore) plus installed requirements, against the limit."""
    from deploytools import platform_data
    from deploytools.facts.build_files import is_ignored, parse_ignore_file
    from deploytools.facts.generation import app_generation
    from deploytools.facts.installed import installed_bytes, installed_closure
    from deploytools.facts.package_manager import build_packages, skip_container_app

    skip_container_app(context)
    if not app_generation(context).offers("slugs"):
        raise Skipped(
            _(
                "a Fir app: releases carry an OCI image, not a slug, so the slug size limit and "
                ".slugignore do not apply (devcenter.heroku.com/articles/slug-compiler)"
            )
        )
    # On a dyno /app also holds the installed Python: the estimate would count it twice.
    skip_on_a_dyno(_("running on a Heroku dyno: the build already reported the slug size"))
    slugignore = parse_ignore_file(context.project.tree / ".slugignore") or []
    project_bytes = 0
    for path in _project_files(context):
        if slugignore and is_ignored(slugignore, path):
            continue
        try:
            project_bytes += (context.project.tree / path).lstat().st_size
        except OSError:
            continue
    distributions = installed_closure(build_packages(context).names)
    package_bytes = sum(installed_bytes(name) for name in distributions)
    total_mb = (project_bytes + package_bytes) / MEGABYTE
    estimate = _(
        "estimated slug %(total).1f MB: project files %(files).1f MB + %(count)d "
        "distributions %(packages).1f MB (Python itself not counted)"
    ) % {
        "total": total_mb,
        "files": project_bytes / MEGABYTE,
        "count": len(distributions),
        "packages": package_bytes / MEGABYTE,
    }
    context.evidence(estimate)
    limit = platform_data.slug_max_compressed_mb()
    threshold = conf.slug_size_warning_mb
    if threshold is None:
        threshold = int(limit * SLUG_HEADROOM)
    if total_mb < threshold:
        return []
    return [
        checks.Warning(
            _("The slug is near Heroku's %(limit)d MB limit: %(estimate)s.")
            % {"limit": limit, "estimate": estimate},
            hint=_(
                "Keep build-only files out with a .slugignore and move dev tools to "
                "requirements-dev.txt (threshold: DEPLOYTOOLS['SLUG_SIZE_WARNING_MB'] = "
                "%(threshold)d)"
            )
            % {"threshold": threshold},
            obj="slug",
            id="deploytools.W214",
        )
    ]
