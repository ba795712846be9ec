"""The search: plan, fetch concurrently, decode, filter, enrich, build sequences.

Three strategies list the images:

* ``tiles`` (default for an area): every z14 vector tile the area touches. Tiles are
  not capped, so this is complete; the Graph API then adds fields tiles lack.
* ``graph``: the Graph API's bbox search. It answers at most 2,000 rows with no
  paging and truncates silently, so a box that answers near the cap is split into
  quarters until every box answers well under it; a box refused as too dense is
  asked again with a smaller ``limit`` first.
* ``users`` (a query with usernames and no area): the Graph API's
  ``creator_username`` search, which pages with cursors: everything by those users.

``search`` always returns a ``SearchResult``: what stopped it early (a refused
token, an unreachable server, a spent quota) is ``report.fatal``, and every part
that was not fetched is named in ``report.failures``. ``resume`` fetches exactly
those parts (and missing extra fields) and returns the merged, rebuilt result.
"""

from __future__ import annotations

import logging
import math
import time
from collections import defaultdict, deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np

from . import geo
from .client import Client, Config, Transport, token_from_env
from .errors import (
    AuthError,
    BadResponseError,
    CancelledError,
    Cause,
    MapillaryError,
    ParameterError,
    QueryError,
    TooMuchDataError,
)
from .query import Query
from .records import Failure, Image, Images, Report, SearchResult, Strings, joined_ids, sort_order
from .schema import EXTRA_FIELDS, extras_from_graph, lacking
from .sequences import build_sequences
from .tiles import MAX_TIME, decode_table

log = logging.getLogger("mapillary_retriever")

STRATEGIES = ("tiles", "graph")
ENRICH_BATCH = 100  # image ids per /images?image_ids= request
EDGE = 1e-9  # degrees (0.1 mm): tolerance of the bbox test
MIN_CELL = 2e-4  # degrees: boxes are not split below ~20 m
LIMITS = (2000, 1000, 500)  # a box refused as too dense is asked again with a smaller limit
BASE_FIELDS = "id,geometry,captured_at,compass_angle,is_pano,sequence,creator,organization"

Listener = Callable[["Progress"], None]


class Progress(NamedTuple):
    stage: str  # "users", "tiles", "boxes", "pages", "features" (images for features), "fields", "sequences", "done"
    done: int
    total: int
    found: int

    def percent(self) -> float:
        """The whole search's progress (0-100) at this step of one of its stages."""
        start, span = _SPANS.get(self.stage, (99, 1))
        return start + span * (min(self.done, self.total) / self.total if self.total else 0)


# where each stage sits in the whole search's progress (0-100): start, span
_SPANS = {"users": (0, 5), "tiles": (5, 85), "boxes": (5, 85), "pages": (5, 85), "features": (5, 85),
          "fields": (90, 9)}


def search(query: Query, token: str | None = None, *, strategy: str | None = None, sequences: bool = True,
           config: Config | None = None, transport: Transport | None = None, progress: Listener | None = None,
           cancelled: Callable[[], bool] | None = None) -> SearchResult:
    """Run a search. ``strategy``: "tiles" (default for an area) or "graph"; a query with
    usernames and no area always lists by user. Never raises for what happens on the
    network: see ``report.fatal`` and ``report.failures``. Raises QueryError only for a
    strategy that does not exist."""
    strategy = _strategy(query, strategy)
    return _Run(query, token, strategy, sequences, config, transport, progress, cancelled).go(None)


def resume(previous: SearchResult, token: str | None = None, *, config: Config | None = None,
           transport: Transport | None = None, progress: Listener | None = None,
           cancelled: Callable[[], bool] | None = None) -> SearchResult:
    """Fetch exactly what ``previous`` misses (tiles, boxes, pages and extra fields) and
    return the whole result: its images and the new ones, sequences rebuilt from all of
    them, one merged report. A search stopped before it planned anything is run again."""
    rep = previous.report
    if rep.planned == 0 and not rep.resumable:
        return search(previous.query, token, strategy=rep.strategy, sequences=previous.with_sequences,
                      config=config, transport=transport, progress=progress, cancelled=cancelled)
    run = _Run(previous.query, token, rep.strategy, previous.with_sequences, config, transport, progress, cancelled)
    return run.go(previous)


