"""
Regenerate deploytools/data/platform.json from its public sources and print the diff.

Run by hand, with network access:

    .venv/bin/python scripts/refresh_platform_data.py           # print the unified diff
    .venv/bin/python scripts/refresh_platform_data.py --write   # ... and save the new file

It fetches Heroku's Python buildpacks (lib/python_version.sh, CHANGELOG.md,
vendor/WEB_CONCURRENCY.sh; the CNB's src/python_version.rs and src/main.rs), endoflife.date's
API for Django and Python, Django's release notes, Heroku's base-image and builder READMEs, and
the Heroku-22 end-of-life FAQ. GitHub files are read at the commit the default branch points to,
and that commit is recorded in the table's ``source``. A source that cannot be fetched leaves its
values as they were (and the table's ``read`` date too), so a partial run never loses data.

The tables marked ``"refresh": "manual"`` (Postgres plans, dyno sizes, releases, generations) come
from Dev Center pages that have no machine-readable form: the script keeps them and lists them
with their read date, to be checked by hand. The parsing functions below are pure and tested on
stored copies of every source (tests/fixtures/sources/).
"""

from __future__ import annotations

import argparse
import copy
import difflib
import html
import json
import re
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "deploytools" / "data" / "platform.json"

BUILDPACK = "heroku/heroku-buildpack-python"
CNB = "heroku/buildpacks-python"
BASE_IMAGES = "heroku/base-images"
BUILDERS = "heroku/cnb-builder-images"
DJANGO = "django/django"
ENDOFLIFE_DJANGO = "https://endoflife.date/api/v1/products/django"
ENDOFLIFE_PYTHON = "https://endoflife.date/api/v1/products/python"
HEROKU_22_FAQ = "https://help.heroku.com/NQNCQTEJ/heroku-22-end-of-life-faq"

# (key, repo, file) of every GitHub file the refresh reads; Django's release notes and the
# builders' end-of-life messages are added per release / per builder by :func:`wanted_files`.
GITHUB_FILES: tuple[tuple[str, str, str], ...] = (
    ("python_version_sh", BUILDPACK, "lib/python_version.sh"),
    ("buildpack_changelog", BUILDPACK, "CHANGELOG.md"),
    ("web_concurrency_sh", BUILDPACK, "vendor/WEB_CONCURRENCY.sh"),
    ("cnb_python_version_rs", CNB, "src/python_version.rs"),
    ("cnb_main_rs", CNB, "src/main.rs"),
    ("base_images_readme", BASE_IMAGES, "README.md"),
    ("builders_readme", BUILDERS, "README.md"),
)
URLS: tuple[tuple[str, str], ...] = (
    ("endoflife_django", ENDOFLIFE_DJANGO),
    ("endoflife_python", ENDOFLIFE_PYTHON),
    ("heroku_22_faq", HEROKU_22_FAQ),
)

MONTHS = {
    name: number
    for number, name in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}
_DATE_WORDS = re.compile(
    r"(?P<month>[A-Z][a-z]+)\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})"
)
_DATE_DAY_FIRST = re.compile(
    r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?P<month>[A-Z][a-z]+),?\s+(?P<year>\d{4})"
)


def _word_date(match: re.Match[str]) -> date:
    return date(int(match["year"]), MONTHS[match["month"].lower()], int(match["day"]))


def _flat(text: str) -> str:
    """Whitespace (line breaks of wrapped prose, tabs of heredocs) collapsed to single spaces."""
    return re.sub(r"\s+", " ", text)


# --- parsers: one per source, pure, tested on tests/fixtures/sources ----------------------------


