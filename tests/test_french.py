"""
deploytools speaks French: the catalogue is complete, compiled and current, and each command's
French run says in French what its English run says in English, with the same IDs, JSON keys,
statuses and commands. weareone's team gets French by default.
"""

from __future__ import annotations

import ast
import gettext
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polib
import pytest
from django.utils import translation

from deploytools.checks.run import FAILED, PASSED, SKIPPED, CheckResult, RunResult
from tests import postgres
from tests.helpers import ROOT, CommandResult, manage_commands, parse_options, run_manage

APP = ROOT / "deploytools"
LOCALE = APP / "locale" / "fr" / "LC_MESSAGES"
PO = LOCALE / "django.po"
MO = LOCALE / "django.mo"
MAKEMESSAGES = ["makemessages", "--locale", "fr", "--add-location", "file", "--no-obsolete"]
# Django's own French plural rule (django/conf/locale/fr/LC_MESSAGES/django.po): 0 and 1 are
# singular in French.
PLURAL_FORMS = "nplurals=3; plural=(n == 0 || n == 1) ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2;"
# %s, %d, %(name)s, %.2f ... as Python's %-formatting reads them.
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifgrxX%]")
EXAMPLE_SNAPSHOT = APP / "examples" / "snapshot.json"
EXAMPLE_CONFIG = ROOT / "deploy" / "production.env.example"
GUIDE = ROOT / "docs" / "fr" / "deploiement.md"

pytestmark = pytest.mark.slow


def catalogue() -> polib.POFile:
    return polib.pofile(str(PO))


