"""Sequences as lines built from their images, in capture order.

A sequence's pieces in the vector tiles are clipped at every tile edge; building
each line from the sequence's own images joins it across tiles for free, and
gives the ordered image ids and compass angles that the v3 API offered.
"""

from __future__ import annotations

from collections import defaultdict

from .records import Image, Report, Sequence


def build_sequences(images: list[Image], report: Report | None = None) -> list[Sequence]:
    groups: dict[str, list[Image]] = defaultdict(list)
    for img in images:
        if img.sequence_id:
            groups[img.sequence_id].append(img)
    out = []
    single = 0
    for sid, imgs in groups.items():
        if len(imgs) < 2:
            single += 1  # a line needs two points; the image itself is still in the image layer
            continue
        imgs.sort(key=lambda i: (i.captured_at if i.captured_at is not None else 0, i.id))
        first = imgs[0]
        out.append(Sequence(
            id=sid,
            image_ids=[i.id for i in imgs],
            coords=[(i.lon, i.lat) for i in imgs],
            compass_angles=[i.compass_angle for i in imgs],
            captured_at=[i.captured_at for i in imgs],
            is_pano=first.is_pano,
            creator_id=first.creator_id,
            organization_id=first.organization_id,
            username=(first.extra or {}).get("username"),
        ))
    if report is not None and single:
        report.skip("sequences with only one matching image, not drawn as lines", single)
    out.sort(key=lambda s: (s.captured_at[0] or 0, s.id))
    return out
