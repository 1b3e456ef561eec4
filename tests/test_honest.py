"""Rambachan-Roth robust sets: hand-derivable cases and monotonicity."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize, stats

from boligeval.errors import EstimationError
from boligeval.estimate.honest import honest_did

BETA = np.array([0.1, 1.0])  # one pre-period (-1), one post-period (1)
SIGMA = np.array([[0.04, 0.01], [0.01, 0.09]])
Z = stats.norm.ppf(0.975)


def test_relative_magnitude_mbar_zero_is_conventional_ci() -> None:
    """With Mbar = 0 the post violation is 0 and the ARP conditional set is the usual CI."""
    res = honest_did(BETA, SIGMA, num_pre=1, num_post=1, Mbar=[0.0], inference="conditional")
    assert res.ci_low[0] == pytest.approx(1.0 - Z * 0.3, abs=1e-5)
    assert res.ci_high[0] == pytest.approx(1.0 + Z * 0.3, abs=1e-5)
    assert res.original_ci == pytest.approx((1.0 - Z * 0.3, 1.0 + Z * 0.3))


def test_relative_magnitude_identified_set_and_breakdown_with_tiny_noise() -> None:
    """Near-zero variance: set = [b1 - Mbar |b_-1|, b1 + Mbar |b_-1|], breakdown = b1 / |b_-1| = 10."""
    res = honest_did(BETA, SIGMA * 1e-10, num_pre=1, num_post=1, Mbar=[2.0, 5.0])
    np.testing.assert_allclose(res.ci_low, [0.8, 0.5], atol=1e-3)
    np.testing.assert_allclose(res.ci_high, [1.2, 1.5], atol=1e-3)
    assert res.breakdown == pytest.approx(10.0, rel=1e-3)


def test_relative_magnitude_widens_and_breakdown_is_consistent() -> None:
    """Sets grow with Mbar; 0 is outside just below the breakdown value and inside above it."""
    beta = np.array([0.05, -0.02, 0.1, 0.5, 0.6])
    sigma = np.diag([0.01, 0.01, 0.02, 0.02, 0.03]) + 0.002
    grid = [0.0, 0.25, 0.5, 1.0]
    res = honest_did(beta, sigma, num_pre=3, num_post=2, Mbar=grid, l_vec=[0.5, 0.5])
    assert np.all(np.diff(res.ci_low) <= 1e-6) and np.all(np.diff(res.ci_high) >= -1e-6)
    assert np.all(np.diff(res.ci_high - res.ci_low) > 0)
    bd = res.breakdown
    assert 0 < bd < np.inf
    near = honest_did(
        beta, sigma, num_pre=3, num_post=2, Mbar=[0.97 * bd, 1.03 * bd], l_vec=[0.5, 0.5]
    )
    assert near.ci_low[0] > 0 and near.ci_low[1] <= 0


def test_smoothness_one_pre_period_by_hand() -> None:
    """One pre-period: the estimator must be b1 + b_-1 (linear extrapolation), worst bias M."""
    sd = np.sqrt(0.04 + 0.09 + 2 * 0.01)
    m = 0.1
    cv = optimize.brentq(
        lambda c: stats.norm.cdf(c - m / sd) - stats.norm.cdf(-c - m / sd) - 0.95, 0, 10
    )
    res = honest_did(BETA, SIGMA, num_pre=1, num_post=1, method="smoothness", M=[0.0, m])
    assert res.ci_low[0] == pytest.approx(1.1 - Z * sd, abs=1e-9)
    assert res.ci_high[0] == pytest.approx(1.1 + Z * sd, abs=1e-9)
    assert res.ci_low[1] == pytest.approx(1.1 - cv * sd, abs=1e-8)
    assert res.ci_high[1] == pytest.approx(1.1 + cv * sd, abs=1e-8)
    # breakdown: smallest M with 1.1 - cv(M) * sd = 0
    bd = optimize.brentq(
        lambda mm: 1.1 - sd * np.sqrt(stats.ncx2.ppf(0.95, 1, (mm / sd) ** 2)), 1e-9, 5
    )
    assert res.breakdown == pytest.approx(bd, rel=1e-4)


def test_smoothness_widens_with_m_and_m_zero_is_linear_trend_ci() -> None:
    """M = 0 allows exact linear trends only; with a linear pre-trend the set is shifted by it."""
    t = np.array([-3.0, -2.0, -1.0, 1.0, 2.0])
    beta = 0.1 * t + np.array([0, 0, 0, 0.5, 0.5])  # linear trend 0.1 plus effect 0.5
    sigma = np.eye(5) * 1e-8
    res = honest_did(
        beta, sigma, num_pre=3, num_post=2, method="smoothness", M=[0.0, 0.01, 0.05], l_vec=[1, 0]
    )
    assert (res.ci_low[0] + res.ci_high[0]) / 2 == pytest.approx(0.5, abs=1e-4)
    assert np.all(np.diff(res.ci_high - res.ci_low) > 0)


def test_input_errors() -> None:
    """Shape and method mistakes raise EstimationError."""
    with pytest.raises(EstimationError, match="num_pre"):
        honest_did(BETA, SIGMA, num_pre=2, num_post=1)
    with pytest.raises(EstimationError, match="method"):
        honest_did(BETA, SIGMA, num_pre=1, num_post=1, method="vibes")  # type: ignore[arg-type]
    with pytest.raises(EstimationError, match="symmetric"):
        honest_did(BETA, np.eye(3), num_pre=1, num_post=1)
    res = honest_did(BETA, SIGMA, num_pre=1, num_post=1, Mbar=[0.0])
    assert list(res.tidy().columns) == [
        "term",
        "m",
        "estimate",
        "std_error",
        "p_value",
        "ci_low",
        "ci_high",
    ]
    assert "breakdown" in res.summary()