def forms(entry: polib.POEntry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


# -- the catalogue ---------------------------------------------------------------------------


def test_every_msgid_is_translated_and_none_is_fuzzy() -> None:
    po = catalogue()
    assert po.metadata["Language"] == "fr"
    assert po.metadata["Plural-Forms"] == PLURAL_FORMS
    assert len(po) > 800
    untranslated = [e.msgid for e in po if not all(forms(e))]
    fuzzy = [e.msgid for e in po if "fuzzy" in e.flags]
    assert untranslated == [], "untranslated msgids:\n" + "\n".join(untranslated)
    assert fuzzy == [], "fuzzy msgids:\n" + "\n".join(fuzzy)
    assert not po.obsolete_entries()
    for entry in po:
        if entry.msgid_plural:
            # Three French forms: [0] for 0 and 1, [1] for millions, [2] for the others.
            assert sorted(entry.msgstr_plural) == [0, 1, 2], entry.msgid


def test_placeholders_and_edges_are_kept() -> None:
    for entry in catalogue():
        if "python-format" in entry.flags:
            english = placeholders(entry.msgid_plural or entry.msgid)
            for text in forms(entry):
                assert placeholders(text) == english, (entry.msgid, text)
        for text in forms(entry):
            # A fragment glued to another keeps its ASCII spaces at the ends (" and %d more").
            # French adds a no-break space before ; and : where English has none.
            assert text.startswith(" ") == entry.msgid.startswith(" "), (entry.msgid, text)
            assert text.endswith(" ") == entry.msgid.endswith(" "), (entry.msgid, text)


# Tokens of a msgid that a person copies or a program reads: commands' arguments, settings,
# file names, IDs. They stay byte-identical in French.
CODE_MARKS = ("=", "_", "/", "[", "--", "::", "$(", "&&", ">>", ".py", ".txt", ".json")
NOT_CODE = {"e.g.", "(e.g.", "i.e.", "and/or", "w/o"}


def code_tokens(text: str) -> list[str]:
    found = []
    for token in PLACEHOLDER.sub(" ", text).split():
        token = token.rstrip(".,;:)").lstrip("(")
        # "missing/invalid" is prose; "deploytools/facts/x.py" and "https://" are not.
        if token in NOT_CODE or not token or re.fullmatch(r"[A-Za-z]+(/[A-Za-z-]+)+", token):
            continue
        if any(mark in token for mark in CODE_MARKS) or re.fullmatch(r"[A-Z][A-Z0-9]+_\w+", token):
            found.append(token)
    return found


def test_commands_identifiers_and_settings_stay_identical() -> None:
    changed = []
    for entry in catalogue():
        for text in forms(entry):
            for token in code_tokens(entry.msgid_plural or entry.msgid):
                if token not in text:
                    changed.append(f"{token!r} of {entry.msgid!r}")
    assert changed == [], "\n".join(changed)


def test_french_typography() -> None:
    for entry in catalogue():
        for text in forms(entry):
            prose = PLACEHOLDER.sub("", text)
            # A space before « : ; ? ! » is a no-break space (U+00A0), and so are the inner
            # spaces of « » — never a plain one.
            assert not re.search(r" [;?!](\s|$)| :(\s|$)", prose), (entry.msgid, text)
            assert "« " not in text and " »" not in text, (entry.msgid, text)
            assert text.count("«") == text.count("»"), (entry.msgid, text)


def test_the_mo_holds_exactly_the_po() -> None:
    with MO.open("rb") as fp:
        compiled = gettext.GNUTranslations(fp)
    po = catalogue()
    expected: dict[Any, str] = {}
    for entry in po:
        if entry.msgid_plural:
            for index, text in entry.msgstr_plural.items():
                expected[(entry.msgid, index)] = text
        else:
            expected[entry.msgid] = entry.msgstr
    held = {key: value for key, value in compiled._catalog.items() if key != ""}  # type: ignore[attr-defined]
    assert held == expected
    # The plural rule compiled into the .mo is French's: 0 and 1 singular.
    for entry in (e for e in po if e.msgid_plural):
        assert compiled.ngettext(entry.msgid, entry.msgid_plural, 0) == entry.msgstr_plural[0]
        assert compiled.ngettext(entry.msgid, entry.msgid_plural, 1) == entry.msgstr_plural[0]
        assert compiled.ngettext(entry.msgid, entry.msgid_plural, 2) == entry.msgstr_plural[2]


@pytest.mark.gettext
def test_the_catalogue_has_every_marked_string_of_the_code(tmp_path: Path) -> None:
    """
    makemessages over a copy of the app finds exactly the catalogue's msgids: a string marked in
    the code without its translation fails here, with the list of what to translate.
    """
    assert shutil.which("xgettext"), "GNU gettext is needed: apt-get install gettext"
    copy = tmp_path / "deploytools"
    shutil.copytree(APP, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    # makemessages needs no settings (the suite's would not import from the copy).
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run(
        [sys.executable, "-m", "django", *MAKEMESSAGES],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    regenerated = polib.pofile(str(copy / "locale" / "fr" / "LC_MESSAGES" / "django.po"))
    committed = {e.msgid for e in catalogue()}
    missing = sorted(e.msgid for e in regenerated if not all(forms(e)))
    assert missing == [], (
        "marked in the code but not translated (make messages, then translate them in "
        f"{PO.relative_to(ROOT)}):\n" + "\n".join(missing)
    )
    assert {e.msgid for e in regenerated} == committed
    # The committed file is exactly what `make messages` writes: sorted as makemessages
    # sorts, wrapped as it wraps, so regenerating it changes nothing.
    assert (copy / "locale" / "fr" / "LC_MESSAGES" / "django.po").read_bytes() == PO.read_bytes()


TRANSLATORS = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext"}


def test_no_translated_text_hides_inside_an_f_string() -> None:
    # xgettext does not read inside f-strings: a _("…") there never reaches the catalogue.
    hidden = []
    for path in sorted(APP.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr):
                for inner in ast.walk(node):
                    if (
                        isinstance(inner, ast.Call)
                        and isinstance(inner.func, ast.Name)
                        and inner.func.id in TRANSLATORS
                    ):
                        hidden.append(f"{path.relative_to(ROOT)}:{inner.lineno}")
    assert hidden == []


# -- plurals ---------------------------------------------------------------------------------


def run_result(count: int) -> RunResult:
    from django.core import checks

    def check(status: str, level: int | None = None) -> CheckResult:
        messages = [checks.CheckMessage(level, "x", id="deploytools.X000")] if level else []
        return CheckResult(f"{status}-{level}", "Title", ("deploytools",), status, [], "", messages)

    lines = [check(PASSED) for _ in range(count)]
    lines += [check(FAILED, checks.ERROR) for _ in range(count)]
    lines += [check(FAILED, checks.WARNING) for _ in range(count)]
    lines += [check(FAILED, checks.INFO) for _ in range(count)]
    lines += [check(SKIPPED) for _ in range(count)]
    return RunResult("preflight", lines, 0.5)


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (
            0,
            "0 réussie, 0 échouée, 0 ignorée ; 0 erreur, 0 avertissement, 0 information en 0.50 s",
        ),
        (
            1,
            "1 réussie, 3 échouées, 1 ignorée ; 1 erreur, 1 avertissement, 1 information en 0.50 s",
        ),
        (
            2,
            "2 réussies, 6 échouées, 2 ignorées ; 2 erreurs, 2 avertissements, "
            "2 informations en 0.50 s",
        ),
    ],
)
def test_summary_line_counts_in_french(count: int, expected: str) -> None:
    from deploytools.report.text import summary_line

    with translation.override("fr"):
        assert summary_line(run_result(count)) == expected.replace(" ;", "\u00a0;")


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, "La vérification du système n’a identifié aucun problème."),
        (1, "La vérification du système a identifié 3 problèmes."),
    ],
)
def test_issue_line_in_french(count: int, expected: str) -> None:
    from deploytools.report.text import render_text

    with translation.override("fr"):
        assert expected in render_text(run_result(count)).splitlines()


