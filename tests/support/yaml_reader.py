"""A small reader for the YAML subset our emitter writes (block maps and lists, plain, quoted
and literal scalars): tests read the committed documents back without trusting the emitter."""

from __future__ import annotations

import json
import re
from typing import Any

_INT = re.compile(r"[-+]?[0-9]+\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")


def _resolve_plain(text: str) -> Any:
    """A plain scalar per the YAML 1.2 core schema."""
    if text in ("null", "Null", "NULL", "~", ""):
        return None
    if text in ("true", "True", "TRUE"):
        return True
    if text in ("false", "False", "FALSE"):
        return False
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text) or text.lower() in (".inf", "-.inf", "+.inf", ".nan"):
        return float(text.replace(".inf", "inf").replace(".nan", "nan"))
    assert not text.startswith(
        (" ", "-", "?", ":", "#", "'", '"', "{", "[", "|", ">", "!", "&", "*")
    )
    assert ": " not in text and " #" not in text and not text.endswith((" ", ":")), text
    return text


def _read_scalar(text: str) -> Any:
    if text == "{}":
        return {}
    if text == "[]":
        return []
    if text.startswith('"'):
        value, end = json.JSONDecoder().raw_decode(text)
        assert end == len(text), text
        return value
    return _resolve_plain(text)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


class _Reader:
    def __init__(self, text: str) -> None:
        assert text.endswith("\n") and "\t" not in text.replace("\\t", "")
        self.lines = text[:-1].split("\n")
        self.i = 0

    def read(self) -> Any:
        value = self.node(0, parent=-1)
        assert self.i == len(self.lines), f"trailing content at line {self.i + 1}"
        return value

    def node(self, indent: int, parent: int) -> Any:
        line = self.lines[self.i]
        assert _indent(line) == indent and indent > parent, (self.i + 1, line)
        body = line[indent:]
        if body.startswith("- "):
            return self.sequence(indent)
        if self.key(body) is not None:
            return self.mapping(indent)
        self.i += 1
        if body.startswith("|"):
            return self.literal(body, parent)
        return _read_scalar(body)

    @staticmethod
    def key(body: str) -> tuple[str, str] | None:
        if body.startswith('"'):
            key, end = json.JSONDecoder().raw_decode(body)
            rest = body[end:]
        else:
            end = body.find(":")
            if end <= 0:
                return None
            key, rest = _resolve_plain(body[:end]), body[end:]
        if rest != ":" and not rest.startswith(": "):
            return None
        assert isinstance(key, str)
        return key, rest[2:]

    def mapping(self, indent: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        while (
            self.i < len(self.lines)
            and self.lines[self.i]
            and _indent(self.lines[self.i]) == indent
        ):
            found = self.key(self.lines[self.i][indent:])
            assert found is not None, (self.i + 1, self.lines[self.i])
            key, rest = found
            assert key not in out, f"duplicate key {key!r}"
            self.i += 1
            if rest == "":
                out[key] = self.node(_indent(self.lines[self.i]), parent=indent)
            elif rest.startswith("|"):
                out[key] = self.literal(rest, indent)
            else:
                out[key] = _read_scalar(rest)
        return out

    def sequence(self, indent: int) -> list[Any]:
        out: list[Any] = []
        while (
            self.i < len(self.lines)
            and self.lines[self.i].startswith(" " * indent + "- ")
            and _indent(self.lines[self.i]) == indent
        ):
            # A compact entry: the content starts where the "- " was, two columns in.
            self.lines[self.i] = " " * (indent + 2) + self.lines[self.i][indent + 2 :]
            out.append(self.node(indent + 2, parent=indent))
        return out

    def literal(self, header: str, parent: int) -> str:
        assert header in ("|", "|-", "|+"), header
        body: list[str] = []
        indent = None
        while self.i < len(self.lines):
            line = self.lines[self.i]
            if line == "":
                body.append("")
            else:
                if indent is None:
                    indent = _indent(line)
                    assert indent > parent
                if _indent(line) < indent:
                    break
                body.append(line[indent:])
            self.i += 1
        text = "\n".join(body) + "\n"
        content = text.rstrip("\n")
        if header == "|-":
            return content
        if header == "|":
            return content + "\n"
        return text


def read_yaml(text: str) -> Any:
    return _Reader(text).read()
