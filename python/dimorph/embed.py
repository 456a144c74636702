"""t-SNE with the heavy-tailed kernel k(d) = 1/(1 + d²/α)^α (Figure 3 of Ilanchezian et al. 2021),
FFT-accelerated for large n, as ``dimorph embed`` runs it, in scikit-learn's idiom."""

from __future__ import annotations

from typing import Any, Dict, Optional

import numpy as np

from . import _dimorph
from ._checks import whole, whole_or_none
from ._data import DataLike, to_frame
from ._dimorph import InputError
from ._result import Result

__all__ = ["TSNE", "EmbedResult"]


class EmbedResult(Result):
    """The outcome of one embedding (see :class:`dimorph.Result`): the ``embedding`` table, the
    scatter ``embedding.svg`` and the envelope with the KL divergence, neighbour recall and timings."""


class TSNE:
    """t-SNE of feature vectors, as ``dimorph embed`` computes it.

    Parameters
    ----------
    n_components
        Dimension of the embedding: 2 (the only one supported).
    k
        Neighbours of the uniform affinities (p_{j|i} = 1/k over the k nearest neighbours; the
        paper's 15). Uniform affinities only.
    affinity
        ``uniform`` (default, as the paper) or ``gaussian`` (standard t-SNE, calibrated to
        ``perplexity``).
    alpha
        Tail of the kernel 1/(1 + d²/α)^α: 1 is standard t-SNE, 0.5 the paper's heavier tail
        (default).
    perplexity
        Perplexity of the Gaussian affinities (default 30; Gaussian only).
    init
        ``pca`` (the first two principal components, scaled; default) or ``random``.
    knn_method
        ``auto`` (exact up to 5,000 points, approximate above), ``exact`` or ``approx``.
    pca_dims
        Principal components the approximate neighbour search runs on (default 50).
    gradient
        ``auto``, ``exact`` or ``fft`` (FIt-SNE interpolation).
    n_iter, early_exaggeration_iter, early_exaggeration
        Iterations after early exaggeration (500), iterations of it (250) and its factor (12).
    late_exaggeration
        Exaggeration of the normal phase (FIt-SNE's late exaggeration, for millions of points;
        default None: none).
    knn_recall
        Target recall of the approximate neighbour search (0 to 1; default None): trees doubled
        and rounds added until the sampled recall reaches it (at most 4 searches).
    learning_rate
        Fixed learning rate; default n/12 early, n after (as openTSNE).
    seed
        Seed of every random choice (initialisation, trees, samples).
    threads
        Threads (default: every core).

    Attributes (after :meth:`fit`)
    ------------------------------
    embedding_ : numpy.ndarray, shape (n, 2)
    kl_divergence_ : float
        KL divergence of the final embedding (P against the heavy-tailed Q).
    knn_recall_ : float or None
        Fraction of exact neighbours the approximate search found, on a sample (None when the
        search was exact).
    knn_recall_features_ : float or None
        The same against exact neighbours in the original features when the search ran on
        principal components (None otherwise).
    model_ : EmbedModel
        The saved embedding :meth:`transform` places new points into (what ``dimorph embed
        --out`` writes; ``result_.files`` holds its files).
    n_iter_ : int
    feature_names_in_ : list of str
        The feature columns used (constant columns are left out, with a warning).
    result_ : EmbedResult
        The whole outcome: ``to_json()``, ``figures``, ``summary()``, ``warnings``.

    Examples
    --------
    >>> X = np.random.default_rng(0).normal(size=(500, 10))
    >>> Y = dimorph.embed.TSNE(seed=1).fit_transform(X)
    >>> tsne = dimorph.embed.TSNE(seed=1).fit(X)
    >>> Z = tsne.transform(X[:10])  # new points placed into the map (openTSNE's transform)
    """

    def __init__(
        self,
        n_components: int = 2,
        k: int = 15,
        affinity: str = "uniform",
        alpha: float = 0.5,
        *,
        perplexity: Optional[float] = None,
        init: str = "pca",
        knn_method: str = "auto",
        pca_dims: Optional[int] = None,
        gradient: str = "auto",
        n_iter: int = 500,
        early_exaggeration_iter: int = 250,
        early_exaggeration: float = 12.0,
        learning_rate: Optional[float] = None,
        seed: int = 42,
        threads: Optional[int] = None,
        late_exaggeration: Optional[float] = None,
        knn_recall: Optional[float] = None,
    ) -> None:
        self.n_components = n_components
        self.k = k
        self.affinity = affinity
        self.alpha = alpha
        self.perplexity = perplexity
        self.init = init
        self.knn_method = knn_method
        self.pca_dims = pca_dims
        self.gradient = gradient
        self.n_iter = n_iter
        self.early_exaggeration_iter = early_exaggeration_iter
        self.early_exaggeration = early_exaggeration
        self.learning_rate = learning_rate
        self.seed = seed
        self.threads = threads
        self.late_exaggeration = late_exaggeration
        self.knn_recall = knn_recall

    def get_params(self, deep: bool = True) -> Dict[str, Any]:
        """The constructor's parameters (scikit-learn's convention)."""
        return {name: getattr(self, name) for name in (
            "n_components", "k", "affinity", "alpha", "perplexity", "init", "knn_method", "pca_dims",
            "gradient", "n_iter", "early_exaggeration_iter", "early_exaggeration", "learning_rate",
            "seed", "threads", "late_exaggeration", "knn_recall")}

    def set_params(self, **params: Any) -> "TSNE":
        """Set parameters (scikit-learn's convention)."""
        for name, value in params.items():
            if name not in self.get_params():
                raise ValueError(f"TSNE has no parameter {name!r}")
            setattr(self, name, value)
        return self

    def _options(self) -> Dict[str, Any]:
        if self.n_components != 2:
            raise InputError(f"n_components: only 2 is supported, got {self.n_components}")
        uniform = str(self.affinity).strip().lower() == "uniform"
        return dict(
            affinity=self.affinity,
            # k belongs to the uniform affinities; with gaussian ones a k other than the default
            # is handed on, so that the engine refuses it with the reason
            knn=whole("--knn (k)", self.k) if (uniform or self.k != 15) else None,
            perplexity=self.perplexity, alpha=float(self.alpha), init=self.init,
            knn_method=self.knn_method, pca_dims=whole_or_none("--pca-dims", self.pca_dims), gradient=self.gradient,
            iter=whole("--iter (n_iter)", self.n_iter),
            early_iter=whole("--early-iter (early_exaggeration_iter)", self.early_exaggeration_iter),
            exaggeration=float(self.early_exaggeration), learning_rate=self.learning_rate,
            seed=whole("--seed", self.seed), threads=whole_or_none("--threads", self.threads),
            late_exaggeration=None if self.late_exaggeration is None else float(self.late_exaggeration),
            knn_recall=None if self.knn_recall is None else float(self.knn_recall),
        )

    def fit(self, X: DataLike, y: Any = None) -> "TSNE":
        """Embed the rows of ``X``: a 2-D array (n samples × d features) or a table whose
        columns are all features (a DataFrame, pyarrow Table, dict of arrays or a file path)."""
        opts = self._options()
        if isinstance(X, (np.ndarray, list, tuple)):
            a = np.asarray(X, dtype=np.float64)
            if a.ndim != 2:
                raise InputError(f"X: expected a 2-D array (samples × features), got shape {a.shape}")
            names = [f"x{j}" for j in range(a.shape[1])]
            frame = _dimorph.frame_from_columns(
                "numpy array", names, [np.ascontiguousarray(a[:, j]) for j in range(a.shape[1])]
            )
        else:
            frame = to_frame(X, "X")
            names = frame.names
        raw = _dimorph.embed(frame, names, save_model=True, **opts)
        self.model_ = raw["model"]
        self.result_ = EmbedResult(raw)
        self.embedding_: np.ndarray = raw["embedding"]
        self.kl_divergence_: float = float(raw["kl_divergence"])
        recall = raw["knn_recall"]
        self.knn_recall_: Optional[float] = None if recall is None else float(recall)
        self.n_iter_: int = int(raw["iterations"])
        self.feature_names_in_ = list(raw["features"])
        rf = raw["knn_recall_features"]
        self.knn_recall_features_: Optional[float] = None if rf is None else float(rf)
        self._array_columns = len(names) if isinstance(X, (np.ndarray, list, tuple)) else None
        return self

    def transform(
        self,
        X: DataLike,
        *,
        n_iter: int = 250,
        learning_rate: float = 0.1,
        threads: Optional[int] = None,
    ) -> np.ndarray:
        """Place the rows of ``X`` into the fitted embedding, as openTSNE's
        ``TSNEEmbedding.transform`` (and ``dimorph embed --transform``): each new point gets
        affinities to its nearest training points (same kind, k or perplexity), starts at their
        weighted mean and is optimised alone against the fixed map (exaggeration 1.5, 250
        iterations at learning rate 0.1). ``X`` has the training data's columns: an array with as
        many columns, or a table with the training table's feature columns (by name). Returns the
        new points' coordinates, an (m, 2) float64 array; ``transform_result_`` holds the whole
        outcome."""
        model = getattr(self, "model_", None)
        if model is None:
            raise InputError("transform: call fit(X) first (there is no embedding to place points into)")
        if isinstance(X, (np.ndarray, list, tuple)):
            a = np.asarray(X, dtype=np.float64)
            if a.ndim != 2:
                raise InputError(f"X: expected a 2-D array (samples × features), got shape {a.shape}")
            fitted = getattr(self, "_array_columns", None)
            if fitted is None:
                raise InputError("X: the embedding was fitted on a table; give a table with its feature columns")
            if a.shape[1] != fitted:
                raise InputError(f"X: {a.shape[1]} columns, but the embedding was fitted on {fitted}")
            names = [f"x{j}" for j in range(a.shape[1])]
            frame = _dimorph.frame_from_columns(
                "numpy array", names, [np.ascontiguousarray(a[:, j]) for j in range(a.shape[1])]
            )
        else:
            frame = to_frame(X, "X")
        raw = _dimorph.embed_transform(
            model, frame, iter=whole("n_iter", n_iter), learning_rate=float(learning_rate),
            threads=whole_or_none("--threads", threads), seed=whole("--seed", self.seed),
        )
        self.transform_result_ = EmbedResult(raw)
        return raw["embedding"]

    def fit_transform(self, X: DataLike, y: Any = None) -> np.ndarray:
        """Embed the rows of ``X`` and return the coordinates, an (n, 2) float64 array."""
        return self.fit(X).embedding_

    def __repr__(self) -> str:
        changed = {k: v for k, v in self.get_params().items() if v != TSNE().get_params()[k]}
        return "TSNE(" + ", ".join(f"{k}={v!r}" for k, v in changed.items()) + ")"