# Every ngettext of the code, for 0, 1 and 2: French uses the singular for 0 and 1.
PLURALS = {
    ("%d error", "%d errors"): ("0 erreur", "1 erreur", "2 erreurs"),
    ("%d warning", "%d warnings"): ("0 avertissement", "1 avertissement", "2 avertissements"),
    ("%d info", "%d infos"): ("0 information", "1 information", "2 informations"),
    ("%(n)d passed", "%(n)d passed"): ("0 réussie", "1 réussie", "2 réussies"),
    ("%(n)d failed", "%(n)d failed"): ("0 échouée", "1 échouée", "2 échouées"),
    ("%(n)d skipped", "%(n)d skipped"): ("0 ignorée", "1 ignorée", "2 ignorées"),
    ("%d handler", "%d handlers"): ("0 gestionnaire", "1 gestionnaire", "2 gestionnaires"),
    ("%d host", "%d hosts"): ("0 hôte", "1 hôte", "2 hôtes"),
    ("is %(count)d character long", "is %(count)d characters long"): (
        "fait 0 caractère",
        "fait 1 caractère",
        "fait 2 caractères",
    ),
    ("%d migration applied", "%d migrations applied"): (
        "0 migration appliquée",
        "1 migration appliquée",
        "2 migrations appliquées",
    ),
    ("%d release recorded, newest first.", "%d releases recorded, newest first."): (
        "0 version enregistrée, de la plus récente à la plus ancienne.",
        "1 version enregistrée, de la plus récente à la plus ancienne.",
        "2 versions enregistrées, de la plus récente à la plus ancienne.",
    ),
    ("System check identified %d issue.", "System check identified %d issues."): (
        "La vérification du système a identifié 0 problème.",
        "La vérification du système a identifié 1 problème.",
        "La vérification du système a identifié 2 problèmes.",
    ),
    (
        "Django's own system checks — %d passed",
        "Django's own system checks — %d passed",
    ): (
        "Vérifications système de Django — 0 réussie",
        "Vérifications système de Django — 1 réussie",
        "Vérifications système de Django — 2 réussies",
    ),
    (
        "Not pushing: the work tree has %(count)d uncommitted change (W403), so the checks "
        "looked at other code than the push would deploy; W403's hint says what to do",
        "Not pushing: the work tree has %(count)d uncommitted changes (W403), so the checks "
        "looked at other code than the push would deploy; W403's hint says what to do",
    ): (
        "Pas de push : l’arbre de travail a 0 modification non validée (W403)",
        "Pas de push : l’arbre de travail a 1 modification non validée (W403)",
        "Pas de push : l’arbre de travail a 2 modifications non validées (W403)",
    ),
}


def test_every_plural_of_the_catalogue_is_listed() -> None:
    assert {(e.msgid, e.msgid_plural) for e in catalogue() if e.msgid_plural} == set(PLURALS)


@pytest.mark.parametrize(("msgids", "expected"), PLURALS.items(), ids=lambda v: str(v)[:30])
def test_plural_forms_for_0_1_and_2(msgids: tuple[str, str], expected: tuple[str, ...]) -> None:
    with translation.override("fr"):
        for count, text in zip((0, 1, 2), expected, strict=True):
            rendered = translation.ngettext(*msgids, count)
            rendered = rendered % ({"n": count, "count": count} if "%(" in rendered else count)
            assert rendered.replace("\u00a0", " ").startswith(text.replace("\u00a0", " "))


