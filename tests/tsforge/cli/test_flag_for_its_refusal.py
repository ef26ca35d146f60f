"""A CLI error ends with an option only where that option concerns it.

Found by last session's review: ``flag_worded`` appended the option whose parameter shares the
refusal's ``field``, whatever raised it: ``train``'s "no val windows to calibrate intervals on"
(the calibration's own ``split="val"`` parameter) ended ``(--split)``, an option the user had not
typed and whose value was not what was refused.
"""

from __future__ import annotations

import pytest

from tsforge.cli.app import flag_worded
from tsforge.errors import ConfigError
from tsforge.panels.calibrate import calibrate_task


class _NoWindows:
    """A task whose every split holds no window."""

    def dataset(self, split: str) -> list[object]:
        return []


def _calibration_refusal() -> ConfigError:
    with pytest.raises(ConfigError) as info:
        calibrate_task(object(), _NoWindows(), "val")
    assert info.value.where.get("field") == "split"
    return info.value


def test_an_internal_refusal_does_not_end_with_an_option_not_typed():
    said = flag_worded(_calibration_refusal(), ["train", "wide.csv", "-m", "dlinear"])
    assert said == "no val windows to calibrate intervals on", said


def test_it_names_the_option_where_the_user_typed_it():
    args = ["train", "wide.csv", "-m", "dlinear", "--split", "7:1:2"]
    assert flag_worded(_calibration_refusal(), args) == "no val windows to calibrate intervals on (--split)"
    args = ["train", "wide.csv", "-m", "dlinear", "--split=7:1:2"]
    assert flag_worded(_calibration_refusal(), args).endswith("(--split)")


def test_the_command_s_own_check_still_names_its_option(tmp_path, capsys):
    """``--r-u`` without ``--selective``: refused by ``train``'s own checks (tsforge.cli), with no
    ``--strategy`` typed, still ends with it (a guard: unchanged from the old code)."""
    from tests.conftest import run_cli

    code, _, err = run_cli(
        capsys, "train", "x.csv", "-m", "naive", "--split", "7:1:2", "--r-u", "0.1", "--no-track"
    )
    assert code == 2, err
    assert err.strip().endswith("need --selective (--strategy)"), err
