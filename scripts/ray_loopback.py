"""``ray`` CLI with every node address pinned to 127.0.0.1 (used by scripts/services.sh).

Why: ``ray start --node-ip-address=127.0.0.1`` deliberately replaces a loopback address with
the machine's outward-facing one (Ray expects nodes on other hosts to join), so a "local"
cluster would talk over the host's network interface. For the test and demo cluster every node
and driver is on this machine, so the node address Ray would pick is fixed to the loopback one.
"""

from __future__ import annotations

import sys

import ray._private.services as services
from ray.scripts.scripts import main


def _loopback(address: str | None = None) -> str:
    return "127.0.0.1"


services.node_ip_address_from_perspective = _loopback

if __name__ == "__main__":
    sys.exit(main())