# -- each command in French, against its English run -----------------------------------------


def english_sentences() -> list[str]:
    """
    The English prose of the catalogue that French must never show: each msgid's runs of
    words between placeholders, when the French text does not keep them (a command does).
    """
    found = set()
    for entry in catalogue():
        french = " ".join(forms(entry))
        for english in (entry.msgid, entry.msgid_plural or entry.msgid):
            for fragment in PLACEHOLDER.split(english):
                fragment = fragment.strip(" .,;:()'\"—")
                words = re.findall(r"[A-Za-z]{3,}", fragment)
                if len(words) >= 3 and fragment not in french and " " in fragment:
                    found.add(fragment)
    return sorted(found)


ENGLISH = english_sentences()


def assert_no_english(output: str) -> None:
    shown = [sentence for sentence in ENGLISH if sentence in output]
    assert shown == [], "English in the French output:\n" + "\n".join(shown)


def _identities() -> list[re.Pattern[str]]:
    # The msgids whose French is the English (a command, a formula, "SSL"), as patterns that
    # match them once formatted.
    return [
        re.compile(".*".join(re.escape(part) for part in PLACEHOLDER.split(e.msgid)) + r"\Z")
        for e in catalogue()
        if not e.msgid_plural and e.msgstr == e.msgid
    ]


IDENTITIES = _identities()


def identical_in_french(text: str) -> bool:
    """Whether ``text`` is a msgid whose French is the same text, once formatted."""
    return any(pattern.match(text) for pattern in IDENTITIES)


def same_except_words(english: dict[str, Any], french: dict[str, Any]) -> None:
    """Two JSON documents of one run: same keys, IDs, statuses; every sentence translated."""
    assert english.keys() == french.keys()
    assert english["exit_code"] == french["exit_code"]
    assert english["summary"].keys() == french["summary"].keys()
    assert {k: v for k, v in english["summary"].items() if k != "seconds"} == {
        k: v for k, v in french["summary"].items() if k != "seconds"
    }
    assert [c.keys() for c in english["checks"]] == [c.keys() for c in french["checks"]]
    for en, fr in zip(english["checks"], french["checks"], strict=True):
        for key in ("name", "status", "ids", "tags"):
            assert en.get(key) == fr.get(key), key
        if "deploytools" in en.get("tags", []):
            assert en["title"] != fr["title"] or identical_in_french(en["title"]), en["title"]
    assert len(english["messages"]) == len(french["messages"])
    for en, fr in zip(english["messages"], french["messages"], strict=True):
        assert en.keys() == fr.keys()
        for key in ("id", "level", "obj", "file", "line"):
            assert en.get(key) == fr.get(key), key
        if str(en["id"]).startswith("deploytools."):
            assert en["msg"] != fr["msg"], en["msg"]
            if en.get("hint"):
                assert en["hint"] != fr["hint"] or identical_in_french(en["hint"]), en["hint"]
                for token in code_tokens(en["hint"]):
                    assert token in fr["hint"], (token, fr["hint"])
    assert_no_english(json.dumps(french, ensure_ascii=False))


def both(*args: str, **kwargs: Any) -> tuple[CommandResult, CommandResult]:
    return run_manage(*args, language="en", **kwargs), run_manage(*args, language="fr", **kwargs)


def assert_text_translated(english: CommandResult, french: CommandResult) -> None:
    assert english.exit_code == french.exit_code, french.stderr
    assert_no_english(french.stdout + french.stderr)
    # The text report's words are translated: the status of each line, the level headers.
    for word in ("passed", "FAILED", "skipped"):
        assert not re.search(rf"^  {word} ", french.stdout, re.MULTILINE), word
    for header in ("ERRORS:", "WARNINGS:", "INFOS:", "\tHINT: "):
        assert header not in french.stdout
    # The same IDs, in the same order, in both languages.
    ids = r"deploytools\.[EWI]\d{3}|\[[EWI]\d{3}[^\]]*\]"
    assert re.findall(ids, english.stdout) == re.findall(ids, french.stdout)