def enrich(images: list[Image], fields, token: str | None = None, *, config: Config | None = None,
           transport: Transport | None = None, progress: Listener | None = None,
           cancelled: Callable[[], bool] | None = None) -> Report:
    """Add Graph API fields to images listed earlier, in place: for callers that keep only a few
    images of a larger search (images for features). Failures are in the report."""
    report = Report()
    try:
        client = Client(token if token is not None else token_from_env(), config, transport, cancelled)
    except AuthError as e:
        report.fatal = Failure("search", "token", e.message, cause=e.cause)
        return report
    with client:
        try:
            _Search(Query(), client, report, progress or (lambda p: None)).enrich(images, tuple(fields))
        except MapillaryError as e:
            _stopped(report, e)
        _count_missing_fields(images, fields, report)
    report.requests = client.requests
    return report


def _strategy(query: Query, strategy: str | None) -> str:
    if query.anywhere:
        return "users"
    strategy = strategy or "tiles"
    if strategy not in STRATEGIES:
        raise QueryError(f"strategy must be one of {', '.join(STRATEGIES)}; got {strategy!r}.")
    return strategy


def _stopped(report: Report, e: MapillaryError) -> None:
    if isinstance(e, CancelledError):
        report.cancelled = True
    elif report.fatal is None:
        report.fatal = Failure("search", "", e.message, cause=e.cause)


def _count_missing_fields(images, fields, report: Report) -> None:
    """Images without their extra fields that no failure names yet (the search stopped before)."""
    if not fields:
        return
    missing = len(lacking(images, fields))
    named = sum(f.count for f in report.failures if f.kind == "fields")
    if missing > named:
        cause = report.cause or Cause.CANCELLED
        report.fail("fields", f"{missing - named} images", "not fetched: the search stopped before", cause,
                    missing - named)


class _Run:
    """One search or resume, from the client to the result."""

    def __init__(self, query, token, strategy, sequences, config, transport, progress, cancelled):
        self.query, self.strategy, self.sequences = query, strategy, sequences
        self.token = token if token is not None else token_from_env()
        self.config, self.transport = config, transport
        self.progress = progress or (lambda p: None)
        self.cancelled = cancelled

    def go(self, previous: SearchResult | None) -> SearchResult:
        started = time.monotonic()
        q = self.query
        report = Report(strategy=self.strategy)
        try:
            client = Client(self.token, self.config, self.transport, self.cancelled)
        except AuthError as e:
            report.fatal = Failure("search", "token", e.message, cause=e.cause)
            return self._result(previous, Images.empty(), report, {})
        run = _Search(q, client, report, self.progress)
        if previous is not None:
            run.excluded.update({k: list(v) for k, v in previous.excluded.items()})
        with client:
            try:
                run.resolve_creators()
                if previous is None:
                    run.listing(self.strategy, None)
                else:
                    old = previous.report
                    run.listing(self.strategy, old.missing({"tiles": "tile", "graph": "cell", "users": "page"}
                                                        [self.strategy]))
                    run.parts.append(Images.from_images(previous.images, run.strings))  # the new ones first
                run.finish(enrich=True, refetch_fields=previous is not None)
            except MapillaryError as e:
                _stopped(report, e)
                run.finish(enrich=False)
            report.requests = client.requests
            report.cached = client.cache_hits
        warning = client.quota_warning()
        if warning:
            report.warnings.append(warning)
        report.seconds = time.monotonic() - started
        images = run.images if run.images is not None else Images.empty()
        _count_missing_fields(images, q.fields, report)
        if previous is not None:
            report = previous.report.merge(report)
        seqs = build_sequences(images, report, run.excluded) if self.sequences else []
        self.progress(Progress("done", report.fetched, report.planned, len(images)))
        return SearchResult(images, seqs, report, dict(run.excluded), q, self.sequences)

    def _result(self, previous, images, report, excluded) -> SearchResult:
        if previous is not None:
            return SearchResult(previous.images, previous.sequences, previous.report.merge(report),
                                previous.excluded, self.query, self.sequences)
        return SearchResult(images, [], report, excluded, self.query, self.sequences)


