"""Command line: python3 -m mapillary_retriever images|sequences|both … --output PATH"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INCOMPLETE = 0, 1, 2, 3


def _parser() -> argparse.ArgumentParser:
    from .api.query import EXTRA_FIELDS

    p = argparse.ArgumentParser(
        prog="python3 -m mapillary_retriever",
        description="List Mapillary images and sequences of an area into GeoJSON or GeoPackage. "
                    "The token comes from MAPILLARY_ACCESS_TOKEN; endpoints from MAPILLARY_GRAPH_URL "
                    "and MAPILLARY_TILES_URL.",
        epilog="Exit status: 0 complete, 1 error, 2 bad input, 3 partial result written.")
    p.add_argument("what", choices=["images", "sequences", "both", "convert-v3"],
                   help="what to write (both: two layers, GeoPackage only); convert-v3 reads a v3 GeoJSON file")
    p.add_argument("input", nargs="?", help="convert-v3 only: the v3 GeoJSON file")
    area = p.add_argument_group("area (one of)")
    area.add_argument("--bbox", metavar="MINLON,MINLAT,MAXLON,MAXLAT")
    area.add_argument("--closeto", metavar="LON,LAT", help="a point; images within --radius of it")
    area.add_argument("--radius", type=float, metavar="M", help="metres around --closeto or --lookat (default 100)")
    f = p.add_argument_group("filters")
    f.add_argument("--lookat", metavar="LON,LAT", help="keep images facing this point (panoramas always count)")
    f.add_argument("--tolerance", type=float, metavar="DEG", help="look-at tolerance in degrees (default 50)")
    f.add_argument("--start-time", metavar="DATE", help="inclusive, e.g. 2020-01-01 or 2020-01-01T08:00:00Z")
    f.add_argument("--end-time", metavar="DATE", help="exclusive")
    f.add_argument("--usernames", metavar="A,B")
    f.add_argument("--userkeys", metavar="ID,ID", help="creator ids")
    f.add_argument("--pano", choices=["any", "only", "exclude"], default="any")
    f.add_argument("--organization-id", metavar="N")
    f.add_argument("--max-features", type=int, metavar="N",
                   help="keep at most N (nearest for a point, newest otherwise)")
    f.add_argument("--fields", metavar="F,F", help="extra fields from the Graph API: " + ", ".join(EXTRA_FIELDS))
    o = p.add_argument_group("output and tuning")
    o.add_argument("--output", "-o", required=True, metavar="PATH", help=".geojson or .gpkg")
    o.add_argument("--append", action="store_true", help="GeoPackage: add to an existing layer instead of replacing it")
    o.add_argument("--strategy", choices=["tiles", "graph"], default="tiles",
                   help="tiles: complete z14 vector tiles (default); "
                        "graph: the Graph API bbox search, split adaptively")
    o.add_argument("--max-tiles", type=int, metavar="N", help="refuse areas needing more z14 tiles (default 400)")
    o.add_argument("--workers", type=int, metavar="N", help="requests in flight at once (default 16)")
    o.add_argument("--retries", type=int, metavar="N", help="retries of a failing request (default 6)")
    o.add_argument("--quiet", "-q", action="store_true", help="no progress line")
    return p


class _ProgressLine:
    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.last = 0.0

    def __call__(self, p) -> None:
        if self.quiet:
            return
        now = time.monotonic()
        final = p.stage == "done"
        if not self.tty and not final and now - self.last < 2.0:
            return
        self.last = now
        unit = {"tiles": "tiles", "boxes": "boxes", "fields": "field batches", "users": "users"}.get(p.stage, "")
        text = f"{p.stage}: {p.done}/{p.total} {unit} · {p.found:,} images" if unit else f"{p.found:,} images"
        sys.stderr.write(("\r" + text.ljust(60)) if self.tty else text + "\n")
        if final and self.tty:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _fail(message: str, code: int) -> int:
    sys.stderr.write("mapillary_retriever: " + message.strip() + "\n")
    return code


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from .api import AuthError, MapillaryError, Query, QueryError, output, search

    out = args.output
    ext = os.path.splitext(out)[1].lower()
    if ext not in (".geojson", ".json", ".gpkg"):
        return _fail(f"--output must end in .geojson or .gpkg, not {ext or 'nothing'!r}.", EXIT_USAGE)
    if args.what == "both" and ext != ".gpkg":
        return _fail("'both' writes two layers: give a .gpkg output (GeoJSON holds one layer).", EXIT_USAGE)
    if out and os.path.dirname(os.path.abspath(out)) and not os.path.isdir(os.path.dirname(os.path.abspath(out))):
        return _fail(f"the folder of {out} does not exist.", EXIT_USAGE)

    if args.what == "convert-v3":
        return _convert_v3(args, ext)

    try:
        q = Query.build(bbox=args.bbox, closeto=args.closeto, radius=args.radius, lookat=args.lookat,
                        tolerance=args.tolerance, start_time=args.start_time, end_time=args.end_time,
                        usernames=args.usernames, userkeys=args.userkeys, pano=args.pano,
                        organization_id=args.organization_id, max_features=args.max_features,
                        fields=args.fields, max_tiles=args.max_tiles)
    except QueryError as e:
        return _fail(e.message, EXIT_USAGE)
    from .api.client import Config

    if args.workers is not None and args.workers < 1:
        return _fail("--workers must be at least 1.", EXIT_USAGE)
    if args.retries is not None and args.retries < 0:
        return _fail("--retries cannot be negative.", EXIT_USAGE)
    tuning = {"workers": args.workers, "retries": args.retries}
    config = Config.from_env(**{k: v for k, v in tuning.items() if v is not None})
    partial_note = ""
    try:
        result = search(q, strategy=args.strategy, sequences=args.what != "images", config=config,
                        progress=_ProgressLine(args.quiet))
    except AuthError as e:
        result = getattr(e, "partial", None)
        if not result or not result.images:
            return _fail(e.message, EXIT_ERROR)
        partial_note = e.message
    except QueryError as e:
        return _fail(e.message, EXIT_USAGE)
    except MapillaryError as e:
        return _fail(e.message, EXIT_ERROR)
    except KeyboardInterrupt:
        return _fail("interrupted.", 130)

    rep = result.report
    desc = "Mapillary search: " + q.describe()
    try:
        written = []
        if args.what in ("images", "both"):
            written.append(output.write(out, "images", result.images, q.fields, desc, append=args.append))
        if args.what in ("sequences", "both"):
            written.append(output.write(out, "sequences", result.sequences, q.fields, desc, append=args.append))
    except (OSError, RuntimeError, ValueError) as e:
        return _fail(f"could not write {out}: {e}", EXIT_ERROR)

    counts = []
    if args.what in ("images", "both"):
        counts.append(f"{len(result.images):,} images")
    if args.what in ("sequences", "both"):
        counts.append(f"{len(result.sequences):,} sequences")
    print(f"{' and '.join(counts)} written to {out} (layer {', '.join(written)}); "
          f"{rep.requests} requests in {rep.seconds:.1f} s.")
    for w in rep.warnings:
        sys.stderr.write("warning: " + w + "\n")
    if rep.capped:
        sys.stderr.write(f"note: kept {q.max_features:,} images as --max-features asked.\n")
    if partial_note or not rep.complete:
        why = partial_note or ("the search was cancelled" if rep.cancelled else "some parts could not be fetched")
        return _fail(f"INCOMPLETE: {why}. {rep.summary()}. What was fetched is written.", EXIT_INCOMPLETE)
    if not result.images:
        sys.stderr.write("Nothing found. Try a larger radius or area, or fewer filters.\n")
    return EXIT_OK


def _convert_v3(args, ext: str) -> int:
    from .api import QueryError, output
    from .api.v3 import read_v3

    if not args.input:
        return _fail("convert-v3 needs the v3 GeoJSON file to read.", EXIT_USAGE)
    try:
        with open(args.input, encoding="utf-8") as fh:
            images, sequences = read_v3(json.load(fh))
    except (OSError, ValueError) as e:
        msg = e.message if isinstance(e, QueryError) else f"cannot read {args.input}: {e}"
        return _fail(msg, EXIT_USAGE)
    fields = ("username", "make", "model")
    if images:
        output.write(args.output, "images", images, fields, "converted from Mapillary API v3")
    if sequences and (ext == ".gpkg" or not images):
        output.write(args.output, "sequences", sequences, ("username",), "converted from Mapillary API v3")
    print(f"{len(images)} images and {len(sequences)} sequences converted to {args.output}.")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
