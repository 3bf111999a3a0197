"""Reading JSON exports item by item: arrays, pages (their array streamed, the rest
read and left), JSON Lines, pages one after the other, gzip; a broken file names its
character. Reading in tiny chunks proves nothing waits for the whole file."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

import slaclock.service.importers.json_reading as json_reading
from slaclock.core.errors import SlaclockError
from slaclock.service.importers.json_reading import read_json_items


@pytest.fixture(autouse=True)
def tiny_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(json_reading, "_CHUNK", 7)


def _values(path: Path, keys: tuple[str, ...] = ("ticket_events",)) -> list[object]:
    return [item.value for item in read_json_items([path], keys)]


def test_a_page_streams_its_array_and_leaves_the_rest(tmp_path: Path) -> None:
    page = {"count": 12345, "ticket_events": [{"id": i, "s": "é" * i} for i in range(4)],
            "next_page": None, "end_of_stream": True}  # fmt: skip
    path = tmp_path / "page.json"
    path.write_text(json.dumps(page, indent=2), encoding="utf-8")
    assert _values(path) == page["ticket_events"]


def test_an_array_json_lines_and_pages_one_after_another(tmp_path: Path) -> None:
    array, lines, pages = tmp_path / "a.json", tmp_path / "l.jsonl", tmp_path / "p.json.gz"
    array.write_text(json.dumps([{"id": 1}, {"id": 2}]))
    lines.write_text('{"id": 1, "v": [1, 2]}\n\n{"id": 2}\n')
    with gzip.open(pages, "wt") as out:
        out.write(json.dumps({"ticket_events": [{"id": 1}]}) + "\n")
        out.write(json.dumps({"ticket_events": [{"id": 2}], "next_page": "x"}) + "\n")
    assert _values(array) == [{"id": 1}, {"id": 2}]
    assert _values(lines) == [{"id": 1, "v": [1, 2]}, {"id": 2}]
    assert _values(pages) == [{"id": 1}, {"id": 2}]


def test_items_know_their_file_and_place(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text('[{"id": 1}, {"id": 2}]')
    items = list(read_json_items([path, path], ()))
    assert [item.where for item in items] == [f"{path}:1", f"{path}:2", f"{path}:1", f"{path}:2"]


def test_progress_counts_the_bytes_read(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text(json.dumps([{"id": i} for i in range(50)]))
    seen: list[tuple[int, int]] = []
    list(read_json_items([path], (), lambda done, total: seen.append((done, total))))
    size = path.stat().st_size
    assert seen[-1] == (size, size) and len(seen) > 3


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ('{"ticket_events": [{"id": 1}, ', "the array is not closed"),
        ('[{"id": 1} {"id": 2}]', "expected ',' or ']'"),
        ("42", "expected an array or an object"),
        ('{"id": tru}', "not JSON"),
    ],
)
def test_a_broken_file_names_the_character(tmp_path: Path, text: str, error: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(SlaclockError, match=f"bad.json: character [0-9]+: {error}"):
        _values(path)
