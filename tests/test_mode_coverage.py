import math

import numpy as np
import pytest

from metrics.mode_coverage import mode_coverage


def test_counts_and_kl_by_hand():
    m = mode_coverage(np.array([0, 0, 1, 1]), 4)
    assert m["modes"] == 2
    assert m["mode_kl"] == pytest.approx(math.log(2), rel=1e-12)  # 2 * 0.5 log(0.5 * 4)
    assert mode_coverage(np.arange(1000), 1000) == {"modes": 1000.0, "mode_kl": 0.0}


def test_rejects_out_of_range_modes():
    with pytest.raises(ValueError, match=r"\[0, 10\)"):
        mode_coverage(np.array([3, 10]), 10)
