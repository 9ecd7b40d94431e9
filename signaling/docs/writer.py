"""The text the document generators write: deterministic block YAML and its JSON twin, and
docstrings as Markdown."""

from __future__ import annotations

import json
import math
import re
from importlib.metadata import PackageNotFoundError, version
from typing import Any


def package_version() -> str:
    try:
        return version("signaling")
    except PackageNotFoundError:  # pragma: no cover - running from an uninstalled checkout
        return "0.0.0"


def prose(doc: str) -> str:
    """A docstring as Markdown: paragraphs on one line each, RST ````literals```` as
    `literals`."""
    paragraphs = [" ".join(p.split()) for p in doc.strip().split("\n\n")]
    return "\n\n".join(p for p in paragraphs if p).replace("``", "`")


#: Strings written without quotes: a letter, ``_``, ``$`` or ``/`` first, then only
#: characters that mean nothing to YAML in a block context, no trailing space.
_PLAIN = re.compile(r"[A-Za-z_$/](?:[A-Za-z0-9_$./() -]*[A-Za-z0-9_$./()-])?\Z")
#: Words YAML 1.1 or 1.2 reads as booleans or null.
_RESERVED = frozenset({"y", "n", "yes", "no", "true", "false", "on", "off", "null"})
_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\n": "\\n",
    "\t": "\\t",
    "\r": "\\r",
    "\b": "\\b",
    "\f": "\\f",
}


def _printable(ch: str) -> bool:
    """A character YAML may carry raw inside quotes and literal blocks (neither a line break
    of YAML 1.1 such as NEL/LS/PS, nor a BOM, nor a control character)."""
    o = ord(ch)
    return (
        0x20 <= o <= 0x7E
        or 0xA0 <= o <= 0xD7FF
        or (0xE000 <= o <= 0xFFFD and o != 0xFEFF)
        or 0x10000 <= o <= 0x10FFFF
    ) and o not in (0x2028, 0x2029)


def _quote(text: str) -> str:
    """A double-quoted scalar, which is also a valid JSON string."""
    out = ['"']
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif _printable(ch):
            out.append(ch)
        elif 0xD800 <= ord(ch) <= 0xDFFF:
            raise ValueError("a lone surrogate cannot be written as YAML")
        else:
            out.append(f"\\u{ord(ch):04x}")
    out.append('"')
    return "".join(out)


def _plain_ok(text: str) -> bool:
    return bool(_PLAIN.match(text)) and text.lower() not in _RESERVED


def _literal_ok(text: str) -> bool:
    """Whether ``text`` survives a ``|`` block scalar unchanged."""
    if "\n" not in text or text[0] in " \n" or text.strip("\n") == "":
        return False
    return all(
        line == line.rstrip(" ") and all(_printable(ch) for ch in line) for line in text.split("\n")
    )


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("JSON has no infinite or NaN numbers")
        text = repr(value)
        mantissa, e, exponent = text.partition("e")
        if "." not in mantissa:  # YAML 1.1 reads 1e+16 as a string
            mantissa += ".0"
        return mantissa + e + exponent
    if isinstance(value, str):
        return value if _plain_ok(value) else _quote(value)
    raise TypeError(f"cannot write {type(value).__name__} as YAML")


def _literal(text: str, indent: int) -> tuple[str, list[str]]:
    """The ``|`` header and the indented lines of a block scalar."""
    trailing = len(text) - len(text.rstrip("\n"))
    chomp = {0: "-", 1: ""}.get(trailing, "+")
    body = text[: len(text) - trailing].split("\n") + [""] * (trailing - 1 if trailing else 0)
    pad = " " * indent
    return "|" + chomp, [pad + line if line else "" for line in body]


def _emit(value: Any, indent: int, lines: list[str]) -> None:
    pad = " " * indent
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError("YAML mapping keys must be strings here")
            head = f"{pad}{_scalar(key)}:"
            if isinstance(item, dict | list) and item:
                lines.append(head)
                _emit(item, indent + 2, lines)
            elif isinstance(item, str) and _literal_ok(item):
                header, body = _literal(item, indent + 2)
                lines.append(f"{head} {header}")
                lines.extend(body)
            else:
                lines.append(f"{head} {_inline(item)}")
    else:
        for item in value:
            if isinstance(item, dict | list) and item:
                nested: list[str] = []
                _emit(item, indent + 2, nested)
                nested[0] = f"{pad}- {nested[0][indent + 2 :]}"
                lines.extend(nested)
            elif isinstance(item, str) and _literal_ok(item):
                header, body = _literal(item, indent + 2)
                lines.append(f"{pad}- {header}")
                lines.extend(body)
            else:
                lines.append(f"{pad}- {_inline(item)}")


def _inline(value: Any) -> str:
    if isinstance(value, dict) and not value:
        return "{}"
    if isinstance(value, list) and not value:
        return "[]"
    return _scalar(value)


def to_yaml(value: Any) -> str:
    """Deterministic block YAML for JSON-like data (dict with str keys, list, str, int, float,
    bool, None), in insertion order. Readable by YAML 1.1 and 1.2 parsers alike: strings that
    could be read as anything else are double-quoted, JSON style."""
    if isinstance(value, dict | list) and value:
        lines: list[str] = []
        _emit(value, 0, lines)
        return "\n".join(lines) + "\n"
    if isinstance(value, str) and _literal_ok(value):
        header, body = _literal(value, 2)
        return "\n".join([header, *body]) + "\n"
    return _inline(value) + "\n"


def to_json(value: Any) -> str:
    """The JSON twin of :func:`to_yaml`'s output (same data, same order)."""
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"
