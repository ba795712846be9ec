"""Truths shared by tests, computed from the sandbox's world independently of the engine."""

from __future__ import annotations

import math
import os
import shutil

import pytest


def exiftool() -> str:
    """The independent EXIF reader: a test fails in CI without it, and is skipped elsewhere."""
    tool = shutil.which("exiftool")
    if tool is None:
        if os.environ.get("CI"):
            pytest.fail("exiftool is missing in CI: .ci/install-system.sh installs libimage-exiftool-perl")
        pytest.skip("exiftool is not installed (apt-get install libimage-exiftool-perl)")
    return tool


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


EARTH_RADIUS = 6_371_008.8  # metres; written here again on purpose: the truth does not call the engine


def dist(lon1, lat1, lon2, lat2) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS * math.asin(math.sqrt(h))


def azimuth(lon1, lat1, lon2, lat2) -> float:
    """Initial bearing from point 1 to point 2, degrees from north, 0..360."""
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    return math.degrees(math.atan2(math.sin(dl) * math.cos(p2),
                                   math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl))) % 360


def off(a, b) -> float:
    """The smaller angle between two directions, degrees."""
    d = abs(a - b) % 360
    return min(d, 360 - d)


def in_bbox(world, b) -> set[str]:
    return {i.id for i in world.images if b[0] <= i.lon <= b[2] and b[1] <= i.lat <= b[3]}


def near(world, lon, lat, radius, images=None) -> set[str]:
    """Ids of the images (the world's, or ``images``) within ``radius`` metres of lon, lat."""
    return {i.id for i in (images if images is not None else world.images) if dist(lon, lat, i.lon, i.lat) <= radius}
