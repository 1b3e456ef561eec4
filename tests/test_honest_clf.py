"""C-LF hybrid (HonestDiD's default for relative magnitudes) against published intervals.

HonestDiD reports the smallest and largest accepted point of a theta grid
(``seq(grid.lb, grid.ub, length.out = gridPoints)``, by default
``[-20 sd, 20 sd]`` with 1,000 points), and its least-favourable critical value
is the 0.995 sample quantile of 1,000 simulated statistics. We put our
continuous set on the same grid, and allow for the simulation: the published
end must lie between the grid ends we get with the critical value at the
0.5% and 99.5% points of the sampling distribution of that order statistic
(a Beta(995, 6) quantile level), plus half a unit of the last printed digit.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from boligeval.estimate import honest
from boligeval.estimate.honest import honest_did
from tests.test_inference_honest import EVENT_STUDIES

DATA = Path(__file__).parent / "data"
BETA = np.array([0.1, 1.0])  # one pre-period (-1), one post-period (1)
SIGMA = np.array([[0.04, 0.01], [0.01, 0.09]])


def _clf_set(
    dataset: str, l_vec: np.ndarray, mbar: float, level: float | None
) -> tuple[float, float]:
    beta, sigma, num_pre, num_post = EVENT_STUDIES[dataset]()
    normals = np.random.default_rng(0).standard_normal((10_000, 2 * beta.size + 2 * num_post))
    st = honest._ArpSetup(
        beta, sigma, l_vec, num_pre, num_post, "relative_magnitude", None, None,
        "lf", 0.05, 0.005, normals, level,
    )  # fmt: skip
    return honest._arp_set(st, mbar, 41)


def _on_grid(lo: float, hi: float, grid: np.ndarray) -> tuple[float, float]:
    """Smallest and largest grid points inside [lo, hi] (the set is an interval)."""
    eps = 1e-12 * float(np.abs(grid).max())
    return float(grid[grid >= lo - eps].min()), float(grid[grid <= hi + eps].max())


def _published(dataset: str) -> pd.DataFrame:
    pub = pd.read_csv(DATA / "honestdid_rm_published.csv")
    return pub[pub["dataset"] == dataset]


def _check(dataset: str) -> None:
    _, sigma, num_pre, _ = EVENT_STUDIES[dataset]()
    # R's quantile(type 7) of 1,000 draws at 0.995 is about the 995th order statistic
    levels = [None, *stats.beta.ppf([0.005, 0.995], 995, 6)]
    for row in _published(dataset).itertuples():
        l_vec = np.array([float(v) for v in row.l_vec.split()])
        sd = float(np.sqrt(l_vec @ sigma[num_pre:, num_pre:] @ l_vec))
        g_lo = -20 * sd if pd.isna(row.grid_lo) else row.grid_lo
        g_hi = 20 * sd if pd.isna(row.grid_hi) else row.grid_hi
        grid = np.linspace(g_lo, g_hi, int(row.grid_n))
        ends = np.array([_on_grid(*_clf_set(dataset, l_vec, row.mbar, lv), grid) for lv in levels])
        assert ends[:, 0].min() - row.lb_tol <= row.lb <= ends[:, 0].max() + row.lb_tol, (
            row.mbar, ends[:, 0], row.lb,
        )  # fmt: skip
        assert ends[:, 1].min() - row.ub_tol <= row.ub <= ends[:, 1].max() + row.ub_tol, (
            row.mbar, ends[:, 1], row.ub,
        )  # fmt: skip


def test_clf_matches_honestdid_readme_ehec() -> None:
    """HonestDiD README's Medicaid example, Mbar = 0.5 .. 2 (all four rows)."""
    _check("ehec")


@pytest.mark.slow
def test_clf_matches_honestdid_bc() -> None:
    """Benzarti-Carloni event study: R HonestDiD's log in stata-honestdid (24 rows)."""
    _check("bc")