def parse_python_version_sh(text: str) -> dict[str, Any]:
    """
    The classic buildpack's lib/python_version.sh: LATEST_PYTHON_3_Y, the oldest and newest
    supported minor, the default version, and removal dates announced in its deprecation warning.
    """
    latest = {
        f"3.{minor}": full
        for minor, full in re.findall(r'^LATEST_PYTHON_3_(\d+)="(3\.\d+\.\d+)"', text, re.M)
    }
    oldest = re.search(r"^OLDEST_SUPPORTED_PYTHON_3_MINOR_VERSION=(\d+)", text, re.M)
    newest = re.search(r"^NEWEST_SUPPORTED_PYTHON_3_MINOR_VERSION=(\d+)", text, re.M)
    default = re.search(r'^DEFAULT_PYTHON_FULL_VERSION="\$\{LATEST_PYTHON_3_(\d+)\}"', text, re.M)
    if not latest or oldest is None or newest is None or default is None:
        raise ValueError("lib/python_version.sh: LATEST_PYTHON_3_* or the supported range missing")
    return {
        "latest": latest,
        "oldest_minor": int(oldest[1]),
        "newest_minor": int(newest[1]),
        "default": latest[f"3.{default[1]}"],
        "removals": announced_removals(text),
    }


def parse_cnb_python_version_rs(text: str) -> dict[str, Any]:
    """The Python CNB's src/python_version.rs: LATEST_PYTHON_3_Y and the supported range."""
    latest = {
        f"3.{minor}": f"3.{minor}.{patch}"
        for minor, patch in re.findall(
            r"LATEST_PYTHON_3_(\d+): PythonVersion = PythonVersion::new\(3, \d+, (\d+)\)", text
        )
    }
    oldest = re.search(r"OLDEST_SUPPORTED_PYTHON_3_MINOR_VERSION: u16 = (\d+);", text)
    newest = re.search(r"NEWEST_SUPPORTED_PYTHON_3_MINOR_VERSION: u16 = (\d+);", text)
    if not latest or oldest is None or newest is None:
        raise ValueError("src/python_version.rs: LATEST_PYTHON_3_* or the supported range missing")
    return {"latest": latest, "oldest_minor": int(oldest[1]), "newest_minor": int(newest[1])}


_REMOVAL = re.compile(
    r"Python (?P<series>3\.\d+) (?:will reach|reached)[^.]{0,120}?end-of-life.{0,400}?"
    r"removed from this buildpack on (?P<date>\d{1,2}(?:st|nd|rd|th)? [A-Z][a-z]+ \d{4})"
)


def announced_removals(text: str) -> dict[str, str]:
    """'support for Python 3.10 will be removed from this buildpack on 6th January 2027'."""
    found = {}
    for match in _REMOVAL.finditer(_flat(text)):
        day = _DATE_DAY_FIRST.search(match["date"])
        if day is not None:
            found[match["series"]] = _word_date(day).isoformat()
    return found


_SECTION = re.compile(r"^## \[v(?P<release>\d+)\] - (?P<date>\d{4}-\d{2}-\d{2})$", re.M)


def parse_buildpack_changelog(text: str) -> dict[str, Any]:
    """
    The classic buildpack's CHANGELOG.md: the day each Python version was deprecated and
    removed, the day runtime.txt was deprecated, the day each stack got support.
    """
    removed: dict[str, str] = {}
    deprecated: dict[str, str] = {}
    stacks: dict[str, str] = {}
    runtime_txt = None
    sections = list(_SECTION.finditer(text))
    for index, section in enumerate(sections):
        end = sections[index + 1].start() if index + 1 < len(sections) else len(text)
        body, day = text[section.end() : end], section["date"]
        # The changelog is newest first: keep the oldest mention of each event.
        for series in re.findall(r"^- Removed support for Python (3\.\d+)\b", body, re.M):
            removed[series] = day
        for series in re.findall(
            r"^- (?:Deprecated support for|Added a deprecation warning for) Python (3\.\d+)\b",
            body,
            re.M,
        ):
            deprecated[series] = day
        for stack in re.findall(r"^- (?:Added|Add) support for (Heroku-\d+)\b", body, re.M):
            stacks[stack.lower()] = day
        if re.search(r"^- Deprecated support for the `runtime\.txt` file", body, re.M):
            runtime_txt = day
    return {
        "removed": removed,
        "deprecated": deprecated,
        "stacks_added": stacks,
        "runtime_txt_deprecated": runtime_txt,
    }


