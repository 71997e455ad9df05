"""
`manage.py preflight --config-vars deploy/production.env.example` vs `manage.py check --deploy`
with the same production config in the environment (DYNO set), on this project.

Preflight also asks the package index about every pin (W505, E506): here a fake PyPI on
127.0.0.1 answering each request after 150 ms, as a real index across the internet does. Two
figures, side by side in one run:

- warm: the index's answers come from deploytools' cache (fresh for 15 minutes), as on every
  preflight but the first of a working session. This is the work preflight did when the target
  was set; the figure says what the settings simulation and the export of the commit cost once
  they overlap the checks that need no production setting.
- cold: no cache (its directory cannot be created), so every pin is asked across the network.

Target: warm ratio <= 1.3; the cold one is printed. Usage: bench/preflight_speed.py [ROUNDS]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from _timing import PYTHON, ROOT, clean_env, compare

TARGET = 1.3
EXAMPLE = ROOT / "deploy" / "production.env.example"
LATENCY = 0.150


def production_env() -> dict[str, str]:
    from deploytools.facts.config_vars import read_config_vars_file

    return clean_env(**read_config_vars_file(EXAMPLE), DYNO="web.1")


def fake_index(folder: Path, cached: bool) -> tuple[object, dict[str, str]]:
    """A fake PyPI serving this project's pins, and the environment that points at it."""
    from deploytools.facts.requirements_txt import parse_requirements
    from tests.fakepypi import FakePyPI

    fake = FakePyPI(latency=LATENCY)
    for requirement in parse_requirements(ROOT / "requirements.txt", ROOT).requirements:
        if requirement.name and requirement.pinned_version:
            fake.add(requirement.name, {requirement.pinned_version: None})
    fake.start()
    if cached:
        return fake, {"DEPLOYTOOLS_PYPI_URL": fake.url, "DEPLOYTOOLS_CACHE_DIR": str(folder)}
    blocked = folder / "not-a-directory"
    blocked.write_text("")
    return fake, {"DEPLOYTOOLS_PYPI_URL": fake.url, "DEPLOYTOOLS_CACHE_DIR": str(blocked / "x")}


def main() -> int:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    settings.configure()
    django.setup()
    manage = [PYTHON, str(ROOT / "manage.py")]
    preflight = [*manage, "preflight", "--config-vars", str(EXAMPLE), "--language", "en"]
    ratios = {}
    for cached in (True, False):
        label = "warm" if cached else "cold"
        with tempfile.TemporaryDirectory() as folder:
            fake, index = fake_index(Path(folder), cached)
            try:
                answers = "from the cache" if cached else "after 150 ms"
                print(f"-- {label}: the index answers {answers}")
                ratios[label] = compare(
                    f"preflight --config-vars deploy/production.env.example ({label} index)",
                    preflight,
                    clean_env(**index),
                    "check --deploy (production env)",
                    [*manage, "check", "--deploy"],
                    production_env(),
                    rounds,
                )
            finally:
                fake.stop()  # type: ignore[attr-defined]
    print(f"cold/warm: {ratios['cold'] / ratios['warm']:.3f}")
    ok = ratios["warm"] <= TARGET
    print(f"target: warm <= {TARGET} -> {'ok' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
