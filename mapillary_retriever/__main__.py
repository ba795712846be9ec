"""Command line: python3 -m mapillary_retriever images|sequences|both … --output PATH"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INCOMPLETE, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

EXAMPLES = """examples, one per person the tutorial was written for:
  the map editor, their own tracks, anywhere:
    %(prog)s both --usernames mapper_anna --start-time 2023-01-01 -o my_tracks.gpkg
  the aid worker, every image of a district, with the camera and who took it:
    %(prog)s images --bbox -113.9893,46.8569,-113.9800,46.8650 --fields username,make,model -o district.geojson
  the GIS analyst, images looking at a building:
    %(prog)s images --closeto -122.3079,47.6537 --radius 150 --lookat -122.3075,47.6540 -o facade.geojson
  the product manager, panoramas only, for a quick look:
    %(prog)s images --bbox 6.12,49.60,6.14,49.62 --pano only -o panoramas.geojson
  the citizen mapping a trail, sequences since a date:
    %(prog)s sequences --closeto 6.1300,49.6100 --radius 500 --start-time 2022-06-01 -o trail.geojson
  a v3 download from the tutorial's days, as today's layers:
    %(prog)s convert-v3 old_v3_sequences.json -o converted.gpkg

exit status: 0 complete, 1 error (nothing written), 2 bad input, 3 partial result written, 130 interrupted."""

_POINT_OPTIONS = ("--bbox", "--closeto", "--lookat")
_NEGATIVE = re.compile(r"^-[\d.]")


def _join_negative_values(argv: list[str]) -> list[str]:
    """``--bbox -113.98,46.85,…`` (a value after a space that starts with a minus sign) is read
    by argparse as an option; join such values to their option: ``--bbox=-113.98,…``."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in _POINT_OPTIONS and i + 1 < len(argv) and _NEGATIVE.match(argv[i + 1]):
            out.append(f"{a}={argv[i + 1]}")
            i += 2
            continue
        out.append(a)
        i += 1
    return out


def _parser() -> argparse.ArgumentParser:
    from .api.schema import EXTRA_FIELDS

    p = argparse.ArgumentParser(
        prog="python3 -m mapillary_retriever",
        description="Every Mapillary image and sequence of an area, or by some users anywhere, into GeoJSON or "
                    "GeoPackage. The token comes from MAPILLARY_ACCESS_TOKEN; endpoints from MAPILLARY_GRAPH_URL "
                    "and MAPILLARY_TILES_URL.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("what", choices=["images", "sequences", "both", "convert-v3"],
                   help="what to write (both: two layers, GeoPackage only); convert-v3 reads a v3 GeoJSON file")
    p.add_argument("input", nargs="?", help="convert-v3 only: the v3 GeoJSON file")
    area = p.add_argument_group("area (one of; none with --usernames: everything by those users)")
    area.add_argument("--bbox", metavar="MINLON,MINLAT,MAXLON,MAXLAT",
                      help="a box; minLon > maxLon crosses the antimeridian")
    area.add_argument("--closeto", metavar="LON,LAT", help="a point; images within --radius of it")
    area.add_argument("--radius", type=float, metavar="M", help="metres around --closeto or --lookat (default 100)")
    f = p.add_argument_group("filters")
    f.add_argument("--lookat", metavar="LON,LAT", help="keep images facing this point (panoramas always count)")
    f.add_argument("--tolerance", type=float, metavar="DEG", help="look-at tolerance in degrees (default 50)")
    f.add_argument("--start-time", metavar="DATE", help="inclusive, e.g. 2020-01-01 or 2020-01-01T08:00:00Z")
    f.add_argument("--end-time", metavar="DATE", help="exclusive")
    f.add_argument("--usernames", metavar="A,B", help="with no area: everything by these users, anywhere")
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
    UNITS = {"tiles": "tiles", "boxes": "boxes", "pages": "pages", "fields": "field batches", "users": "users"}

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
        unit = self.UNITS.get(p.stage, "")
        text = f"{p.stage}: {p.done}/{p.total} {unit} · {p.found:,} images" if unit else f"{p.found:,} images"
        sys.stderr.write(("\r" + text.ljust(60)) if self.tty else text + "\n")
        if final and self.tty:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _fail(message: str, code: int) -> int:
    sys.stderr.write("mapillary_retriever: " + message.strip() + "\n")
    return code


