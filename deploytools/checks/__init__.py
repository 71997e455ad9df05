"""
The checks: judgement only. One module per range of IDs, each saying which in its first line.

A check reads its typed context (:mod:`deploytools.context`) and the facts gathered for it
(:mod:`deploytools.facts`), and returns Django check messages; :mod:`.registry` holds their
declarations, :mod:`.run` runs them into report lines. Every module here stays cheap to import
(heavy imports go inside the checks): ``apps.py`` registers them with Django lazily.
"""


def heroku_command(command: str, app: str) -> str:
    """A Heroku CLI command for an app, as a hint quotes it: `heroku ps -a APP`."""
    return f"`{command} -a {app}`"