class _Search:
    def __init__(self, query: Query, client: Client, report: Report, progress):
        self.q = query
        self.client = client
        self.report = report
        self.progress = progress
        # the creators whose images are kept (None: anyone); the users strategy asks the server for them
        self.creators: set[str] | None = set(query.userkeys) \
            if (query.usernames or query.userkeys) and not query.anywhere else None
        self.strings = Strings()  # the codes of sequence, creator and organization ids of the whole search
        self.parts: list[Images] = []  # what matched, part by part, not yet de-duplicated
        self.found = 0  # images in the parts (for progress)
        self.images: Images | None = None  # the result, once finished
        self.unknown_creator: list[Images] = []  # old tiles lack creator_id: resolved through the Graph API
        # capture times, by sequence, of fetched images that did not match: where sequence lines break
        self.excluded: dict[str, list[int]] = defaultdict(list)
        self.area = query.area_bbox() if query.bbox is not None or query.center is not None else None
        self.no_organization = False

    # --- users ------------------------------------------------------------
    def resolve_creators(self) -> None:
        if not self.q.usernames or self.q.anywhere:
            return
        self.progress(Progress("users", 0, len(self.q.usernames), 0))
        missing = []
        for name in self.q.usernames:
            data = self.client.graph("images", {"creator_username": name, "fields": "creator", "limit": 1})
            rows = _rows(data)
            creator = rows[0].get("creator") if rows and isinstance(rows[0], dict) else None
            if isinstance(creator, dict) and creator.get("id"):
                self.creators.add(str(creator["id"]))  # type: ignore[union-attr]
            else:
                missing.append(name)
        if missing:
            msg = _no_images_by(missing)
            if len(missing) == len(self.q.usernames) and not self.q.userkeys:
                raise QueryError(msg)
            self.report.warnings.append(msg)

    # --- filtering --------------------------------------------------------
    def matches(self, t: Images) -> np.ndarray:
        """Everything the query asks, tested client-side on whole columns (the same for every strategy)."""
        q = self.q
        keep = np.ones(len(t), bool)
        if q.bbox is not None:
            keep &= geo.in_bbox_array(q.bbox, t.lon, t.lat, EDGE)  # decoded tiles carry float noise
        elif q.center is not None:
            c, r = q.center, q.radius
            # numpy's sines may differ from math's in the last bit: the exact test decides near the circle
            near = geo.haversine_array(c[0], c[1], t.lon, t.lat)
            keep &= near <= r * (1 + 1e-9) + 1e-6
            edge = np.flatnonzero(keep & (near >= r * (1 - 1e-9) - 1e-6))
            for k, lon, lat in zip(edge.tolist(), t.lon[edge].tolist(), t.lat[edge].tolist()):
                keep[k] = geo.haversine(c[0], c[1], lon, lat) <= r
        if q.start_time or q.end_time:
            start, end = q.start_ms(), q.end_ms()
            keep &= t.cap > 0
            if start is not None:
                keep &= t.cap >= start
            if end is not None:
                keep &= t.cap < end
        if q.pano == "only":
            keep &= t.pano
        elif q.pano == "exclude":
            keep &= ~t.pano
        if q.organization_id is not None:
            keep &= t.org == t.strings.codes.get(q.organization_id, -2)
        if q.lookat is not None:  # panoramas see every direction
            rows = np.flatnonzero(keep & ~t.pano)
            tx, ty = q.lookat[0], q.lookat[1]
            for k, lon, lat, angle in zip(rows.tolist(), t.lon[rows].tolist(), t.lat[rows].tolist(),
                                          t.angle[rows].tolist()):
                if angle != angle or geo.angle_diff(geo.bearing(lon, lat, tx, ty), angle) > q.tolerance:
                    keep[k] = False
        return keep

    def sift(self, t: Images) -> Images:
        """The images that match; the times of the others are kept for breaking lines."""
        keep = self.matches(t)
        if keep.all():
            return t
        out = ~keep & (t.cap > 0) & (t.seq >= 0)
        values = t.strings.values
        for code, cap in zip(t.seq[out].tolist(), t.cap[out].tolist()):
            self.excluded[values[code]].append(cap)
        return t.take(keep)

    def add(self, t: Images) -> None:
        """Keep matching images (de-duplicated by id when the search finishes)."""
        if self.creators is not None:
            unknown = t.creator < 0
            if unknown.any():
                self.unknown_creator.append(t.take(unknown))
            codes = t.strings.codes
            allowed = np.array([codes[c] for c in self.creators if c in codes], np.int32)
            t = t.take(np.isin(t.creator, allowed))
        if len(t):
            self.parts.append(t)
            self.found += len(t)

    def listing(self, strategy: str, only: list[str] | None) -> None:
        {"tiles": self.tiles, "graph": self.graph, "users": self.pages}[strategy](only)

    def _pool(self, kind: str, key, plan: list, work, done) -> None:
        """Run the plan; a part that fails is named; on a stop, every part not fetched is named too."""
        def failed(item, err: MapillaryError):
            self.report.fail(kind, key(item), err.message, err.cause)

        def abandoned(items, err: MapillaryError):
            known = {f.key for f in self.report.failures if f.kind == kind}
            why = "not fetched: " + ("the search was cancelled" if isinstance(err, CancelledError)
                                     else "the search stopped")
            for item in items:
                if key(item) not in known:
                    self.report.fail(kind, key(item), why, err.cause)
        _pool(self.client, plan, work, done, failed, abandoned)

    # --- the tile strategy ------------------------------------------------
    def tiles(self, only: list[str] | None) -> None:
        plan = geo.tiles_for_bbox(self.area)  # type: ignore[arg-type]
        if only is not None:
            wanted = set(only)
            plan = [t for t in plan if _tile_key(t) in wanted]
        self.report.planned += len(plan)

        # Workers only fetch; this thread decodes. Fetching then never waits for a decode (which
        # holds the GIL for its numpy and Python parts), and the network stays busy. (Decoding in
        # the workers, GDAL letting go of the GIL, measured no faster end to end: bench/RESULTS.md.)
        def work(item):
            return self.client.tile(*item[0])

        def done(item, data):
            t, attempt = item
            skipped: dict[str, int] = {}
            try:
                table = decode_table(data, t[0], t[1], t[2], skipped=skipped, strings=self.strings)
            except BadResponseError as e:  # e.g. a body cut short without a Content-Length
                self.client.forget_tile(*t)  # not from the cache again
                if attempt < self.client.config.retries:
                    return [(t, attempt + 1)]
                self.report.fail("tile", _tile_key(t), e.message, e.cause)
                return []
            for reason, n in skipped.items():
                self.report.skip(reason, n)
            self.add(self.sift(table))
            self.report.fetched += 1
            self.progress(Progress("tiles", self.report.fetched, self.report.planned, self.found))
            return []

        self.progress(Progress("tiles", 0, len(plan), 0))
        self._pool("tile", lambda item: _tile_key(item[0]), [(t, 0) for t in plan], work, done)

    # --- the graph strategy -----------------------------------------------
    def _filters(self, with_pano: bool) -> dict:
        q = self.q
        params: dict = {}
        if q.start_time:
            params["start_captured_at"] = _iso(q.start_time)
        if q.end_time:
            params["end_captured_at"] = _iso(q.end_time)
        if q.pano != "any" and with_pano:  # documented for creator searches only: with a bbox, client-side
            params["is_pano"] = "true" if q.pano == "only" else "false"
        if q.organization_id:
            params["organization_id"] = q.organization_id
        return params

    def _fields(self) -> str:
        return ",".join(dict.fromkeys(BASE_FIELDS.split(",") + [EXTRA_FIELDS[f].graph for f in self.q.fields]))

    def _graph(self, path: str, params: dict | None = None) -> dict:
        """A Graph API search; a server that does not know the image's ``organization`` field
        (code 100) is asked again without it, and not asked for it again."""
        sent = params["fields"] if params else _param(path, "fields")
        if self.no_organization and "organization" in sent.split(","):
            sent = _without(sent, "organization")
            path, params = (path, dict(params, fields=sent)) if params else (_set_param(path, "fields", sent), None)
        try:
            return self.client.graph(path, params)
        except ParameterError as e:
            if "organization" not in e.message or "organization" not in sent.split(","):
                raise
            self.no_organization = True
            return self._graph(path, params)

    def _take(self, rows: list) -> None:
        imgs = []
        for row in rows:
            img = image_from_graph(row, self.q.fields)
            if img is None:
                self.report.skip("no id or position in the Graph API answer")
                continue
            if self.q.organization_id and img.organization_id is None:
                img.organization_id = self.q.organization_id  # the server filtered on it
            imgs.append(img)
        self.add(self.sift(Images.from_images(imgs, self.strings)))

    def graph(self, only: list[str] | None) -> None:
        plan = [_parse_cell(k) for k in only] if only is not None else \
            geo.grid_bbox(self.area, self.client.config.cell_area)  # type: ignore[arg-type]
        self.report.planned += len(plan)
        params = dict(self._filters(with_pano=False), fields=self._fields())
        if len(self.q.usernames) == 1 and not self.q.userkeys:
            params["creator_username"] = self.q.usernames[0]
        split_at = self.client.config.split_at

        def work(item):
            cell, limit = item
            try:
                return _rows(self._graph("images", dict(params, bbox=_cell_key(cell), limit=limit)))
            except TooMuchDataError:
                return None

        def done(item, rows):
            cell, limit = item
            if rows is None and limit > LIMITS[-1]:  # refused as too dense: ask for fewer rows first
                return [(cell, LIMITS[LIMITS.index(limit) + 1] if limit in LIMITS else LIMITS[-1])]
            if rows is None or len(rows) >= split_at * limit / LIMITS[0]:
                if cell[2] - cell[0] > MIN_CELL and cell[3] - cell[1] > MIN_CELL:
                    self.report.planned += 3  # one box becomes four
                    return [(c, LIMITS[0]) for c in geo.split_bbox(cell)]
                if rows is None:
                    self.report.fail("cell", _cell_key(cell), "too dense even at 20 m", Cause.TOO_DENSE)
                    return []
                self.report.fail("cell", _cell_key(cell), f"answers {len(rows)} rows even at 20 m: may be capped",
                                 Cause.TOO_DENSE)
            self._take(rows)
            self.report.fetched += 1
            self.progress(Progress("boxes", self.report.fetched, self.report.planned, self.found))
            return []

        self.progress(Progress("boxes", 0, len(plan), 0))
        self._pool("cell", lambda item: _cell_key(item[0]), [(c, LIMITS[0]) for c in plan], work, done)

    # --- the users strategy -----------------------------------------------
    def pages(self, only: list[str] | None) -> None:
        """Everything by the query's users, page by page (pages of one user follow their cursors;
        users run side by side). ``only``: page URLs a failed run could not fetch."""
        if only is not None:
            starts = list(only)
        else:
            base = dict(self._filters(with_pano=True), fields=self._fields(), limit=LIMITS[0])
            starts = [self.client.config.graph_url + "/images?" + urlencode(dict(base, creator_username=name))
                      for name in self.q.usernames]
        self.report.planned += len(starts)
        found_any: dict[str, bool] = {}

        def work(url):
            try:
                return self._graph(url)
            except TooMuchDataError:
                return None

        def done(url, data):
            if data is None:  # refused as too much: the same page with fewer rows, then named
                limit = int(_param(url, "limit") or LIMITS[0])
                smaller = [n for n in LIMITS if n < limit]
                if smaller:
                    return [_set_param(url, "limit", str(smaller[0]))]
                self.report.fail("page", url, f"refused as too much data even with limit {limit}", Cause.TOO_DENSE)
                return []
            rows = _rows(data)
            self._take(rows)
            name = _param(url, "creator_username")
            found_any[name] = found_any.get(name, False) or bool(rows)
            self.report.fetched += 1
            nxt = (data.get("paging") or {}).get("next") if isinstance(data.get("paging"), dict) else None
            more = [_page_key(nxt)] if isinstance(nxt, str) and nxt and rows else []
            self.report.planned += len(more)
            self.progress(Progress("pages", self.report.fetched, self.report.planned, self.found))
            return more

        self.progress(Progress("pages", 0, len(starts), 0))
        self._pool("page", lambda url: url, [_page_key(u) for u in starts], work, done)
        if only is None and not self.report.failures and not self.report.cancelled:
            missing = [n for n in self.q.usernames if not found_any.get(n)]
            if missing and len(missing) == len(self.q.usernames):
                raise QueryError(_no_images_by(missing))
            if missing:
                self.report.warnings.append(_no_images_by(missing))

    # --- after listing ----------------------------------------------------
    def finish(self, enrich: bool, refetch_fields: bool = False) -> None:
        """De-duplicate, cap, sort and enrich what was listed (again after a failed finish: the
        parts and an earlier result are merged once more)."""
        if self.unknown_creator and enrich:
            pending = list(Images.concat(self.unknown_creator, self.strings))
            self.unknown_creator = []
            self.enrich(pending, ("username",))
            self.add(Images.from_images([i for i in pending if i.creator_id is not None], self.strings))
        parts = [p.recoded(self.strings) for p in self.parts + ([self.images] if self.images is not None else [])]
        self.parts = []
        parts = [p for p in parts if len(p)] or [Images.empty(self.strings)]
        ids = joined_ids(parts)
        rows = _first_of_each_id(ids)
        q = self.q

        def column(name: str) -> np.ndarray:
            return np.concatenate([getattr(p, name) for p in parts])[rows]

        if q.max_features and len(rows) > q.max_features:
            if q.center is not None:  # a point search keeps the nearest
                key = geo.haversine_array(q.center[0], q.center[1], column("lon"), column("lat"))
            else:  # an area search keeps the newest
                key = -column("cap")
            order = np.argsort(key, kind="stable")
            dropped = order[q.max_features:]
            values = self.strings.values + [""]
            for code, cap in zip(column("seq")[dropped].tolist(), column("cap")[dropped].tolist()):
                if cap:
                    self.excluded[values[code]].append(cap)
            rows = rows[order[: q.max_features]]
            self.report.capped = True
        rows = rows[sort_order(ids[rows], column("cap"), column("seq"), self.strings)]
        del ids
        images = Images.gather(parts, self.strings, rows)  # (uses the parts up)
        self.images = images
        if enrich and q.fields and (self.report.strategy == "tiles" or refetch_fields):
            missing = lacking(images, q.fields)
            copies = list(images.take(np.array(missing, np.int64)))
            try:
                self.enrich(copies, q.fields)
            finally:
                images.update(missing, copies)

    def enrich(self, images: list[Image], fields) -> None:
        """Add Graph API fields to images, in batched ``image_ids`` requests (halved when refused as too much)."""
        graph_fields = ",".join(dict.fromkeys(["id", "creator"] + [EXTRA_FIELDS[f].graph for f in fields]))
        batches = [images[i:i + ENRICH_BATCH] for i in range(0, len(images), ENRICH_BATCH)]
        total = [len(batches)]
        done_count = [0]

        def work(batch):
            ids = ",".join(i.id for i in batch)
            try:
                return _rows(self.client.graph("images", {"image_ids": ids, "fields": graph_fields}))
            except TooMuchDataError:
                if len(batch) == 1:
                    raise
                return None

        def done(batch, rows):
            if rows is None:
                total[0] += 1
                half = len(batch) // 2
                return [batch[:half], batch[half:]]
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
                self.report.fail("fields", f"{lost} images", "not returned by the Graph API", Cause.NOT_FOUND, lost)
            done_count[0] += 1
            self.progress(Progress("fields", done_count[0], total[0], len(images)))
            return []

        def failed(batch, err):
            self.report.fail("fields", f"{len(batch)} images", err.message, err.cause, len(batch))

        _pool(self.client, batches, work, done, failed)


