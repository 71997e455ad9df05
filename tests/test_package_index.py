"""deploytools.facts.package_index against a fake PyPI JSON API on 127.0.0.1 (tests/fakepypi.py)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from deploytools.facts import package_index
from deploytools.facts.package_index import (
    Cache,
    PackageReport,
    Pin,
    Reason,
    Unavailable,
    check_packages,
    python_patch_level,
)
from tests.fakepypi import FIXTURES, FakePyPI, Release, refused_url, vulnerability


@pytest.fixture
def pypi() -> Iterator[FakePyPI]:
    fake = FakePyPI().start()
    fake.add(
        "Django",
        {
            "5.2.18": None,
            "5.2.19": None,
            "6.1.3": Release(
                vulnerabilities=[
                    vulnerability(
                        "PYSEC-2026-101",
                        ["5.2.19", "6.1.5", "6.0.11"],
                        aliases=["CVE-2026-1234", "GHSA-aaaa-bbbb-cccc"],
                    ),
                    vulnerability("PYSEC-2026-7", ["6.1.4"], withdrawn="2026-11-20T10:00:00Z"),
                ]
            ),
            "6.1.4": None,
            "6.1.5": None,
            "6.2a1": None,
        },
    )
    fake.add("requests", {"2.34.2": None, "2.34.3": Release(yanked=True), "2.35.0": None})
    fake.add(
        "needs-new-python",
        {"1.0.0": None, "1.0.1": Release(requires_python=">=3.14"), "1.1.0": Release(files=False)},
    )
    yield fake
    fake.stop()


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    return Cache(tmp_path / "cache")


def by_name(report: package_index.IndexReport) -> dict[str, Any]:
    return {r.pin.name: r for r in report.results}


def test_fake_documents_have_pypis_shape(pypi: FakePyPI) -> None:
    # The fake serves exactly the keys of PyPI's documented examples, at every level.
    real_project = json.loads((FIXTURES / "sampleproject.json").read_text())
    real_release = json.loads((FIXTURES / "sampleproject-3.0.0.json").read_text())
    real_vuln = json.loads((FIXTURES / "django-3.0.2-vulnerabilities.json").read_text())
    project = pypi.project_document("django")
    release = pypi.release_document("django", "6.1.3")
    assert project.keys() == real_project.keys()
    assert release.keys() == real_release.keys()
    assert project["info"].keys() == real_project["info"].keys()
    assert release["info"].keys() == real_release["info"].keys()
    real_file = real_project["releases"]["3.0.0"][0]
    assert project["releases"]["6.1.3"][0].keys() == real_file.keys()
    assert project["urls"][0]["digests"].keys() == real_file["digests"].keys()
    assert release["vulnerabilities"][0].keys() == real_vuln["vulnerabilities"][0].keys()


def test_newest_patch_of_the_series_and_newest_overall(pypi: FakePyPI, cache: Cache) -> None:
    report = check_packages(
        [("Django", "6.1.3"), ("requests", "2.34.2")], "3.13", index_url=pypi.url, cache=cache
    )
    django, requests = by_name(report)["Django"], by_name(report)["requests"]
    assert isinstance(django, PackageReport)
    # 6.2a1 is a pre-release: not an upgrade for a stable pin.
    assert (django.newest_in_series, django.newest, django.behind_series) == (
        "6.1.5",
        "6.1.5",
        True,
    )
    assert isinstance(requests, PackageReport)
    # 2.34.3 is yanked: the newest patch of 2.34 is the pin itself.
    assert requests.newest_in_series == "2.34.2" and not requests.behind_series
    assert requests.newest == "2.35.0" and requests.behind_newest
    assert report.all_unavailable is None


def test_releases_the_python_cannot_install_do_not_count(pypi: FakePyPI, cache: Cache) -> None:
    pin = [("needs-new-python", "1.0.0")]
    on_313 = by_name(check_packages(pin, "3.13.2", index_url=pypi.url, cache=cache))
    on_314 = by_name(check_packages(pin, "3.14", index_url=pypi.url, use_cache=False))
    # 1.0.1 requires Python 3.14; 1.1.0 has no files at all (pip would never install it).
    assert on_313["needs-new-python"].newest_in_series == "1.0.0"
    assert on_314["needs-new-python"].newest_in_series == "1.0.1"
    assert on_314["needs-new-python"].newest == "1.0.1"


def test_advisories_of_the_pinned_version(pypi: FakePyPI, cache: Cache) -> None:
    report = check_packages([("Django", "6.1.3")], "3.13", index_url=pypi.url, cache=cache)
    django = by_name(report)["Django"]
    assert isinstance(django, PackageReport) and django.vulnerable
    # The withdrawn advisory is dropped, as pip-audit drops it.
    (advisory,) = django.advisories
    assert advisory.ids == ("PYSEC-2026-101", "CVE-2026-1234", "GHSA-aaaa-bbbb-cccc")
    assert advisory.fixed_in == ("5.2.19", "6.0.11", "6.1.5")
    # The first fix in the pin's own series, not the oldest fix of all.
    assert advisory.first_fixed == "6.1.5"
    assert advisory.link == "https://osv.dev/vulnerability/PYSEC-2026-101"


def test_advisories_read_from_pypis_documented_response() -> None:
    document = json.loads((FIXTURES / "django-3.0.2-vulnerabilities.json").read_text())
    (advisory,) = package_index.advisories(document, Pin("Django", "3.0.2"))
    assert advisory.ids == ("PYSEC-2021-9", "CVE-2021-3281")
    assert advisory.first_fixed == "3.0.12"
    assert advisory.summary == "A shorter summary of the vulnerability"
    withdrawn = json.loads((FIXTURES / "withdrawn-vulnerability.json").read_text())
    assert package_index.advisories({"vulnerabilities": [withdrawn]}, Pin("x", "1.0")) == ()
    # No key at all means no known vulnerability for any version.
    assert package_index.advisories({"info": {}}, Pin("x", "1.0")) == ()


def test_first_fixed_falls_back_to_the_oldest_later_release() -> None:
    pin = Pin("lib", "1.4.2")
    assert package_index.first_fixed(["1.3.9", "2.0.1", "2.1.0"], pin) == "2.0.1"
    assert package_index.first_fixed(["1.3.9"], pin) is None


def test_django_series_follow_dep_20_calendar_versions() -> None:
    assert package_index.series_of(Pin("Django", "6.1.3")) == (6, 1)
    assert package_index.series_of(Pin("django", "2028.1")) == (2028,)
    project: dict[str, Any] = {
        "releases": {
            v: [{"requires_python": ">=3.12", "yanked": False}]
            for v in ("2028.0", "2028.1", "2028.3", "2029.0", "6.2.4")
        }
    }
    assert package_index.newest_releases(project, Pin("Django", "2028.1"), "3.14") == (
        "2028.3",
        "2029.0",
    )
    assert package_index.newest_releases(project, Pin("Django", "6.2.1"), "3.14")[0] == "6.2.4"


def test_non_canonical_names_reach_the_canonical_url(pypi: FakePyPI, cache: Cache) -> None:
    report = check_packages([("DJANGO", "6.1.3")], "3.13", index_url=pypi.url, cache=cache)
    assert isinstance(report.results[0], PackageReport)
    assert set(pypi.requests) == {"/pypi/django/json", "/pypi/django/6.1.3/json"}
    # The fake redirects a non-canonical path, and the client follows it.
    assert package_index.get_json(f"{pypi.url}/pypi/Django/6.1.4/json", 2)["info"]["version"] == (
        "6.1.4"
    )


def test_one_concurrent_wave(pypi: FakePyPI) -> None:
    pins = [(f"pkg{i}", "1.0.0") for i in range(10)]
    for name, _version in pins:
        pypi.add(name, {"1.0.0": None})
    # Each answer waits long enough that all requests overlap if, and only if, they were sent
    # together; the fake counts how many it holds at once.
    pypi.latency = 0.5
    report = check_packages(pins, "3.13", index_url=pypi.url, use_cache=False)
    assert all(isinstance(r, PackageReport) for r in report.results)
    assert report.requests == 20
    assert pypi.max_in_flight == 20


def test_latency_within_the_deadline_still_answers(pypi: FakePyPI) -> None:
    pypi.fault("/pypi/requests/", latency=0.3)
    report = check_packages(
        [("requests", "2.34.2")], "3.13", index_url=pypi.url, use_cache=False, timeout=3
    )
    assert isinstance(report.results[0], PackageReport)


def unavailable(report: package_index.IndexReport) -> Unavailable:
    (result,) = report.results
    assert isinstance(result, Unavailable), result
    return result


def test_a_dripping_answer_times_out_within_the_total_deadline(pypi: FakePyPI) -> None:
    # One byte a second: every read succeeds, so only a total deadline can stop it.
    pypi.fault("", drip=True, drip_interval=1.0)
    started = time.monotonic()
    report = check_packages(
        [("requests", "2.34.2")], "3.13", index_url=pypi.url, use_cache=False, timeout=1.5
    )
    elapsed = time.monotonic() - started
    assert unavailable(report).reason is Reason.TIMEOUT
    # Bounded by the deadline (both requests run at once), not by the ~300 s the drip needs.
    assert elapsed < 10


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ({"status": 404}, Reason.NOT_FOUND),
        ({"status": 500}, Reason.HTTP_ERROR),
        ({"bad_json": True}, Reason.BAD_RESPONSE),
    ],
)
def test_http_faults_become_typed_reasons(
    pypi: FakePyPI, fault: dict[str, Any], reason: Reason
) -> None:
    pypi.fault("/pypi/requests/2.34.2/", **fault)
    report = check_packages([("requests", "2.34.2")], "3.13", index_url=pypi.url, use_cache=False)
    result = unavailable(report)
    assert result.reason is reason
    assert result.url.endswith("/pypi/requests/2.34.2/json")
    assert report.all_unavailable == result


def test_unknown_project_is_not_found(pypi: FakePyPI) -> None:
    report = check_packages([("no-such-thing", "1.0")], "3.13", index_url=pypi.url, use_cache=False)
    assert unavailable(report).reason is Reason.NOT_FOUND


def test_refused_port() -> None:
    report = check_packages(
        [("requests", "2.34.2")], "3.13", index_url=refused_url(), use_cache=False
    )
    result = unavailable(report)
    assert result.reason is Reason.REFUSED
    assert "refused" in result.message()


def test_offline_name_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    # No DNS here: the resolver's failure is simulated, so nothing leaves the machine.
    def no_dns(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    report = check_packages(
        [("requests", "2.34.2")], "3.13", index_url="https://pypi.org", use_cache=False
    )
    assert unavailable(report).reason is Reason.OFFLINE


def test_one_failing_package_leaves_the_others(pypi: FakePyPI) -> None:
    pypi.fault("/pypi/requests/", status=500)
    report = check_packages(
        [("Django", "6.1.3"), ("requests", "2.34.2")], "3.13", index_url=pypi.url, use_cache=False
    )
    assert isinstance(by_name(report)["Django"], PackageReport)
    assert isinstance(by_name(report)["requests"], Unavailable)
    assert report.all_unavailable is None


def test_base_url_comes_from_the_environment(
    pypi: FakePyPI, monkeypatch: pytest.MonkeyPatch, cache: Cache
) -> None:
    monkeypatch.setenv("DEPLOYTOOLS_PYPI_URL", pypi.url + "/")
    report = check_packages([("requests", "2.34.2")], "3.13", cache=cache)
    assert report.base_url == pypi.url
    assert isinstance(report.results[0], PackageReport)
    monkeypatch.delenv("DEPLOYTOOLS_PYPI_URL")
    assert package_index.base_url() == "https://pypi.org"


def test_answers_are_cached_and_errors_are_not(pypi: FakePyPI, cache: Cache) -> None:
    pypi.fault("/pypi/requests/2.34.2/", status=500)
    first = check_packages([("requests", "2.34.2")], "3.13", index_url=pypi.url, cache=cache)
    assert unavailable(first).reason is Reason.HTTP_ERROR
    del pypi.faults["/pypi/requests/2.34.2/"]
    second = check_packages([("requests", "2.34.2")], "3.13", index_url=pypi.url, cache=cache)
    # The project document was cached; the failed release document was asked for again.
    assert (second.cache_hits, second.requests) == (1, 1)
    assert isinstance(second.results[0], PackageReport)
    pypi.requests.clear()
    third = check_packages([("requests", "2.34.2")], "3.13", index_url=pypi.url, cache=cache)
    assert (third.cache_hits, third.requests, pypi.requests) == (2, 0, [])


def test_cache_entries_expire(pypi: FakePyPI, tmp_path: Path) -> None:
    stale = Cache(tmp_path, ttl=0)
    check_packages([("requests", "2.34.2")], "3.13", index_url=pypi.url, cache=stale)
    again = check_packages([("requests", "2.34.2")], "3.13", index_url=pypi.url, cache=stale)
    assert again.cache_hits == 0 and again.requests == 2


def test_cache_survives_concurrent_writers_and_bad_files(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    url = "https://index.example/pypi/x/json"
    bodies = [{"info": {"version": str(i)}, "pad": "x" * 50_000} for i in range(16)]
    threads = [threading.Thread(target=cache.put, args=(url, body)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Whichever writer won, the entry is one whole document, and no temporary file is left.
    assert cache.get(url) in bodies
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".tmp-")] == []
    (entry,) = tmp_path.glob("*.json")
    entry.write_text('{"url": "https://index.example/pypi/x/json", "stored_at": ')
    assert cache.get(url) is None
    # An unwritable cache directory costs the cache, not the check.
    blocked = Cache(tmp_path / "file-not-dir")
    (tmp_path / "file-not-dir").write_text("")
    blocked.put(url, {"info": {}})
    assert blocked.get(url) is None


def test_default_cache_dir_is_the_users(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DEPLOYTOOLS_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert package_index.default_cache_dir() == tmp_path / "deploytools" / "package-index"
    monkeypatch.setenv("DEPLOYTOOLS_CACHE_DIR", str(tmp_path / "mine"))
    assert package_index.default_cache_dir() == tmp_path / "mine"


def test_python_patch_level_from_platform_data() -> None:
    behind = python_patch_level("3.13.2")
    assert (behind.series, behind.latest, behind.behind) == ("3.13", "3.13.15", True)
    assert not python_patch_level("3.13").behind  # the buildpack resolves the newest patch
    assert not python_patch_level("3.14.7").behind
    unknown = python_patch_level("3.15.0")
    assert unknown.unknown is not None and unknown.unknown.newer and not unknown.behind
    # 3.9 is no longer built at all: no patch level to compare with.
    assert python_patch_level("3.9.25").latest is None
    # Fir's Python CNB resolves its own patch releases.
    assert python_patch_level("3.12.13", builder="cnb").behind is False
    assert python_patch_level("3.12.13").behind is True


def test_pins_from_requirements() -> None:
    text = (
        "# comment\nDjango==6.1.3\nrequests[socks] == 2.34.2 ; python_version>'3'\nsix>=1\nx==1.*\n"
    )
    assert package_index.pins_from_requirements(text) == [
        Pin("Django", "6.1.3"),
        Pin("requests", "2.34.2"),
    ]


def test_messages_name_the_reason(pypi: FakePyPI) -> None:
    result = Unavailable(Pin("Django", "9.9"), Reason.NOT_FOUND, "HTTP 404", "u")
    assert result.message() == "the package index does not know Django 9.9 (HTTP 404)"


def test_messages_are_translated_where_they_are_shown(
    pypi: FakePyPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.utils import translation

    report = check_packages(
        [("requests", "2.34.2")], "3.13", index_url=refused_url(), use_cache=False
    )
    trans = translation._trans  # type: ignore[attr-defined]
    monkeypatch.setattr(trans, "gettext", lambda message: f"«{message}»")
    with translation.override("fr"):
        text = unavailable(report).message()
    # Both the reason and the detail made in a worker thread go through the catalogue.
    assert text == "«the package index refused the connection» («connection refused»)"
