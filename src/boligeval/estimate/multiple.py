"""Multiple-testing adjustments across models: Romano-Wolf stepdown and Holm.

Romano and Wolf (2005, 2016): the stepdown adjusted p-value of the j-th
largest observed |t| is the share of bootstrap draws whose maximum |t*| over
the hypotheses not yet rejected reaches it, ``(#{max* >= |t_j|} + 1) / (B + 1)``,
made monotone along the steps (as pyfixest's ``rwolf`` and Stata's
``rwolf``). The |t*| come from the restricted wild cluster bootstrap of each
model (see :mod:`boligeval.estimate.bootstrap`) with one set of weights per
bootstrap cluster shared by all models, so that the dependence between the
tests (the same plans in every population and outcome) is kept. Holm's
(1979) step-down adjustment needs only the p-values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from boligeval.errors import EstimationError
from boligeval.estimate.bootstrap import (
    WeightType,
    _check_fit,
    _draws,
    _resolve_kind,
    _restriction,
    _restriction_statistics,
    _setup,
)

__all__ = ["RomanoWolfResult", "holm", "romano_wolf", "romano_wolf_pvalues"]


def holm(p_values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Holm step-down adjusted p-values (missing values stay missing, not counted)."""
    p = np.asarray(p_values, dtype=float)
    out = np.full_like(p, np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    m = ok.size
    order = ok[np.argsort(p[ok], kind="stable")]
    running = 0.0
    for i, j in enumerate(order):
        running = max(running, min(1.0, (m - i) * p[j]))
        out[j] = running
    return out


def romano_wolf_pvalues(t_stats: np.ndarray, boot_t: np.ndarray) -> np.ndarray:
    """Stepdown adjusted p-values from observed |t| (S,) and bootstrap |t*| (B, S)."""
    t = np.abs(np.asarray(t_stats, dtype=float))
    bt = np.abs(np.asarray(boot_t, dtype=float))
    order = np.argsort(-t, kind="stable")
    n_draws = bt.shape[0]
    adjusted = np.empty(t.size)
    running = 0.0
    for step, j in enumerate(order):
        rest = order[step:]
        peak = bt[:, rest].max(axis=1)
        p = min(1.0, (np.sum(peak >= t[j]) + 1) / (n_draws + 1))
        running = max(running, p)
        adjusted[j] = running
    return adjusted


@dataclass(frozen=True, slots=True, eq=False)
class RomanoWolfResult:
    """Adjusted p-values of one coefficient tested in several models.

    Attributes
    ----------
    labels : tuple of str
        One label per hypothesis.
    estimates, std_errors, t_stats : numpy.ndarray
        Estimates, their analytic standard errors and |t| = |estimate| / SE.
    p_values : numpy.ndarray
        The models' own (analytic) p-values.
    p_romano_wolf, p_holm : numpy.ndarray
        Romano-Wolf and Holm adjusted p-values.
    bootstrap_draws : int
        Draws (all sign vectors when enumerated).
    weight_type : str
        Bootstrap weights used.
    seed : int
        Seed of the draws.
    """

    labels: tuple[str, ...]
    estimates: np.ndarray
    std_errors: np.ndarray
    t_stats: np.ndarray
    p_values: np.ndarray
    p_romano_wolf: np.ndarray
    p_holm: np.ndarray
    bootstrap_draws: int
    weight_type: str
    seed: int

    def tidy(self) -> pd.DataFrame:
        """One row per hypothesis (``term`` is its label)."""
        return pd.DataFrame({
            "term": list(self.labels), "estimate": self.estimates,
            "std_error": self.std_errors, "t_stat": self.t_stats, "p_value": self.p_values,
            "p_value_romano_wolf": self.p_romano_wolf, "p_value_holm": self.p_holm,
        })

    def summary(self) -> str:
        """Text table."""
        lines = [f"Romano-Wolf ({self.bootstrap_draws} {self.weight_type} draws) and Holm"]
        for row in self.tidy().to_dict("records"):
            lines.append(f"{row['term']:<40} t = {row['t_stat']:7.3f}  p = {row['p_value']:.4f}"
                         f"  RW = {row['p_value_romano_wolf']:.4f}"
                         f"  Holm = {row['p_value_holm']:.4f}")
        return "\n".join(lines)


def romano_wolf(
    fits: Sequence[object],
    term: str,
    clusters: Sequence[object],
    *,
    labels: Sequence[str] | None = None,
    bootstrap_draws: int = 9999,
    weight_type: WeightType = "rademacher",
    seed: int,
) -> RomanoWolfResult:
    """Romano-Wolf (restricted wild cluster bootstrap) and Holm adjusted p-values.

    Parameters
    ----------
    fits : sequence of FeolsResult (or results with ``.fit``)
        The models, each with ``term`` and a cluster-robust (or HC1/iid) variance.
    term : str
        The coefficient tested (against zero) in every model.
    clusters : sequence of array_like
        For each fit, the bootstrap cluster of each row of its data (e.g. the
        plan); draws are shared by cluster value across the fits.
    labels : sequence of str, optional
        Names of the hypotheses (default ``model_0``, ...).
    bootstrap_draws : int, default 9999
        Draws; with Rademacher weights and ``2**G <= bootstrap_draws`` (G the
        clusters of all fits together) every sign vector is used.
    weight_type : str, default "rademacher"
        Bootstrap weights (see ``wild_cluster_bootstrap``).
    seed : int
        Seed of ``numpy.random.default_rng`` for the draws.

    Returns
    -------
    RomanoWolfResult
    """
    if len(fits) != len(clusters):
        raise EstimationError("romano_wolf needs one cluster column per fit")
    if not fits:
        raise EstimationError("romano_wolf needs at least one model")
    if bootstrap_draws < 99:
        raise EstimationError(f"bootstrap_draws must be at least 99, got {bootstrap_draws}")
    setups, members = [], []
    for f, cl in zip(fits, clusters, strict=True):
        fit = _check_fit(f)
        if term not in fit.terms:
            raise EstimationError(f"term {term!r} is not in every model")
        st = _setup(fit, cl)
        used = pd.Series(np.asarray(cl))[fit.design.sample]
        setups.append((fit, st))
        members.append(pd.unique(used.to_numpy()))   # in the order of st's codes
    union = pd.unique(np.concatenate(members))
    kind = _resolve_kind(weight_type, len(union))
    v, _ = _draws(kind, len(union), bootstrap_draws, seed)
    index = pd.Index(union)
    t_obs, boot, est, se, p = [], [], [], [], []
    for (fit, st), member in zip(setups, members, strict=True):
        avec = _restriction(fit, {term: 1.0})
        statistics, theta, se_obs = _restriction_statistics(
            st, avec, v[index.get_indexer(member)], True)
        observed, draws = statistics(0.0)
        t_obs.append(observed)
        boot.append(draws)
        est.append(theta)
        se.append(se_obs)
        p.append(float(fit.tidy()["p_value"].to_numpy()[fit.terms.index(term)]))
    p_arr = np.array(p)
    return RomanoWolfResult(
        labels=tuple(labels) if labels is not None else tuple(
            f"model_{i}" for i in range(len(fits))),
        estimates=np.array(est), std_errors=np.array(se), t_stats=np.array(t_obs),
        p_values=p_arr, p_romano_wolf=romano_wolf_pvalues(np.array(t_obs),
                                                           np.column_stack(boot)),
        p_holm=holm(p_arr), bootstrap_draws=int(v.shape[1]), weight_type=kind, seed=seed,
    )
