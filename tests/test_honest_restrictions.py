"""Combined, sign and monotonicity restrictions: identified sets derived by hand.

With (almost) no sampling noise the robust set is the identified set
``{b_post - delta_post : delta in Delta, delta_pre = b_pre}``, which is easy to
write down for one or two pre-periods.
"""

from __future__ import annotations

import numpy as np
import pytest

from boligeval.errors import EstimationError
from boligeval.estimate.honest import honest_did

TINY = np.array([[0.04, 0.01], [0.01, 0.09]]) * 1e-10


@pytest.mark.parametrize(
    ("b_pre", "kw", "expected"),
    [
        # |delta_1| <= 2 |delta_-1| = 0.2
        (0.1, {}, (0.8, 1.2)),
        (0.1, {"bias_direction": "positive"}, (0.8, 1.0)),  # and delta_1 >= 0
        (0.1, {"bias_direction": "negative"}, (1.0, 1.2)),  # and delta_1 <= 0
        (-0.1, {"monotonicity": "increasing"}, (0.8, 1.0)),  # -0.1 <= 0 <= delta_1
    ],
)
def test_relative_magnitude_with_sign_or_shape(b_pre: float, kw: dict, expected: tuple) -> None:
    """One pre, one post period, Mbar = 2, target b_1 - delta_1 with b_1 = 1."""
    res = honest_did([b_pre, 1.0], TINY, num_pre=1, num_post=1, Mbar=[2.0], breakdown=False, **kw)
    assert (res.ci_low[0], res.ci_high[0]) == pytest.approx(expected, abs=1e-3)


def test_pre_period_only_rows_are_not_tested_as_in_honestdid() -> None:
    """delta_-1 = 0.1 > delta_0 = 0 contradicts an increasing delta, but that row has no
    post-period coefficient and HonestDiD (postPeriodMomentsOnly) does not test it:
    the set is that of delta_1 in [0, 0.2] (post rows only), theta in [0.8, 1.0].
    """
    res = honest_did([0.1, 1.0], TINY, num_pre=1, num_post=1, Mbar=[2.0], breakdown=False,
                     monotonicity="increasing")  # fmt: skip
    assert (res.ci_low[0], res.ci_high[0]) == pytest.approx((0.8, 1.0), abs=1e-3)


@pytest.mark.parametrize(("mbar", "expected"), [(0.0, (0.9, 0.9)), (1.0, (0.7, 1.1))])
def test_smoothness_relative_magnitude_by_hand(mbar: float, expected: tuple) -> None:
    """Two pre, one post: |delta_-1 + delta_1| <= Mbar |delta_-2 - 2 delta_-1|.

    b_pre = (0, -0.1): pre second difference 0.2, so delta_1 is in
    0.1 +/- 0.2 Mbar and theta = 1 - delta_1 in 0.9 -/+ 0.2 Mbar.
    """
    sigma = np.diag([0.04, 0.04, 0.09]) * 1e-10
    res = honest_did([0.0, -0.1, 1.0], sigma, num_pre=2, num_post=1, Mbar=[mbar],
                     method="smoothness_relative_magnitude", breakdown=False)  # fmt: skip
    assert (res.ci_low[0], res.ci_high[0]) == pytest.approx(expected, abs=1e-3)


def test_smoothness_relative_magnitude_linear_pre_trend_is_extrapolated() -> None:
    """A linear pre-trend has no second difference: any Mbar gives theta = b_1 - slope."""
    sigma = np.diag([0.04, 0.04, 0.09]) * 1e-10
    res = honest_did([-0.2, -0.1, 1.0], sigma, num_pre=2, num_post=1, Mbar=[0.5, 2.0],
                     method="smoothness_relative_magnitude", breakdown=False)  # fmt: skip
    np.testing.assert_allclose(res.ci_low, 0.9, atol=1e-3)
    np.testing.assert_allclose(res.ci_high, 0.9, atol=1e-3)


