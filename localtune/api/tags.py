"""AddTags, ListTags and DeleteTags for the resources localtune keeps: hyperparameter tuning jobs,
training jobs and models (moto serves these operations too, and users read a tuning job's tags
with ``list_tags``).

Documented behaviour followed: a training job launched by a tuning job carries the tuning job's
tags; tags added to or deleted from a tuning job reach only the training jobs it launches
afterwards (AddTags/DeleteTags doc strings). AddTags adds or overwrites by key.

Decisions where SageMaker's behaviour is UNKNOWN (also in the README):

* An ARN naming no resource localtune keeps is a ``ValidationException`` (SageMaker answers
  ListTags/AddTags on a deleted resource with a ValidationException, amazon-sagemaker-feedback#108;
  its text is unknown). The resource is found by type and name; the region and account of the
  ARN are not compared (one home serves every region).
* A resource can carry at most 50 tags (the AWS-wide limit, also the model's maximum per call);
  AddTags that would exceed it is a ``ValidationException`` and changes nothing.
* DeleteTags of a key the resource does not have is not an error.
* ListTags returns tags in the order they were added; ``MaxResults`` defaults to 50.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from localtune.api import paging
from localtune.errors import ValidationException
from localtune.store import Store

MAX_TAGS = 50
DEFAULT_PAGE = 50
#: The resource types (the part of the ARN before the name) that localtune keeps.
TAGGABLE = ("hyper-parameter-tuning-job", "training-job", "model")


def _resource(arn: str) -> tuple[str, str]:
    """``(resource type, name)`` of an ARN that passed the model's pattern."""
    resource = arn.split(":", 5)[5]
    kind, _, name = resource.partition("/")
    return kind, name


def _not_found(arn: str) -> ValidationException:
    return ValidationException(
        f"The resource {arn} does not exist. localtune keeps tags for hyperparameter tuning "
        "jobs, training jobs and models."
    )


def _created_tags(store: Store, arn: str) -> tuple[list[dict[str, str]], str | None]:
    """The tags of the resource as it was created, and the tuning job's name when the resource is
    a tuning job; ``ValidationException`` when there is no such resource."""
    kind, name = _resource(arn)
    if kind == "hyper-parameter-tuning-job":
        tuning = store.get_tuning_job(name)
        if tuning is not None:
            return list(tuning["request"].get("Tags") or []), tuning["name"]
    elif kind == "training-job":
        job = store.get_training_job(name)
        if job is not None:
            parent = store.get_tuning_job(job["tuning_job"]) if job["tuning_job"] else None
            if parent is None:
                return [], None
            return current_tags(store, parent["arn"]), None
    elif kind == "model":
        model = store.get_model(name)
        if model is not None:
            return list(model["request"].get("Tags") or []), None
    raise _not_found(arn)


def current_tags(store: Store, arn: str) -> list[dict[str, str]]:
    """The tags ``arn`` has now (``ValidationException`` if it names no resource)."""
    created, _ = _created_tags(store, arn)
    changed = store.get_tags(arn)
    return created if changed is None else changed


def add_tags(store: Store, params: Mapping[str, Any]) -> dict[str, Any]:
    arn = params["ResourceArn"]
    created, tuning_job = _created_tags(store, arn)
    added = [dict(tag) for tag in params.get("Tags") or []]

    def merge(before: list[dict[str, str]]) -> list[dict[str, str]]:
        merged = {tag["Key"]: tag.get("Value", "") for tag in before}
        for tag in added:
            merged[tag["Key"]] = tag.get("Value", "")
        if len(merged) > MAX_TAGS:
            raise ValidationException(
                f"Adding these tags would give the resource {arn} {len(merged)} tags. A "
                f"resource can have at most {MAX_TAGS} tags."
            )
        return [{"Key": key, "Value": value} for key, value in merged.items()]

    store.change_tags(arn, created, merge, tuning_job=tuning_job)
    return {"Tags": added}


def delete_tags(store: Store, params: Mapping[str, Any]) -> dict[str, Any]:
    arn = params["ResourceArn"]
    created, tuning_job = _created_tags(store, arn)
    keys = set(params["TagKeys"])

    def remove(before: list[dict[str, str]]) -> list[dict[str, str]]:
        return [tag for tag in before if tag["Key"] not in keys]

    store.change_tags(arn, created, remove, tuning_job=tuning_job)
    return {}


def list_tags(store: Store, params: Mapping[str, Any]) -> dict[str, Any]:
    tags = current_tags(store, params["ResourceArn"])
    paged = {**params, "MaxResults": params.get("MaxResults") or DEFAULT_PAGE}
    chunk, token = paging.page(tags, paged)
    out: dict[str, Any] = {"Tags": [dict(tag) for tag in chunk]}
    if token:
        out["NextToken"] = token
    return out
