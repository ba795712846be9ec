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
    """Group images by sequence, order them by capture time, and break a line wherever
    ``excluded`` (capture times of the sequence's fetched images that did not match)
    puts an image between two kept ones: no straight jump across unsearched ground."""
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
        runs = [[imgs[0]]]
        for a, b in zip(imgs, imgs[1:]):
            k = bisect_right(gaps, a.captured_at) if gaps and a.captured_at is not None else len(gaps)
            if k < len(gaps) and b.captured_at is not None and gaps[k] < b.captured_at:
                runs.append([b])  # the sequence left the search between a and b
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
