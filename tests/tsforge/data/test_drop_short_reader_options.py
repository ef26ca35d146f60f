"""``drop_short=True`` leaves out a series with fewer than two values too, by one path for every door.

Found by a user walk (s72): the README says ``drop_short=True`` "also leaves out a series with
fewer than two values"; the command line's ``--drop-short`` did (it added ``drop_too_few`` to the
reader's options itself), ``train_panel(..., drop_short=True)`` refused the series and advised
``drop_too_few=True``. The entry points merge their reader options in
:func:`~tsforge.data.load_options.merged_load_kwargs`, which now adds it for ``drop_short``.
"""

from __future__ import annotations

import pytest

from tsforge.data.load_options import PANEL_LOAD_OPTIONS, merged_load_kwargs
from tsforge.errors import ConfigError


def _merged(load_kwargs=None, drop_short=False, **options):
    return merged_load_kwargs(
        load_kwargs, options, accepted=PANEL_LOAD_OPTIONS, caller="train_panel", drop_short=drop_short
    )


def test_drop_short_leaves_out_the_series_the_reader_would_refuse():
    assert _merged({"id_col": "store"}, drop_short=True) == {"id_col": "store", "drop_too_few": True}


def test_without_drop_short_the_options_are_as_given():
    assert _merged({"id_col": "store"}) == {"id_col": "store"}


def test_drop_too_few_given_true_beside_it_is_no_conflict():
    assert _merged(drop_short=True, drop_too_few=True) == {"drop_too_few": True}


def test_drop_too_few_false_beside_drop_short_is_refused_naming_both():
    with pytest.raises(ConfigError, match="drop_short=True.*drop_too_few=False") as err:
        _merged({"drop_too_few": False}, drop_short=True)
    assert err.value.where["field"] == "drop_too_few"