def _check_gdal() -> str | None:
    try:
        import osgeo.ogr  # noqa: F401
    except ImportError:
        return (f"this Python ({sys.executable}) lacks GDAL's Python bindings (osgeo): run the command with the "
                "Python that QGIS uses (/usr/bin/python3 on Debian and Ubuntu, the OSGeo4W Shell on Windows) "
                "or the project's .venv/bin/python.")
    return None


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(_join_negative_values(sys.argv[1:] if argv is None else list(argv)))
    problem = _check_gdal()
    if problem:
        return _fail(problem, EXIT_ERROR)
    try:
        return _main(args)
    except KeyboardInterrupt:
        # Worker threads may sit in a network read: leave at once. Nothing is half-written
        # (every write goes to a temporary file first).
        _fail("interrupted: nothing written.", EXIT_INTERRUPTED)
        sys.stderr.flush()
        sys.stdout.flush()
        os._exit(EXIT_INTERRUPTED)


def _main(args) -> int:
    from .api import Config, Query, QueryError, output, search
    from .api.outcome import describe

    out = args.output
    kinds = {"images": ["images"], "sequences": ["sequences"], "both": ["images", "sequences"],
             "convert-v3": ["images", "sequences"]}[args.what]
    try:
        output.check_destination(out, kinds, append=args.append)
    except output.OutputError as e:
        return _fail(str(e), EXIT_USAGE)
    if args.what == "convert-v3":
        return _convert_v3(args, out)

    try:
        q = Query.build(bbox=args.bbox, closeto=args.closeto, radius=args.radius, lookat=args.lookat,
                        tolerance=args.tolerance, start_time=args.start_time, end_time=args.end_time,
                        usernames=args.usernames, userkeys=args.userkeys, pano=args.pano,
                        organization_id=args.organization_id, max_features=args.max_features,
                        fields=args.fields, max_tiles=args.max_tiles)
    except QueryError as e:
        return _fail(e.message, EXIT_USAGE)
    if args.workers is not None and args.workers < 1:
        return _fail("--workers must be at least 1.", EXIT_USAGE)
    if args.retries is not None and args.retries < 0:
        return _fail("--retries cannot be negative.", EXIT_USAGE)
    tuning = {"workers": args.workers, "retries": args.retries}
    config = Config.from_env(**{k: v for k, v in tuning.items() if v is not None})
    result = search(q, strategy=args.strategy, sequences="sequences" in kinds, config=config,
                    progress=_ProgressLine(args.quiet))
    told = describe(result)
    rep = result.report
    if not told.write:
        return _fail(told.text, told.exit_code)

    target = out
    if not rep.complete and output.would_replace(out, kinds, args.append):
        target = output.beside(out, "incomplete")
    desc = "Mapillary search: " + q.describe() + ("" if rep.complete else " (INCOMPLETE)")
    try:
        written = []
        for kind in kinds:
            records = result.images if kind == "images" else result.sequences
            written.append(output.write(target, kind, records, q.fields, desc, append=args.append))
    except output.OutputError as e:
        return _fail(str(e), EXIT_ERROR)

    counts = [f"{len(result.images):,} images"] if "images" in kinds else []
    if "sequences" in kinds:
        counts.append(f"{len(result.sequences):,} sequences")
    print(f"{' and '.join(counts)} written to {target} (layer {', '.join(written)}); "
          f"{rep.requests} requests in {rep.seconds:.1f} s.")
    for w in rep.warnings:
        sys.stderr.write("warning: " + w + "\n")
    if rep.capped:
        sys.stderr.write(f"note: kept {q.max_features:,} images as --max-features asked.\n")
    if not rep.complete:
        kept = f" Your existing {out} is untouched; the incomplete result is in {target}." if target != out else ""
        return _fail(f"INCOMPLETE: {told.text} What was fetched is written.{kept} Details: {told.details}.",
                     EXIT_INCOMPLETE)
    if not result.images:
        sys.stderr.write(told.text + "\n")
    return EXIT_OK


def _convert_v3(args, out: str) -> int:
    from .api import QueryError, output
    from .api.v3 import read_v3

    if not args.input:
        return _fail("convert-v3 needs the v3 GeoJSON file to read.", EXIT_USAGE)
    try:
        with open(args.input, encoding="utf-8") as fh:
            images, sequences = read_v3(json.load(fh))
    except (OSError, ValueError, RecursionError) as e:
        msg = e.message if isinstance(e, QueryError) else f"cannot read {args.input}: {e}"
        return _fail(msg, EXIT_USAGE)
    try:
        if images:
            output.write(out, "images", images, ("username", "make", "model"), "converted from Mapillary API v3")
        if sequences and (out.lower().endswith(".gpkg") or not images):
            output.write(out, "sequences", sequences, ("username",), "converted from Mapillary API v3")
    except output.OutputError as e:
        return _fail(str(e), EXIT_ERROR)
    print(f"{len(images)} images and {len(sequences)} sequences converted to {out}.")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