def test_clf_default_critical_value_reproduces_readme_digits_exactly() -> None:
    """With our default simulation the ehec ends land on HonestDiD's printed grid points."""
    beta, sigma, num_pre, num_post = EVENT_STUDIES["ehec"]()
    res = honest_did(beta, sigma, num_pre=num_pre, num_post=num_post,
                     Mbar=[0.5, 1.0, 1.5, 2.0], breakdown=False)  # fmt: skip
    grid = np.linspace(-20 * res.std_error, 20 * res.std_error, 1000)
    snapped = [_on_grid(lo, hi, grid) for lo, hi in zip(res.ci_low, res.ci_high, strict=True)]
    np.testing.assert_allclose(
        snapped,
        [(0.0240, 0.0672), (0.0170, 0.0720), (0.00824, 0.0797), (-0.000916, 0.0881)],
        atol=5e-5,
    )
    assert res.inference == "C-LF"
    assert snapped[3][0] == pytest.approx(-0.000916, abs=5e-7)


def test_clf_one_post_period_by_hand() -> None:
    """One post period, Mbar = 0: moments +/-(b1 - theta) <= 0, no nuisance.

    The statistic is |z|, z = (b1 - theta) / sd; conditioning truncates it to
    [0, lf_cv], lf_cv is the 0.995 quantile of |N(0, 1)|. C-LF accepts iff
    P(Z > |z| | 0 < Z < lf_cv) >= (alpha - kappa) / (1 - kappa).
    """
    res = honest_did(BETA, SIGMA, num_pre=1, num_post=1, Mbar=[0.0], breakdown=False)
    normals = np.random.default_rng(0).standard_normal((10_000, 6))
    st = honest._ArpSetup(BETA, SIGMA, np.ones(1), 1, 1, "relative_magnitude", None, None,
                          "lf", 0.05, 0.005, normals)  # fmt: skip
    cv = st.moments(0.0)[0][0].lf_cv
    assert cv is not None
    # the simulated critical value is within 4 Monte Carlo standard errors of the exact one
    exact = stats.norm.ppf(1 - 0.005 / 2)
    se = np.sqrt(0.005 * 0.995 / 10_000) / (2 * stats.norm.pdf(exact))
    assert abs(cv - exact) < 4 * se
    size = (0.05 - 0.005) / (1 - 0.005)
    z = stats.norm.ppf(stats.norm.cdf(cv) - size * (stats.norm.cdf(cv) - 0.5))
    assert res.ci_low[0] == pytest.approx(1.0 - 0.3 * z, abs=1e-6)
    assert res.ci_high[0] == pytest.approx(1.0 + 0.3 * z, abs=1e-6)


def test_conditional_still_available_and_differs_from_clf() -> None:
    """inference='conditional' is the first pass's test; C-LF differs by about 0.0003 on ehec."""
    beta, sigma, num_pre, num_post = EVENT_STUDIES["ehec"]()
    kw = {"num_pre": num_pre, "num_post": num_post, "Mbar": [1.5], "breakdown": False}
    cond = honest_did(beta, sigma, inference="conditional", **kw)  # type: ignore[arg-type]
    clf = honest_did(beta, sigma, **kw)  # type: ignore[arg-type]
    assert cond.inference == "conditional"
    assert 1e-4 < cond.ci_low[0] - clf.ci_low[0] < 1e-3


def test_arp_vertex_enumeration_matches_linear_programs() -> None:
    """Closed-form statistic and truncation (dual vertices) equal the LP versions."""
    beta, sigma, num_pre, num_post = EVENT_STUDIES["bc"]()
    normals = np.random.default_rng(1).standard_normal((2000, 24))
    st = honest._ArpSetup(beta, sigma, np.array([1.0, 0, 0, 0]), num_pre, num_post,
                          "relative_magnitude", None, None, "conditional", 0.05, 0.005,
                          normals)  # fmt: skip
    for mom, _, _ in st.moments(1.0):
        assert mom.verts is not None
        lp = honest._ArpMoments(mom.y0, mom.ydir, mom.x, mom.sigma_y, mom.sd, None, None)
        for theta in np.linspace(-0.1, 0.5, 13):
            assert mom.accepts(theta, 0.05, 0.005) == lp.accepts(theta, 0.05, 0.005)
