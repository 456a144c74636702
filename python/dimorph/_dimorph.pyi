"""Type stubs of the native module ``dimorph._dimorph`` (PyO3). Use the ``dimorph`` package."""

from os import PathLike
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

VERSION: str

class InputError(ValueError):
    """Bad input data or a refused option; the message is the CLI's."""

class InternalError(RuntimeError):
    """A bug in dimorph (a Rust panic caught at the boundary)."""

class Frame:
    """A table of named columns as the engines read it (numbers float64, text str)."""

    @property
    def nrows(self) -> int: ...
    @property
    def names(self) -> List[str]: ...
    @property
    def source(self) -> str: ...
    @property
    def first_line(self) -> int: ...
    def column(self, name: str) -> Union[np.ndarray, List[Optional[str]]]: ...
    def is_numeric(self, name: str) -> bool: ...
    def __len__(self) -> int: ...

# The outcome of an analysis: {"command", "json", "text", "summary", "warnings", "tables", "files"}
# (embed adds "embedding", "kl_divergence", "knn_recall", "iterations", "features").
Outcome = Dict[str, Any]

def read_table(path: Union[str, PathLike[str]]) -> Frame: ...
def frame_from_columns(
    source: str, names: Sequence[str], columns: Sequence[Union[np.ndarray, List[Optional[str]]]]
) -> Frame: ...
def frame_restore(source: str, first_line: int, names: List[str], columns: List[Any]) -> Frame: ...
def glm(
    data: Frame,
    formula: str,
    new_data: Optional[Frame] = None,
    *,
    family: Optional[str] = None,
    link: Optional[str] = None,
    weights: Optional[str] = None,
    freq: Optional[str] = None,
    theta: Optional[float] = None,
    dispersion: str = "default",
    level: float = 0.95,
    profile: Optional[bool] = None,
    type3: Optional[bool] = None,
    binwidth: Optional[float] = None,
    tol: float = 1e-8,
    max_iter: int = 25,
    start: Optional[Sequence[float]] = None,
    singular_ok: bool = True,
    residuals: bool = False,
    robust: Optional[str] = None,
    cluster: Optional[str] = None,
    event: Optional[str] = None,
    anova: Optional[Sequence[str]] = None,
    threads: Optional[int] = None,
    firth: bool = False,
) -> Outcome: ...
def glm_coef_names(
    data: Frame, formula: str, weights: Optional[str] = None, event: Optional[str] = None
) -> List[str]: ...
def glm_level_order(levels: List[str]) -> List[str]: ...
def glm_gee(
    data: Frame,
    formula: str,
    *,
    id: str,
    corstr: Optional[str] = None,
    waves: Optional[str] = None,
    family: Optional[str] = None,
    link: Optional[str] = None,
    weights: Optional[str] = None,
    level: float = 0.95,
    tol: float = 1e-8,
    max_iter: int = 25,
) -> Outcome: ...
def glm_categorical(
    data: Frame,
    formula: str,
    *,
    ordinal: bool,
    link: Optional[str] = None,
    levels: Optional[Sequence[str]] = None,
    reference: Optional[str] = None,
    weights: Optional[str] = None,
    freq: Optional[str] = None,
    level: float = 0.95,
    tol: float = 1e-8,
    max_iter: int = 25,
) -> Outcome: ...
def glm_anova(
    data: Frame,
    formulas: Sequence[str],
    *,
    family: Optional[str] = None,
    link: Optional[str] = None,
    weights: Optional[str] = None,
    freq: Optional[str] = None,
    theta: Optional[float] = None,
    dispersion: str = "default",
    tol: float = 1e-8,
    max_iter: int = 25,
    threads: Optional[int] = None,
) -> Outcome: ...
def refint_table(
    data: Frame, *, z: Optional[float] = None, bias: bool = False, assumption: Optional[str] = None
) -> Outcome: ...
def refint_compare(
    a: Tuple[float, float],
    b: Sequence[Tuple[float, float]],
    *,
    z: Optional[float] = None,
    bias: bool = False,
    assumption: Optional[str] = None,
) -> Outcome: ...
def refint_estimate(
    data: Frame,
    value: str,
    *,
    by: Optional[str] = None,
    method: str = "reflim",
    transform: Optional[str] = None,
    seed: Optional[int] = None,
    targets: Optional[Tuple[float, float]] = None,
    perc_trunc: Optional[float] = None,
    n_min: Optional[int] = None,
    lognormal: Optional[bool] = None,
    z: Optional[float] = None,
    bias: bool = False,
    assumption: Optional[str] = None,
    nboot: Optional[int] = None,
    model: Optional[str] = None,
    decimals: Optional[int] = None,
    percentiles: Optional[Tuple[float, float]] = None,
    outliers: Optional[str] = None,
    remove_outliers: bool = False,
    zeros: Optional[str] = None,
    filters: Sequence[Tuple[str, str]] = ...,
    more_values: Sequence[str] = ...,
) -> Outcome: ...
def refint_partition(
    data: Frame,
    value: str,
    by: str,
    *,
    method: str = "reflim",
    transform: Optional[str] = None,
    seed: Optional[int] = None,
    perc_trunc: Optional[float] = None,
    n_min: Optional[int] = None,
    lognormal: Optional[bool] = None,
    z: Optional[float] = None,
    bias: bool = False,
    assumption: Optional[str] = None,
    nboot: Optional[int] = None,
    model: Optional[str] = None,
    decimals: Optional[int] = None,
    outliers: Optional[str] = None,
    remove_outliers: bool = False,
    zeros: Optional[str] = None,
    filters: Sequence[Tuple[str, str]] = ...,
) -> Outcome: ...
def refint_verify(
    data: Frame,
    value: str,
    limits: Tuple[float, float],
    *,
    mode: str = "transference",
    filters: Sequence[Tuple[str, str]] = ...,
    method: str = "reflim",
    transform: Optional[str] = None,
    seed: Optional[int] = None,
    perc_trunc: Optional[float] = None,
    n_min: Optional[int] = None,
    lognormal: Optional[bool] = None,
    z: Optional[float] = None,
    bias: bool = False,
    assumption: Optional[str] = None,
    nboot: Optional[int] = None,
    model: Optional[str] = None,
    decimals: Optional[int] = None,
    zeros: Optional[str] = None,
) -> Outcome: ...
def refint_age(
    data: Frame,
    value: str,
    age: str,
    *,
    by: Optional[str] = None,
    window: Optional[float] = None,
    step: Optional[float] = None,
    curves: str = "windows",
    partitions: Optional[float] = None,
    smooth: Optional[str] = None,
    smooth_span: Optional[float] = None,
    smooth_degree: Optional[int] = None,
    lms_df: Optional[Sequence[int]] = None,
    lms_lambda: Optional[Sequence[float]] = None,
    lms_grid: Optional[int] = None,
    unit: Optional[str] = None,
    age_unit: Optional[str] = None,
    method: str = "reflim",
    transform: Optional[str] = None,
    seed: Optional[int] = None,
    perc_trunc: Optional[float] = None,
    n_min: Optional[int] = None,
    lognormal: Optional[bool] = None,
    nboot: Optional[int] = None,
    model: Optional[str] = None,
    decimals: Optional[int] = None,
    zeros: Optional[str] = None,
) -> Outcome: ...
def lifetable_decompose(
    *,
    year: Optional[int] = None,
    years: Optional[str] = None,
    sex: str = "female",
    hmd: Optional[str] = None,
    data_path: Optional[str] = None,
    data: Optional[Frame] = None,
    vs_hmd: Optional[str] = None,
    vs_data_path: Optional[str] = None,
    vs_data: Optional[Frame] = None,
    vs_year: Optional[int] = None,
    vs_sex: Optional[str] = None,
    causes_path: Optional[str] = None,
    causes: Optional[Frame] = None,
    vs_causes_path: Optional[str] = None,
    vs_causes: Optional[Frame] = None,
    group_column: Optional[str] = None,
    cause_shares: str = "age",
    from_age: float = 0.0,
    steps: int = 50,
    radix: float = 100000.0,
    constant_hazard: bool = False,
    smooth: bool = True,
    ci: Optional[float] = None,
    draws: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    open_age: Optional[float] = None,
) -> Outcome: ...
def lifetable(
    year: int,
    sex: str,
    *,
    hmd: Optional[str] = None,
    data_path: Optional[str] = None,
    data: Optional[Frame] = None,
    radix: float = 100000.0,
    constant_hazard: bool = False,
    smooth: bool = True,
    ci: Optional[float] = None,
    draws: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    open_age: Optional[float] = None,
) -> Outcome: ...
def lifelost(
    year: int,
    *,
    hmd: Optional[str] = None,
    data_path: Optional[str] = None,
    data: Optional[Frame] = None,
    causes_path: Optional[str] = None,
    causes: Optional[Frame] = None,
    group_column: Optional[str] = None,
    cause: Optional[str] = None,
    sex: str = "both",
    discretisation: str = "continuous",
    save_at: Optional[str] = None,
    cause_shares: str = "age",
    keep_cause: bool = False,
    stationary: bool = False,
    percent: bool = False,
    radix: float = 100000.0,
    constant_hazard: bool = False,
    smooth: bool = True,
    ci: Optional[float] = None,
    draws: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    open_age: Optional[float] = None,
) -> Outcome: ...
def embed(
    data: Frame,
    features: Sequence[str],
    *,
    affinity: str = "uniform",
    knn: Optional[int] = None,
    perplexity: Optional[float] = None,
    alpha: float = 1.0,
    init: str = "pca",
    knn_method: str = "auto",
    pca_dims: Optional[int] = None,
    gradient: str = "auto",
    iter: int = 500,
    early_iter: int = 250,
    exaggeration: float = 12.0,
    learning_rate: Optional[float] = None,
    seed: int = 42,
    threads: Optional[int] = None,
    color: Optional[str] = None,
    class_: Optional[str] = None,
    ids: Sequence[str] = ...,
    max_plot_points: int = 20000,
    knn_recall: Optional[float] = None,
    late_exaggeration: Optional[float] = None,
    save_model: bool = False,
) -> Outcome: ...
# (with save_model=True the outcome also holds "model", an EmbedModel; "knn_recall_features" always)

