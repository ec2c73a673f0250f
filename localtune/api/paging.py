"""List operations: filtering, sorting and ``NextToken`` pagination as SageMaker does them."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from localtune.api.responses import epoch_of
from localtune.errors import ValidationException

T = TypeVar("T")

DEFAULT_MAX_RESULTS = 10
TIME_FILTERS = (
    ("CreationTimeAfter", "creation_time", True),
    ("CreationTimeBefore", "creation_time", False),
    ("LastModifiedTimeAfter", "last_modified_time", True),
    ("LastModifiedTimeBefore", "last_modified_time", False),
)


def filtered(rows: list[dict[str, Any]], params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Store rows (with ``name``, ``status``, ``creation_time``, ``last_modified_time``) that match
    the ``NameContains``, ``StatusEquals`` and time filters of a List request.

    SageMaker does not say whether ``NameContains`` is case-sensitive; names are case-insensitive
    everywhere else, so localtune matches case-insensitively. Time bounds are strict, as moto's
    (SageMaker: UNKNOWN)."""
    if params.get("NameContains"):
        needle = params["NameContains"].lower()
        rows = [r for r in rows if needle in r["name"].lower()]
    if params.get("StatusEquals"):
        rows = [r for r in rows if r["status"] == params["StatusEquals"]]
    for member, column, after in TIME_FILTERS:
        if params.get(member) is not None:
            bound = epoch_of(params[member])
            rows = [r for r in rows if (r[column] > bound if after else r[column] < bound)]
    return rows


def _fingerprint(params: Mapping[str, Any]) -> str:
    """Ties a token to the request it came from (every member but the token and page size)."""
    rest = {k: v for k, v in params.items() if k not in ("NextToken", "MaxResults")}
    return hashlib.sha256(json.dumps(rest, sort_keys=True, default=str).encode()).hexdigest()[:16]


def page(items: Sequence[T], params: Mapping[str, Any]) -> tuple[list[T], str | None]:
    """One page of ``items`` for a request with ``MaxResults`` (default 10) and ``NextToken``."""
    limit = int(params.get("MaxResults") or DEFAULT_MAX_RESULTS)
    offset = 0
    token = params.get("NextToken")
    if token:
        try:
            decoded = json.loads(base64.urlsafe_b64decode(token.encode()))
            offset = int(decoded["offset"])
            valid = decoded["request"] == _fingerprint(params) and offset >= 0
        except (ValueError, KeyError, TypeError):
            valid = False
        if not valid:
            raise ValidationException(
                f"Invalid pagination token '{token}': it does not belong to this request."
            )
    chunk = list(items[offset : offset + limit])
    if offset + limit >= len(items):
        return chunk, None
    payload = {"offset": offset + limit, "request": _fingerprint(params)}
    return chunk, base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()


# SortBy keys shared by the List operations over store rows.
ROW_SORT_KEYS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "Name": lambda r: r["name"],
    "Status": lambda r: r["status"],
    "CreationTime": lambda r: r["creation_time"],
}


def sort(
    items: Sequence[T],
    params: Mapping[str, Any],
    keys: Mapping[str, Callable[[T], Any]],
    default: str = "Name",
) -> list[T]:
    """Sort by ``SortBy`` (default ``Name``) in ``SortOrder`` (default ``Ascending``); ties keep
    creation order."""
    key = keys[params.get("SortBy") or default]
    return sorted(items, key=key, reverse=params.get("SortOrder") == "Descending")
