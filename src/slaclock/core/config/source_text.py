"""Turn configuration text (YAML or JSON) into plain data plus the line of every key path.

YAML is read with the YAML 1.2 core schema rather than PyYAML's YAML 1.1 default, so
that ``country: NO`` stays the string ``"NO"`` (Norway) instead of ``False``, ``on``/``yes``
stay strings, ``09:30`` is not a base-60 number and dates stay strings. Line numbers
come from composing the document into nodes: every mapping key and every list item gets
the 1-based line where it is written. JSON is parsed by :mod:`json` (authoritative for
validity and values); its lines come from composing the same text as YAML, which
accepts almost every JSON document, and are simply absent when it does not.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from slaclock.core.config.problems import KeyPath, Problems

__all__ = ["CoreSchemaLoader", "looks_like_json", "read_text"]


try:  # libyaml's parser is ~10x faster; the resolver and constructor stay in Python
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # PyYAML built without libyaml
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]


class CoreSchemaLoader(_SafeLoader):
    """A safe loader whose implicit types are those of the YAML 1.2 core schema."""

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012  (a PyYAML class table)


def _resolver(tag: str, pattern: str, first: str) -> None:
    CoreSchemaLoader.add_implicit_resolver(tag, re.compile(pattern, re.X), list(first))


_resolver("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF")
_resolver("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", "~nN")
_resolver("tag:yaml.org,2002:int", r"^(?:[-+]?(?:0|[1-9][0-9]*)|0x[0-9a-fA-F]+)$", "-+0123456789")
_resolver(
    "tag:yaml.org,2002:float",
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?[0-9]+[eE][-+]?[0-9]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
    "-+0123456789.",
)
_resolver("tag:yaml.org,2002:merge", r"^<<$", "<")
CoreSchemaLoader.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^$"), [""])


def looks_like_json(text: str, filename: str) -> bool:
    """JSON when the file is named ``*.json``, or unnamed and starting with ``{``."""
    lowered = filename.lower()
    if lowered.endswith(".json"):
        return True
    if lowered.endswith((".yaml", ".yml")):
        return False
    return text.lstrip().startswith("{")


def read_text(text: str, filename: str, problems: Problems) -> Any:
    """Parse ``text``; record its key-path lines in ``problems``; None on a syntax error.

    Unnamed text starting with ``{`` that is not valid JSON but is valid YAML (flow
    style, ``{policies: [...]}``) is read as YAML; if neither reads it, the JSON error
    is the one reported, as JSON was the likelier intent.
    """
    if not looks_like_json(text, filename):
        return _read_yaml(text, problems)
    if filename.lower().endswith(".json"):
        return _read_json(text, problems)
    as_json = Problems(problems.file)
    data = _read_json(text, as_json)
    if not as_json.found:
        problems.lines.update(as_json.lines)
        return data
    as_yaml = Problems(problems.file)
    data = _read_yaml(text, as_yaml)
    chosen = as_json if as_yaml.found else as_yaml
    problems.lines.update(chosen.lines)
    problems.found.extend(chosen.found)
    return None if as_yaml.found else data


def _read_yaml(text: str, problems: Problems) -> Any:
    loader = CoreSchemaLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _record_lines(loader, node, (), problems)  # before merges (<<) are flattened
        data = loader.construct_document(node)
    except _TooLarge as exc:
        problems.add((), f"configuration refused: {exc}")
        return None
    except ValueError as exc:  # an integer of over 4,300 digits (Python's conversion limit)
        problems.add((), f"configuration refused: {exc}")
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problems.add((), f"invalid YAML: {exc.problem or exc}", line=line)
        return None
    except yaml.YAMLError as exc:
        problems.add((), f"invalid YAML: {exc}")
        return None
    finally:
        loader.dispose()
    return data


def _read_json(text: str, problems: Problems) -> Any:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        problems.add((), f"invalid JSON: {exc.msg} at column {exc.colno}", line=exc.lineno)
        return None
    except RecursionError:
        problems.add((), "configuration refused: the document nests too deeply")
        return None
    except ValueError as exc:  # an integer of over 4,300 digits (Python's conversion limit)
        problems.add((), f"configuration refused: {exc}")
        return None
    loader = CoreSchemaLoader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _record_lines(loader, node, (), problems)
    except (yaml.YAMLError, _TooLarge, ValueError):
        pass  # lines are a convenience; key paths still name every problem
    finally:
        loader.dispose()
    return data


#: Values walked (aliases counted each time they are used) before a file is refused:
#: far above any real configuration, far below a "billion laughs" alias bomb.
MAX_VALUES = 200_000


#: The tags of JSON-like values; others (``!!binary``, ``!!set``, ``!!timestamp``) are
#: refused so that ``Config.raw`` can always be stored as JSON.
_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "map", "seq")
)


class _TooLarge(Exception):
    """The document expands to more than :data:`MAX_VALUES` values, or nests too deep."""


def _record_lines(
    loader: CoreSchemaLoader, node: yaml.Node, path: KeyPath, problems: Problems
) -> None:
    """Note the line of each key and item and flag duplicate keys, within a budget."""
    budget = [MAX_VALUES]
    try:
        _walk(loader, node, path, problems, budget)
    except RecursionError as exc:
        raise _TooLarge("the document nests too deeply (or an alias refers to itself)") from exc


def _walk(
    loader: CoreSchemaLoader, node: yaml.Node, path: KeyPath, problems: Problems, budget: list[int]
) -> None:
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooLarge(f"the document expands to more than {MAX_VALUES} values")
    if node.tag not in _PLAIN_TAGS:
        problems.add(
            path,
            f"unsupported YAML tag {node.tag}: use plain JSON-like values",
            line=node.start_mark.line + 1,
        )
        return
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.endswith(":merge"):
                continue
            key = loader.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            child = (*path, key)
            if key in seen:
                problems.add(child, f"duplicate key (first given on line {seen[key]})", line=line)
            seen.setdefault(key, line)
            problems.lines.setdefault(child, line)
            _walk(loader, value_node, child, problems, budget)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            problems.lines.setdefault((*path, index), item.start_mark.line + 1)
            _walk(loader, item, (*path, index), problems, budget)