class EmbedModel:
    """A saved embedding (what `dimorph embed --out DIR` writes), held in memory."""
    @property
    def n(self) -> int: ...
    @property
    def columns(self) -> List[str]: ...
    @staticmethod
    def load(path: str) -> EmbedModel: ...

def embed_transform(
    model: EmbedModel,
    data: Frame,
    *,
    features: Sequence[str] = ...,
    iter: int = 250,
    learning_rate: float = 0.1,
    threads: Optional[int] = None,
    seed: int = 42,
    color: Optional[str] = None,
    class_: Optional[str] = None,
    ids: Sequence[str] = ...,
    max_plot_points: int = 20000,
) -> Outcome: ...
# (adds "embedding": the new points' coordinates, an (m, 2) float64 array)
def _panic_for_tests(msg: str, inside: bool = True) -> None: ...

# -- the distributed GLM (dimorph.dask): per-partition functions and the client's driver ---------
Model = Tuple[Optional[str], Optional[str], Optional[float], bool]
VarLevels = Tuple[str, str, List[str], List[float]]
PartLevels = Tuple[int, int, List[VarLevels]]

class GlmPart:
    """One partition's rows coded for the fit (X, response, weights, trials, offset)."""
    @property
    def n(self) -> int: ...
    @property
    def p(self) -> int: ...
    @property
    def n_read(self) -> int: ...
    @property
    def col_names(self) -> List[str]: ...
    @property
    def terms(self) -> List[Tuple[str, List[int]]]: ...

