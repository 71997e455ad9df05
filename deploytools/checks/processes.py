"""
E208–W211: the processes Heroku starts, from the Procfile and app.json (tag preflight).
"""

from __future__ import annotations

import re

from django.core import checks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deploytools.checks.registry import Messages, check
from deploytools.context import Context, Skipped
from deploytools.facts.build_files import WEB_SERVERS, command_tokens, executables
from deploytools.facts.package_manager import skip_container_app
from deploytools.facts.production_settings import production_settings
from deploytools.facts.project_files import procfile
from deploytools.location import FileLine

TAGS = ["preflight"]

# ---------------------------------------------------------------------------------------------
# E208 .. W210: Procfile


@check(
    name="procfile",
    title=gettext_lazy("Procfile parses and declares a web process"),
    ids={"E208": gettext_lazy("Procfile missing/unparseable or no `web` process")},
    tags=TAGS,
)
def check_procfile(context: Context) -> Messages:
    """E208: Heroku can read the Procfile and it has a ``web`` process."""
    skip_container_app(context)
    found = procfile(context)
    example = "echo 'web: gunicorn PROJECT.wsgi' >> Procfile"
    if not found.exists:
        return [
            checks.Error(
                _("Procfile is missing: Heroku would not know how to start the app."),
                hint=_("Create it: %(example)s") % {"example": example},
                obj=FileLine("Procfile"),
                id="deploytools.E208",
            )
        ]
    messages: Messages = [
        checks.Error(
            _("%(where)s %(problem)s.") % {"where": where, "problem": problem},
            hint=_('Write each process as "type: command", e.g. %(example)s')
            % {"example": example},
            obj=where,
            id="deploytools.E208",
        )
        for line, problem in found.problems
        for where in [FileLine("Procfile", line)]
    ]
    for kind, command in found.processes.items():
        if command_tokens(command) is None:
            messages.append(
                checks.Error(
                    _("Procfile:%(line)d the %(kind)s command has unbalanced quotes.")
                    % {"line": found.lines[kind], "kind": kind},
                    hint=_("Fix the quoting of that line in Procfile"),
                    obj=FileLine("Procfile", found.lines[kind]),
                    id="deploytools.E208",
                )
            )
    if "web" not in found.processes:
        messages.append(
            checks.Error(
                _("Procfile declares no web process: the app gets no HTTP traffic."),
                hint=_("Add one: %(example)s") % {"example": example},
                obj=FileLine("Procfile"),
                id="deploytools.E208",
            )
        )
    else:
        context.evidence(", ".join(sorted(found.processes)))
    return messages


def _app_modules(context: Context) -> set[str]:
    """Modules whose WSGI/ASGI application a web process may serve (production settings)."""
    found = production_settings(context)
    modules: set[str] = set()
    for value in (found.wsgi_application, found.asgi_application):
        if isinstance(value, str) and "." in value:
            module = value.rsplit(".", 1)[0]
            modules.add(module)
            # Django's startproject puts asgi.py beside wsgi.py.
            if module.endswith(".wsgi"):
                modules.add(module.removesuffix(".wsgi") + ".asgi")
    return modules


APP_ARGUMENT_RE = re.compile(r"^(?P<module>[A-Za-z_][\w.]*)(:[\w.]+(\(.*\))?)?$")


