"""The README's reference tables, generated from the code so they cannot drift (tests compare)."""

from __future__ import annotations

from deploytools.checks.registry import load_catalogue
from deploytools.conf import OPTIONS

# What each ID means, for the README's table, in a line each.
MEANINGS: dict[str, str] = {
    "E001": "`DEPLOYTOOLS` setting invalid (unknown key, wrong type)",
    "E002": "a check crashed (a bug in deploytools or the project; run with --traceback)",
    "E100": "the settings cannot be loaded with the production config",
    "E102": "production database is not PostgreSQL (SQLite on Heroku's ephemeral disk loses data)",
    "W103": "`CONN_MAX_AGE` 0, or >0 without `CONN_HEALTH_CHECKS`",
    "W104": "database SSL not required",
    "E105": "`SECRET_KEY` differs between two evaluations (random per boot)",
    "W106": "the settings read environment variables missing from the production config",
    "W107": "WhiteNoise middleware missing or not right after SecurityMiddleware",
    "E108": "`STATIC_ROOT` unset",
    "W109": "static storage not compressed + manifest",
    "W110": "logging writes to files (ephemeral disk) instead of stdout",
    "W111": "local file storage for uploads while models have File/ImageFields",
    "W112": "`SECURE_SSL_REDIRECT` on but nothing trusts the router's X-Forwarded-Proto",
    "W113": "console/locmem/dummy/file email backend in production",
    "W114": "`ALLOWED_HOSTS` contains `*`",
    "E201": "requirements.txt missing or a line unparseable (file:line)",
    "W202": "requirement not pinned with `==`",
    "E203": "a distribution the settings, apps, middleware, database or Procfile need is not "
    "in requirements.txt",
    "W204": "installed version differs from the pin",
    "I205": "test/dev-only packages in production requirements",
    "E206": "Python version file missing/invalid/unsupported on Heroku, or disagreeing files",
    "W207": "runtime.txt used (deprecated), or local Python differs from the declared one",
    "E208": "Procfile missing/unparseable or no `web` process",
    "E209": "`web` does not start this project's WSGI app, or uses runserver/--reload",
    "W210": "no `release` process running heroku_release",
    "W211": "app.json invalid",
    "E212": "secrets committed (tracked .env, literal SECRET_KEY in settings)",
    "W213": ".gitignore misses .env / db.sqlite3 / staticfiles / virtualenv",
    "W214": "estimated slug size near Heroku's 500 MB limit",
    "E215": "`collectstatic` fails under the production settings (--collectstatic, --push)",
    "E301": "model changes without migrations",
    "E302": "conflicting migrations (several leaves) or a broken migration graph",
    "W303": "pending migrations unsafe while the previous release serves traffic",
    "W304": "pending RunPython/RunSQL without reverse",
    "W401": "not a git checkout",
    "E402": "release branch missing",
    "W403": "HEAD is not the release branch, or the tree is dirty",
    "W404": "release branch behind the Heroku remote's branch, or nothing new to push",
    "W405": "no `heroku` git remote",
    "E406": "tests failed (--run-tests, --push)",
    "E501": "Django past end of security support",
    "W502": "Django within 90 days of end of security support",
    "E503": "declared Python past end of life or unsupported on Heroku",
    "W504": "declared Python within 180 days of end of life",
    "E601": "database unreachable after the retry budget",
    "E602": "migration lock held by another release past the timeout",
    "E603": "unsafe migration refused by policy",
    "W604": "the database has applied migrations this code does not know (a rollback)",
    "E605": "a migration failed (which, why; database left as before it)",
    "W606": "unsafe migration applied under the `warn` policy",
    "E607": "a post-migrate command failed",
    "E701": "stack end-of-life or unsupported",
    "W702": "stack within 180 days of end of life",
    "W703": "build stack differs from stack",
    "E704": "web dynos not a professional tier (eco, basic, free, hobby)",
    "W705": "other process types not professional",
    "E706": "fewer than 2 web dynos",
    "E707": "no provisioned Heroku Postgres attached as DATABASE_URL",
    "E708": "Postgres plan not production tier (essential/mini/basic/hobby)",
    "W709": "Postgres without high availability (not premium/private/shield)",
    "W710": "no application monitoring (APM/error tracking add-on, telemetry drain or DSN)",
    "W711": "no log drain or logging add-on",
    "W712": "ERROR_PAGE_URL/MAINTENANCE_PAGE_URL unset or not https",
    "E713": "a custom domain without a valid certificate",
    "W714": "certificate expires within 30 days",
    "W715": "a custom domain's DNS target is herokuapp.com, not its herokudns target",
    "W716": "app in maintenance mode or the latest release failed",
    "I717": "deployed commit vs the local release branch",
    "E801": "database connections needed exceed the Postgres plan's limit",
    "W802": "WEB_CONCURRENCY × measured worker memory over 80% of the dyno's memory",
    "I803": "recommended dyno size, count and concurrency",
    "E901": "http:// does not redirect to https://",
    "W902": "HSTS missing or under a year",
    "E903": "an error page shows Django's debug page",
    "W904": "cookies without Secure",
    "W905": "ERROR_PAGE_URL/MAINTENANCE_PAGE_URL not reachable",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def settings_table() -> str:
    lines = ["| key | default | what it does |", "|---|---|---|"]
    for name, option in OPTIONS.items():
        default = "`None`" if option.default is None else f"`{option.default!r}`"
        lines.append(f"| `{name}` | {_cell(default)} | {_cell(option.doc)} |")
    return "\n".join(lines) + "\n"


def check_table() -> str:
    from deploytools.report import catalogue_rows

    lines = ["| ID | level | tags | meaning | check (report line) |", "|---|---|---|---|---|"]
    for msg_id, level, tags, title in catalogue_rows(load_catalogue().values()):
        meaning = MEANINGS.get(msg_id.split(".")[1], "")
        lines.append(
            f"| `{msg_id}` | {level} | {', '.join(tags)} | {_cell(meaning)} | {_cell(title)} |"
        )
    return "\n".join(lines) + "\n"
