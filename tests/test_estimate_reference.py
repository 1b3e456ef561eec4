"""The OLS core against pyfixest and statsmodels, plus hand-computed fixtures."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
import statsmodels.api as sm

from boligeval.errors import CollinearityWarning, EstimationError, SingletonWarning
from boligeval.estimate import add_dummies, feols

COEF_RTOL = 1e-8  # coefficients vs pyfixest, relative
SE_RTOL = 1e-6  # standard errors vs pyfixest / statsmodels, relative

# pyfixest 0.60 calls pandas with deprecated arguments; not ours to fix
pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword")

PF_VCOV = {"iid": "iid", "HC1": "hetero", "CR1": {"CRV1": "cl"}}


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    """Unbalanced random data: 45 clusters of very different sizes, 5 of them singletons."""
    rng = np.random.default_rng(20240611)
    sizes = np.concatenate([np.ones(5, int), rng.integers(2, 80, size=40)])
    cl = np.repeat(np.arange(sizes.size), sizes)
    n = cl.size
    f1 = rng.integers(0, 30, size=n)
    f2 = rng.integers(0, 8, size=n)
    x1 = rng.normal(size=n) + 0.05 * f1
    x2 = rng.normal(size=n) + rng.normal(size=sizes.size)[cl]
    y = (
        1
        + 0.5 * x1
        - 0.25 * x2
        + 0.1 * f1
        - 0.2 * f2
        + rng.normal(size=sizes.size)[cl]
        + rng.normal(size=n)
    )
    return pd.DataFrame(
        {"y": y, "x1": x1, "x2": x2, "f1": f1, "f2": f2, "cl": cl, "w": rng.uniform(0.2, 5, size=n)}
    )


def _pf_fml(fes: list[str], xs: str = "x1 + x2") -> str:
    return f"y ~ {xs}" + (f" | {' + '.join(fes)}" if fes else "")


def _assert_matches_pyfixest(fit, ref) -> None:  # type: ignore[no-untyped-def]
    terms = list(ref.coef().index)
    assert list(fit.terms) == terms
    np.testing.assert_allclose(fit.coef()[terms], ref.coef(), rtol=COEF_RTOL, atol=0)
    np.testing.assert_allclose(fit.se()[terms], ref.se(), rtol=SE_RTOL, atol=0)
    np.testing.assert_allclose(fit.tidy()["p_value"], ref.pvalue()[terms], rtol=1e-5, atol=1e-12)
    assert fit.n_obs == ref._N


@pytest.mark.parametrize("fes", [[], ["f1"], ["f1", "f2"]], ids=["no_fe", "one_fe", "two_fe"])
@pytest.mark.parametrize("vcov", ["iid", "HC1", "CR1"])
@pytest.mark.parametrize("weights", [None, "w"], ids=["unweighted", "weighted"])
def test_matches_pyfixest(
    data: pd.DataFrame, fes: list[str], vcov: str, weights: str | None
) -> None:
    fit = feols(
        data,
        "y",
        ["x1", "x2"],
        fes,
        weights=weights,
        vcov=vcov,  # type: ignore[arg-type]
        cluster="cl" if vcov == "CR1" else None,
    )
    ref = pf.feols(_pf_fml(fes), data, vcov=PF_VCOV[vcov], weights=weights, fixef_rm="none")
    _assert_matches_pyfixest(fit, ref)
    assert fit.r2 == pytest.approx(ref._r2, rel=1e-10)
    assert fit.adj_r2 == pytest.approx(ref._adj_r2, rel=1e-10)
    if fes:
        assert fit.r2_within == pytest.approx(ref._r2_within, rel=1e-8)


def test_fe_nested_in_cluster_not_counted(data: pd.DataFrame) -> None:
    df = data.assign(unit=data["cl"])
    fit = feols(df, "y", ["x1", "x2"], ["unit", "f2"], cluster="cl")
    ref = pf.feols("y ~ x1 + x2 | unit + f2", df, vcov={"CRV1": "cl"}, fixef_rm="none")
    _assert_matches_pyfixest(fit, ref)
    assert fit.df_k == 2 + 1 + (8 - 1)  # regressors + nested FE as one + f2's 8 levels less one


def test_collinear_column_dropped(data: pd.DataFrame) -> None:
    df = data.assign(x3=data["x1"] + 2 * data["x2"], const_f1=data["f1"] * 3.0)
    with pytest.warns(CollinearityWarning, match="x3"):
        fit = feols(df, "y", ["x1", "x2", "x3", "const_f1"], ["f1"], cluster="cl")
    assert fit.dropped == ("x3", "const_f1")
    ref = pf.feols("y ~ x1 + x2 | f1", df, vcov={"CRV1": "cl"}, fixef_rm="none")
    _assert_matches_pyfixest(fit, ref)
    with pytest.raises(EstimationError, match="collinear"):
        fit.lincom({"x3": 1})


def test_zero_weights_dropped_as_stata(data: pd.DataFrame) -> None:
    df = data.copy()
    df.loc[df.index[::17], "w"] = 0.0
    fit = feols(df, "y", ["x1", "x2"], ["f1"], weights="w", cluster="cl")
    ref = pf.feols(
        "y ~ x1 + x2 | f1", df[df["w"] > 0], vcov={"CRV1": "cl"}, weights="w", fixef_rm="none"
    )
    _assert_matches_pyfixest(fit, ref)
    assert fit.n_dropped_zero_weight == len(df.index[::17])
    assert fit.n_obs == len(df) - fit.n_dropped_zero_weight


def test_missing_rows_dropped_and_counted(data: pd.DataFrame) -> None:
    df = data.copy()
    df.loc[df.index[:7], "y"] = np.nan
    df.loc[df.index[10:13], "x2"] = np.nan
    fit = feols(df, "y", ["x1", "x2"], ["f1", "f2"], cluster="cl")
    ref = pf.feols("y ~ x1 + x2 | f1 + f2", df.dropna(), vcov={"CRV1": "cl"}, fixef_rm="none")
    _assert_matches_pyfixest(fit, ref)
    assert fit.n_dropped_missing == 10


def test_singleton_dropping_matches_pyfixest_default(data: pd.DataFrame) -> None:
    df = data.assign(unit=np.arange(len(data)) // 3)
    df = df.iloc[:-1]  # 1,699 rows: the last unit keeps a single row
    with pytest.warns(SingletonWarning):
        fit = feols(df, "y", ["x1", "x2"], ["unit"], cluster="cl", drop_singletons=True)
    ref = pf.feols("y ~ x1 + x2 | unit", df, vcov={"CRV1": "cl"})
    _assert_matches_pyfixest(fit, ref)
    assert fit.n_dropped_singletons == 1


@pytest.mark.parametrize("vcov", ["iid", "HC1", "CR1"])
def test_matches_statsmodels(data: pd.DataFrame, vcov: str) -> None:
    fit = feols(
        data,
        "y",
        ["x1", "x2"],
        weights="w",
        vcov=vcov,  # type: ignore[arg-type]
        cluster="cl" if vcov == "CR1" else None,
    )
    model = sm.WLS(data["y"], sm.add_constant(data[["x1", "x2"]]), weights=data["w"])
    if vcov == "CR1":
        res = model.fit(cov_type="cluster", cov_kwds={"groups": data["cl"]})
    elif vcov == "HC1":
        res = model.fit(cov_type="HC1")
    else:
        res = model.fit()
    np.testing.assert_allclose(fit.beta, res.params.to_numpy(), rtol=COEF_RTOL)
    np.testing.assert_allclose(np.sqrt(np.diag(fit.vcov)), res.bse.to_numpy(), rtol=SE_RTOL)


def test_lincom_and_wald(data: pd.DataFrame) -> None:
    fit = feols(data, "y", ["x1", "x2"], ["f1"], cluster="cl")
    lc = fit.lincom({"x1": 1, "x2": 1})
    v = fit.vcov
    assert lc.estimate == pytest.approx(fit.beta[0] + fit.beta[1], rel=1e-12)
    assert lc.std_error == pytest.approx(np.sqrt(v[0, 0] + v[1, 1] + 2 * v[0, 1]), rel=1e-12)
    single = fit.lincom([1.0, 0.0])
    row = fit.tidy().iloc[0]
    assert (single.estimate, single.std_error, single.p_value) == pytest.approx(
        (row["estimate"], row["std_error"], row["p_value"]), rel=1e-12
    )
    assert fit.wald(["x1"]).statistic == pytest.approx(row["t_stat"] ** 2, rel=1e-10)
    ref = pf.feols("y ~ x1 + x2 | f1", data, vcov={"CRV1": "cl"}, fixef_rm="none")
    wald_ref = ref.wald_test(R=np.eye(2))
    ours = fit.wald(["x1", "x2"])
    assert ours.statistic == pytest.approx(float(wald_ref["statistic"]), rel=1e-6)
    shifted = fit.wald(np.eye(2), q=[0.5, -0.25])
    diff = fit.beta - [0.5, -0.25]
    assert shifted.statistic == pytest.approx(diff @ np.linalg.solve(fit.vcov, diff) / 2, rel=1e-10)
    assert ours.p_value == pytest.approx(float(wald_ref["pvalue"]), rel=1e-5)
    assert ours.df_den == fit.n_clusters - 1  # type: ignore[operator]


def test_result_is_immutable_and_with_vcov_returns_new(data: pd.DataFrame) -> None:
    fit = feols(data, "y", ["x1", "x2"], ["f1"], cluster="cl")
    with pytest.raises(dataclasses.FrozenInstanceError):
        fit.n_obs = 3  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        fit.beta[0] = 0.0
    hc1 = fit.with_vcov("HC1")
    direct = feols(data, "y", ["x1", "x2"], ["f1"], vcov="HC1")
    np.testing.assert_allclose(hc1.vcov, direct.vcov, rtol=1e-12)
    assert fit.vcov_type == "CR1" and hc1.vcov_type == "HC1"
    by_f2 = fit.with_vcov("CR1", cluster=data["f2"].to_numpy(), cluster_name="f2")
    ref = pf.feols("y ~ x1 + x2 | f1", data, vcov={"CRV1": "f2"}, fixef_rm="none")
    np.testing.assert_allclose(by_f2.se(), ref.se(), rtol=SE_RTOL)
    assert by_f2.n_clusters == 8


def test_bad_requests_raise_estimation_error(data: pd.DataFrame) -> None:
    with pytest.raises(EstimationError, match="not in the data"):
        feols(data, "y", ["nope"])
    with pytest.raises(EstimationError, match="cluster"):
        feols(data, "y", ["x1"], vcov="CR1")
    with pytest.raises(EstimationError, match="not numeric"):
        feols(data.assign(s="a"), "y", ["s"])
    with (
        pytest.raises(EstimationError, match="collinear with the fixed effects"),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore", CollinearityWarning)
        feols(data, "y", ["f1"], ["f1"])


# --------------------------------------------------------------------------- hand-computed


@pytest.fixture
def two_by_two() -> pd.DataFrame:
    """8 rows: two per group-period cell, cell means C0=2, C1=5, T0=3, T1=10."""
    return pd.DataFrame(
        {
            "y": [1.0, 3.0, 4.0, 6.0, 2.0, 4.0, 9.0, 11.0],
            "treat": [0, 0, 0, 0, 1, 1, 1, 1],
            "post": [0, 0, 1, 1, 0, 0, 1, 1],
        }
    ).assign(treat_post=lambda d: d["treat"] * d["post"])


def test_hand_2x2_did_coefficient_and_iid_se(two_by_two: pd.DataFrame) -> None:
    # DiD = (10 - 3) - (5 - 2) = 4. Every residual is +/-1, so SSR = 8 and
    # sigma^2 = 8 / (8 - 4) = 2; Var(DiD) = sigma^2 (1/2 + 1/2 + 1/2 + 1/2) = 4, SE = 2.
    fit = feols(two_by_two, "y", ["treat", "post", "treat_post"])
    row = fit.tidy().set_index("term").loc["treat_post"]
    assert row["estimate"] == pytest.approx(4.0, abs=1e-12)
    assert row["std_error"] == pytest.approx(2.0, abs=1e-12)
    assert row["t_stat"] == pytest.approx(2.0, abs=1e-12)
    assert fit.df_resid == 4
    # same with the group and period effects absorbed: K = 1 + 2 + 2 - 1 = 4
    fe = feols(two_by_two, "y", ["treat_post"], ["treat", "post"])
    assert fe.coef()["treat_post"] == pytest.approx(4.0, abs=1e-12)
    assert fe.se()["treat_post"] == pytest.approx(2.0, abs=1e-12)
    # R2: total SS around 5 = 16+4+1+1+9+1+16+36 = 84, SSR = 8
    assert fit.r2 == pytest.approx(1 - 8 / 84, abs=1e-12)
    assert fit.adj_r2 == pytest.approx(1 - (8 / 84) * 7 / 4, abs=1e-12)


def test_hand_cluster_cr1_on_2x2(two_by_two: pd.DataFrame) -> None:
    # Clusters = the four cells. Cell residuals sum to zero, so every cluster
    # score is zero and the CR1 variance of every coefficient is exactly 0 up to
    # rounding: undefined (NaN), not a standard error of 0.
    df = two_by_two.assign(cell=lambda d: d["treat"] * 2 + d["post"])
    fit = feols(df, "y", ["treat", "post", "treat_post"], cluster="cell")
    assert fit.n_clusters == 4
    assert np.isnan(fit.vcov).all()
    # Clusters = the two rows within each cell position (first vs second row):
    # scores of cluster A are -x_i summed over its rows, B the opposite.
    df2 = two_by_two.assign(half=[0, 1] * 4)
    fit2 = feols(df2, "y", ["treat_post"], ["treat", "post"], cluster="half")
    # DiD score sum in cluster "first rows": demeaned x times residual (-1 each)
    # gives -(0.25 - 0.25 - 0.25 + 0.25)... = 0 only by symmetry; check CR1 by formula
    xdm = np.array([0.25, 0.25, -0.25, -0.25, -0.25, -0.25, 0.25, 0.25])
    u = np.array([-1, 1, -1, 1, -1, 1, -1, 1], dtype=float)
    s = np.array([np.sum((xdm * u)[0::2]), np.sum((xdm * u)[1::2])])
    bread = 1 / np.sum(xdm**2)
    v = 2 / 1 * (8 - 1) / (8 - 4) * bread**2 * np.sum(s**2)
    assert v == 0.0 and np.isnan(fit2.se()["treat_post"])  # the sums cancel: undefined


def test_add_dummies_reference_and_names() -> None:
    df = pd.DataFrame({"year": [2005, 2007, 2009, 2007], "cohort": ["control", "g1", "g2", "g1"]})
    out, names = add_dummies(df, "year")
    assert names == ["year_2007", "year_2009"]
    assert out["year_2007"].tolist() == [0.0, 1.0, 0.0, 1.0]
    out, names = add_dummies(df, "cohort", reference="control")
    assert names == ["cohort_g1", "cohort_g2"]
    assert "year_2007" not in df.columns  # input untouched
    with pytest.raises(EstimationError, match="reference level"):
        add_dummies(df, "cohort", reference="g9")
