"""honest_did against HonestDiD's published intervals (tests/data/SOURCES.md)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from boligeval.estimate.honest import honest_did
from boligeval.estimate.ols import feols

DATA = Path(__file__).parent / "data"


def load_event_study(name: str) -> tuple[np.ndarray, np.ndarray, int, int]:
    """HonestDiD package data: betahat, sigma, number of pre and post periods."""
    d = pd.read_csv(DATA / f"honestdid_{name}.csv")
    sigma = d[[c for c in d.columns if c.startswith("sigma_")]].to_numpy()
    return (
        d["betahat"].to_numpy(), sigma,
        int((d["period"] == "pre").sum()), int((d["period"] == "post").sum()),
    )  # fmt: skip


def ehec_event_study() -> tuple[np.ndarray, np.ndarray, int, int]:
    """HonestDiD README's TWFE event study: 2014 expanders vs never, 2008-2015, ref 2013."""
    df = pd.read_csv(DATA / "ehec.csv")
    d = df[(df["year"] < 2016) & (df["yexp2"].isna() | (df["yexp2"] != 2015))].copy()
    treated = (d["yexp2"] == 2014).astype(float)
    names = []
    for y in range(2008, 2016):
        if y != 2013:
            d[f"y{y}"] = (d["year"] == y) * treated
            names.append(f"y{y}")
    fit = feols(d, "dins", names, ["stfips", "year"], cluster="stfips")
    return np.asarray(fit.beta), np.asarray(fit.vcov), 5, 2


EVENT_STUDIES = {"ehec": ehec_event_study, "bc": lambda: load_event_study("bc"),
                 "lw": lambda: load_event_study("lw")}  # fmt: skip


def _published_flci() -> pd.DataFrame:
    return pd.read_csv(DATA / "honestdid_flci_published.csv")


@pytest.mark.parametrize(
    ("dataset", "l_post"),
    [("ehec", 1), ("bc", 1), ("bc", 3), ("lw", 17), ("lw", 16)],
)
def test_flci_matches_published(dataset: str, l_post: int) -> None:
    pub = _published_flci()
    pub = pub[(pub["dataset"] == dataset) & (pub["l_post"] == l_post)]
    beta, sigma, num_pre, num_post = EVENT_STUDIES[dataset]()
    l_vec = np.zeros(num_post)
    l_vec[l_post - 1] = 1.0
    res = honest_did(beta, sigma, num_pre=num_pre, num_post=num_post, method="smoothness",
                     M=pub["m"].tolist(), l_vec=l_vec, breakdown=False)  # fmt: skip
    for row, lo, hi in zip(pub.itertuples(), res.ci_low, res.ci_high, strict=True):
        assert abs(lo - row.lb) <= row.lb_tol + 1e-12, (row.m, lo, row.lb)
        assert abs(hi - row.ub) <= row.ub_tol + 1e-12, (row.m, hi, row.ub)


def test_flci_is_shortest_among_random_affine_estimators() -> None:
    """No estimator w'beta (w_post = l, trend-free) gives a shorter worst-case interval."""
    from boligeval.estimate import honest

    beta, sigma, num_pre, num_post = load_event_study("bc")
    l_vec = np.array([1.0, 0, 0, 0])
    m = 0.1
    best = honest._flci(beta, sigma, l_vec, num_pre, num_post, m, 0.05)
    t = np.r_[np.arange(-num_pre, 0), np.arange(1, num_post + 1)].astype(float)
    kmat = honest._second_diff_basis(num_pre, num_post)
    rng = np.random.default_rng(0)
    for _ in range(2000):
        w_pre = best_w_pre(best, rng, num_pre)
        w_pre -= t[:num_pre] * (
            (w_pre @ t[:num_pre] + l_vec @ t[num_pre:]) / (t[:num_pre] @ t[:num_pre])
        )
        wt = np.r_[w_pre, l_vec]
        s = float(np.sqrt(wt @ sigma @ wt))
        bias = m * float(np.abs(kmat.T @ wt).sum())
        assert s * honest._cv_alpha(bias / s, 0.05) >= best.half_length - 1e-12


def best_w_pre(best: object, rng: np.random.Generator, num_pre: int) -> np.ndarray:
    """Random pre-period weights around zero and around the optimum's scale."""
    return rng.normal(scale=rng.choice([0.05, 0.3, 1.0]), size=num_pre)
