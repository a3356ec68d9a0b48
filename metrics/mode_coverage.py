"""Mode coverage of a generator, from an evaluator's predicted class per sample.

As for Stacked MNIST in Metz et al. 2017 (arXiv:1611.02163) and Lin et al. 2018
(arXiv:1712.04086): the number of modes (classes; for Stacked MNIST the 1,000 digit
triples) predicted for at least one sample, and the KL divergence of the predicted-mode
histogram from the uniform distribution over modes.
"""

from __future__ import annotations

import numpy as np

from metrics.mixture import mode_kl


def mode_coverage(predicted: np.ndarray, n_modes: int) -> dict[str, float]:
    """``modes`` covered and ``mode_kl`` (nats) of predicted mode indices in [0, n_modes)."""
    predicted = np.asarray(predicted)
    if predicted.size and (predicted.min() < 0 or predicted.max() >= n_modes):
        raise ValueError(f"predicted modes must lie in [0, {n_modes}), got "
                         f"[{predicted.min()}, {predicted.max()}]")
    return {"modes": float(len(np.unique(predicted))), "mode_kl": mode_kl(predicted, n_modes)}
