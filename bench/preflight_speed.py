"""
`manage.py preflight --config-vars deploy/production.env.example` vs `manage.py check --deploy`
with the same production config in the environment (DYNO set), on this project.

Target: ratio <= 2.5. Usage: .venv/bin/python bench/preflight_speed.py [ROUNDS]
"""

from __future__ import annotations

import sys

from _timing import PYTHON, ROOT, clean_env, compare

TARGET = 2.5
EXAMPLE = ROOT / "deploy" / "production.env.example"


def production_env() -> dict[str, str]:
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    settings.configure()
    django.setup()
    from deploytools.facts.config_vars import read_config_vars_file

    return clean_env(**read_config_vars_file(EXAMPLE), DYNO="web.1")


def main() -> int:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    manage = [PYTHON, str(ROOT / "manage.py")]
    ratio = compare(
        "preflight --config-vars deploy/production.env.example",
        [*manage, "preflight", "--config-vars", str(EXAMPLE)],
        clean_env(),
        "check --deploy (production env)",
        [*manage, "check", "--deploy"],
        production_env(),
        rounds,
    )
    print(f"target: <= {TARGET} -> {'ok' if ratio <= TARGET else 'MISSED'}")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
