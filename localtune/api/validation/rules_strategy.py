"""Strategy-specific rules and limits: V40–V46 and V50 of the reference (§4.5, §4.6).

Decisions (the reference leaves them open; see the README's "Validation rules"):

* V43 — a StrategyConfig with a strategy other than Hyperband is accepted and ignored (a
  Terraform acceptance test submits Bayesian + HyperbandStrategyConfig).
* V44 — the per-strategy job limits (750; Random up to 10 000, its raisable maximum) and
  MaxParallelTrainingJobs <= 100 (the raisable maximum; localtune has no account quotas) are
  reported as ``ValidationException``, like every other problem of the request, so one call
  reports them all.
* V45 — MaxNumberOfTrainingJobs may be omitted for every strategy; the engine then applies its
  default (the Terraform provider models it as computed by the service).
* V46 — MaxParallelTrainingJobs greater than MaxNumberOfTrainingJobs is accepted (parallelism
  is simply capped by the number of jobs).
* V50 — completion criteria are accepted with every strategy; their bounds are model rules.
"""

from __future__ import annotations

from localtune.api.validation.request import Request, integer, items, parse_int, sub, text

MAX_JOBS = {"Bayesian": 750, "Hyperband": 750, "Grid": 750, "Random": 10_000}
MAX_PARALLEL = 100
MAX_HYPERBAND_RESOURCE = 20_000
EPOCH_KEYS = ("epochs", "numepochs", "n-epochs", "n_epochs", "num_epochs")
_LIMITS = "HyperParameterTuningJobConfig.ResourceLimits"


def v40_grid_categorical_only(req: Request) -> list[str]:
    """V40: Grid search takes categorical ranges only."""
    if req.strategy != "Grid":
        return []
    problems = []
    for definition in req.definitions:
        for rng in definition.iter_ranges():
            if rng.kind != "Categorical":
                problems.append(
                    f"{rng.path} is {'an' if rng.kind == 'Integer' else 'a'} {rng.kind}"
                    "ParameterRange, but the Grid strategy supports "
                    "only CategoricalParameterRanges. Use categorical values or another "
                    "strategy."
                )
    return problems


def grid_size(req: Request) -> int:
    """Number of Grid combinations: product of distinct categorical values, summed over
    definitions."""
    total = 0
    for definition in req.definitions:
        product = 1
        for rng in definition.iter_ranges():
            if rng.kind == "Categorical":
                product *= len(set(rng.values))
        total += product
    return total


def v41_grid_job_count(req: Request) -> list[str]:
    """V41: for Grid, MaxNumberOfTrainingJobs (if given) equals the number of combinations,
    which must not exceed 750."""
    if req.strategy != "Grid" or not req.definitions:
        return []
    kinds = {rng.kind for d in req.definitions for rng in d.iter_ranges()}
    if kinds != {"Categorical"}:
        return []  # no ranges (V30) or non-categorical ones (V40): no grid to count
    size = grid_size(req)
    max_jobs = req.max_jobs
    problems = []
    if max_jobs is not None and max_jobs != size:
        problems.append(
            f"The value '{max_jobs}' of {_LIMITS}.MaxNumberOfTrainingJobs does not match the "
            f"{size} combinations of the categorical ranges. For the Grid strategy, omit "
            "MaxNumberOfTrainingJobs or set it to the number of combinations."
        )
    if size > MAX_JOBS["Grid"]:
        problems.append(
            f"The categorical ranges have {size} combinations. The Grid strategy can run at "
            f"most {MAX_JOBS['Grid']} training jobs; reduce the number of values."
        )
    return problems


