"""issue 24, "Tests in a real browser": on the policies page, an admin uploads an invalid
configuration and sees the error at its line, fixes it, sees the diff and saves the new
version; then starts a what-if and sees its progress, then its result. Without
JavaScript the job's page refreshes itself; every state passes axe-core."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from slaclock.service import whatif, whatif_jobs

DATA = Path(__file__).resolve().parents[1] / "data"
CONFIG = (DATA / "example_config.yaml").read_text(encoding="utf-8")
#: The outage policy's first response, in words the loader refuses (line 75).
BAD_LINE = 75
BAD = CONFIG.replace("within: 15m, goal: 10m", "within: 15 minutes, goal: 10m")
#: The free plan's first response from 16 h to 1 h: generated tickets flip.
TIGHT = CONFIG.replace("first_response: {within: 16h}", "first_response: {within: 1h}")


def _clean(tab: Any) -> None:
    assert tab.axe() == []
    assert tab.errors == []


@pytest.fixture
def held_jobs(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """What-if jobs of the live site (in this process) wait, once they have listed
    their tickets, until the event is set: long enough to watch them run."""
    release = threading.Event()
    real: Any = whatif.what_if

    def held(*args: Any) -> Any:
        def progress(done: int, total: int) -> None:
            args[-1](done, total)
            if done == 0:
                release.wait(30)

        return real(*args[:-1], progress)

    monkeypatch.setattr(whatif_jobs, "what_if", held)
    yield release
    release.set()


def test_upload_an_invalid_then_a_valid_configuration(tab: Any, tmp_path: Path) -> None:
    tab.sign_in("admin")
    tab.open("/policies")
    assert "Version 1, saved by browser-test" in tab.page.locator(".version-line").inner_text()
    _clean(tab)
    tab.page.click("text=Edit or upload a new version")
    _clean(tab)
    # Upload: the file is read into the textarea by the page's script.
    bad_file = tmp_path / "config.yaml"
    bad_file.write_text(BAD, encoding="utf-8")
    tab.page.set_input_files("#upload", str(bad_file))
    tab.page.wait_for_function(
        "() => document.getElementById('config-text').value.includes('15 minutes')"
    )
    tab.page.click("button:text-is('Check')")
    problems = tab.page.locator("ol.problems li").all_inner_texts()
    assert len(problems) == 1 and problems[0].startswith(f"Line {BAD_LINE}:")
    assert "policies[0].targets.first_response.within" in problems[0]
    assert "'15 minutes'" in problems[0]
    _clean(tab)
    # The error's link leads to its line, marked.
    tab.page.click(f"ol.problems a[href='#line-{BAD_LINE}']")
    line = tab.page.locator(f"#line-{BAD_LINE}")
    assert tab.page.url.endswith(f"#line-{BAD_LINE}")
    assert "bad" in (line.get_attribute("class") or "")
    assert "15 minutes" in line.inner_text() and "⚠" in line.inner_text()
    # Fix it in the textarea, as a person would, and check again.
    text = tab.page.locator("#config-text")
    text.fill(text.input_value().replace("within: 15 minutes", "within: 8m"))
    tab.page.click("button:text-is('Check')")
    assert "The draft is valid." in tab.page.locator("p.note").inner_text()
    removed = tab.page.locator("tr.diff-del").all_inner_texts()
    added = tab.page.locator("tr.diff-add").all_inner_texts()
    assert len(removed) == len(added) == 1
    assert "−" in removed[0] and "within: 15m" in removed[0]
    assert "+" in added[0] and "within: 8m" in added[0]
    _clean(tab)
    tab.page.click("text=Save as version 2")
    assert "Saved as version 2." in tab.page.locator("p.note").inner_text()
    assert "Version 2, saved by admin-browser" in tab.page.locator(".version-line").inner_text()
    outage = tab.page.locator("#policy-outage table.targets tbody tr").first.inner_text()
    assert "8 min" in outage
    assert tab.site.services.config_current()[0] == 2
    tab.page.click("text=What changed in it")
    assert tab.page.locator("tr.diff-add").count() == 1


def test_start_a_what_if_and_see_its_progress_then_its_result(
    tab: Any, held_jobs: threading.Event
) -> None:
    tab.sign_in("admin")
    tab.open("/policies/edit")
    tab.page.locator("#config-text").fill(TIGHT)
    tab.page.click("button:text-is('Check')")
    tab.page.fill("input[name=from]", "2026-03-01")
    tab.page.fill("input[name=to]", "2026-03-07")
    tab.page.click("text=Run a what-if")
    # Running: the script fills in the progress from the job's JSON.
    tab.page.wait_for_selector("text=Running")
    words = tab.page.locator("#job-progress-text")
    tab.page.wait_for_function(
        "() => document.getElementById('job-progress-text').textContent.includes('replayed')"
    )
    assert words.inner_text().startswith("0 of ") and "tickets replayed" in words.inner_text()
    total = int(words.inner_text().split(" of ")[1].split()[0])
    assert tab.page.locator("#job-progress").get_attribute("max") == str(total) and total > 0
    _clean(tab)
    held_jobs.set()
    # Done: the page loads itself again with the result.
    tab.page.wait_for_selector("h2:text-is('Done')", timeout=20_000)
    job_id = tab.page.url.rsplit("/", 1)[1]
    result = whatif_jobs.jobs_of(tab.site.services).get(job_id).result
    assert result is not None and result.flips_total > 0
    rows = tab.page.locator("table.whatif tbody tr").all_inner_texts()
    assert len(rows) == len(result.rows)
    default = next(r for r in rows if "default" in r and "first_response" in r)
    assert "−" in default and "pt" in default  # compliance fell, the sign in words
    flips = tab.page.locator("table.flips tbody tr")
    assert flips.count() == min(result.flips_total, 200)
    assert "met → breached" in flips.first.inner_text()
    _clean(tab)
    flips.first.locator("a").click()
    assert tab.page.url.endswith(f"/tickets/{result.flips[0].ticket}")


def test_without_javascript_the_job_page_refreshes_itself(
    tab_without_javascript: Any, held_jobs: threading.Event
) -> None:
    tab = tab_without_javascript
    tab.sign_in("admin")
    tab.open("/policies/edit")
    tab.page.locator("#config-text").fill(TIGHT)
    tab.page.click("button:text-is('Check')")
    assert tab.page.locator(".upload").is_hidden()  # reading a file needs the script
    tab.page.click("text=Run a what-if")
    assert tab.page.locator("h2").first.inner_text() == "Running"
    held_jobs.set()
    tab.page.wait_for_selector("h2:text-is('Done')", timeout=20_000)  # by its own refresh
    assert tab.page.locator("table.whatif").count() == 1


@pytest.mark.parametrize("role", ["agent", "viewer"])
def test_readers_see_the_configuration_and_no_forms(tab: Any, role: str) -> None:
    tab.sign_in(role)
    tab.open("/policies")
    assert tab.page.locator("main form").count() == 0
    assert tab.page.locator("a[href='/policies/edit']").count() == 0
    grid = tab.page.locator("#calendar-amsterdam-office table.week tbody tr").all_inner_texts()
    assert grid[0].split() == ["Monday", "09:00–17:00"]
    assert tab.open("/policies/edit").status == 403