def _pool(client: Client, items: list, work, done, failed, abandoned=None) -> None:
    """Run ``work`` on every item with a bounded pool. ``done`` (called on this
    thread) may return new items to run. At most two items per worker are
    outstanding (running, or finished and waiting for ``done``), which bounds
    memory. A stop (token refused, unreachable, cancel) ends everything at once;
    ``abandoned`` then hears of every item that was not finished."""
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
                except MapillaryError as e:
                    if client.fatal is not None or isinstance(e, CancelledError):
                        pending[fut] = item  # not finished: named below
                        raise client.fatal or e from None
                    failed(item, e)
                    continue
                queue.extend(done(item, result))
    except MapillaryError as e:
        if abandoned is not None:
            abandoned(list(pending.values()) + list(queue), e)
        ex.shutdown(wait=False, cancel_futures=True)
        wait(pending, timeout=1.0)  # let requests already on the wire end (briefly): none outlives the search
        raise
    finally:
        ex.shutdown(wait=False, cancel_futures=True)


def image_from_graph(row: dict, fields=()) -> Image | None:
    """An image from the Graph API's plain JSON; None when it has no id or no usable position.
    Values of the wrong type or out of range become None (a bad value is not a lost search)."""
    if not isinstance(row, dict) or not isinstance(row.get("id"), (str, int)) or isinstance(row.get("id"), bool):
        return None
    geom = row.get("geometry")
    coords = geom.get("coordinates") if isinstance(geom, dict) else None
    if not isinstance(coords, list) or len(coords) < 2:
        return None
    lon, lat = _finite(coords[0]), _finite(coords[1])
    if lon is None or lat is None or not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return None
    creator: dict = row["creator"] if isinstance(row.get("creator"), dict) else {}
    org = row.get("organization")
    org_id = org.get("id") if isinstance(org, dict) else row.get("organization_id")
    captured = _finite(row.get("captured_at"))
    angle = _finite(row.get("compass_angle"))
    img = Image(str(row["id"]), lon, lat, str(row.get("sequence") or ""),
                int(captured) if captured is not None and 0 < captured < MAX_TIME else None,
                angle % 360.0 if angle is not None else None, row.get("is_pano") is True,
                _id(creator.get("id")), _id(org_id))
    if fields:
        img.extra = extras_from_graph(row, fields)
    return img


