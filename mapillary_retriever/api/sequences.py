"""Sequences as lines built from their images, in capture order.

A sequence's pieces in the vector tiles are clipped at every tile edge; building
each line from the sequence's own images joins it across tiles for free, and
gives the ordered image ids and compass angles that the v3 API offered. Where
the sequence leaves the search and comes back, the line breaks into parts.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict

from .records import Image, Report, Sequence


def build_sequences(images: list[Image], report: Report | None = None,
                    excluded: dict[str, list[int]] | None = None) -> list[Sequence]:
    """Group images by sequence, order them by capture time, and break a line where the
    sequence left the search: wherever ``excluded`` (capture times of the sequence's fetched
    images that did not match) puts an image between two kept ones, or the capture times
    jump (images that were never fetched). No straight jumps across unsearched ground."""
    groups: dict[str, list[Image]] = defaultdict(list)
    for img in images:
        if img.sequence_id:
            groups[img.sequence_id].append(img)
    excluded = excluded or {}
    out = []
    single = alone = 0
    for sid, imgs in groups.items():
        imgs.sort(key=lambda i: (i.captured_at if i.captured_at is not None else 0, i.id))
        gaps = sorted(excluded.get(sid, ()))
        limit = _jump_limit(imgs)
        runs = [[imgs[0]]]
        for a, b in zip(imgs, imgs[1:]):
            if _left_between(a.captured_at, b.captured_at, gaps, limit):
                runs.append([b])
            else:
                runs[-1].append(b)
        drawn = [r for r in runs if len(r) >= 2]  # a line needs two points
        if not drawn:
            single += 1  # the images themselves are still in the image layer
            continue
        alone += len(runs) - len(drawn)
        kept = [i for r in drawn for i in r]
        parts = [0]
        for r in drawn[:-1]:
            parts.append(parts[-1] + len(r))
        first = kept[0]
        out.append(Sequence(
            id=sid,
            image_ids=[i.id for i in kept],
            coords=[(i.lon, i.lat) for i in kept],
            compass_angles=[i.compass_angle for i in kept],
            captured_at=[i.captured_at for i in kept],
            is_pano=first.is_pano,
            creator_id=first.creator_id,
            organization_id=first.organization_id,
            username=(first.extra or {}).get("username"),
            parts=parts,
        ))
    if report is not None:
        report.skip("sequences with only one matching image, not drawn as lines", single)
        report.skip("images standing alone between gaps in their sequence, not in its line", alone)
    out.sort(key=lambda s: (s.captured_at[0] or 0, s.id))
    return out


MIN_JUMP = 10_000  # ms


def _jump_limit(imgs: list[Image]) -> float:
    """A pause this long between two kept images means images in between were not fetched
    (the sequence left the fetched tiles): 5 times the sequence's usual step, 10 s at least."""
    steps = sorted(b.captured_at - a.captured_at for a, b in zip(imgs, imgs[1:])
                   if a.captured_at is not None and b.captured_at is not None)
    return max(MIN_JUMP, 5 * steps[len(steps) // 2]) if steps else MIN_JUMP


def _left_between(t0: int | None, t1: int | None, gaps: list[int], limit: float) -> bool:
    """Did the sequence leave the search between captures t0 and t1?"""
    if t0 is None or t1 is None:
        return False
    if t1 - t0 > limit:
        return True
    k = bisect_right(gaps, t0)  # a fetched image of this sequence that did not match lies between
    return k < len(gaps) and gaps[k] < t1