_CONCURRENCY_LINE = re.compile(r"^# - (?P<sizes>[A-Za-z0-9 /-]+): (?P<value>\d+) \(", re.M)


def parse_web_concurrency_sh(text: str) -> dict[str, int]:
    """vendor/WEB_CONCURRENCY.sh's table: '# - Standard-2X / Private-S / Shield-S: 4 (...)'."""
    found = {}
    for match in _CONCURRENCY_LINE.finditer(text):
        for size in match["sizes"].split("/"):
            found[size.strip().lower()] = int(match["value"])
    if not found:
        raise ValueError("WEB_CONCURRENCY.sh: no concurrency table in its comments")
    return found


def expand_python_range(text: str) -> list[str]:
    """endoflife.date's '3.10 - 3.14 (added in 5.2.8)' -> ['3.10', '3.11', ..., '3.14']."""
    match = re.match(r"\s*3\.(\d+)\s*-\s*3\.(\d+)", text)
    if match is None:
        return re.findall(r"3\.\d+", text)
    return [f"3.{minor}" for minor in range(int(match[1]), int(match[2]) + 1)]


def parse_endoflife(text: str) -> list[dict[str, Any]]:
    """endoflife.date API v1 /products/<product>: one row per release cycle."""
    document = json.loads(text)
    rows = []
    for release in document["result"]["releases"]:
        custom = release.get("custom") or {}
        latest = release.get("latest") or {}
        rows.append(
            {
                "series": str(release["name"]),
                "released": release["releaseDate"],
                "end_of_mainstream": release.get("eoasFrom"),
                "end_of_life": release["eolFrom"],
                "lts": bool(release.get("isLts")),
                "latest": latest.get("name"),
                "python": expand_python_range(custom["supportedPythonVersions"])
                if custom.get("supportedPythonVersions")
                else None,
            }
        )
    return rows


def parse_django_release_notes(text: str) -> dict[str, Any]:
    """Django's docs/releases/X.Y.txt (or the rendered page): Pythons, PostgreSQL minimum."""
    flat = _flat(text)
    python = re.search(r"supports Python ((?:3\.\d+(?:,? (?:and )?)?)+)", flat)
    postgres = re.search(r"supports PostgreSQL (\d+) and higher", flat)
    return {
        "python": re.findall(r"3\.\d+", python[1]) if python else None,
        "postgresql_min": int(postgres[1]) if postgres else None,
        "lts": "long-term support release" in flat,
    }


_README_ROW = re.compile(
    r"^\|\s*\[(?P<image>heroku/(?:heroku|builder):\d+)\]\[[^\]]*\]\s*\|.*\|\s*"
    r"(?P<status>[A-Za-z][A-Za-z -]*?)\s*\|\s*$",
    re.M,
)


def parse_image_statuses(text: str) -> dict[str, str]:
    """The status column of heroku/base-images' or heroku/cnb-builder-images' README table."""
    return {m["image"]: m["status"].strip().lower() for m in _README_ROW.finditer(text)}


def parse_builder_end_of_life(text: str) -> str | None:
    """A builder's eol-buildpack message: 'Starting April 30th, 2027, this image will no longer'."""
    match = re.search(r"Starting ([A-Z][a-z]+ \d{1,2}(?:st|nd|rd|th)?, \d{4}),", _flat(text))
    if match is None:
        return None
    day = _DATE_WORDS.search(match[1])
    return _word_date(day).isoformat() if day else None


