"""issue 24, "Policies": the configuration as readable tables for every reader; a new
version checked (problems at their lines, nothing saved), compared (a diff) and saved by
an admin with the version it was checked against; a what-if of the draft with its
progress and its result. Every form is an admin's POST with the CSRF token."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from slaclock.service import whatif, whatif_jobs
from slaclock.service.whatif_jobs import jobs_of

Site = Any
BASE = "http://dash.test"
CONFIG = (Path(__file__).parents[1] / "data" / "example_config.yaml").read_text()
#: The outage policy's first response, written in a way the loader refuses (line 75).
BAD_LINE = 75
BAD = CONFIG.replace("within: 15m, goal: 10m", "within: 15 minutes, goal: 10m")
#: The same policy's first response halved: a valid draft, one line changed.
GOOD = CONFIG.replace("within: 15m, goal: 10m", "within: 8m, goal: 5m")
#: The free plan's first response from 16 h to 1 h: many generated tickets flip.
TIGHT = CONFIG.replace("first_response: {within: 16h}", "first_response: {within: 1h}")


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def _post(client: Any, path: str, **fields: str) -> Any:
    return client.post(path, data=fields, headers={"Origin": BASE}, follow_redirects=False)


def _admin(site: Site) -> tuple[Any, str]:
    """An admin's browser on the edit page, and its CSRF token."""
    client = site.signed_in("admin")
    page = client.get("/policies/edit")
    assert page.status_code == 200
    return client, _csrf(page.text)


def _versions(site: Site) -> list[int]:
    return [v.version for v in site.services.config_versions()]


# ------------------------------------------------------------------------- reading


@pytest.mark.parametrize("role", ["admin", "agent", "viewer"])
def test_every_reader_reads_the_configuration_in_force(site: Site, role: str, text_of: Any) -> None:
    client = site.signed_in(role)
    page = client.get("/policies")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Version 1, saved by test" in text
    assert 'href="/policies/versions/1"' in page.text
    assert 'href="/policies"' in client.get("/").text  # in the navigation of every page
    names = re.findall(r'<h3 id="policy-[^"]+-name">\d+\. ([^<]+)', page.text)
    assert [n.strip() for n in names] == ["Outage (any customer)", "Enterprise",
                                          "Business plan", "Free and trial"]  # fmt: skip
    assert ("/policies/edit" in page.text) is (role == "admin")
    assert "<form" not in page.text.split("<main>")[1].split("</main>")[0]  # no form to change


