"""
Settings for server, split with django-split-settings: shared components, then the
environment named by DJANGO_ENV, then a developer's optional local overrides.
"""

from os import environ

from split_settings.tools import include, optional

ENV = environ.get("DJANGO_ENV") or "development"

base_settings = [
    "components/common.py",
    "components/database.py",
    f"environments/{ENV}.py",
    optional("environments/local.py"),
]

include(*base_settings)
