"""Sequences as lines built from their images, in capture order.

A sequence's pieces in the vector tiles are clipped at every tile edge; building
each line from the sequence's own images joins it across tiles for free, and
gives the ordered image ids and compass angles that the v3 API offered. Where
the sequence leaves the search and comes back, the line breaks into parts.
"""

from __future__ import annotations

import numpy as np

from .records import Image, Images, Report, Sequence


def build_sequences(images: Images | list[Image], report: Report | None = None,
                    excluded: dict[str, list[int]] | None = None) -> list[Sequence]:
    """Group images by sequence, order them by capture time, and break a line where the
    sequence left the search: wherever ``excluded`` (capture times of the sequence's fetched
    images that did not match) puts an image between two kept ones, or the capture times
    jump (images that were never fetched). No straight jumps across unsearched ground."""
    t = Images.from_images(images)
    order = t.order()
    if (order != np.arange(len(order))).any():
        t = t.take(order)
    excluded = excluded or {}
    starts = np.flatnonzero(np.diff(t.seq, prepend=-2, append=-2))  # where each sequence's rows begin
    out = []
    single = alone = 0
    names = t.strings.values
    for a, b in zip(starts[:-1].tolist(), starts[1:].tolist()):
        code = int(t.seq[a])
        if code < 0:
            continue  # images without a sequence
        sid = names[code]
        runs = _runs(t.cap[a:b], excluded.get(sid))
        drawn = [(s, e) for s, e in runs if e - s >= 2]  # a line needs two points
        if not drawn:
            single += 1  # the images themselves are still in the image layer
            continue
        alone += len(runs) - len(drawn)
        rows = np.concatenate([np.arange(a + s, a + e) for s, e in drawn])
        parts = [0]
        for s, e in drawn[:-1]:
            parts.append(parts[-1] + e - s)
        extra = t.extra[int(rows[0])] if t.extra is not None else None
        out.append(Sequence.of_rows(sid, t, rows, parts, (extra or {}).get("username")))
    if report is not None:
        report.skip("sequences with only one matching image, not drawn as lines", single)
        report.skip("images standing alone between gaps in their sequence, not in its line", alone)
    out.sort(key=lambda s: (s.first_last()[0] or 0, s.id))
    return out


MIN_JUMP = 10_000  # ms


def _runs(times: np.ndarray, gaps: list[int] | None) -> list[tuple[int, int]]:
    """The runs [start, end) of one sequence's images (in capture order; 0 is an unknown time)
    between which it left the search: a pause longer than 5 times its usual step (10 s at least)
    means images in between were never fetched; an excluded capture time between two kept
    images means the sequence went out of the search and back."""
    t0, t1 = times[:-1], times[1:]
    known = (t0 > 0) & (t1 > 0)
    steps = (t1 - t0)[known]
    limit = max(MIN_JUMP, 5 * int(np.partition(steps, len(steps) // 2)[len(steps) // 2])) if len(steps) else MIN_JUMP
    cut = known & (t1 - t0 > limit)
    if gaps:
        g = np.sort(np.array(gaps, np.int64))
        k = np.searchsorted(g, t0, side="right")  # the first excluded time after t0
        cut |= known & (k < len(g)) & (g[np.minimum(k, len(g) - 1)] < t1)
    bounds = [0] + (np.flatnonzero(cut) + 1).tolist() + [len(times)]
    return list(zip(bounds[:-1], bounds[1:]))