def hyperband_max_resource(req: Request) -> tuple[int | None, str, str]:
    """MaxResource given or inferred from an epochs key: (value, where from, text as given)."""
    config = sub(sub(req.config, "StrategyConfig"), "HyperbandStrategyConfig")
    given = integer(config, "MaxResource")
    if given is not None:
        where = "HyperParameterTuningJobConfig.StrategyConfig.HyperbandStrategyConfig.MaxResource"
        return given, where, str(given)
    for definition in req.definitions:
        for key in EPOCH_KEYS:
            if key in definition.static:
                raw = definition.static[key]
                where = f"{definition.path}.StaticHyperParameters.{key}"
                return parse_int(raw.strip()), where, raw
        # Autotune keeps an epochs AutoParameter static at its hint (localtune.engine.autotune),
        # so the SDK's autotune=True, which moves epochs there, still gives MaxResource.
        auto = items(definition.ranges, "AutoParameters") if req.autotune else []
        for index, hint in auto:
            value = text(hint, "ValueHint")
            if text(hint, "Name") in EPOCH_KEYS and value is not None:
                where = f"{definition.ranges_path}.AutoParameters[{index}].ValueHint"
                return parse_int(value.strip()), where, value
    return None, "", ""


def v42_hyperband(req: Request) -> list[str]:
    """V42: Hyperband needs TrainingJobEarlyStoppingType Off, a MaxResource given or inferable
    from an epochs static hyperparameter (<= 20 000), and MinResource <= MaxResource."""
    if req.strategy != "Hyperband":
        return []
    problems = []
    stopping = text(req.config, "TrainingJobEarlyStoppingType")
    if stopping == "Auto":
        problems.append(
            "The value 'Auto' of HyperParameterTuningJobConfig.TrainingJobEarlyStoppingType is "
            "not supported with the Hyperband strategy, which has its own early stopping. "
            "Set it to 'Off'."
        )
    max_resource, where, raw = hyperband_max_resource(req)
    config = sub(sub(req.config, "StrategyConfig"), "HyperbandStrategyConfig")
    if max_resource is None and not where:
        problems.append(
            "HyperParameterTuningJobConfig.StrategyConfig.HyperbandStrategyConfig.MaxResource "
            "is required for the Hyperband strategy when no static hyperparameter "
            f"({', '.join(EPOCH_KEYS)}) gives the number of epochs."
        )
    elif max_resource is None:
        problems.append(
            f"The value '{raw}' of {where} is not an integer, so Hyperband cannot infer "
            "MaxResource from it. Provide an integer or set HyperbandStrategyConfig.MaxResource."
        )
    elif not 1 <= max_resource <= MAX_HYPERBAND_RESOURCE:
        problems.append(
            f"The value '{raw}' of {where} is not a valid Hyperband MaxResource. MaxResource "
            f"must be between 1 and {MAX_HYPERBAND_RESOURCE}."
        )
    min_resource = integer(config, "MinResource")
    if min_resource is not None and max_resource is not None and min_resource > max_resource:
        problems.append(
            f"The value '{min_resource}' of HyperParameterTuningJobConfig.StrategyConfig."
            f"HyperbandStrategyConfig.MinResource is greater than MaxResource ({max_resource}). "
            "MinResource must be less than or equal to MaxResource."
        )
    return problems


def v44_limits(req: Request) -> list[str]:
    """V44: MaxNumberOfTrainingJobs <= 750 (Random: 10 000); MaxParallelTrainingJobs <= 100."""
    problems = []
    max_jobs = req.max_jobs
    limit = MAX_JOBS.get(req.strategy or "")
    if max_jobs is not None and limit is not None and max_jobs > limit:
        problems.append(
            f"The value '{max_jobs}' of {_LIMITS}.MaxNumberOfTrainingJobs exceeds the limit of "
            f"{limit} training jobs for a tuning job with the {req.strategy} strategy."
        )
    parallel = integer(req.limits, "MaxParallelTrainingJobs")
    if parallel is not None and parallel > MAX_PARALLEL:
        problems.append(
            f"The value '{parallel}' of {_LIMITS}.MaxParallelTrainingJobs exceeds the limit of "
            f"{MAX_PARALLEL} parallel training jobs for a tuning job."
        )
    return problems
