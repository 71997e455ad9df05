"""
Support dates of Django and Python, and which Python versions Heroku builds.

This is data, kept in one place so that a release of Django or Python is a one-line change.
Update AS_OF and the rows together; the sources are the pages named below.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

AS_OF = date(2026, 11, 26)
DJANGO_SOURCE = "https://www.djangoproject.com/download/#supported-versions"
PYTHON_SOURCE = "https://devguide.python.org/versions/"
HEROKU_PYTHON_SOURCE = "https://devcenter.heroku.com/articles/python-support"


@dataclass(frozen=True)
class DjangoRelease:
    """A Django feature release (X.Y) and the end of its security support."""

    version: str
    released: date
    end_of_security_support: date
    lts: bool
    python: tuple[str, ...]  # Python major.minor versions it supports


@dataclass(frozen=True)
class PythonRelease:
    """A Python feature release (3.Y), its upstream end of life, and Heroku's support."""

    version: str
    released: date
    end_of_life: date

    def heroku_supported_on(self, day: date) -> bool:
        """Whether Heroku's Python buildpack builds this version on ``day``."""
        # The buildpack builds released versions that have not reached upstream end of life
        # (HEROKU_PYTHON_SOURCE), so support follows from the dates rather than a flag that
        # goes stale the day a version reaches its end of life.
        return self.released <= day <= self.end_of_life

    @property
    def heroku_supported(self) -> bool:
        """Whether Heroku's Python buildpack builds this version today."""
        return self.heroku_supported_on(date.today())


DJANGO_RELEASES: dict[str, DjangoRelease] = {
    r.version: r
    for r in [
        DjangoRelease(
            "4.2", date(2023, 4, 3), date(2026, 4, 30), True, ("3.8", "3.9", "3.10", "3.11", "3.12")
        ),
        DjangoRelease("5.0", date(2023, 12, 4), date(2025, 4, 2), False, ("3.10", "3.11", "3.12")),
        DjangoRelease(
            "5.1", date(2024, 8, 7), date(2025, 12, 31), False, ("3.10", "3.11", "3.12", "3.13")
        ),
        DjangoRelease(
            "5.2",
            date(2025, 4, 2),
            date(2028, 4, 30),
            True,
            ("3.10", "3.11", "3.12", "3.13", "3.14"),
        ),
        DjangoRelease("6.0", date(2025, 12, 3), date(2027, 4, 30), False, ("3.12", "3.13", "3.14")),
        DjangoRelease("6.1", date(2026, 8, 5), date(2027, 12, 31), False, ("3.12", "3.13", "3.14")),
    ]
}

PYTHON_RELEASES: dict[str, PythonRelease] = {
    r.version: r
    for r in [
        PythonRelease("3.8", date(2019, 10, 14), date(2024, 10, 7)),
        PythonRelease("3.9", date(2020, 10, 5), date(2025, 10, 31)),
        PythonRelease("3.10", date(2021, 10, 4), date(2026, 10, 31)),
        PythonRelease("3.11", date(2022, 10, 24), date(2027, 10, 31)),
        PythonRelease("3.12", date(2023, 10, 2), date(2028, 10, 31)),
        PythonRelease("3.13", date(2024, 10, 7), date(2029, 10, 31)),
        PythonRelease("3.14", date(2025, 10, 7), date(2030, 10, 31)),
    ]
}


def major_minor(version: str) -> str:
    """'6.1.3' -> '6.1'; '3.13' -> '3.13'."""
    return ".".join(version.split(".")[:2])


def django_release(version: str) -> DjangoRelease | None:
    return DJANGO_RELEASES.get(major_minor(version))


def python_release(version: str) -> PythonRelease | None:
    return PYTHON_RELEASES.get(major_minor(version))
