"""`tsforge serve` on an address it cannot listen on: one line and exit 2, before anything starts."""

from __future__ import annotations

import socket

from tests.conftest import run_cli as _cli


def test_a_port_in_use_is_refused_in_one_line(capsys, tracking_uri):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, _, err = _cli(capsys, "serve", "--host", "127.0.0.1", "--port", str(port))
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: cannot listen on 127.0.0.1:{port}"), err
    assert "--port" in lines[0] and "field=" not in lines[0], lines[0]  # the option, not the Python field


def test_an_unknown_host_is_refused_in_one_line(capsys, tracking_uri):
    code, _, err = _cli(capsys, "serve", "--host", "no-such-host.invalid", "--port", "8999")
    assert (
        code == 2
        and "cannot resolve host 'no-such-host.invalid'" in err
        and len(err.strip().splitlines()) == 1
    )


def test_a_free_port_passes_the_check():
    from tsforge.cli.serve import check_can_listen

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    check_can_listen("127.0.0.1", port)  # closed again: free (raises otherwise)
