"""Goodman-Bacon decomposition: hand example and the exactness property."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from boligeval.errors import EstimationError
from boligeval.estimate.bacon import bacon


def _panel(first: np.ndarray, y: np.ndarray, periods: np.ndarray) -> pd.DataFrame:
    n, t_n = y.shape
    return pd.DataFrame(
        {
            "id": np.repeat(np.arange(n), t_n),
            "t": np.tile(periods, n),
            "y": y.ravel(),
            "d": (np.tile(periods, n) >= np.repeat(first, t_n)).astype(int),
            "g": np.repeat(np.where(np.isinf(first), 0, first), t_n),
        }
    )


def test_two_by_two_by_hand() -> None:
    """One treated group, one never treated: a single 2x2 with weight 1 equal to the DiD."""
    y = np.array([[1.0, 2.0, 5.0, 7.0], [0.0, 1.0, 1.0, 2.0]])
    res = bacon(
        _panel(np.array([3, np.inf]), y, np.arange(1, 5)),
        yname="y",
        tname="t",
        idname="id",
        treatment="d",
    )
    assert len(res.comparisons) == 1
    row = res.comparisons.iloc[0]
    assert row["type"] == "Treated vs Untreated"
    assert row["weight"] == pytest.approx(1.0)
    assert row["estimate"] == pytest.approx((6 - 1.5) - (1.5 - 0.5), abs=1e-12)
    assert res.twfe_estimate == pytest.approx(row["estimate"], abs=1e-12)


def test_weights_sum_to_one_and_reproduce_twfe_on_random_panels() -> None:
    """On 100 random staggered panels (incl. always-treated, unequal spacing) sum w*b = TWFE."""
    rng = np.random.default_rng(123)
    for _ in range(100):
        t_n = int(rng.integers(3, 9))
        periods = np.cumsum(rng.integers(1, 3, size=t_n)) + 2000
        n = int(rng.integers(6, 40))
        cand = np.r_[periods, np.inf]
        first = rng.choice(cand, size=n)
        first[:2] = [periods[1], np.inf]  # at least one switching group and a control
        y = rng.normal(size=(n, t_n)) + rng.normal(size=(n, 1)) + rng.normal(size=(1, t_n))
        df = _panel(first, y, periods)
        res = bacon(df, yname="y", tname="t", idname="id", treatment="d")
        comp = res.comparisons
        assert comp["weight"].sum() == pytest.approx(1.0, abs=1e-12)
        assert (comp["weight"] >= 0).all()
        assert float(comp["weight"] @ comp["estimate"]) == pytest.approx(
            res.twfe_estimate, abs=1e-10
        )
        via_g = bacon(df, yname="y", tname="t", idname="id", gname="g")
        assert via_g.twfe_estimate == pytest.approx(res.twfe_estimate, abs=1e-12)


def test_twfe_matches_dummy_regression() -> None:
    """The within-transform TWFE slope equals least squares with unit and period dummies."""
    rng = np.random.default_rng(7)
    periods = np.arange(1, 6)
    first = np.array([2, 2, 4, 4, np.inf, np.inf, 3])
    y = rng.normal(size=(7, 5))
    df = _panel(first, y, periods)
    x = np.column_stack(
        [
            df["d"],
            pd.get_dummies(df["id"], dtype=float),
            pd.get_dummies(df["t"], drop_first=True, dtype=float),
        ]
    )
    beta = np.linalg.lstsq(x, df["y"].to_numpy(), rcond=None)[0][0]
    assert bacon(
        df, yname="y", tname="t", idname="id", treatment="d"
    ).twfe_estimate == pytest.approx(beta, abs=1e-12)


def test_rejects_non_absorbing_and_unbalanced() -> None:
    """Switching off treatment and missing cells are user errors."""
    df = _panel(np.array([2, np.inf, 3]), np.zeros((3, 4)), np.arange(1, 5))
    bad = df.copy()
    bad.loc[(bad["id"] == 0) & (bad["t"] == 4), "d"] = 0
    with pytest.raises(EstimationError, match="absorbing"):
        bacon(bad, yname="y", tname="t", idname="id", treatment="d")
    with pytest.raises(EstimationError, match="balanced"):
        bacon(df.iloc[1:], yname="y", tname="t", idname="id", treatment="d")
    with pytest.raises(EstimationError, match="exactly one"):
        bacon(df, yname="y", tname="t", idname="id")
    res = bacon(df, yname="y", tname="t", idname="id", treatment="d")
    assert list(res.tidy().columns)[:2] == ["term", "group"]
    assert "TWFE" in res.summary()