def parse_stack_eol_schedule(text: str) -> dict[str, Any]:
    """
    A stack's end-of-life timetable, as Heroku's notice ('From November 1st, 2026, the first
    build of each Heroku-22 app within a 30-day period will fail') or its FAQ ('April 1, 2023:
    The first build of each Heroku-18 app within a 24-hour period will now fail') word it.
    """
    plain = html.unescape(re.sub(r"<[^>]+>", "\n", text))
    phases: dict[str, str] = {}
    end_of_life = None
    for segment in re.split(r"\n\s*\n|\n\s*[•*>-]\s|(?<=\.)\s+(?=(?:From|On) )", plain):
        flat = _flat(segment)
        found = _DATE_WORDS.search(flat)
        if found is None:
            continue
        day = _word_date(found).isoformat()
        lowered = flat.lower()
        if "within a 30-day period" in lowered:
            phases[day] = "first-build-per-30-days"
        elif "within a 7-day period" in lowered:
            phases[day] = "first-build-per-7-days"
        elif "per day" in lowered or "within a 24-hour period" in lowered:
            phases[day] = "first-build-per-day"
        elif "no longer be allowed" in lowered or "no further builds" in lowered:
            phases[day] = "no-builds"
        elif re.search(r"reach(?:es|ed)? end-of-life", lowered):
            end_of_life = day
    return {
        "end_of_life": end_of_life,
        "phases": [{"from": d, "rule": r} for d, r in sorted(phases.items())],
    }


# --- building the new document ------------------------------------------------------------------


@dataclass
class Fetched:
    """What a refresh run could read: texts by key, and the commit each GitHub repo was read at."""

    texts: dict[str, str] = field(default_factory=dict)
    commits: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def release_notes_key(series: str) -> str:
    return f"django_notes_{series}"


def builder_eol_key(tag: str) -> str:
    return f"builder_eol_{tag}"


