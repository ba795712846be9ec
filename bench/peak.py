"""A whole command's peak memory and time: runs `python -m mapillary_retriever ARGS…` in this
process, as `python -m` does (its own entry: the same process set-up), then prints JSON.

    MAPILLARY_… python bench/peak.py images --bbox … -o out.geojson -q
"""

from __future__ import annotations

import json
import runpy
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    t0 = time.perf_counter()
    sys.argv = ["mapillary_retriever", *sys.argv[1:]]
    code = 0
    try:
        runpy.run_module("mapillary_retriever", run_name="__main__", alter_sys=True)
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 1
    from one import peak_mb  # (after the command: the engine is loaded by then)

    print(json.dumps({"rc": code, "seconds": time.perf_counter() - t0, "peak_mb": peak_mb()}))


if __name__ == "__main__":
    main()
