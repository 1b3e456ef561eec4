"""ATT(g, t) on unbalanced panels against moderndid (R did's allow_unbalanced_panel).

moderndid 0.2.0 runs did's unbalanced path (each 2x2 as repeated cross-sections,
row influence functions summed by unit) when asked for ``panel=False`` with
``allow_unbalanced_panel=True``; its ``panel=True`` branch of that option fails.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from boligeval.estimate.staggered import att_gt
from tests.test_robust_event_studies import staggered


@pytest.mark.parametrize("control_group", ["notyettreated", "nevertreated"])
def test_unbalanced_att_gt_against_moderndid(control_group: str) -> None:
    moderndid = pytest.importorskip("moderndid")
    data = staggered(1, unbalanced=True)
    ours = att_gt(data, yname="y", tname="t", idname="id", gname="g", bootstrap=False,
                  allow_unbalanced_panel=True, control_group=control_group)  # type: ignore[arg-type]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = moderndid.att_gt(data, yname="y", tname="t", idname="id", gname="g",
                               allow_unbalanced_panel=True, panel=False, boot=False,
                               control_group=control_group)
    np.testing.assert_array_equal(ours.groups, np.asarray(ref.groups, dtype=float))
    np.testing.assert_array_equal(ours.times, np.asarray(ref.times, dtype=float))
    np.testing.assert_allclose(ours.att, ref.att_gt, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.std_errors, ref.se_gt, rtol=1e-10)


def test_balanced_panel_is_unchanged_by_the_option() -> None:
    data = staggered(2)
    a = att_gt(data, yname="y", tname="t", idname="id", gname="g", bootstrap=False)
    b = att_gt(data, yname="y", tname="t", idname="id", gname="g", bootstrap=False,
               allow_unbalanced_panel=True)
    np.testing.assert_array_equal(a.att, b.att)
    np.testing.assert_array_equal(a.std_errors, b.std_errors)
