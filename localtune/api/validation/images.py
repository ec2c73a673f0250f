"""Which algorithm a training-job definition runs: built-in XGBoost, another built-in, or custom."""

from __future__ import annotations

import re

from localtune.api.validation.request import Definition, text
from localtune.runtime.xgb import spec

# Repositories of SageMaker's first-party (built-in) algorithm images other than XGBoost. Their
# metrics are pre-registered by SageMaker, so the request needs no MetricDefinitions for them;
# localtune does not know their metrics, so it leaves objective checks for them to run time.
FIRST_PARTY_REPOSITORIES = frozenset(
    {
        "blazingtext",
        "factorization-machines",
        "forecasting-deepar",
        "image-classification",
        "ipinsights",
        "kmeans",
        "knn",
        "lda",
        "linear-learner",
        "ntm",
        "object-detection",
        "object2vec",
        "pca",
        "randomcutforest",
        "semantic-segmentation",
        "seq2seq",
        "xgboost",  # the pre-1.0 image (0.72/0.90), deprecated
    }
)

_REPOSITORY = re.compile(r"^(?:.+/)?([^/:@]+)(?::[^/:@]+)?(?:@[^/@]+)?$")

# A static hyperparameter the SageMaker SDK sets for script (framework) mode.
SCRIPT_MODE_KEY = "sagemaker_program"


def image_of(definition: Definition) -> str | None:
    return text(definition.algorithm, "TrainingImage") or None


def xgboost_version(definition: Definition) -> str | None:
    """The built-in XGBoost image tag of ``definition``, ``None`` for any other image."""
    image = image_of(definition)
    return spec.parse_image(image) if image else None


def is_builtin(definition: Definition) -> bool:
    """Whether SageMaker pre-registers this definition's metrics (a built-in image or an
    algorithm resource named by AlgorithmName, whose metrics come from the resource)."""
    if text(definition.algorithm, "AlgorithmName"):
        return True
    image = image_of(definition)
    if image is None:
        return False
    if spec.parse_image(image) is not None:
        return True
    match = _REPOSITORY.match(image.strip())
    return match is not None and match.group(1) in FIRST_PARTY_REPOSITORIES


def is_script_mode(definition: Definition) -> bool:
    """Whether the definition runs a user script in a framework image (``sagemaker_program``)."""
    return SCRIPT_MODE_KEY in definition.static
