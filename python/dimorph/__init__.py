"""dimorph for Python: the dimorph engines (GLMs, reference limits, life tables and life lost,
t-SNE) on pandas, polars, pyarrow or numpy data, with the CLI's numbers, reports and JSON.

- :func:`dimorph.glm` — generalized linear models with R's and SAS's output (also Tweedie, Firth's
  penalised logistic regression, ordinal and multinomial responses); :func:`dimorph.gee` —
  generalized estimating equations; :func:`dimorph.anova` — analysis of deviance of nested models;
- :mod:`dimorph.refint` — reference limits: ``estimate``, ``compare``, ``partition``, ``table``;
- :func:`dimorph.lifetable`, :func:`dimorph.lifelost` — HMD life tables, life lost by cause;
- :class:`dimorph.embed.TSNE` — heavy-tailed t-SNE, scikit-learn style;
- :mod:`dimorph.dask` — GLMs (distributed IRLS) and per-group reference limits on Dask DataFrames;
- :mod:`dimorph.bagnet` — the BagNet CLI's evidence statistics and patch features as DataFrames.

Every analysis runs the same Rust engine as the ``dimorph`` command and returns a result whose
``to_json()`` is the CLI's ``--format json`` envelope. Bad input raises :class:`InputError` (a
``ValueError``) with the CLI's message; a bug in the engine raises :class:`InternalError`.
"""

from . import bagnet, dask, embed, refint
from ._data import to_frame
from ._dimorph import VERSION as __version__
from ._dimorph import Frame, InputError, InternalError, read_table
from ._glm import GlmResult, ModelResult, anova, gee, glm
from ._lifetable import DecomposeResult, LifeLostResult, LifeTableResult, decompose, lifelost, lifetable
from ._result import Result

__all__ = [
    "glm",
    "GlmResult",
    "gee",
    "anova",
    "ModelResult",
    "refint",
    "lifetable",
    "lifelost",
    "decompose",
    "LifeTableResult",
    "LifeLostResult",
    "DecomposeResult",
    "embed",
    "dask",
    "bagnet",
    "Result",
    "InputError",
    "InternalError",
    "Frame",
    "read_table",
    "to_frame",
    "__version__",
]