@pytest.mark.parametrize(
    ("kw", "expected"),
    [({}, (0.8, 1.4)), ({"bias_direction": "positive"}, (0.8, 1.0))],
)
def test_smoothness_with_sign_restriction_by_hand(kw: dict, expected: tuple) -> None:
    """One pre, one post, M = 0.3: |delta_-1 + delta_1| <= 0.3 with delta_-1 = 0.1.

    The sign restriction makes smoothness an ARP set (C-F by default) instead of the FLCI.
    """
    res = honest_did([0.1, 1.0], TINY, num_pre=1, num_post=1, method="smoothness", M=[0.3],
                     breakdown=False, bias_direction="positive", **{})  # fmt: skip
    if not kw:
        res = honest_did([0.1, 1.0], TINY, num_pre=1, num_post=1, method="smoothness",
                         M=[0.3], breakdown=False, monotonicity="decreasing")  # fmt: skip
        # decreasing: 0.1 >= 0 >= delta_1, so delta_1 in [-0.4, 0]: theta in [1.0, 1.4]
        expected = (1.0, 1.4)
    assert res.inference == "C-F"
    assert (res.ci_low[0], res.ci_high[0]) == pytest.approx(expected, abs=1e-3)


def test_restriction_shrinks_set_on_real_data_and_breakdown_is_optional() -> None:
    """ehec event study: the sign restriction (delta_post <= 0) keeps the upper end area.

    Hand-checkable consequence: with delta_post <= 0, theta = b - delta >= b, so
    the restricted set cannot extend below the conventional interval's lower end
    by more than the unrestricted one does.
    """
    from tests.test_inference_honest import ehec_event_study

    beta, sigma, num_pre, num_post = ehec_event_study()
    kw = {"num_pre": num_pre, "num_post": num_post, "Mbar": [1.0, 2.0]}
    plain = honest_did(beta, sigma, breakdown=False, **kw)  # type: ignore[arg-type]
    neg = honest_did(beta, sigma, breakdown=False, bias_direction="negative", **kw)  # type: ignore[arg-type]
    assert np.isnan(plain.breakdown) and np.isnan(neg.breakdown)
    assert np.all(neg.ci_low >= plain.ci_low - 1e-9)
    assert np.all(neg.ci_high - neg.ci_low <= plain.ci_high - plain.ci_low + 1e-9)


def test_relative_magnitude_breakdown_matches_sets() -> None:
    """The bisected breakdown Mbar separates sets excluding 0 from sets containing it."""
    beta = np.array([0.05, -0.02, 0.1, 0.5, 0.6])
    sigma = np.diag([0.01, 0.01, 0.02, 0.02, 0.03]) + 0.002
    for method in ("relative_magnitude", "smoothness_relative_magnitude"):
        res = honest_did(beta, sigma, num_pre=3, num_post=2, Mbar=[0.0], method=method)  # type: ignore[arg-type]
        bd = res.breakdown
        assert 0 < bd < np.inf
        near = honest_did(beta, sigma, num_pre=3, num_post=2, Mbar=[0.98 * bd, 1.02 * bd],
                          method=method, breakdown=False)  # type: ignore[arg-type]  # fmt: skip
        assert near.ci_low[0] > 0 >= near.ci_low[1]


def test_restriction_errors() -> None:
    """Invalid combinations raise EstimationError."""
    with pytest.raises(EstimationError, match="not both"):
        honest_did([0.1, 1.0], TINY, num_pre=1, num_post=1, bias_direction="positive",
                   monotonicity="increasing")  # fmt: skip
    with pytest.raises(EstimationError, match="2 pre-periods"):
        honest_did([0.1, 1.0], TINY, num_pre=1, num_post=1,
                   method="smoothness_relative_magnitude")  # fmt: skip
    with pytest.raises(EstimationError, match="inference"):
        honest_did([0.1, 1.0], TINY, num_pre=1, num_post=1, inference="ARP")  # type: ignore[arg-type]
