"""
`manage.py check` with deploytools installed vs the same settings without it.

Target: ratio <= 1.05 (deploytools adds nothing heavy at import and no network, git or
subprocess work to non-deploy checks). Usage: .venv/bin/python bench/check_overhead.py [ROUNDS]
"""

from __future__ import annotations

import sys

from _timing import PYTHON, ROOT, clean_env, compare

TARGET = 1.05


def main() -> int:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    manage = [PYTHON, str(ROOT / "manage.py"), "check"]
    ratio = compare(
        "check with deploytools",
        manage,
        clean_env(DJANGO_SETTINGS_MODULE="weareone.settings"),
        "check without deploytools",
        manage,
        clean_env(
            DJANGO_SETTINGS_MODULE="settings_without_deploytools",
            PYTHONPATH=str(ROOT / "bench"),
        ),
        rounds,
    )
    print(f"target: <= {TARGET} -> {'ok' if ratio <= TARGET else 'MISSED'}")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
