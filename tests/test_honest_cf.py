"""C-F hybrid (HonestDiD's default for smoothness with sign or shape restrictions).

Published: R HonestDiD's ``method = "C-F"`` intervals on Delta^SD (the same
hybrid; the restriction only adds rows), from stata-honestdid's
``test/unit-tests-consistency.R.log`` (tests/data/SOURCES.md). HonestDiD
reports the smallest and largest accepted point of
``seq(flci_lb, flci_ub, length.out = 1000)`` over its own FLCI at level
``1 - alpha / 10``, so a printed lower end lies between our continuous end and
one grid step above it (upper end: one step below), plus half a unit of the
last printed digit. Hand checks: with (almost) no noise the set is the
identified set, written down below.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from boligeval.errors import EstimationError
from boligeval.estimate import honest
from boligeval.estimate.honest import honest_did
from tests.test_inference_honest import load_event_study

DATA = Path(__file__).parent / "data"


def _published(dataset: str) -> pd.DataFrame:
    pub = pd.read_csv(DATA / "honestdid_cf_published.csv")
    return pub[pub["dataset"] == dataset]


def _check(dataset: str, steps: float, two_sided: bool = False) -> None:
    pub = _published(dataset)
    beta, sigma, num_pre, num_post = load_event_study(dataset)
    l_vec = np.zeros(num_post)
    l_vec[int(pub["l_post"].iloc[0]) - 1] = 1.0
    res = honest_did(beta, sigma, num_pre=num_pre, num_post=num_post, method="smoothness",
                     M=pub["m"].tolist(), l_vec=l_vec, inference="C-F", breakdown=False)  # fmt: skip
    assert res.inference == "C-F"
    for row, lo, hi in zip(pub.itertuples(), res.ci_low, res.ci_high, strict=True):
        first = honest._flci(beta, sigma, l_vec, num_pre, num_post, row.m, 0.005)
        step = 2 * first.half_length / 999
        assert first.center - first.half_length - 1e-9 <= lo <= hi
        assert hi <= first.center + first.half_length + 1e-9
        below = steps * step if two_sided else 0.0
        assert lo - below - row.lb_tol <= row.lb <= lo + steps * step + row.lb_tol, (row.m, lo)
        assert hi - steps * step - row.ub_tol <= row.ub <= hi + below + row.ub_tol, (row.m, hi)


def test_cf_matches_published_bc() -> None:
    """BC data, first post-period, M = 0 .. 0.3: within HonestDiD's grid step."""
    _check("bc", 1.0)


@pytest.mark.slow
def test_cf_matches_published_lw() -> None:
    """LW data (23 post-periods, linear programs), basis 17, M = 0 .. 0.04.

    HonestDiD's FLCI is found on a grid of half-lengths; at level 0.995 its ends
    differ from our exact ones by up to 0.005 here, which moves both its theta
    grid and its first stage (ends that are its FLCI's ends can lie outside
    ours), so two grid steps either way are allowed.
    """
    _check("lw", 2.0, two_sided=True)


TINY3 = np.diag([0.04, 0.04, 0.09, 0.09]) * 1e-10


@pytest.mark.parametrize(
    ("b_pre", "kw", "l_vec", "expected"),
    [
        # delta_-1 = delta_-2 = 0, M = 0.1: delta_1 in [-0.1, 0.1], delta_2 in 2 delta_1 +/- 0.1
        ((0.0, 0.0), {}, (1.0, 0.0), (0.9, 1.1)),
        ((0.0, 0.0), {"bias_direction": "positive"}, (1.0, 0.0), (0.9, 1.0)),
        ((0.0, 0.0), {"bias_direction": "negative"}, (1.0, 0.0), (1.0, 1.1)),
        # delta_2 in [max(0, 2 delta_1 - 0.1), 2 delta_1 + 0.1] with delta_1 in [0, 0.1]
        ((0.0, 0.0), {"bias_direction": "positive"}, (0.0, 1.0), (1.7, 2.0)),
        # linear pre-trend of slope 0.1: delta_1 in 0.1 +/- 0.1, increasing keeps it >= 0
        ((-0.2, -0.1), {"monotonicity": "increasing"}, (1.0, 0.0), (0.8, 1.0)),
    ],
)
def test_cf_equals_identified_set_without_noise(
    b_pre: tuple, kw: dict, l_vec: tuple, expected: tuple
) -> None:
    """Two pre, two post periods (the nuisance-parameter path), M = 0.1, b_post = (1, 2)."""
    beta = np.r_[b_pre, 1.0, 2.0]
    res = honest_did(beta, TINY3, num_pre=2, num_post=2, method="smoothness", M=[0.1],
                     l_vec=list(l_vec), breakdown=False, **kw)  # fmt: skip
    assert res.inference == ("C-F" if kw else "FLCI")
    if not kw:  # plain smoothness: the FLCI; C-F on request gives the identified set
        res = honest_did(beta, TINY3, num_pre=2, num_post=2, method="smoothness", M=[0.1],
                         l_vec=list(l_vec), breakdown=False, inference="C-F")  # fmt: skip
    assert (res.ci_low[0], res.ci_high[0]) == pytest.approx(expected, abs=1e-3)


def _sliver_or_empty(lo: float, hi: float, end: float) -> None:
    """C-F keeps, as HonestDiD's grid does, a sliver at an end of its first-stage
    FLCI (the FLCI event pins the statistic at its truncation point)."""
    assert np.isnan(lo) or (hi - lo < 1e-6 and abs(lo - end) < 1e-6)