def test_an_ingest_token_gets_the_403_page_and_strangers_are_sent_to_sign_in(site: Site) -> None:
    stranger = site.browser()
    sent = stranger.get("/policies", follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"] == "/login?next=%2Fpolicies"
    ingest = site.browser()  # the login form refuses an ingest token: set its cookie
    ingest.cookies.set("slaclock_token", site.tokens["ingest"])
    for path in ("/policies", "/policies/edit", "/policies/versions/1", "/policies/whatif/x"):
        refused = ingest.get(path)
        assert refused.status_code == 403, path
        assert "may not see the dashboard" in refused.text


def test_policies_in_words_targets_per_priority_and_the_escalation_ladder(
    site: Site, text_of: Any
) -> None:
    text = text_of(site.signed_in("viewer").get("/policies").text)
    # Match conditions and calendars in words.
    assert "Applies when tags contains 'outage' or type is 'incident'" in text
    assert "by customer.region: EU → amsterdam-office, US → newyork-office; otherwise 24x7" in text
    assert "Applies when always (every ticket)" in text
    # Enterprise first response: low, normal, high, urgent, each with its internal goal.
    assert (
        "first_response 4 hr goal 2 hr 2 hr goal 1 hr 1 hr goal 30 min 30 min goal 15 min" in text
    )
    assert "resolution 40 hr 16 hr 8 hr 4 hr pauses while the status is on_hold, pending" in text
    # Reminders and escalations as sentences, people by name with their ids.
    assert "15 min before due: remind the assignee by email" in text
    assert (
        "At 75 % of the target (for resolution only): remind the lead of the ticket's group" in text
    )
    assert (
        "At the breach: escalate to the lead of the ticket's group by email, Sofia Popescu "
        "(role:support_manager) by email, and ops by webhook" in text
    )
    assert (
        "8 hr after the breach (when customer.contract is true): escalate to Lena Fischer "
        "(role:legal) by email and the customer by email" in text
    )
    assert (
        "At the breach: escalate to the lead of the ticket's group by email; set priority to urgent"
        in text
    )
    # The OLA.
    assert "Team Engineering (engineering)" in text and "Protects resolution" in text


def test_calendars_as_weekly_grids_in_their_own_zone_with_upcoming_holidays(
    site: Site, text_of: Any
) -> None:
    page = site.signed_in("viewer").get("/policies").text
    text = text_of(page)
    assert "Hours in Europe/Amsterdam, the calendar's own time zone; 40 hr open a week." in text
    assert "Monday 09:00–17:00" in text and "Saturday closed" in text
    # The night shift's 22:00-06:00 shows on both days it touches.
    night = text_of(page.split('id="calendar-night-shift"')[1].split("</article>")[0])
    assert "Monday 22:00–24:00 Tuesday 00:00–06:00, 22:00–24:00" in night
    assert "Saturday 00:00–06:00 Sunday closed" in night
    # Hour cells: 8 full hours on an Amsterdam Monday, shaded and in words beside.
    amsterdam = page.split('id="calendar-amsterdam-office"')[1].split("</article>")[0]
    monday = amsterdam.split("</tr>")[1]
    assert monday.count("h-full") == 8 and monday.count("h-none") == 16
    # Holidays of the next 12 months (the site's now is 2026-03-03), by the core calendar.
    assert "Monday, April 27, 2026 — King's Day" in text
    assert "Thursday, December 24, 2026 — Closed" in text
    assert "2026-12-31 15:00 to 2027-01-01 00:00 — New Year's Eve" in text
    assert "Always open." in text


def test_a_version_page_shows_what_it_changed(site: Site, text_of: Any) -> None:
    client = site.signed_in("viewer")
    first = client.get("/policies/versions/1")
    assert first.status_code == 200
    assert first.text.count('class="diff-add"') == len(CONFIG.splitlines())
    for missing in ("2", "0", "abc", "99999999999"):
        assert client.get(f"/policies/versions/{missing}").status_code == 404


# ------------------------------------------------------------------------- editing


@pytest.mark.parametrize("role", ["agent", "viewer"])
def test_only_admins_may_edit_check_save_or_run_a_what_if(site: Site, role: str) -> None:
    client = site.signed_in(role)
    assert client.get("/policies/edit").status_code == 403
    token = _csrf(client.get("/settings").text)  # a valid token of their own session
    for path in ("/policies/check", "/policies/save", "/policies/whatif"):
        refused = _post(client, path, csrf=token, text=GOOD, base="1", **{"from": "2026-01-01"})
        assert refused.status_code == 403, path
        assert "Only an admin may do this." in refused.text
    assert _versions(site) == [1]
    assert client.get("/policies/whatif/wi_x").status_code == 403


def test_a_post_without_the_csrf_token_or_from_elsewhere_is_refused(site: Site) -> None:
    client, token = _admin(site)
    for fields, origin in (
        ({"text": GOOD, "base": "1"}, BASE),  # no token
        ({"text": GOOD, "base": "1", "csrf": "forged.0000"}, BASE),
        ({"text": GOOD, "base": "1", "csrf": token}, "http://evil.example"),
    ):
        for path in ("/policies/check", "/policies/save", "/policies/whatif"):
            refused = client.post(path, data=fields, headers={"Origin": origin})
            assert refused.status_code == 403, (path, fields, origin)
            assert "This form was sent from another site." in refused.text
    assert _versions(site) == [1]


def test_an_invalid_draft_shows_each_problem_at_its_line_and_saves_nothing(
    site: Site, text_of: Any
) -> None:
    client, token = _admin(site)
    checked = _post(client, "/policies/check", csrf=token, text=BAD)
    assert checked.status_code == 422
    text = text_of(checked.text)
    assert "Problems found: 1. Nothing was saved." in text
    # The error list names the line (a link to it), the key path and the value.
    assert f'<a href="#line-{BAD_LINE}">Line {BAD_LINE}</a>' in checked.text
    assert "policies[0].targets.first_response.within" in text and "'15 minutes'" in text
    # The listing: every line numbered, the bad one marked (in words too) and anchored.
    row = re.search(rf'<tr id="line-{BAD_LINE}" class="bad">(.*?)</tr>', checked.text, re.S)
    assert row and "⚠" in row.group(1) and "15 minutes" in row.group(1)
    assert checked.text.count('<tr id="line-') == len(BAD.split("\n"))
    assert "Problem: policies[0].targets.first_response.within" in text
    # The draft stays in the textarea to fix; no save form.
    assert "within: 15 minutes, goal: 10m" in checked.text.split('id="config-text"')[1]
    assert "/policies/save" not in checked.text
    assert _versions(site) == [1]
    # Saving it anyway (a hand-made post) is checked again and refused.
    refused = _post(client, "/policies/save", csrf=token, text=BAD, base="1")
    assert refused.status_code == 422 and _versions(site) == [1]


def test_a_yaml_error_is_named_at_its_line(site: Site, text_of: Any) -> None:
    client, token = _admin(site)
    broken = CONFIG.replace("  - id: business\n", "  - id: business\n   name: [oops\n")
    checked = _post(client, "/policies/check", csrf=token, text=broken)
    assert checked.status_code == 422
    line = re.search(r'<a href="#line-(\d+)">', checked.text)
    assert line, text_of(checked.text)
    assert f'<tr id="line-{line.group(1)}" class="bad">' in checked.text


def test_a_valid_draft_shows_its_diff_then_is_saved_as_the_next_version(
    site: Site, text_of: Any
) -> None:
    client, token = _admin(site)
    # Sent as a browser sends a textarea: lines ending in CRLF.
    checked = _post(client, "/policies/check", csrf=token, text=GOOD.replace("\n", "\r\n"))
    assert checked.status_code == 200
    assert "The draft is valid." in text_of(checked.text)
    removed = re.findall(r'<tr class="diff-del">(.*?)</tr>', checked.text, re.S)
    added = re.findall(r'<tr class="diff-add">(.*?)</tr>', checked.text, re.S)
    assert len(removed) == len(added) == 1  # one line changed, not every line (CRLF)
    assert "−" in removed[0] and "removed" in removed[0] and "within: 15m" in removed[0]
    assert "+" in added[0] and "added" in added[0] and "within: 8m" in added[0]
    assert f'<td class="num">{BAD_LINE}</td>' in added[0]
    assert "Save as version 2" in checked.text
    assert 'name="base" value="1"' in checked.text
    assert _versions(site) == [1]  # checking saves nothing
    saved = _post(client, "/policies/save", csrf=token, text=GOOD, base="1")
    assert saved.status_code == 303 and saved.headers["location"] == "/policies?saved=2"
    version, text, _ = site.services.config_current()
    assert (version, text) == (2, GOOD)
    assert site.services.config_versions()[-1].author == "admin-test"
    shown = text_of(client.get(saved.headers["location"]).text)
    assert "Saved as version 2." in shown and "Version 2, saved by admin-test" in shown
    assert "first_response 8 min goal 5 min" in shown


def test_a_draft_checked_against_an_older_version_is_not_saved(site: Site, text_of: Any) -> None:
    client, token = _admin(site)
    _post(client, "/policies/check", csrf=token, text=GOOD)  # checked against version 1
    other = CONFIG.replace("next_response: {within: 8h}", "next_response: {within: 6h}")
    site.services.config_apply(other, "anna", site.clock.now())  # someone saves version 2
    refused = _post(client, "/policies/save", csrf=token, text=GOOD, base="1")
    assert refused.status_code == 409
    text = text_of(refused.text)
    assert "Not saved: the configuration changed since you checked this draft." in text
    assert "Version 2 was saved by anna" in text
    assert _versions(site) == [1, 2] and site.services.config_current()[1] == other
    # The draft is kept, now compared with version 2 (its change shows as undone).
    assert "Save as version 3" in refused.text and 'name="base" value="2"' in refused.text
    assert "within: 6h" in refused.text.split('class="diff-del"', 1)[1]


def test_the_same_text_has_nothing_to_save(site: Site, text_of: Any) -> None:
    client, token = _admin(site)
    checked = _post(client, "/policies/check", csrf=token, text=CONFIG)
    assert "It is the same as version 1: there is nothing to save." in text_of(checked.text)
    assert "/policies/save" not in checked.text


def test_a_form_too_large_is_refused(site: Site) -> None:
    client, token = _admin(site)
    huge = "#" + "é" * (1024 * 1024)  # 2 MiB of UTF-8, 6 MiB percent-encoded
    refused = _post(client, "/policies/check", csrf=token, text=huge)
    assert refused.status_code == 413 and _versions(site) == [1]
    big = "#" + "x" * (1024 * 1024)  # fits the form, not the 1 MiB cap of a configuration
    checked = _post(client, "/policies/check", csrf=token, text=big)
    assert checked.status_code == 422 and "larger than 1048576 bytes" in checked.text


# ------------------------------------------------------------------------- what-if


def _wait_done(site: Site, job_id: str) -> None:
    deadline = time.monotonic() + 30
    while jobs_of(site.services).get(job_id).state == "running":
        assert time.monotonic() < deadline, "the what-if job did not end"
        time.sleep(0.05)


def test_a_what_if_shows_its_progress_then_compliance_and_the_flips(
    busy_site: Site, text_of: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = busy_site
    client, token = _admin(site)
    checked = _post(client, "/policies/check", csrf=token, text=TIGHT)
    assert 'action="/policies/whatif"' in checked.text
    # The last 90 days by default, today (Friday 2026-03-06) included.
    assert 'name="from" value="2025-12-07"' in checked.text
    assert 'name="to" value="2026-03-07"' in checked.text
    # Hold the job after it has listed the window's tickets, to see it running.
    listed, release = threading.Event(), threading.Event()
    real: Any = whatif.what_if

    def held(*args: Any) -> Any:
        def progress(done: int, total: int) -> None:
            args[-1](done, total)
            if done == 0:
                listed.set()
                release.wait(10)

        return real(*args[:-1], progress)

    monkeypatch.setattr(whatif_jobs, "what_if", held)
    started = _post(client, "/policies/whatif", csrf=token, text=TIGHT,
                    **{"from": "2026-03-02", "to": "2026-03-07"})  # fmt: skip
    assert started.status_code == 303
    job_id = started.headers["location"].rsplit("/", 1)[1]
    assert listed.wait(10)
    running = client.get(started.headers["location"])
    assert running.status_code == 200
    assert "Running" in running.text and "<progress" in running.text
    assert re.search(r"0 of 1\d\d tickets replayed", text_of(running.text))
    assert '<noscript><meta http-equiv="refresh"' in running.text  # refreshes without JS
    release.set()
    _wait_done(site, job_id)
    done = client.get(started.headers["location"])
    text = text_of(done.text)
    assert "Done" in text and "<noscript>" not in done.text
    result = jobs_of(site.services).get(job_id).result
    assert result is not None and result.flips_total > 0 and result.breached_to_met == 0
    # Compliance before and after per policy and metric, with the change in words.
    row = re.search(r"SLA default first_response ([\d.]+) (\d+) ([\d.]+ %) "
                    r"([\d.]+) (\d+) ([\d.]+ %) −([\d.]+) pt", text)  # fmt: skip
    assert row, text
    expected = result.rows[("sla", "default", "first_response")]
    assert (
        int(row.group(1)) == expected.before["met"] and int(row.group(4)) == expected.after["met"]
    )
    # The tickets that flip: links, verdicts before → after.
    assert f"{result.flips_total} in all: {result.met_to_breached} met → breached" in text
    first = result.flips[0]
    assert f'href="/tickets/{first.ticket}"' in done.text
    assert "met → breached" in text_of(done.text.split('class="flips"')[1])
    # The job's JSON twin, for the page's script (the admin's cookie reads it).
    twin = client.get(f"/api/v1/whatif/{job_id}")
    assert twin.status_code == 200 and twin.json()["state"] == "done"


def test_a_what_if_window_the_page_cannot_use_is_named(site: Site, text_of: Any) -> None:
    client, token = _admin(site)
    refused = _post(client, "/policies/whatif", csrf=token, text=GOOD,
                    **{"from": "yesterday", "to": "2026-03-04"})  # fmt: skip
    assert refused.status_code == 400
    assert "from: 'yesterday' is neither a date" in text_of(refused.text)
    assert 'name="from" value="yesterday"' in refused.text  # kept to correct
    invalid = _post(client, "/policies/whatif", csrf=token, text=BAD,
                    **{"from": "2026-01-01", "to": "2026-03-04"})  # fmt: skip
    assert invalid.status_code == 422 and f'href="#line-{BAD_LINE}"' in invalid.text


def test_an_unknown_what_if_job_is_a_404_page(site: Site) -> None:
    client, _ = _admin(site)
    missing = client.get("/policies/whatif/wi_nope")
    assert missing.status_code == 404 and "There is no what-if job wi_nope here" in missing.text
