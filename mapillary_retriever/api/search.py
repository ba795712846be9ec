"""The search: plan, fetch concurrently, decode, filter, enrich, build sequences.

Two strategies list the images of an area:

* ``tiles`` (default): every z14 vector tile the area touches. Tiles are not
  capped, so this is complete; the Graph API then adds fields tiles lack.
* ``graph``: the Graph API's bbox search. It answers at most 2,000 rows with no
  paging and truncates silently, so a box that answers near the cap (or fails as
  too dense) is split into quarters until every box answers well under it.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict, deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from typing import NamedTuple

from . import geo
from .client import Client, Config, token_from_env
from .errors import AuthError, BadResponseError, CancelledError, MapillaryError, QueryError, TooMuchDataError
from .query import EXTRA_FIELDS, Query
from .records import Failure, Image, Report, SearchResult
from .sequences import build_sequences
from .tiles import decode_images

log = logging.getLogger("mapillary_retriever")

STRATEGIES = ("tiles", "graph")
ENRICH_BATCH = 100  # image ids per /images?image_ids= request
EDGE = 1e-9  # degrees (0.1 mm): tolerance of the bbox test
MIN_CELL = 2e-4  # degrees: boxes are not split below ~20 m
BASE_FIELDS = "id,geometry,captured_at,compass_angle,is_pano,sequence,creator"


class Progress(NamedTuple):
    stage: str  # "users", "tiles", "boxes", "fields", "sequences", "done"
    done: int
    total: int
    found: int


def search(query: Query, token: str | None = None, *, strategy: str = "tiles", sequences: bool = True,
           config: Config | None = None, progress: Callable[[Progress], None] | None = None,
           cancelled: Callable[[], bool] | None = None, only: list[str] | None = None) -> SearchResult:
    """Run a search. ``only`` restricts it to tiles ("z/x/y") or boxes named in an
    earlier report's failures, to fetch just the missing part.

    Raises AuthError (bad token; ``.partial`` holds what was fetched before) and
    QueryError (e.g. unknown username). A cancelled search does not raise: it
    returns what it has, with ``report.cancelled`` set."""
    if strategy not in STRATEGIES:
        raise QueryError(f"strategy must be one of {', '.join(STRATEGIES)}; got {strategy!r}.")
    started = time.monotonic()
    client = Client(token if token is not None else token_from_env(), config, cancelled)
    report = Report(strategy=strategy)
    run = _Search(query, client, report, progress or (lambda p: None))
    images: list[Image] = []
    try:
        run.resolve_creators()
        images = run.tiles(only) if strategy == "tiles" else run.graph(only)
        images = run.finish(images)
    except CancelledError:
        report.cancelled = True
        images = run.finish(run.found_images(), enrich=False)
    except AuthError as e:  # keep what was fetched before the token was refused
        e.partial = SearchResult(run.finish(run.found_images(), enrich=False), [], report)
        raise
    finally:
        client.close()
        report.requests = client.requests
        report.seconds = time.monotonic() - started
    seqs = build_sequences(images, report, run.excluded) if sequences else []
    run.progress(Progress("done", report.fetched, report.planned, len(images)))
    return SearchResult(images, seqs, report, dict(run.excluded))


def enrich(images: list[Image], fields, token: str | None = None, *, config: Config | None = None,
           progress: Callable[[Progress], None] | None = None,
           cancelled: Callable[[], bool] | None = None) -> Report:
    """Add Graph API fields to images listed earlier, in place: for callers that keep only a few
    images of a larger search (Processing's images-for-features). Failures are in the report."""
    client = Client(token if token is not None else token_from_env(), config, cancelled)
    report = Report()
    try:
        _Search(Query(), client, report, progress or (lambda p: None)).enrich(images, tuple(fields))
    finally:
        client.close()
    report.requests = client.requests
    return report


class _Search:
    def __init__(self, query: Query, client: Client, report: Report, progress):
        self.q = query
        self.client = client
        self.report = report
        self.progress = progress
        self.creators: set[str] | None = set(query.userkeys) if (query.usernames or query.userkeys) else None
        self.by_id: dict[str, Image] = {}
        self.unknown_creator: list[Image] = []  # old tiles lack creator_id: resolved through the Graph API
        # capture times, by sequence, of fetched images that did not match: where sequence lines break
        self.excluded: dict[str, list[int]] = defaultdict(list)

    # --- users ------------------------------------------------------------
    def resolve_creators(self) -> None:
        if not self.q.usernames:
            return
        self.progress(Progress("users", 0, len(self.q.usernames), 0))
        missing = []
        for name in self.q.usernames:
            data = self.client.graph("images", {"creator_username": name, "fields": "creator", "limit": 1})
            rows = _rows(data)
            creator = rows[0].get("creator") if rows else None
            if isinstance(creator, dict) and creator.get("id"):
                self.creators.add(str(creator["id"]))
            else:
                missing.append(name)
        if missing:
            msg = "No Mapillary images by " + ", ".join(repr(m) for m in missing) + " (check the spelling)."
            if len(missing) == len(self.q.usernames) and not self.q.userkeys:
                raise QueryError(msg)
            self.report.warnings.append(msg)

    # --- filtering --------------------------------------------------------
    def keep(self, img: Image) -> bool:
        """Everything the query asks, tested client-side (the same for both strategies)."""
        q = self.q
        if q.bbox is not None:
            b = q.bbox
            e = EDGE  # decoded tile coordinates carry float noise: an image on the edge stays in
            if not (b[0] - e <= img.lon <= b[2] + e and b[1] - e <= img.lat <= b[3] + e):
                return False
        else:
            c = q.center
            if geo.haversine(c[0], c[1], img.lon, img.lat) > q.radius:
                return False
        if q.start_time or q.end_time:
            if img.captured_at is None:
                return False
            if q.start_time and img.captured_at < q.start_ms():
                return False
            if q.end_time and img.captured_at >= q.end_ms():
                return False
        if q.pano == "only" and not img.is_pano or q.pano == "exclude" and img.is_pano:
            return False
        if q.organization_id is not None and img.organization_id != q.organization_id:
            return False
        if q.lookat is not None and not img.is_pano:  # panoramas see every direction
            if img.compass_angle is None:
                return False
            to_target = geo.bearing(img.lon, img.lat, q.lookat[0], q.lookat[1])
            if geo.angle_diff(to_target, img.compass_angle) > q.tolerance:
                return False
        return True

    def sift(self, imgs) -> list[Image]:
        """The images that match; the times of the others are kept for breaking lines."""
        kept = []
        for img in imgs:
            if self.keep(img):
                kept.append(img)
            elif img.captured_at is not None and img.sequence_id:
                self.excluded[img.sequence_id].append(img.captured_at)
        return kept

    def add(self, imgs: list[Image]) -> None:
        """Keep matching images, de-duplicated by id (called on the main thread)."""
        for img in imgs:
            if self.creators is not None and img.creator_id is None:
                self.unknown_creator.append(img)
            elif self.creators is None or img.creator_id in self.creators:
                self.by_id.setdefault(img.id, img)

    def found_images(self) -> list[Image]:
        return list(self.by_id.values())

    # --- the tile strategy ------------------------------------------------
    def tiles(self, only: list[str] | None) -> list[Image]:
        plan = geo.tiles_for_bbox(self.q.area_bbox())
        if only is not None:
            wanted = set(only)
            plan = [t for t in plan if _tile_key(t) in wanted]
        self.report.planned = len(plan)

        # Workers only fetch; this thread decodes. Fetching then never waits for a
        # decode (which holds the GIL), and the network stays busy.
        def work(item):
            return self.client.tile(*item[0])

        def done(item, data):
            t, attempt = item
            skipped: dict[str, int] = {}
            try:
                imgs = self.sift(decode_images(data, *t, skipped=skipped))
            except BadResponseError as e:  # e.g. a body cut short without a Content-Length
                if attempt < self.client.config.retries:
                    return [(t, attempt + 1)]
                failed(item, e)
                return []
            for reason, n in skipped.items():
                self.report.skip(reason, n)
            self.add(imgs)
            fetched.add(t)
            self.report.fetched += 1
            self.progress(Progress("tiles", self.report.fetched, self.report.planned, len(self.by_id)))
            return []

        def failed(item, err):
            self.report.failures.append(Failure("tile", _tile_key(item[0]), err.message))

        fetched: set = set()
        self.progress(Progress("tiles", 0, len(plan), 0))
        try:
            _pool(self.client, [(t, 0) for t in plan], work, done, failed)
        except CancelledError:  # name the tiles not fetched, so a retry can fetch just those
            known = {f.key for f in self.report.failures}
            self.report.failures += [Failure("tile", _tile_key(t), "not fetched: the search was cancelled")
                                     for t in plan if t not in fetched and _tile_key(t) not in known]
            raise
        return self.found_images()

    # --- the graph strategy -----------------------------------------------
    def graph(self, only: list[str] | None) -> list[Image]:
        area = self.q.area_bbox()
        plan = [_parse_cell(k) for k in only] if only is not None else geo.grid_bbox(area, self.client.config.cell_area)
        self.report.planned = len(plan)
        fields = ",".join(dict.fromkeys(BASE_FIELDS.split(",") + [EXTRA_FIELDS[f] for f in self.q.fields]))
        params = {"fields": fields, "limit": 2000}
        if self.q.start_time:
            params["start_captured_at"] = self.q.start_time.strftime("%Y-%m-%dT%H:%M:%SZ")
        if self.q.end_time:
            params["end_captured_at"] = self.q.end_time.strftime("%Y-%m-%dT%H:%M:%SZ")
        if self.q.pano != "any":
            params["is_pano"] = "true" if self.q.pano == "only" else "false"
        if self.q.organization_id:
            params["organization_id"] = self.q.organization_id
        if len(self.q.usernames) == 1 and not self.q.userkeys:
            params["creator_username"] = self.q.usernames[0]

        def work(cell):
            try:
                rows = _rows(self.client.graph("images", dict(params, bbox=_cell_key(cell))))
            except TooMuchDataError:
                return None
            return rows

        def done(cell, rows):
            if rows is None or len(rows) >= self.client.config.split_at:
                if cell[2] - cell[0] > MIN_CELL and cell[3] - cell[1] > MIN_CELL:
                    self.report.planned += 3  # one box becomes four
                    return geo.split_bbox(cell)
                why = ("too dense even at 20 m" if rows is None
                       else f"answers {len(rows)} rows even at 20 m: may be capped")
                self.report.failures.append(Failure("cell", _cell_key(cell), why))
                if rows is None:
                    return []
            imgs = []
            for row in rows:
                img = image_from_graph(row, self.q.fields)
                if img is None:
                    self.report.skip("no id or position in the Graph API answer")
                    continue
                if self.q.organization_id:
                    img.organization_id = self.q.organization_id  # the server filtered on it
                imgs.append(img)
            self.add(self.sift(imgs))
            self.report.fetched += 1
            self.progress(Progress("boxes", self.report.fetched, self.report.planned, len(self.by_id)))
            return []

        def failed(cell, err):
            self.report.failures.append(Failure("cell", _cell_key(cell), err.message))

        self.progress(Progress("boxes", 0, len(plan), 0))
        _pool(self.client, plan, work, done, failed)
        return self.found_images()

    # --- after listing ----------------------------------------------------
    def finish(self, images: list[Image], enrich: bool = True) -> list[Image]:
        if self.unknown_creator and enrich:
            self.enrich(self.unknown_creator, ("username",))
            self.unknown_creator, pending = [], self.unknown_creator
            self.add([i for i in pending if i.creator_id is not None])
            images = self.found_images()
        q = self.q
        if q.max_features and len(images) > q.max_features:
            if q.center is not None:  # a point search keeps the nearest
                c = q.center
                images.sort(key=lambda i: geo.haversine(c[0], c[1], i.lon, i.lat))
            else:  # an area search keeps the newest
                images.sort(key=lambda i: -(i.captured_at or 0))
            for img in images[q.max_features:]:
                if img.captured_at is not None:
                    self.excluded[img.sequence_id].append(img.captured_at)
            images = images[: q.max_features]
            self.report.capped = True
        images.sort(key=lambda i: (i.sequence_id, i.captured_at or 0, i.id))
        if enrich and q.fields and self.report.strategy == "tiles":
            self.enrich(images, q.fields)
        return images

    def enrich(self, images: list[Image], fields) -> None:
        """Add Graph API fields to images, in batched ``image_ids`` requests."""
        graph_fields = ",".join(dict.fromkeys(["id", "creator"] + [EXTRA_FIELDS[f] for f in fields]))
        batches = [images[i:i + ENRICH_BATCH] for i in range(0, len(images), ENRICH_BATCH)]
        done_count = [0]

        def work(batch):
            ids = ",".join(i.id for i in batch)
            return _rows(self.client.graph("images", {"image_ids": ids, "fields": graph_fields}))

        def done(batch, rows):
            by_id = {str(r.get("id")): r for r in rows if isinstance(r, dict)}
            lost = 0
            for img in batch:
                row = by_id.get(img.id)
                if row is None:
                    lost += 1
                    continue
                creator = row.get("creator")
                if img.creator_id is None and isinstance(creator, dict) and creator.get("id"):
                    img.creator_id = str(creator["id"])
                img.extra = {**(img.extra or {}), **extras_from_graph(row, fields)}
            if lost:
                self.report.failures.append(Failure("fields", f"{lost} images", "not returned by the Graph API", lost))
            done_count[0] += 1
            self.progress(Progress("fields", done_count[0], len(batches), len(images)))
            return []

        def failed(batch, err):
            self.report.failures.append(Failure("fields", f"{len(batch)} images", err.message, len(batch)))

        _pool(self.client, batches, work, done, failed)


def _pool(client: Client, items: list, work, done, failed) -> None:
    """Run ``work`` on every item with a bounded pool. ``done`` (called on this
    thread) may return new items to run. At most two items per worker are
    outstanding (running, or finished and waiting for ``done``), which bounds
    memory. AuthError stops everything at once."""
    queue = deque(items)
    window = 2 * client.config.workers
    ex = ThreadPoolExecutor(max_workers=client.config.workers, thread_name_prefix="mapillary")
    pending: dict = {}
    try:
        while queue or pending:
            while queue and len(pending) < window:
                item = queue.popleft()
                pending[ex.submit(work, item)] = item
            finished, _ = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            client.check_cancel()
            for fut in finished:
                item = pending.pop(fut)
                try:
                    result = fut.result()
                except (AuthError, CancelledError):
                    raise
                except MapillaryError as e:
                    failed(item, e)
                    continue
                queue.extend(done(item, result))
    finally:
        ex.shutdown(wait=False, cancel_futures=True)


def image_from_graph(row: dict, fields=()) -> Image | None:
    """An image from the Graph API's plain JSON."""
    if not isinstance(row, dict) or not row.get("id"):
        return None
    coords = (row.get("geometry") or {}).get("coordinates") if isinstance(row.get("geometry"), dict) else None
    if not coords or len(coords) < 2:
        return None
    creator = row.get("creator") if isinstance(row.get("creator"), dict) else {}
    captured = row.get("captured_at")
    angle = row.get("compass_angle")
    img = Image(str(row["id"]), float(coords[0]), float(coords[1]), str(row.get("sequence") or ""),
                int(captured) if isinstance(captured, (int, float)) else None,
                float(angle) if isinstance(angle, (int, float)) else None, bool(row.get("is_pano")),
                str(creator["id"]) if creator.get("id") else None, None)
    if fields:
        img.extra = extras_from_graph(row, fields)
    return img


def extras_from_graph(row: dict, fields) -> dict:
    out = {}
    for f in fields:
        if f == "username":
            creator = row.get("creator")
            out["username"] = creator.get("username") if isinstance(creator, dict) else None
        elif f == "computed_geometry":
            g = row.get("computed_geometry")
            c = g.get("coordinates") if isinstance(g, dict) else None
            out["computed_lon"], out["computed_lat"] = (float(c[0]), float(c[1])) if c else (None, None)
        elif f == "computed_altitude":
            v = row.get(f)
            if isinstance(v, (int, float)) and v >= 2**31:
                v -= 2**32  # negative altitudes arrive wrapped as unsigned 32-bit
            out[f] = v
        else:
            out[f] = row.get(f)
    return out


def _rows(data: dict) -> list:
    return data["data"]  # the client checked it is a list


def _tile_key(t) -> str:
    return "/".join(map(str, t))


def _cell_key(c) -> str:
    return ",".join(repr(float(v)) for v in c)  # exact: rounding would shrink the outer boxes


def _parse_cell(key: str) -> geo.BBox:
    parts = [float(v) for v in key.split(",")]
    if len(parts) != 4:
        raise QueryError(f"not a box: {key!r}")
    return tuple(parts)  # type: ignore[return-value]