def test_preflight_in_french_text_and_json() -> None:
    config = ("--config-vars", str(EXAMPLE_CONFIG))
    text_en, text_fr = both("preflight", *config)
    assert_text_translated(text_en, text_fr)
    assert "réussie " in text_fr.stdout and "passed " not in text_fr.stdout
    json_en, json_fr = both("preflight", *config, "--format", "json")
    assert json_en.exit_code == json_fr.exit_code
    same_except_words(json.loads(json_en.stdout), json.loads(json_fr.stdout))


def test_production_check_in_french_text_and_json() -> None:
    snapshot = ("--snapshot", str(EXAMPLE_SNAPSHOT))
    text_en, text_fr = both("production_check", *snapshot)
    assert_text_translated(text_en, text_fr)
    assert "1. Stack" in text_fr.stdout and "2. Types de dynos" in text_fr.stdout
    assert "CONSEIL\u00a0: " in text_fr.stdout and "HINT:" not in text_fr.stdout
    json_en, json_fr = both("production_check", *snapshot, "--format", "json")
    same_except_words(json.loads(json_en.stdout), json.loads(json_fr.stdout))
    html = run_manage("production_check", *snapshot, "--format", "html", language="fr")
    assert '<html lang="fr"' in html.stdout
    assert_no_english(html.stdout.replace("&#x27;", "'"))


def test_list_checks_and_help_in_french() -> None:
    listed_en, listed_fr = both("preflight", "--list-checks", "--format", "json")
    english = json.loads(listed_en.stdout)["checks"]
    french = json.loads(listed_fr.stdout)["checks"]
    assert [{k: c[k] for k in ("id", "level", "tags", "source")} for c in english] == [
        {k: c[k] for k in ("id", "level", "tags", "source")} for c in french
    ]
    assert all(en["meaning"] != fr["meaning"] for en, fr in zip(english, french, strict=True))
    assert_no_english(listed_fr.stdout)
    for command in ("preflight", "heroku_release", "production_check"):
        shown = run_manage(command, "--help", language="fr")
        assert shown.exit_code == 0
        assert "Langue du rapport" in " ".join(shown.stdout.split())
        assert_no_english(" ".join(shown.stdout.split()))


def test_could_not_check_line_in_french() -> None:
    missing = ("preflight", "--config-vars", "nowhere.env")
    english, french = both(*missing)
    assert english.exit_code == french.exit_code == 2
    assert "nowhere.env\u00a0: fichier introuvable" in french.stderr
    assert "heroku config --shell --app APP > nowhere.env" in french.stderr
    assert_no_english(french.stderr)
    document = json.loads(run_manage(*missing, "--format", "json", language="fr").stdout)
    assert document["exit_code"] == 2 and "fichier introuvable" in document["error"]


def test_weareone_speaks_french_by_default() -> None:
    default = run_manage("preflight", "--list-checks", language=None)
    assert "non valide (clé inconnue, mauvais type)" in default.stdout
    # A developer who prefers English says so once (DEPLOYTOOLS_LANGUAGE) or per run.
    assert "invalid (unknown key, wrong type)" in run_manage("preflight", "--list-checks").stdout
    per_run = run_manage("preflight", "--list-checks", "--language", "en", language=None)
    assert "invalid (unknown key, wrong type)" in per_run.stdout
    # A language Django does not know is refused in the project's own language.
    unknown = run_manage("preflight", "--language", "xx", language=None)
    assert unknown.exit_code == 2
    assert "--language xx\u00a0: n’est pas une langue que Django connaît" in unknown.stderr


# -- heroku_release against the real PostgreSQL ----------------------------------------------


def logfmt(output: str) -> list[str]:
    timings = re.compile(r" (elapsed|duration)=\S+")
    return [timings.sub("", line) for line in output.splitlines() if line.startswith("at=")]


@pytest.fixture
def release_env(pg_server: postgres.Server) -> Iterator[dict[str, str]]:
    url = pg_server.create_database("french_release")
    yield {
        "DATABASE_URL": url,
        "DATABASE_SSL_REQUIRE": "0",
        "DYNO": "release.1",
        "DJANGO_SECRET_KEY": "french-release-secret-KEY-0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d",
        "DJANGO_SETTINGS_MODULE": "tests.releaseapps.settings",
        "HEROKU_RELEASE_VERSION": "v7",
        "HEROKU_SLUG_COMMIT": "abc1234def5678abc1234def5678abc1234def56",
        "RELEASE_SCENARIO": "ok",
    }


