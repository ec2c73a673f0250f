"""Regular expressions of the SageMaker service model, made usable by Python's ``re``.

The model's patterns are written for Java's ``java.util.regex``. Almost all of them mean the
same in Python, with a few exceptions that this module translates:

* Unicode property classes ``\\p{L}``, ``\\p{Z}``, ``\\p{N}``, ``\\p{M}``, ``\\p{S}``, ``\\p{P}``
  (used by ``TagKey``/``TagValue`` and a few others). Python's ``re`` has no ``\\p{...}``; each
  class is expanded into explicit code-point ranges computed from :mod:`unicodedata`, once per
  category and only when a pattern needs it.
* POSIX classes ``\\p{Alnum}`` & co. (ASCII in Java unless ``UNICODE_CHARACTER_CLASS``).
* Surrogate pairs written as ``\\uD800\\uDC00-\\uDBFF\\uDFFF`` (Java strings are UTF-16): the
  pair is turned into the supplementary code point it denotes.
* ``$`` followed by a bounded repetition (``...)${1,128}``), which Java tolerates and Python
  rejects; the repetition of an anchor is meaningless and is dropped.

The translation itself lives in :mod:`localtune.runtime.javaregex`, which the runtime uses to
apply metric regexes: a regex accepted here is one the training job can run. The service applies
a model pattern to the *whole* value, so callers use :func:`full_match`.
A pattern that still does not compile after translation is skipped (``None``) rather than
turning a user's request into a traceback.
"""

from __future__ import annotations

import functools
import re

from localtune.runtime.javaregex import compile_java, translate

__all__ = ["compile_model_pattern", "compile_user_regex", "full_match", "translate"]


@functools.cache
def compile_model_pattern(pattern: str) -> re.Pattern[str] | None:
    """Compiled Python regex for a model pattern, or ``None`` if it cannot be expressed."""
    try:
        return re.compile(translate(pattern))
    except re.error:
        return None


def full_match(pattern: str, value: str) -> bool:
    """Whether ``value`` satisfies the model ``pattern`` as the service applies it (whole value)."""
    compiled = compile_model_pattern(pattern)
    if compiled is None:
        return True
    return compiled.fullmatch(value) is not None


def compile_user_regex(regex: str) -> re.Pattern[str]:
    """Compile a user-supplied (Java-flavoured) metric regex exactly as the runtime will;
    raises :class:`re.error`."""
    return compile_java(regex)