def test_cf_contradicting_restriction_rejects_all_but_flci_end() -> None:
    """Slope 0.1 pre-trend, M = 0.05: smoothness needs delta_1 >= 0.05, decreasing
    needs delta_1 <= 0 (that row involves a post-period, so it is tested): the
    conditional set is empty; C-F keeps at most a sliver at its FLCI's end."""
    beta = np.array([-0.2, -0.1, 1.0, 2.0])
    kw = {"num_pre": 2, "num_post": 2, "method": "smoothness", "M": [0.05],
          "breakdown": False, "monotonicity": "decreasing"}  # fmt: skip
    cond = honest_did(beta, TINY3, inference="conditional", **kw)  # type: ignore[arg-type]
    assert np.isnan(cond.ci_low[0]) and np.isnan(cond.ci_high[0])
    res = honest_did(beta, TINY3, **kw)  # type: ignore[arg-type]
    f = honest._flci(beta, TINY3, np.array([1.0, 0.0]), 2, 2, 0.05, 0.005)
    ends = (f.center - f.half_length, f.center + f.half_length)
    end = min(ends, key=lambda e: abs(e - res.ci_low[0]))
    _sliver_or_empty(res.ci_low[0], res.ci_high[0], end)


def test_cf_one_post_period_tests_all_rows_as_honestdid() -> None:
    """One post-period: HonestDiD's no-nuisance test uses every row of A, so a
    pre-period second difference of 0.2 > M = 0.1 rejects (all but a sliver)."""
    sigma = np.diag([0.04, 0.04, 0.09]) * 1e-10
    beta = np.array([0.0, -0.1, 1.0])
    res = honest_did(beta, sigma, num_pre=2, num_post=1, method="smoothness",
                     M=[0.1, 0.3], breakdown=False, bias_direction="positive")  # fmt: skip
    f = honest._flci(beta, sigma, np.array([1.0]), 2, 1, 0.1, 0.005)
    _sliver_or_empty(res.ci_low[0], res.ci_high[0], f.center - f.half_length)
    cond = honest_did(beta, sigma, num_pre=2, num_post=1, method="smoothness", M=[0.1],
                      breakdown=False, bias_direction="positive", inference="conditional")  # fmt: skip
    assert np.isnan(cond.ci_low[0])
    # M = 0.3: delta_1 in 0.1 +/- 0.3 and >= 0, theta = 1 - delta_1 in [0.6, 1.0]
    assert (res.ci_low[1], res.ci_high[1]) == pytest.approx((0.6, 1.0), abs=1e-3)


def test_cf_inside_first_stage_flci_and_breakdown_consistent() -> None:
    """BC data with delta_post >= 0 (theta <= b, so large M reaches 0): the set lies in the FLCI at level 0.995,
    and the bisected breakdown M separates sets excluding 0 from sets containing it."""
    beta, sigma, num_pre, num_post = load_event_study("bc")
    l_vec = np.array([1.0, 0.0, 0.0, 0.0])
    kw = {"num_pre": num_pre, "num_post": num_post, "method": "smoothness",
          "bias_direction": "positive", "l_vec": l_vec}  # fmt: skip
    res = honest_did(beta, sigma, M=[0.0, 0.1, 0.3], **kw)  # type: ignore[arg-type]
    assert res.inference == "C-F"
    for m, lo, hi in zip(res.m_values, res.ci_low, res.ci_high, strict=True):
        f = honest._flci(beta, sigma, l_vec, num_pre, num_post, float(m), 0.005)
        assert f.center - f.half_length - 1e-9 <= lo <= hi <= f.center + f.half_length + 1e-9
    bd = res.breakdown
    assert 0 < bd < np.inf
    near = honest_did(beta, sigma, M=[0.98 * bd, 1.02 * bd], breakdown=False, **kw)  # type: ignore[arg-type]
    assert near.ci_low[0] > 0 >= near.ci_low[1]


def test_inference_defaults_and_errors() -> None:
    """HonestDiD's defaults per method; C-LF and conditional stay available."""
    beta, sigma = [0.1, 1.0], np.array([[0.04, 0.01], [0.01, 0.09]])
    kw = {"num_pre": 1, "num_post": 1, "breakdown": False}
    assert honest_did(beta, sigma, Mbar=[1.0], **kw).inference == "C-LF"  # type: ignore[arg-type]
    assert honest_did(beta, sigma, method="smoothness", M=[0.1], **kw).inference == "FLCI"  # type: ignore[arg-type]
    for inf in ("C-LF", "conditional"):
        res = honest_did(beta, sigma, method="smoothness", M=[0.1], bias_direction="positive",
                         inference=inf, **kw)  # type: ignore[arg-type]  # fmt: skip
        assert res.inference == inf and res.ci_low[0] < res.ci_high[0]
    with pytest.raises(EstimationError, match="C-F"):
        honest_did(beta, sigma, Mbar=[1.0], inference="C-F", **kw)  # type: ignore[arg-type]
    with pytest.raises(EstimationError, match="FLCI"):
        honest_did(beta, sigma, method="smoothness", M=[0.1], monotonicity="increasing",
                   inference="FLCI", **kw)  # type: ignore[arg-type]  # fmt: skip