def wanted_files(current: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """Every GitHub file to read: the fixed ones, each Django series' notes, each builder's EOL."""
    files = list(GITHUB_FILES)
    for row in current["django"]["releases"]:
        if "." in row["series"]:  # DEP 20 calendar releases' notes are named later
            files.append(
                (release_notes_key(row["series"]), DJANGO, f"docs/releases/{row['series']}.txt")
            )
    for builder in current["stacks"]["cnb_builders"]:
        tag = builder["image"].rpartition(":")[2]
        files.append((builder_eol_key(tag), BUILDERS, f"builder-{tag}/eol-buildpack/bin/build"))
    return files


def _parsed(
    fetched: Fetched, key: str, parser: Callable[[str], Any], *, optional: bool = False
) -> Any:
    text = fetched.texts.get(key)
    if text is None:
        if not optional:
            fetched.notes.append(f"{key}: not fetched, its values are kept")
        return None
    try:
        return parser(text)
    except (ValueError, KeyError, TypeError) as exc:
        fetched.notes.append(f"{key}: could not be parsed ({exc}), its values are kept")
        return None


def _series_key(series: str) -> tuple[int, ...]:
    return tuple(int(part) for part in series.split("."))


def _update_sources(table: dict[str, Any], fetched: Fetched, today: date, complete: bool) -> None:
    for source in table["source"]:
        repo = source.get("repo")
        if repo in fetched.commits and source.get("file"):
            source["commit"] = fetched.commits[repo]
    if complete:
        table["read"] = today.isoformat()


def _refresh_python(doc: dict[str, Any], fetched: Fetched, today: date) -> None:
    table = doc["python"]
    sh = _parsed(fetched, "python_version_sh", parse_python_version_sh)
    changelog = _parsed(fetched, "buildpack_changelog", parse_buildpack_changelog)
    cnb = _parsed(fetched, "cnb_python_version_rs", parse_cnb_python_version_rs)
    cnb_main = _parsed(fetched, "cnb_main_rs", announced_removals)
    upstream = _parsed(fetched, "endoflife_python", parse_endoflife)
    rows = {row["series"]: row for row in table["releases"]}
    if upstream is not None:
        newest_minor = sh["newest_minor"] if sh else max(_series_key(s)[1] for s in rows)
        for cycle in upstream:
            key = _series_key(cycle["series"])
            # A series joins the table when the buildpack builds it: before that, it is
            # "unknown to this deploytools" rather than wrongly "supported on Heroku".
            if key[0] != 3 or key[1] < 8 or key[1] > newest_minor:
                continue
            row = rows.setdefault(cycle["series"], {"series": cycle["series"]})
            row["released"] = cycle["released"]
            row["end_of_bugfix"] = cycle["end_of_mainstream"]
            row["end_of_life"] = cycle["end_of_life"]
            row["latest"] = cycle["latest"]
    announced = {**(cnb_main or {}), **(sh["removals"] if sh else {})}
    for series, row in rows.items():
        minor = _series_key(series)[1]
        if sh is not None:
            in_range = sh["oldest_minor"] <= minor <= sh["newest_minor"]
            row["buildpack_latest"] = sh["latest"].get(series) if in_range else None
        if cnb is not None:
            in_range = cnb["oldest_minor"] <= minor <= cnb["newest_minor"]
            row["cnb_latest"] = cnb["latest"].get(series) if in_range else None
        row.setdefault("buildpack_latest", None)
        row.setdefault("cnb_latest", None)
        if changelog is not None:
            row["heroku_deprecated"] = changelog["deprecated"].get(
                series, row.get("heroku_deprecated")
            )
        row.setdefault("heroku_deprecated", None)
        # The changelog's removal is the real one; an announced date is Heroku's published plan.
        removal = (changelog or {}).get("removed", {}).get(series) or announced.get(series)
        if removal is not None:
            row["heroku_removed"], row["heroku_removed_published"] = removal, True
        row.setdefault("heroku_removed", None)
        row.setdefault("heroku_removed_published", False)
    order = [
        "series",
        "released",
        "end_of_bugfix",
        "end_of_life",
        "latest",
        "buildpack_latest",
        "cnb_latest",
        "heroku_deprecated",
        "heroku_removed",
        "heroku_removed_published",
    ]
    table["releases"] = [{k: rows[s].get(k) for k in order} for s in sorted(rows, key=_series_key)]
    if sh is not None:
        table["buildpack"]["oldest_supported_minor"] = sh["oldest_minor"]
        table["buildpack"]["newest_supported_minor"] = sh["newest_minor"]
        table["buildpack"]["default_version"] = sh["default"]
    if changelog is not None and changelog["runtime_txt_deprecated"]:
        table["buildpack"]["runtime_txt_deprecated"] = changelog["runtime_txt_deprecated"]
    complete = None not in (sh, changelog, cnb, cnb_main, upstream)
    _update_sources(table, fetched, today, complete)


def _refresh_django(doc: dict[str, Any], fetched: Fetched, today: date) -> None:
    table = doc["django"]
    upstream = _parsed(fetched, "endoflife_django", parse_endoflife)
    rows = {row["series"]: row for row in table["releases"]}
    first_calver_year = int(table["calver"]["first_year"])
    if upstream is not None:
        for cycle in upstream:
            key = _series_key(cycle["series"])
            # endoflife.date lists Django back to 1.x; the table starts at the oldest it had.
            if key < min(_series_key(s) for s in rows):
                continue
            # DEP 20: a calendar release's series is its year, whether listed as 2028 or 2028.0.
            series = str(key[0]) if key[0] >= first_calver_year else cycle["series"]
            row = rows.setdefault(series, {"series": series})
            row.update(
                released=cycle["released"],
                end_of_mainstream=cycle["end_of_mainstream"],
                end_of_security=cycle["end_of_life"],
                lts=cycle["lts"],
            )
            if cycle["python"] is not None:
                row["python"] = cycle["python"]
            # Released: the planned flag and its note (announced dates) no longer apply.
            if row.pop("planned", False):
                row.pop("note", None)
    notes_read = True
    previous_min = None
    for series in sorted(rows, key=_series_key):
        row = rows[series]
        notes = _parsed(
            fetched, release_notes_key(series), parse_django_release_notes, optional=True
        )
        if notes is None:
            if "." in series:
                notes_read = False
            previous_min = row.get("postgresql_min", previous_min)
            continue
        # A release whose notes drop no PostgreSQL version keeps its predecessor's minimum.
        row["postgresql_min"] = notes["postgresql_min"] or previous_min
        previous_min = row["postgresql_min"]
        if row.get("planned") and notes["python"]:
            row["python"] = notes["python"]
        row.setdefault("python", [])
    order = [
        "series",
        "released",
        "end_of_mainstream",
        "end_of_security",
        "lts",
        "python",
        "postgresql_min",
        "planned",
        "note",
    ]
    table["releases"] = [
        {k: rows[s][k] for k in order if k in rows[s]} for s in sorted(rows, key=_series_key)
    ]
    for source in [s for s in table["source"] if s.get("repo") == DJANGO]:
        table["source"].remove(source)
    insert_at = 1
    for series in sorted(rows, key=_series_key):
        if release_notes_key(series) in fetched.texts and "." in series:
            table["source"].insert(
                insert_at,
                {
                    "repo": DJANGO,
                    "file": f"docs/releases/{series}.txt",
                    "commit": fetched.commits.get(DJANGO),
                },
            )
            insert_at += 1
    _update_sources(table, fetched, today, upstream is not None and notes_read)


def _refresh_stacks(doc: dict[str, Any], fetched: Fetched, today: date) -> None:
    table = doc["stacks"]
    bases = _parsed(fetched, "base_images_readme", parse_image_statuses)
    builders = _parsed(fetched, "builders_readme", parse_image_statuses)
    faq = _parsed(fetched, "heroku_22_faq", parse_stack_eol_schedule)
    stacks = {row["name"]: row for row in table["stacks"]}
    if bases is not None:
        for image, status in bases.items():
            number = int(image.rpartition(":")[2])
            name = f"heroku-{number}"
            row = stacks.get(name)
            if row is None:
                # A new stack: the update policy retires it with its Ubuntu LTS, five years on.
                row = stacks[name] = {
                    "name": name,
                    "base": f"Ubuntu {number}.04",
                    "generation": "cedar+fir",
                    "status": status,
                    "end_of_life": date(2000 + number + 5, 4, 30).isoformat(),
                    "end_of_life_derived": True,
                    "build_failures": [],
                }
            row["status"] = status
        recommended = [
            f"heroku-{i.rpartition(':')[2]}" for i, s in bases.items() if s == "recommended"
        ]
        if recommended:
            table["recommended"] = max(recommended, key=lambda n: int(n.split("-")[1]))
    if faq is not None and faq["phases"]:
        stacks["heroku-22"]["build_failures"] = faq["phases"]
        if faq["end_of_life"]:
            stacks["heroku-22"]["end_of_life"] = faq["end_of_life"]
            stacks["heroku-22"]["end_of_life_derived"] = False
    table["stacks"] = sorted(
        stacks.values(), key=lambda r: (r["name"] != "cedar-14", int(r["name"].split("-")[1]))
    )
    eol_read = True
    for builder in table["cnb_builders"]:
        tag = builder["image"].rpartition(":")[2]
        if builders is not None and builder["image"] in builders:
            builder["status"] = builders[builder["image"]]
        eol = _parsed(fetched, builder_eol_key(tag), parse_builder_end_of_life, optional=True)
        if eol is not None:
            builder["end_of_life"], builder["end_of_life_derived"] = eol, False
        elif builder["status"] == "deprecated":
            eol_read = False
    _update_sources(table, fetched, today, None not in (bases, builders, faq) and eol_read)


def _refresh_dynos(doc: dict[str, Any], fetched: Fetched, today: date) -> None:
    table = doc["dynos"]
    concurrency = _parsed(fetched, "web_concurrency_sh", parse_web_concurrency_sh)
    if concurrency is not None:
        for size in table["sizes"]:
            if size["name"] in concurrency:
                size["default_web_concurrency"] = concurrency[size["name"]]
    # The table stays manual (Dev Center's dyno pages): only the buildpack source is refreshed.
    _update_sources(table, fetched, today, complete=False)


def build(current: Mapping[str, Any], fetched: Fetched, today: date) -> dict[str, Any]:
    """The new platform.json document: ``current`` with every fetched source applied."""
    doc = copy.deepcopy(dict(current))
    _refresh_python(doc, fetched, today)
    _refresh_django(doc, fetched, today)
    _refresh_stacks(doc, fetched, today)
    _refresh_dynos(doc, fetched, today)
    for name in ("postgres", "dynos", "releases", "generations"):
        fetched.notes.append(
            f"{name}: manual table, read {doc[name]['read']}; check it by hand against "
            + ", ".join(s.get("url") or s.get("file", "?") for s in doc[name]["source"])
        )
    return doc


# --- output -----------------------------------------------------------------------------------


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _compact(value: Any) -> bool:
    """A row that reads best on one line: scalars, or lists of scalars, only."""
    if isinstance(value, dict):
        return all(
            _is_scalar(v) or (isinstance(v, list) and all(map(_is_scalar, v)))
            for v in value.values()
        )
    if isinstance(value, list):
        return all(_is_scalar(v) for v in value)
    return True


def dumps(value: Any, indent: int = 0) -> str:
    """platform.json's layout: nested objects indented, each row of scalars on one line."""
    pad, inner = "  " * indent, "  " * (indent + 1)
    if isinstance(value, dict) and value and not (_compact(value) and indent >= 3):
        items = [f"{inner}{json.dumps(k)}: {dumps(v, indent + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list) and value and not _compact(value):
        items = [inner + dumps(v, indent + 1) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def render(doc: Mapping[str, Any]) -> str:
    return dumps(doc) + "\n"


def diff(old: str, new: str) -> str:
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            "a/deploytools/data/platform.json",
            "b/deploytools/data/platform.json",
        )
    )


# --- network (main only; the tests never get here) ---------------------------------------------


def _get(url: str, accept: str = "*/*", timeout: float = 30) -> str:
    request = urllib.request.Request(
        url, headers={"Accept": accept, "User-Agent": "deploytools-refresh-platform-data"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - https only
        return str(response.read().decode("utf-8"))


def fetch(current: Mapping[str, Any]) -> Fetched:
    fetched = Fetched()
    for key, url in URLS:
        try:
            fetched.texts[key] = _get(url, accept="application/json, text/html")
        except (OSError, urllib.error.URLError) as exc:
            fetched.notes.append(f"{key}: {url}: {exc}")
    for key, repo, path in wanted_files(current):
        try:
            if repo not in fetched.commits:
                fetched.commits[repo] = _get(
                    f"https://api.github.com/repos/{repo}/commits/HEAD",
                    accept="application/vnd.github.sha",
                ).strip()
            commit = fetched.commits[repo]
            fetched.texts[key] = _get(f"https://raw.githubusercontent.com/{repo}/{commit}/{path}")
        except urllib.error.HTTPError as exc:
            if exc.code != 404:  # a missing notes file or eol message is normal
                fetched.notes.append(f"{key}: {repo} {path}: {exc}")
        except (OSError, urllib.error.URLError) as exc:
            fetched.notes.append(f"{key}: {repo} {path}: {exc}")
    return fetched


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="save the new platform.json")
    args = parser.parse_args(argv)
    old = DATA.read_text(encoding="utf-8")
    current = json.loads(old)
    fetched = fetch(current)
    new = render(build(current, fetched, date.today()))
    for note in fetched.notes:
        print(f"# {note}", file=sys.stderr)
    changes = diff(old, new)
    print(changes or "# platform.json is up to date", end="" if changes else "\n")
    if args.write and changes:
        DATA.write_text(new, encoding="utf-8")
        print(f"# wrote {DATA.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