def glm_events_trials(formula: str, columns: Sequence[str], weights: Optional[str] = None) -> bool: ...
def glm_part_levels(data: Frame, formula: str, weights: Optional[str] = None) -> PartLevels: ...
def glm_merge_levels(
    formula: str, columns: Sequence[str], parts: Sequence[PartLevels], source: str, weights: Optional[str] = None
) -> List[Tuple[str, List[str]]]: ...
def glm_design_part(
    data: Frame,
    formula: str,
    columns: Sequence[str],
    levels: Sequence[Tuple[str, Sequence[str]]],
    model: Model,
    weights: Optional[str] = None,
) -> GlmPart: ...
def glm_model_columns(
    formula: str, columns: Sequence[str], weights: Optional[str] = None, design_only: bool = False
) -> List[str]: ...
def glm_design_arrays(
    names: Sequence[str],
    arrays: Sequence[np.ndarray],
    nrows: int,
    formula: str,
    columns: Sequence[str],
    levels: Sequence[Tuple[str, Sequence[str]]],
    model: Model,
    weights: Optional[str] = None,
) -> Optional[GlmPart]: ...
def glm_part_fisher(
    part: GlmPart, beta: Optional[Sequence[float]], model: Model
) -> Tuple[np.ndarray, np.ndarray, float, bool]: ...
def glm_part_newton(
    part: GlmPart, kept: Sequence[int], beta: Sequence[float], model: Model
) -> Tuple[np.ndarray, np.ndarray, float, bool]: ...
def glm_part_stats(
    part: GlmPart, beta: Sequence[float], null: Tuple[str, float], scale: float, null_scale: float, model: Model
) -> List[float]: ...
def glm_part_score(
    part: GlmPart, null: Tuple[str, float], intercept: bool, kept: Sequence[int], model: Model
) -> Tuple[np.ndarray, np.ndarray, Optional[Tuple[int, bool, float]]]: ...
def glm_part_theta(part: GlmPart, beta: Sequence[float], theta: Optional[float], model: Model) -> List[float]:
    """One partition's sums for θ of the negative binomial at β: [Σ w((y − μ)² − y), Σw,
    Σ w(y/μ − 1)², and at ``theta`` the score, the information and the log-likelihood]."""
    ...
