"""Synthetic world: programme records, register residents, prices and the true effects.

``synthesize(out_dir, scale=..., seed=...)`` writes ``plans``, ``departments``,
``residents`` and ``prices`` in the input-contract shape, plus ``truth.json``
and ``truth/`` (counterfactual residents, per-cell truth, decomposition).
"""

from __future__ import annotations

from boligeval.synth.effects import Effects
from boligeval.synth.truth import deprivation_score, equivalence_scale
from boligeval.synth.world import SynthSummary, synthesize

__all__ = ["Effects", "SynthSummary", "deprivation_score", "equivalence_scale", "synthesize"]
