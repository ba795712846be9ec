"""Truths shared by tests, computed from the sandbox's world independently of the engine."""

from __future__ import annotations


def expected_lines(world, kept: set) -> dict[str, list[list[str]]]:
    """The truth for sequence lines: each sequence's matching images, in capture order, in
    runs broken wherever an image of the sequence that does not match lies between; runs
    of one image are not drawn."""
    out = {}
    for sid, ids in world.sequences.items():
        runs, run = [], []
        for i in ids:
            if i in kept:
                run.append(i)
            else:
                runs.append(run)
                run = []
        runs = [r for r in runs + [run] if len(r) >= 2]
        if runs:
            out[sid] = runs
    return out
