"""Romano-Wolf and Holm adjusted p-values: hand cases, pyfixest's rwolf, the main table."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from boligeval.cli import main
from boligeval.errors import EstimationError
from boligeval.estimate import feols
from boligeval.estimate.multiple import holm, romano_wolf, romano_wolf_pvalues


def test_holm_by_hand() -> None:
    """Sorted 0.01, 0.03, 0.04, 0.20 times 4, 3, 2, 1: 0.04, 0.09, 0.08 -> 0.09, 0.20."""
    out = holm([0.01, 0.04, 0.03, 0.20, np.nan])
    np.testing.assert_allclose(out[:4], [0.04, 0.09, 0.09, 0.20])
    assert np.isnan(out[4])
    assert holm([0.6, 0.7]).tolist() == [1.0, 1.0]


def test_romano_wolf_stepdown_by_hand() -> None:
    """|t| = 3, 1, 2; four draws.

    Step 1 (t = 3, max over all): maxima 2.5, 3.5, 1.5, 2; one >= 3: (1 + 1) / 5 = 0.4.
    Step 2 (t = 2, over hypotheses 1 and 2): 2.5, 0.2, 1.5, 2; two >= 2: 3/5 = 0.6.
    Step 3 (t = 1, hypothesis 1): 0.5, 0.2, 1.5, 2; two >= 1: 3/5, monotone 0.6.
    """
    boot = np.array([[1.0, 0.5, 2.5], [3.5, 0.2, 0.1], [0.5, 1.5, 1.0], [2.0, 2.0, 2.0]])
    np.testing.assert_allclose(romano_wolf_pvalues(np.array([3.0, -1.0, 2.0]), boot),
                               [0.4, 0.6, 0.6])


def _data(seed: int = 7, clusters: int = 40, n: int = 800) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cl = rng.integers(0, clusters, n)
    d = (rng.normal(size=clusters)[cl] > 0).astype(float)
    common = rng.normal(size=clusters)[cl]
    df = pd.DataFrame({"cl": cl, "d": d, "z": rng.normal(size=n)})
    for k, b in enumerate([0.0, 0.15, 0.3, 0.05]):
        df[f"y{k}"] = b * d + 0.5 * common + rng.normal(size=n) + 0.2 * df["z"]
    return df


def test_identical_models_share_draws() -> None:
    """Two copies of one model: the maximum over equal columns is the column itself,
    so both adjusted p-values are that model's own (#{|t*| >= |t|} + 1) / (B + 1)."""
    df = _data()
    fit = feols(df, "y0", ["d", "z"], cluster="cl")
    res = romano_wolf([fit, fit], "d", [df["cl"], df["cl"]], bootstrap_draws=999, seed=1)
    one = romano_wolf([fit], "d", [df["cl"]], bootstrap_draws=999, seed=1)
    assert res.p_romano_wolf[0] == res.p_romano_wolf[1] == one.p_romano_wolf[0]
    assert one.p_holm[0] == pytest.approx(one.p_values[0])
    assert one.t_stats[0] == pytest.approx(abs(fit.coef()["d"] / fit.se()["d"]))
    with pytest.raises(EstimationError, match="not in every model"):
        romano_wolf([fit], "x", [df["cl"]], seed=1)


@pytest.mark.slow
def test_romano_wolf_against_pyfixest_rwolf() -> None:
    """Same models, 9,999 draws each: agreement within Monte Carlo error.

    The difference of two independent estimates of p has SD at most
    sqrt(2 * 0.25 / 9999) = 0.007; the tolerance is 3.5 of those.
    """
    import pyfixest as pf

    df = _data()
    fits = [feols(df, f"y{k}", ["d", "z"], cluster="cl") for k in range(4)]
    ours = romano_wolf(fits, "d", [df["cl"]] * 4, bootstrap_draws=9999, seed=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        models = [pf.feols(f"y{k} ~ d + z", df, vcov={"CRV1": "cl"}) for k in range(4)]
        ref = pf.rwolf(models, "d", reps=9999, seed=3).loc["RW Pr(>|t|)"].to_numpy(float)
    np.testing.assert_allclose(ours.p_romano_wolf, ref, atol=0.025)
    np.testing.assert_allclose(ours.p_values, [float(m.pvalue()["d"]) for m in models],
                               rtol=1e-8)


@pytest.mark.slow
def test_main_table_records_and_report_have_adjusted_p_values(tmp_path: Path) -> None:
    runner = CliRunner()
    world = tmp_path / "world"
    result = runner.invoke(main, ["synth", "--out", str(world), "--scale", "0.1", "--seed", "5"])
    assert result.exit_code == 0, result.output
    config = tmp_path / "config.toml"
    config.write_text(
        f'[data]\ndir = "{world.as_posix()}"\n[inference]\nwild_bootstrap_draws = 999\n'
        '[[analysis]]\nkind = "area_did"\npopulation = "all"\n'
        'outcomes = ["employed", "disposable_income"]\n'
        '[[analysis]]\nkind = "area_did"\npopulation = "working_age"\noutcomes = ["employed"]\n',
        encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(main, ["run", str(config), "--out", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    heads = [r for r in results["estimates"]
             if r["analysis"] == "area_did" and r["term"] == "active_plan"]
    assert len(heads) == 3
    np.testing.assert_allclose([r["p_value_holm"] for r in heads],
                               holm([r["p_value"] for r in heads]), rtol=1e-9)
    for r in heads:
        assert r["n_tests"] == 3 and 0 < r["p_value_romano_wolf"] <= 1
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "p-value, Romano-Wolf" in html and "p-value, Holm" in html