def glm_fit_distributed(
    formula: str,
    columns: Sequence[str],
    levels: Sequence[Tuple[str, Sequence[str]]],
    col_names: Sequence[str],
    model: Model,
    # passes(kind, args) or, while θ of the negative binomial is estimated, passes(kind, args, model)
    passes: Callable[..., list],
    *,
    weights: Optional[str] = None,
    freq: Optional[str] = None,
    dispersion: str = "default",
    level: float = 0.95,
    tol: float = 1e-8,
    max_iter: int = 25,
    singular_ok: bool = True,
    rows_used: Optional[int] = None,
    score: bool = True,
    start: Optional[Sequence[float]] = None,
) -> str: ...

# -- predictions and residuals of the distributed GLM, one partition at a time (dask_predict.rs) -----
#: (β with NaN where aliased, the estimated columns, φ(XᵀWX)⁻¹ flat p × p, φ, rank)
FitState = Tuple[Sequence[float], Sequence[int], Sequence[float], float, int]

def glm_part_predict(
    data: Frame,
    formula: str,
    columns: Sequence[str],
    levels: Sequence[Tuple[str, Sequence[str]]],
    fit: FitState,
    model: Model,
    level: float,
    weights: Optional[str] = None,
) -> np.ndarray:
    """eta, se_eta, eta_lower, eta_upper, fitted, se_fitted, fitted_lower, fitted_upper of each
    row (NaN where a predictor or offset is missing), column after column (8 × rows, flat)."""
def glm_part_residuals(
    data: Frame,
    formula: str,
    columns: Sequence[str],
    levels: Sequence[Tuple[str, Sequence[str]]],
    fit: FitState,
    model: Model,
    weights: Optional[str] = None,
) -> np.ndarray:
    """y, fitted, eta, response, pearson, deviance, working, leverage, std_deviance, std_pearson,
    cooks_distance of each row (NaN where a used value is missing), column after column (11 ×
    rows, flat)."""

# -- the distributed GLM's likelihood-ratio and Wald tests of terms (dask_lr.rs) ----------------------
def glm_part_select(part: GlmPart, cols: Sequence[int]) -> GlmPart: ...
def glm_refit_deviance(
    formula: str,
    columns: Sequence[str],
    col_names: Sequence[str],
    intercept: bool,
    model: Model,
    passes: Callable[[str, tuple], list],
    weights: Optional[str] = None,
    rows_used: Optional[int] = None,
) -> Tuple[float, int, int]: ...
def glm_lr_test(
    d_red: float, df: int, deviance: float, dispersion: float, df_residual: float, estimated: bool
) -> Tuple[float, float, float, float]: ...
def glm_wald_test(coef: Sequence[float], cov: Sequence[float], cols: Sequence[int]) -> Tuple[float, float]: ...
def glm_check_binwidth(model: Model, binwidth: float) -> None: ...
def glm_part_association(
    part: GlmPart, beta: Sequence[float], binwidth: float, frequency: bool, model: Model
) -> Tuple[List[int], List[float], List[float]]: ...
def glm_association_table(parts: Sequence[Tuple[Sequence[int], Sequence[float], Sequence[float]]], binwidth: float) -> str: ...
def glm_part_groups(
    part: GlmPart, beta: Sequence[float], frequency: bool, model: Model
) -> Tuple[np.ndarray, np.ndarray, np.ndarray]: ...
def glm_groups_tables(
    parts: Sequence[Tuple[np.ndarray, np.ndarray, np.ndarray]], binwidth: float, lackfit: bool
) -> str: ...
def glm_lackfit_auto(rows: float) -> Optional[str]: ...
def glm_profile_distributed(
    model: Model,
    passes: Callable[[str, tuple], list],
    coef: Sequence[float],
    se_observed: Sequence[float],
    se_expected: Sequence[float],
    kept: Sequence[int],
    deviance: float,
    dispersion: float,
    intercept: bool,
    level: float,
    which: Sequence[int],
    rows_used: Optional[int] = None,
) -> Tuple[List[Tuple[float, float]], int]: ...
