#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weareone.settings")
    # Django's, except that heroku_release, preflight, production_check and migrate report
    # settings that fail to import as deploytools.E100 (exit 2), never as a traceback.
    from deploytools.entry import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
