"""Shared helpers of the benchmark scripts: result files, machine facts, list options."""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> dict[str, Any]:
    import torch

    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
    }


def write_results(name: str, payload: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"machine": machine(), **payload}, indent=2, default=float))
    return path


def int_list(text: str) -> list[int]:
    """``"96,192, 336"`` → ``[96, 192, 336]`` (an argparse ``type``; empty items are skipped)."""
    return [int(v) for v in text.split(",") if v.strip()]


def float_list(text: str) -> list[float]:
    """``"0.01,0.005"`` → ``[0.01, 0.005]`` (an argparse ``type``; empty items are skipped)."""
    return [float(v) for v in text.split(",") if v.strip()]
