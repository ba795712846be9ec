"""api.download against the sandbox: every file complete, with EXIF, the picture bytes as
served; expired URLs asked for again; failures named; cancel and a full disk leave no part files."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess  # nosec B404: runs exiftool and mount, fixed local programs
import threading
from pathlib import Path

import pytest
import requests

import sandbox.server as sandbox_server_module
from mapillary_retriever.api import download as dl
from mapillary_retriever.api import errors
from mapillary_retriever.api.exif import read_image_id, strip_exif
from mapillary_retriever.api.records import Image


class SandboxClient:
    """A stand-in for the engine's Client with the two calls download_images needs:
    ``graph`` (OAuth header) and ``fetch`` (plain GET of a signed URL). A few retries for
    transient errors, errors mapped by ``errors.from_response`` as the engine does."""

    def __init__(self, url: str, token: str, retries: int = 0):
        self.url, self._token, self.retries = url, token, retries
        self._local = threading.local()
        self.lock = threading.Lock()
        self.calls = {"graph": 0, "fetch": 0}

    def _session(self) -> requests.Session:
        s = getattr(self._local, "s", None)
        if s is None:
            s = self._local.s = requests.Session()
        return s

    def _get(self, url, params=None, headers=None) -> bytes:
        for attempt in range(self.retries + 1):
            try:
                r = self._session().get(url, params=params, headers=headers, timeout=30)
                body = r.content
                cl = r.headers.get("Content-Length")
                if cl is not None and int(cl) != len(body):
                    raise errors.BadResponseError("cut short")
                if r.status_code == 200:
                    return body
                try:
                    parsed = json.loads(body)
                except ValueError:
                    parsed = None
                raise errors.from_response(r.status_code, parsed)
            except requests.RequestException:
                err: errors.MapillaryError = errors.TransientError("connection broke")
            except errors.MapillaryError as e:
                err = e
            if not err.transient or attempt >= self.retries:
                raise err
        raise AssertionError("unreachable")

    def graph(self, path, params=None, kind="search") -> dict:
        with self.lock:
            self.calls["graph"] += 1
        body = self._get(f"{self.url}/{path}", params, {"Authorization": "OAuth " + self._token})
        return json.loads(body)

    def fetch(self, url, kind="thumb") -> bytes:
        with self.lock:
            self.calls["fetch"] += 1
        return self._get(url)


@pytest.fixture
def sb(sandbox):
    """The sandbox (it serves JPEG thumbnails), with thumbnail faults and URL lifetime restored after."""
    yield sandbox
    sandbox.configure(faults=sandbox_server_module.FAULT_KINDS, fault_targets=sandbox_server_module.KINDS,
                      thumb_ttl=3600.0, fault_rate=0.0, latency=0.0)


@pytest.fixture
def client(sb):
    from sandbox import DEMO_TOKEN

    return SandboxClient(sb.url, DEMO_TOKEN)


def images(sb, n: int, start: int = 0) -> list[Image]:
    out = []
    for im in sb.world.images[start:start + n]:
        extra = {"make": "FromSearch"} if len(out) == 0 else None
        out.append(Image(id=im.id, lon=im.lon, lat=im.lat, sequence_id=im.seq.id, captured_at=im.captured_at,
                         compass_angle=im.compass_angle, is_pano=im.seq.is_pano, extra=extra))
    return out


def served(sb, client: SandboxClient, image_id: str, size: str = "1024") -> bytes:
    row = client.graph("images", {"image_ids": image_id, "fields": f"thumb_{size}_url"})["data"][0]
    return client.fetch(row[f"thumb_{size}_url"])


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".part"))


def test_every_image_arrives_complete_and_untouched(sb, client, tmp_path):
    imgs = images(sb, 60)
    seen = []
    report = dl.download_images(imgs, tmp_path, client, workers=4, progress=lambda d, t: seen.append((d, t)))
    assert report.complete, report.summary()
    assert (report.downloaded, report.skipped, report.failed) == (60, 0, [])
    assert set(report.paths) == {i.id for i in imgs}
    assert seen[-1] == (60, 60) and [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert client.calls["graph"] == 2  # batches of 50
    for img in imgs:
        path = Path(report.paths[img.id])
        assert path == tmp_path / f"{img.id}.jpg"
        assert dl.file_is_complete(path, img.id)
    for img in imgs[:3]:
        data = Path(report.paths[img.id]).read_bytes()
        assert strip_exif(data) == served(sb, client, img.id)  # picture bytes exactly as served
        assert read_image_id(data) == img.id
    assert leftovers(tmp_path) == []


def test_exif_of_downloaded_files(sb, client, tmp_path):
    exiftool = shutil.which("exiftool")
    if exiftool is None:
        if os.environ.get("CI"):
            pytest.fail("exiftool is missing in CI: .ci/install-system.sh installs libimage-exiftool-perl")
        pytest.skip("exiftool is not installed (apt-get install libimage-exiftool-perl)")
    imgs = images(sb, 3)
    report = dl.download_images(imgs, tmp_path, client)
    out = subprocess.run([exiftool, "-j", "-n", "-G", *(report.paths[i.id] for i in imgs)],  # nosec B603
                         capture_output=True, text=True, check=True).stdout
    tags = {Path(t["SourceFile"]).stem: t for t in json.loads(out)}
    for img in imgs:
        t, world = tags[img.id], sb.world.by_id[img.id]
        assert t["Composite:GPSLatitude"] == pytest.approx(img.lat, abs=1e-6)
        assert t["Composite:GPSLongitude"] == pytest.approx(img.lon, abs=1e-6)
        assert str(t["EXIF:ImageUniqueID"]) == img.id
        if img.compass_angle is not None:
            assert t["EXIF:GPSImgDirection"] == pytest.approx(img.compass_angle % 360, abs=0.01)
        assert t["Composite:SubSecDateTimeOriginal"].endswith("+00:00")
        ms = img.captured_at % 1000
        assert str(t["EXIF:SubSecTimeOriginal"]) == f"{ms:03d}"
        assert t["Composite:GPSAltitude"] == pytest.approx(world.altitude, abs=0.001)
        # the Graph API's make wins over the search's extra; the model comes from it too
        assert t["EXIF:Make"] == world.seq.make and t["EXIF:Model"] == world.seq.model


def test_second_run_downloads_nothing(sb, client, tmp_path):
    imgs = images(sb, 12)
    assert dl.download_images(imgs, tmp_path, client).downloaded == 12
    before = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    calls = dict(client.calls)
    again = dl.download_images(imgs, tmp_path, client)
    assert (again.downloaded, again.skipped, again.complete) == (0, 12, True)
    assert set(again.paths) == {i.id for i in imgs}
    assert client.calls == calls  # not one request
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == before


def test_incomplete_or_foreign_files_are_downloaded_again(sb, client, tmp_path):
    imgs = images(sb, 3)
    dl.download_images(imgs, tmp_path, client)
    cut = tmp_path / f"{imgs[0].id}.jpg"
    cut.write_bytes(cut.read_bytes()[:-100])  # no EOI
    other = tmp_path / f"{imgs[1].id}.jpg"
    other.write_bytes((tmp_path / f"{imgs[2].id}.jpg").read_bytes())  # complete, but another image's EXIF
    (tmp_path / f".{imgs[0].id}.jpg.part").write_bytes(b"stale")
    report = dl.download_images(imgs, tmp_path, client)
    assert (report.downloaded, report.skipped) == (2, 1)
    assert dl.file_is_complete(cut, imgs[0].id) and dl.file_is_complete(other, imgs[1].id)
    assert leftovers(tmp_path) == []


def test_expired_urls_are_asked_for_again(sb, client, tmp_path):
    sb.configure(thumb_ttl=-60)  # the first URLs are born expired...
    graph = client.graph

    def graph_then_fresh(path, params=None, kind="search"):
        answer = graph(path, params, kind)
        sb.configure(thumb_ttl=3600)  # ...the ones asked for again are fine
        return answer

    client.graph = graph_then_fresh
    sb.reset_stats()
    report = dl.download_images(images(sb, 8), tmp_path, client, workers=4)
    assert report.complete and report.downloaded == 8, report.summary()
    assert sb.stats.counts["thumb"] > 8  # some 403s happened, and were not failures
    assert client.calls["graph"] == 2


def test_urls_that_stay_expired_fail_after_two_fresh_ones(sb, client, tmp_path):
    sb.configure(thumb_ttl=-60)
    report = dl.download_images(images(sb, 2), tmp_path, client, workers=1)
    assert report.downloaded == 0
    assert [r for _, r in report.failed] == ["Mapillary refused its image URL 3 times (HTTP 403)"] * 2
    assert client.calls["fetch"] == 6
    assert list(tmp_path.iterdir()) == []


def test_a_failing_image_is_named(sb, client, tmp_path):
    imgs = images(sb, 40)
    sb.configure(fault_rate=0.3, faults="5xx", fault_targets="thumb")
    report = dl.download_images(imgs, tmp_path, client, workers=4)
    assert report.failed and report.downloaded, report.summary()
    assert report.downloaded + len(report.failed) == 40
    failed = {i for i, _ in report.failed}
    assert all("503" in r for _, r in report.failed)
    for img in imgs:
        assert (tmp_path / f"{img.id}.jpg").exists() == (img.id not in failed)
    assert not report.complete and str(len(failed)) + " failed" in report.summary()
    sb.configure(fault_rate=0)
    again = dl.download_images(imgs, tmp_path, client)
    assert (again.downloaded, again.skipped, again.failed) == (len(failed), 40 - len(failed), [])


def test_answers_that_are_not_jpeg_fail_after_one_retry(sb, client, tmp_path):
    sb.configure(fault_rate=1.0, faults="garbage", fault_targets="thumb")
    report = dl.download_images(images(sb, 2), tmp_path, client, workers=1)
    assert [r for _, r in report.failed] == ["Mapillary's answer was not a complete JPEG image"] * 2
    assert client.calls["fetch"] == 4
    assert list(tmp_path.iterdir()) == []


def test_a_failing_url_batch_fails_its_images_only(sb, client, tmp_path):
    sb.configure(fault_rate=1.0, faults="5xx", fault_targets="search")
    report = dl.download_images(images(sb, 3), tmp_path, client)
    assert len(report.failed) == 3 and "503" in report.failed[0][1]
    assert client.calls["graph"] == 1  # one answer shared by its batch


def test_bad_positions_and_ids_are_refused_before_any_download(sb, client, tmp_path):
    good, bad_pos, bad_id = images(sb, 3)
    bad_pos.lat = float("nan")
    bad_id.id = "../../etc/passwd"
    report = dl.download_images([good, bad_pos, bad_id], tmp_path, client)
    assert report.downloaded == 1
    reasons = dict(report.failed)
    assert "not a valid longitude, latitude" in reasons[bad_pos.id]
    assert reasons[bad_id.id] == "not a Mapillary image id"
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{good.id}.jpg"]


def test_unknown_size_is_refused(client, tmp_path):
    with pytest.raises(ValueError, match="unknown thumbnail size '512'"):
        dl.download_images([], tmp_path, client, size="512")


def test_other_sizes(sb, client, tmp_path):
    imgs = images(sb, 2)
    report = dl.download_images(imgs, tmp_path, client, size="256")
    assert report.complete
    assert strip_exif(Path(report.paths[imgs[0].id]).read_bytes()) == served(sb, client, imgs[0].id, "256")


def test_cancel_stops_between_images(sb, client, tmp_path):
    imgs = images(sb, 60)
    state = {"n": 0}

    def cancelled():
        return state["n"] >= 5

    def progress(done, total):
        state["n"] = done

    report = dl.download_images(imgs, tmp_path, client, workers=2, cancelled=cancelled, progress=progress)
    assert report.cancelled and not report.complete
    assert 5 <= report.downloaded < 60
    assert report.downloaded + len(report.not_started) == 60
    assert leftovers(tmp_path) == []
    assert len(list(tmp_path.glob("*.jpg"))) == report.downloaded
    assert all(dl.file_is_complete(p, p.stem) for p in tmp_path.glob("*.jpg"))


def test_cancelled_from_the_start(sb, client, tmp_path):
    report = dl.download_images(images(sb, 5), tmp_path, client, cancelled=lambda: True)
    assert report.cancelled and report.downloaded == 0 and len(report.not_started) == 5
    assert client.calls == {"graph": 0, "fetch": 0}


def test_full_disk_stops_everything(sb, client, tmp_path, monkeypatch):
    real = dl._write_file
    writes = {"n": 0}

    def write(path, data):
        writes["n"] += 1
        if writes["n"] > 4:
            with open(path, "wb") as f:  # a part file half written, as a real full disk leaves it
                f.write(data[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, data)

    monkeypatch.setattr(dl, "_write_file", write)
    report = dl.download_images(images(sb, 30), tmp_path, client, workers=3)
    assert report.disk_full and report.stopped.startswith("The disk is full: ")
    assert report.downloaded == 4 and not report.complete
    assert report.failed == [] and len(report.not_started) == 26
    assert leftovers(tmp_path) == []
    assert all(dl.file_is_complete(p, p.stem) for p in tmp_path.glob("*.jpg"))


def test_full_disk_on_a_real_tmpfs(sb, client, tmp_path):
    mnt = tmp_path / "small"
    mnt.mkdir()
    try:
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)],  # nosec B603 B607
                       check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError) as e:
        pytest.skip(f"cannot mount a small tmpfs here ({e})")
    try:
        report = dl.download_images(images(sb, 40), mnt, client, workers=4)
        assert report.disk_full and report.stopped.startswith("The disk is full: "), report.summary()
        assert 0 < report.downloaded < 40
        assert leftovers(mnt) == []
        assert all(dl.file_is_complete(p, p.stem) for p in mnt.glob("*.jpg"))
    finally:
        subprocess.run(["umount", str(mnt)], check=False)  # nosec B603 B607