def test_heroku_release_dry_run_and_history_in_french(release_env: dict[str, str]) -> None:
    dry_en, dry_fr = both("heroku_release", "--dry-run", env=release_env)
    assert_text_translated(dry_en, dry_fr)
    assert "Plan\u00a0: " in dry_fr.stdout
    # The logfmt lines are for log tools: the same keys and values in every language.
    assert logfmt(dry_en.stdout) == logfmt(dry_fr.stdout)
    dry_json_en, dry_json_fr = both(
        "heroku_release", "--dry-run", "--format", "json", env=release_env
    )
    same_except_words(json.loads(dry_json_en.stdout), json.loads(dry_json_fr.stdout))

    applied = run_manage("heroku_release", env=release_env)
    assert applied.exit_code == 0, applied.stdout + applied.stderr
    history_en, history_fr = both("heroku_release", "--history", env=release_env)
    assert history_en.exit_code == history_fr.exit_code == 0
    assert "Versions, de la plus récente à la plus ancienne\u00a0:" in history_fr.stdout
    assert " réussie " in history_fr.stdout and "succeeded" not in history_fr.stdout
    assert_no_english(history_fr.stdout)
    undo = re.findall(r"python manage\.py migrate \S+ \S+", history_en.stdout)
    assert undo and undo == re.findall(r"python manage\.py migrate \S+ \S+", history_fr.stdout)
    as_json = both("heroku_release", "--history", "--format", "json", env=release_env)
    english, french = (json.loads(r.stdout) for r in as_json)
    for release in (*english["releases"], *french["releases"]):
        release.pop("started_at"), release.pop("finished_at"), release.pop("duration_seconds")
    assert english == french  # the rows are data: status "succeeded" for programs
    page = run_manage("heroku_release", "--history", "--format", "html", env=release_env)
    assert page.exit_code == 0
    french_page = run_manage(
        "heroku_release", "--history", "--format", "html", env=release_env, language="fr"
    )
    assert "Historique des versions" in french_page.stdout
    assert_no_english(french_page.stdout.replace("&#x27;", "'"))


# -- the team's guide in French --------------------------------------------------------------


def guide_commands() -> list[tuple[str, list[str], str | None]]:
    """Every `python manage.py …` of the guide's code (blocks and inline), as a shell runs it."""
    text = GUIDE.read_text(encoding="utf-8")
    code = re.findall(r"```sh\n(.*?)```", text, re.DOTALL) + re.findall(r"`([^`\n]+)`", text)
    found = []
    for snippet in code:
        for line in snippet.splitlines():
            line = re.sub(r"\s+#.*$", "", line)
            for part in line.split("&&"):
                if "python manage.py " in part:
                    # After a prefix: `heroku run -a weareone`, `HEROKU_API_KEY=… `.
                    found += manage_commands(part[part.index("python manage.py ") :])
    return found


def test_every_command_of_the_french_guide_is_real() -> None:
    commands = guide_commands()
    assert {c for c, _args, _target in commands} >= {
        "preflight",
        "heroku_release",
        "production_check",
        "migrate",
    }
    for command, args, _target in commands:
        # The command's own parser: an option that does not exist fails here (exit 2).
        parse_options(command, [a.replace("…", "x") for a in args])


def test_the_french_guide_undoes_migrations_before_heroku_rollback() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    rollback = text[text.index("## Revenir en arrière") :]
    history = rollback.index("python manage.py heroku_release --history")
    undo = rollback.index("python manage.py migrate app NNNN")
    assert history < undo < rollback.index("heroku rollback -a weareone")
    # The nine points, each with the IDs of its check (deploytools/production_check.py).
    from deploytools.checks.registry import CATALOGUE
    from deploytools.production_check import CHECKLIST

    for number, name in enumerate(CHECKLIST, start=1):
        row = next(line for line in text.splitlines() if line.startswith(f"| {number} |"))
        assert f"`{name}`" in row
        assert re.findall(r"deploytools\.[EWI]\d{3}", row)[: len(CATALOGUE[name].ids)] == list(
            CATALOGUE[name].ids
        )
