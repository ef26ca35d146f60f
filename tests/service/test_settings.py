"""ServiceSettings: defaults, environment variables, overrides, and errors naming the variable."""

from __future__ import annotations

import pytest

from service.settings import ServiceSettings
from tsforge.errors import ConfigError


def test_defaults_are_loopback_and_open():
    s = ServiceSettings.from_env(environ={})
    assert (s.host, s.port, s.api_key, s.default_alias) == ("127.0.0.1", 8000, None, "champion")


def test_environment_and_overrides():
    env = {
        "TSFORGE_PORT": "9001",
        "TSFORGE_API_KEY": "zz-secret-zz",
        "TSFORGE_MAX_SERIES": "5",
        "MLFLOW_TRACKING_URI": "sqlite:///x.db",
    }
    s = ServiceSettings.from_env(environ=env, port=9002)
    assert s.port == 9002 and s.max_series == 5 and s.tracking_uri == "sqlite:///x.db"
    assert s.api_key is not None and s.api_key.get_secret_value() == "zz-secret-zz"
    assert "zz-secret-zz" not in repr(s)  # the key never shows up in logs
    s2 = ServiceSettings.from_env(environ={**env, "TSFORGE_TRACKING_URI": "sqlite:///y.db"})
    assert s2.tracking_uri == "sqlite:///y.db"  # the tsforge variable wins over MLflow's


@pytest.mark.parametrize(
    ("env", "name"),
    [({"TSFORGE_PORT": "abc"}, "TSFORGE_PORT"), ({"TSFORGE_MAX_SERIES": "0"}, "TSFORGE_MAX_SERIES")],
)
def test_bad_values_name_the_variable(env, name):
    with pytest.raises(ConfigError) as err:
        ServiceSettings.from_env(environ=env)
    assert err.value.where["field"] == name
