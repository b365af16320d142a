"""Safe YAML loading that remembers where every key and value came from.

``load(path)`` returns plain Python data built from ``YMap`` (a dict) and
``YList`` (a list) that also carry 1-based line and column numbers, so the
compiler can point at the exact place of a mistake.  Only the YAML core types
are accepted: any tag (``!!python/object``, ``!include`` ...) is an error.
"""
from __future__ import annotations

import re

import yaml

from .errors import PackError

_SAFE_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


_QUOTED_START = re.compile(r"""^\s*(?:- |[\w?!]+:\s+)"[^"]*"\S*\s+\S""")


class YMap(dict):
    """A mapping with positions: ``pos`` of itself, ``key_pos[k]``, ``val_pos[k]``."""

    __slots__ = ("file", "pos", "key_pos", "val_pos")

    def where(self, key=None, value=False):
        if key is None:
            return self.pos
        table = self.val_pos if value else self.key_pos
        return table.get(key, self.pos)


class YList(list):
    __slots__ = ("file", "pos", "item_pos")

    def where(self, index=None):
        if index is None or index >= len(self.item_pos):
            return self.pos
        return self.item_pos[index]


MAX_DEPTH = 100  # collections nested deeper than this are refused (a pack needs fewer than ten)


class _Loader(yaml.SafeLoader):
    """The safe loader, refusing aliases (``*name``: a few lines of them
    expand to billions of values) and collections nested past MAX_DEPTH
    (which would exhaust Python's stack)."""

    file = "<string>"
    depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise PackError(f"alias '*{event.anchor}' is not allowed", code="E102", file=self.file,
                            line=event.start_mark.line + 1, column=event.start_mark.column + 1,
                            fix="write the value out in full: packs hold plain data, without anchors and aliases")
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise PackError(f"values are nested too deeply (more than {MAX_DEPTH} levels)", code="E101",
                                file=self.file, line=event.start_mark.line + 1,
                                column=event.start_mark.column + 1, fix="flatten the value")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _pos(node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Builder(yaml.constructor.SafeConstructor):
    def __init__(self, file: str):
        super().__init__()
        self.file = file

    def build(self, node):
        if node.tag not in _SAFE_TAGS:
            line, col = _pos(node)
            raise PackError(f"tag '{node.tag}' is not allowed", code="E102", file=self.file,
                            line=line, column=col)
        if isinstance(node, yaml.MappingNode):
            out = YMap()
            out.file, out.pos, out.key_pos, out.val_pos = self.file, _pos(node), {}, {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    line, col = _pos(key_node)
                    raise PackError("merge keys ('<<') are not allowed", code="E102", file=self.file,
                                    line=line, column=col, fix="write the keys out in full")
                key = self.build(key_node)
                if not isinstance(key, (str, int, float, bool)) and key is not None:
                    line, col = _pos(key_node)
                    raise PackError("a key must be a plain value", code="E112", file=self.file,
                                    line=line, column=col)
                if key in out:
                    line, col = _pos(key_node)
                    first = out.key_pos[key][0]
                    raise PackError(f"key '{key}' appears twice (first on line {first})", code="E104",
                                    file=self.file, line=line, column=col)
                out[key] = self.build(value_node)
                out.key_pos[key] = _pos(key_node)
                out.val_pos[key] = _value_pos(value_node)
            return out
        if isinstance(node, yaml.SequenceNode):
            out = YList(self.build(child) for child in node.value)
            out.file, out.pos = self.file, _pos(node)
            out.item_pos = [_value_pos(child) for child in node.value]
            return out
        if (node.tag == "tag:yaml.org,2002:bool" and node.style is None
                and node.value.lower() not in ("true", "false")):
            # YAML 1.1 reads a plain yes/no/on/off as a boolean; in a pack they
            # are words ("entries: [in, on, at]"), as YAML 1.2 has it
            return node.value
        return self.construct_object(node, deep=True)


def _value_pos(node) -> tuple[int, int]:
    """Where a value's text starts: for a block scalar ('|'), the next line."""
    line, col = _pos(node)
    if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
        return line + 1, 1
    return line, col


def loads(text: str, file: str = "<string>"):
    """Parse YAML text safely into YMap/YList/plain values."""
    loader = _Loader(text)
    loader.file = file
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        problem = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        fix = None
        if line is not None:
            source = text.splitlines()[line - 1] if line - 1 < len(text.splitlines()) else ""
            if _QUOTED_START.search(source):
                fix = ("a value that starts with a quoted literal must be quoted as a whole in YAML: "
                       "write it in a block (key: |, then the rule on the next line) or in single quotes")
        raise PackError(f"YAML syntax: {problem}", code="E101", file=file, line=line, column=col,
                        fix=fix) from None
    except yaml.YAMLError as exc:
        raise PackError(f"YAML syntax: {exc}", code="E101", file=file) from None
    finally:
        loader.dispose()
    if node is None:
        return None
    return _Builder(file).build(node)


def load(path) -> object:
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise PackError(f"cannot read the file: {exc}", code="E100", file=str(path)) from None
    return loads(text, str(path))
