"""The routed ensemble's calibration forecasts its validation window with its members as they
are served: a member that keeps forms (AutoETS) and whose fit before the window saw fewer than
three seasons is held to the seasonal form of its fit on the whole history.

Why: on 20 monthly series of 48 values (horizon 12), AutoETS fitted on the 24 values before the
validation window chose no season while the served fit on 36 chose one; the routed forecast's
validation errors carried the season, and its bands lay above its test forecast (49 / 57 %
covered at 80 / 95 % on a panel like this one).
"""

from __future__ import annotations

import warnings

import numpy as np

from tests.conftest import seasonal_monthly_panel
from tsforge.panels.calibrate import calibration_forms, served_validation_forecasts
from tsforge.panels.local import forecast_local
from tsforge.panels.protocol import holdout_split

H = 12


def test_the_calibration_sees_the_members_as_served():
    panel = seasonal_monthly_panel([48] * 20, seed=5)
    split = holdout_split(panel, H)
    names = ["auto_ets", "naive"]
    n = len(panel)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = {
            m: forecast_local(split.train, [m], H, progress=False)[m].to_numpy().reshape(n, H) for m in names
        }
        served = served_validation_forecasts(split.history, names, plain, H)
    forms = calibration_forms(split.history, ["auto_ets"], H, 1)["auto_ets"]
    held = np.array([str(sid) in forms for sid in split.history.ids])
    assert held.sum() >= n // 2  # the short panel: most series' served AutoETS is seasonal
    np.testing.assert_array_equal(served["naive"], plain["naive"])  # keeps no form
    np.testing.assert_array_equal(served["auto_ets"][~held], plain["auto_ets"][~held])
    assert not np.allclose(served["auto_ets"][held], plain["auto_ets"][held])
    y = np.stack([split.history.series(i)[-H:] for i in range(n)])
    # the seasonal form forecasts the season the plain refit missed
    err_served = np.abs(served["auto_ets"][held] - y[held]).mean()
    err_plain = np.abs(plain["auto_ets"][held] - y[held]).mean()
    assert err_served < 0.8 * err_plain
