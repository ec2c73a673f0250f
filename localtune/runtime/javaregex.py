"""Java-flavoured regular expressions (SageMaker's ``MetricDefinitions[].Regex`` and the service
model's patterns) made usable by Python's ``re``.

SageMaker applies metric regexes with ``java.util.regex``; almost all of them mean the same in
Python, with a few exceptions that :func:`translate` rewrites:

* Unicode property classes ``\\p{L}``, ``\\p{Z}``, ``\\p{N}``, ``\\p{M}``, ``\\p{S}``,
  ``\\p{P}``: expanded into explicit code-point ranges computed from :mod:`unicodedata`, once per
  category and only when a pattern needs it.
* POSIX classes ``\\p{Alnum}`` & co. (ASCII in Java unless ``UNICODE_CHARACTER_CLASS``).
* Surrogate pairs written as ``\\uD800\\uDC00`` (Java strings are UTF-16): the pair is turned
  into the supplementary code point it denotes.
* ``$`` followed by a bounded repetition (``...)${1,128}``), which Java tolerates and Python
  rejects; the repetition of an anchor is meaningless and is dropped.
* Named groups ``(?<name>…)`` and their backreferences ``\\k<name>`` (Java names: a letter, then
  letters and digits) become Python's ``(?P<name>…)`` and ``(?P=name)``. Lookbehinds ``(?<=``
  and ``(?<!`` are left as they are, and so is anything inside a character class or escaped.

The runtime compiles metric regexes with :func:`compile_java`, so a regex the request validation
accepted (it uses the same translation) also runs.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata

__all__ = ["compile_java", "translate"]

_POSIX = {
    "Alnum": "a-zA-Z0-9",
    "Alpha": "a-zA-Z",
    "Digit": "0-9",
    "Lower": "a-z",
    "Upper": "A-Z",
    "Punct": re.escape("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"),
    "Space": " \\t\\n\\x0b\\f\\r",
    "XDigit": "0-9a-fA-F",
}

_PROPERTY = re.compile(r"\\p\{(\w+)\}")
_SURROGATE_PAIR = re.compile(r"\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})", re.IGNORECASE)
_ANCHOR_REPEAT = re.compile(r"\$\{\d+(,\d*)?\}")
_NAMED_GROUP = re.compile(r"\(\?<([a-zA-Z][a-zA-Z0-9]*)>")
_BACKREFERENCE = re.compile(r"\\k<([a-zA-Z][a-zA-Z0-9]*)>")


@functools.cache
def _all_category_ranges() -> dict[str, str]:
    """Code-point ranges (regex class syntax) per major Unicode category, from one scan."""
    parts: dict[str, list[str]] = {}
    start = 0
    current = unicodedata.category("\x00")[0]
    for code in range(1, sys.maxunicode + 2):
        major = unicodedata.category(chr(code))[0] if code <= sys.maxunicode else ""
        if major != current:
            parts.setdefault(current, []).append(_class_range(start, code - 1))
            start, current = code, major
    return {major: "".join(ranges) for major, ranges in parts.items()}


def _category_ranges(name: str) -> str:
    """Ranges of ``\\p{name}``: a major category (``L``) or a minor one (``Lu``)."""
    if len(name) == 1:
        return _all_category_ranges()[name]
    chars = (chr(c) for c in range(sys.maxunicode + 1))
    return "".join(re.escape(c) for c in chars if unicodedata.category(c) == name)


def _class_range(first: int, last: int) -> str:
    if first == last:
        return f"\\U{first:08x}"
    return f"\\U{first:08x}-\\U{last:08x}"


def _join_surrogates(match: re.Match[str]) -> str:
    high = int(match.group(1), 16)
    low = int(match.group(2), 16)
    return f"\\U{0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00):08x}"


def _expand_property(match: re.Match[str]) -> str:
    name = match.group(1)
    if name in _POSIX:
        return _POSIX[name]
    if len(name) <= 2 and name[0] in "LMNPSZC":
        return _category_ranges(name)
    raise re.error(f"unsupported property class \\p{{{name}}}")


def translate(pattern: str) -> str:
    """The Python spelling of a Java pattern from the service model."""
    text = _SURROGATE_PAIR.sub(_join_surrogates, pattern)
    text = _ANCHOR_REPEAT.sub("$", text)
    # A property class used outside brackets must stay one class: wrap it.
    pieces: list[str] = []
    depth = 0
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            match = _PROPERTY.match(text, i)
            if match:
                body = _expand_property(match)
                pieces.append(body if depth else f"[{body}]")
                i = match.end()
                continue
            match = None if depth else _BACKREFERENCE.match(text, i)
            if match:
                pieces.append(f"(?P={match.group(1)})")
                i = match.end()
                continue
            pieces.append(text[i : i + 2])
            i += 2
            continue
        match = None if depth or char != "(" else _NAMED_GROUP.match(text, i)
        if match:
            pieces.append(f"(?P<{match.group(1)}>")
            i = match.end()
            continue
        if char == "[":
            depth += 1
        elif char == "]" and depth:
            depth -= 1
        pieces.append(char)
        i += 1
    return "".join(pieces)


@functools.cache
def compile_java(regex: str) -> re.Pattern[str]:
    """Compile a Java-flavoured regex; raises :class:`re.error` when it cannot be expressed."""
    return re.compile(translate(regex))
