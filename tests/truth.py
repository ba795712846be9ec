"""Truths shared by tests, computed from the sandbox's world independently of the engine."""

from __future__ import annotations

from mapillary_retriever.api.geo import tiles_for_bbox


def expected_lines(world, kept: set, area) -> dict[str, list[list[str]]]:
    """The truth for sequence lines: runs of consecutive matching images among each
    sequence's images in the fetched tiles; runs of one image are not drawn."""
    seen = {i.id for t in tiles_for_bbox(area) for i in world.tile_images(*t)}
    out = {}
    for sid, ids in world.sequences.items():
        runs, run = [], []
        for i in ids:
            if i in kept:
                run.append(i)
            elif i in seen:
                runs.append(run)
                run = []
        runs = [r for r in runs + [run] if len(r) >= 2]
        if runs:
            out[sid] = runs
    return out