@check(
    name="procfile_web",
    title=gettext_lazy("The web process serves this project's WSGI app with a production server"),
    ids={
        "E209": gettext_lazy(
            "`web` does not start this project's WSGI app, or uses runserver/--reload"
        )
    },
    tags=TAGS,
    production_settings=True,
)
def check_procfile_web(context: Context) -> Messages:
    """E209: web runs gunicorn/uvicorn/… on settings.WSGI_APPLICATION, never runserver/--reload."""
    skip_container_app(context)
    found = procfile(context)
    command = found.processes.get("web")
    if command is None:
        raise Skipped(_("no web process (E208)"))
    tokens = command_tokens(command)
    if tokens is None:
        raise Skipped(_("the web command cannot be parsed (E208)"))
    obj = FileLine("Procfile", found.lines["web"])
    modules = _app_modules(context)
    wsgi = production_settings(context).wsgi_application or "PROJECT.wsgi.application"
    fix = _("Serve the app with: web: gunicorn %(module)s") % {
        "module": str(wsgi).rsplit(".", 1)[0]
    }

    def error(msg: str) -> Messages:
        return [checks.Error(msg, hint=fix, obj=obj, id="deploytools.E209")]

    if "runserver" in tokens:
        return error(_("The web process runs Django's development server (runserver)."))
    if any(t == "--reload" or t.startswith("--reload=") for t in tokens):
        return error(_("The web process runs with --reload (a development option)."))
    server = None
    server_args: list[str] = []
    for name, args in executables(tokens):
        if name in WEB_SERVERS:
            server, server_args = name, args
        elif (
            name.startswith("python")
            and len(args) >= 2
            and args[0] == "-m"
            and args[1].replace("_", "-") in WEB_SERVERS
        ):
            server, server_args = args[1], args[2:]
    if server is None:
        first = next((name for name, _args in executables(tokens)), "")
        if first.startswith("python") or first in ("django-admin",):
            return error(_("The web process does not start a production web server."))
        context.evidence(
            _("web runs %(command)s, which deploytools cannot inspect") % {"command": first}
        )
        return []
    served = [
        match["module"]
        for token in server_args
        if not token.startswith("-") and (match := APP_ARGUMENT_RE.match(token))
    ]
    if modules and not set(served) & modules:
        return error(
            _("The web process runs %(server)s but not this project's app (%(modules)s).")
            % {"server": server, "modules": ", ".join(sorted(modules))}
        )
    context.evidence(f"{server} {' '.join(m for m in served if m in modules)}".strip())
    return []


@check(
    name="procfile_release",
    title=gettext_lazy("A release process runs manage.py heroku_release"),
    ids={"W210": gettext_lazy("no `release` process running heroku_release")},
    tags=TAGS,
)
def check_procfile_release(context: Context) -> Messages:
    """W210: Heroku's release phase migrates before new dynos start (manage.py heroku_release)."""
    skip_container_app(context)
    found = procfile(context)
    if not found.exists:
        raise Skipped(_("Procfile is missing (E208)"))
    command = found.processes.get("release")
    tokens = command_tokens(command) if command else None
    hint = _("Add to Procfile: release: python manage.py heroku_release")
    if command is None:
        return [
            checks.Warning(
                _("Procfile has no release process: migrations are not applied on deploy."),
                hint=hint,
                obj=FileLine("Procfile"),
                id="deploytools.W210",
            )
        ]
    if not tokens or "heroku_release" not in tokens:
        return [
            checks.Warning(
                _("The release process does not run manage.py heroku_release."),
                hint=hint,
                obj=FileLine("Procfile", found.lines["release"]),
                id="deploytools.W210",
            )
        ]
    context.evidence(command)
    return []


# ---------------------------------------------------------------------------------------------
# W211: app.json


@check(
    name="app_json",
    title=gettext_lazy("app.json is valid"),
    ids={"W211": gettext_lazy("app.json invalid")},
    tags=TAGS,
)
def check_app_json(context: Context) -> Messages:
    """W211: app.json (review apps, Heroku Button) is JSON with the documented types."""
    from deploytools.facts.build_files import parse_app_json

    found = parse_app_json(context.project.tree / "app.json")
    if not found.exists:
        raise Skipped(_("no app.json"))
    messages: Messages = []
    for line, key, problem in found.problems:
        where = FileLine("app.json", line)
        subject = f"{where} {key}" if key else where
        messages.append(
            checks.Warning(
                _("%(subject)s %(problem)s.") % {"subject": subject, "problem": problem},
                hint=_(
                    "Fix app.json (https://devcenter.heroku.com/articles/app-json-schema); "
                    "check it with: python -m json.tool app.json"
                ),
                obj=where,
                id="deploytools.W211",
            )
        )
    return messages