def _first_of_each_id(ids: np.ndarray) -> np.ndarray:
    """The rows of the first of each id, in order."""
    if ids.dtype == np.int64:
        return np.sort(np.unique(ids, return_index=True)[1])
    seen: dict = {}
    return np.array([seen.setdefault(v, k) for k, v in enumerate(ids.tolist()) if v not in seen], np.int64)


def _finite(v) -> float | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    f = float(v)
    return f if math.isfinite(f) else None


def _id(v) -> str | None:
    if isinstance(v, bool) or not isinstance(v, (str, int)):
        return None
    return str(v) or None


def _no_images_by(names: list[str]) -> str:
    return "No Mapillary images by " + ", ".join(repr(m) for m in names) + " (check the spelling)."


def _rows(data: dict) -> list:
    return data["data"]  # the client checked it is a list


def _iso(dt: datetime) -> str:
    """ISO 8601 UTC with a four-digit year (strftime leaves years before 1000 unpadded)."""
    return f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}T{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}Z"


def _page_key(url: str) -> str:
    """A page URL without any token in it (the token travels in the Authorization header)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "access_token"]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _without(fields: str, name: str) -> str:
    return ",".join(f for f in fields.split(",") if f != name)


def _set_param(url: str, name: str, value: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != name] + [(name, value)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _param(url: str, name: str) -> str:
    """A query parameter of a URL ("" when absent)."""
    return dict(parse_qsl(urlsplit(url).query)).get(name, "")


def _tile_key(t) -> str:
    return "/".join(map(str, t))


def _number(v: float) -> str:
    """Fixed-point, and exact: the shortest text that reads back as the same double (repr gives 5e-05)."""
    text = format(Decimal(repr(float(v))), "f")
    return text[:-2] if text.endswith(".0") else text


def _cell_key(c) -> str:
    return ",".join(_number(v) for v in c)  # exact: rounding would shrink the outer boxes


def _parse_cell(key: str) -> geo.BBox:
    parts = [float(v) for v in key.split(",")]
    if len(parts) != 4:
        raise QueryError(f"not a box: {key!r}")
    return tuple(parts)  # type: ignore[return-value]
