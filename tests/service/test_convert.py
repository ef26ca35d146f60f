"""/invocations payloads go through the shared history parser: long and wide, limits first, fields named."""

from __future__ import annotations

import numpy as np
import pytest

from service.convert import Limits, series_from_frame_payload
from service.schemas.invocations import InvocationsRequest
from tsforge.errors import DataValidationError, ResourceLimitError

_DS = ["2024-01-01T00:00:00", "2024-01-01T01:00:00", "2024-01-01T02:00:00"]
_LIMITS = Limits(max_series=10, max_series_length=100, max_horizon=48)


def _req(**body) -> InvocationsRequest:
    return InvocationsRequest.model_validate(body)


def test_long_payload_series_in_arrival_order_rows_by_time():
    rows = [["b", _DS[1], 2.0], ["a", _DS[0], 1.0], ["b", _DS[0], 1.5], ["a", _DS[2], 1.2]]
    out = series_from_frame_payload(
        _req(dataframe_split={"columns": ["unique_id", "ds", "y"], "data": rows}), _LIMITS
    )
    assert [s.id for s in out] == ["b", "a"]  # as the payload lists them (the answer keeps it)
    np.testing.assert_array_equal(out[0].values, [1.5, 2.0])
    assert out[0].timestamps[0] == np.datetime64(_DS[0], "ns")


def test_wide_payload_gives_one_series_per_column():
    out = series_from_frame_payload(
        _req(inputs={"ds": _DS[::-1], "HUFL": [3.0, 2.0, None], "OT": [6, 5, 4]}), _LIMITS
    )
    assert [s.id for s in out] == ["HUFL", "OT"]
    np.testing.assert_array_equal(out[1].values, [4.0, 5.0, 6.0])
    assert np.isnan(out[0].values[0])
    with pytest.raises(DataValidationError) as exc:
        series_from_frame_payload(_req(inputs={"ds": _DS, "OT": [1, "x", 3]}), _LIMITS)
    assert exc.value.where == {"field": "inputs.OT[1]", "column": "OT", "row": 1}


def test_limits_are_checked_before_per_series_checks_and_name_the_series():
    tight = Limits(max_series=10, max_series_length=2, max_horizon=48)
    body = _req(inputs={"unique_id": ["a", "b", "b", "b"], "y": [None, 1.0, 2.0, 3.0]})
    with pytest.raises(ResourceLimitError) as exc:
        series_from_frame_payload(body, tight)
    assert exc.value.where["field"] == "inputs (unique_id='b')"
    with pytest.raises(DataValidationError, match="series 'a' has no observed value") as exc:
        series_from_frame_payload(body, _LIMITS)
    assert exc.value.where["field"] == "inputs.y[0]"  # its first row, as sent


@pytest.mark.parametrize("values_column", ["value", "sales"])
def test_a_long_frame_without_y_names_the_columns_sent_and_no_argument_the_protocol_lacks(values_column):
    body = _req(inputs={"unique_id": ["a"] * 3, "ds": _DS, values_column: [1.0, 2.0, 3.0]})
    with pytest.raises(DataValidationError) as exc:
        series_from_frame_payload(body, _LIMITS)
    message = str(exc.value)
    assert f"columns found: 'unique_id', 'ds', '{values_column}'" in message
    assert f"Rename '{values_column}' to 'y'" in message
    assert "target_col" not in message and "Did you mean 'ds'" not in message
    assert exc.value.where == {"field": "inputs", "column": "y"}
