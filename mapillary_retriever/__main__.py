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
  the aid worker, every image of a district with camera and author, as the tutorial's Shapefile:
    %(prog)s images --bbox -113.9893,46.8569,-113.9800,46.8650 --fields username,make,model -o district.shp
  the GIS analyst, images looking at a building, with the pictures:
    %(prog)s images --closeto -122.3079,47.6537 --radius 150 --lookat -122.3075,47.6540 --download pics -o facade.gpkg
  the product manager, panoramas only, for a quick look (or a spreadsheet: -o panoramas.csv):
    %(prog)s images --bbox 6.12,49.60,6.14,49.62 --pano only -o panoramas.geojson
  the citizen mapping a trail, sequences since a date, for scripts written against API v3:
    %(prog)s sequences --closeto 6.1300,49.6100 --radius 500 --start-time 2022-06-01 --schema v3 -o trail.geojson
  the database keeper, into PostGIS tables city_images and city_sequences:
    %(prog)s both --bbox 6.12,49.60,6.14,49.62 -o "PG:dbname=gis host=localhost" --layer city
  a v3 download from the tutorial's days, as today's layers:
    %(prog)s convert-v3 old_v3_sequences.json -o converted.gpkg
  the asset manager, the 3 nearest images looking at each of their assets (see for-features --help):
    %(prog)s for-features assets.gpkg --distance 30 --looking-at -o asset_images.gpkg

exit status: 0 complete, 1 error (nothing written), 2 bad input, 3 partial result written (or downloads
missing), 130 interrupted."""

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
    from .api.formats import EXTENSIONS
    from .api.schema import EXTRA_FIELDS

    p = argparse.ArgumentParser(
        prog="python3 -m mapillary_retriever",
        description="Every Mapillary image and sequence of an area, or by some users anywhere, into GeoJSON, "
                    "GeoPackage, Shapefile, FlatGeobuf, CSV, KML or PostGIS. The token comes from "
                    "MAPILLARY_ACCESS_TOKEN; endpoints from MAPILLARY_GRAPH_URL and MAPILLARY_TILES_URL.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("what", choices=["images", "sequences", "both", "convert-v3", "for-features"],
                   help="what to write (both: two layers in a GeoPackage or PostGIS, two files otherwise); "
                        "convert-v3 reads a v3 GeoJSON file; for-features (first, see for-features --help): "
                        "the nearest images of every feature of a vector file")
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
    o = p.add_argument_group("output")
    o.add_argument("--output", "-o", required=True, metavar="PATH",
                   help="the format comes from the extension: " + ", ".join(EXTENSIONS) +
                        "; or a PostGIS database: \"PG:dbname=… host=…\". 'both' into a single-layer format "
                        "writes <stem>_images<ext> and <stem>_sequences<ext>")
    o.add_argument("--layer", metavar="NAME",
                   help="GeoPackage/PostGIS table name (both: NAME_images and NAME_sequences); "
                        "default images, sequences")
    o.add_argument("--append", action="store_true",
                   help="GeoPackage, PostGIS: add to the existing layer; GeoJSON: keep the features already there "
                        "(the ones found again are replaced)")
    o.add_argument("--schema", choices=["v4", "v3"], default="v4",
                   help="v3: GeoJSON in the layout of the old API v3 (key, ca, captured_at, pano, user_key, "
                        "username, camera_make; sequences with coordinateProperties), for scripts written "
                        "against it; asks for username, make and model")
    o.add_argument("--download", metavar="DIR",
                   help="also download every image (JPEG with EXIF) into DIR; the layer gets a 'file' field")
    o.add_argument("--size", choices=["256", "1024", "2048", "original"], default="1024",
                   help="image width to download (default 1024)")
    t = p.add_argument_group("tuning")
    t.add_argument("--strategy", choices=["tiles", "graph"], default="tiles",
                   help="tiles: complete z14 vector tiles (default); "
                        "graph: the Graph API bbox search, split adaptively")
    t.add_argument("--max-tiles", type=int, metavar="N", help="refuse areas needing more z14 tiles (default 400)")
    t.add_argument("--workers", type=int, metavar="N", help="requests in flight at once (default 16)")
    t.add_argument("--retries", type=int, metavar="N", help="retries of a failing request (default 6)")
    t.add_argument("--cache-dir", metavar="DIR", help="where fetched tiles are kept for a day (default: the "
                                                      "user's cache folder)")
    t.add_argument("--no-cache", action="store_true", help="neither read nor keep fetched tiles")
    t.add_argument("--refresh", action="store_true", help="fetch every tile again (and refresh the cache)")
    t.add_argument("--quiet", "-q", action="store_true", help="no progress line")
    return p


class _ProgressLine:
    UNITS = {"tiles": "tiles", "boxes": "boxes", "pages": "pages", "fields": "field batches", "users": "users",
             "download": "images downloaded"}

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
    argv = _join_negative_values(sys.argv[1:] if argv is None else list(argv))
    features = bool(argv) and argv[0] == "for-features"
    args = (_features_parser() if features else _parser()).parse_args(argv[1:] if features else argv)
    problem = _check_gdal()
    if problem:
        return _fail(problem, EXIT_ERROR)
    try:
        return _for_features(args) if features else _main(args)
    except KeyboardInterrupt:
        # Worker threads may sit in a network read: leave at once. Nothing is half-written
        # (every write goes to a temporary file first).
        _fail("interrupted: nothing written.", EXIT_INTERRUPTED)
        sys.stderr.flush()
        sys.stdout.flush()
        os._exit(EXIT_INTERRUPTED)


def _config(args):
    """Config from the environment and the tuning flags (raises ValueError for a bad value)."""
    from .api import Config

    if args.workers is not None and args.workers < 1:
        raise ValueError("--workers must be at least 1.")
    if args.retries is not None and args.retries < 0:
        raise ValueError("--retries cannot be negative.")
    tuning = {"workers": args.workers, "retries": args.retries}
    changes = {k: v for k, v in tuning.items() if v is not None}
    cache_dir = None
    if not args.no_cache:
        from .api.cache import default_cache_dir

        cache_dir = args.cache_dir or str(default_cache_dir())
    elif args.cache_dir:
        raise ValueError("--no-cache and --cache-dir contradict each other: give one.")
    changes.update(cache_dir=cache_dir, refresh=bool(args.refresh))
    return Config.from_env(**changes)


def _check_download_dir(folder: str) -> str | None:
    path = os.path.abspath(folder)
    if os.path.exists(path) and not os.path.isdir(path):
        return f"--download {folder}: a file of that name exists; give a folder."
    parent = path
    while not os.path.exists(parent):
        parent = os.path.dirname(parent)
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"--download {folder}: cannot write in {parent}."
    return None


def _main(args) -> int:
    from .api import Query, QueryError, output, search
    from .api.outcome import describe

    if args.what == "for-features":
        return _fail("for-features comes first: python3 -m mapillary_retriever for-features LAYER_FILE -o OUT "
                     "(see for-features --help).", EXIT_USAGE)
    out = args.output
    kinds = {"images": ["images"], "sequences": ["sequences"], "both": ["images", "sequences"],
             "convert-v3": ["images", "sequences"]}[args.what]
    if args.schema == "v3":
        fmt = output.format_of(out)
        if fmt is None or fmt.driver != "GeoJSON":
            return _fail("--schema v3 writes the v3 API's GeoJSON: give a .geojson output.", EXIT_USAGE)
        if args.append:
            return _fail("--schema v3 cannot --append: give a new file name.", EXIT_USAGE)
    if args.download and args.what not in ("images", "both"):
        return _fail("--download needs images: use 'images' or 'both'.", EXIT_USAGE)
    if args.download:
        problem = _check_download_dir(args.download)
        if problem:
            return _fail(problem, EXIT_USAGE)
    try:
        output.check_destination(out, kinds, append=args.append, layer=args.layer)
    except output.OutputError as e:
        return _fail(str(e), EXIT_USAGE)
    if args.what == "convert-v3":
        return _convert_v3(args, out)

    fields = args.fields
    if args.schema == "v3":
        fields = ",".join(dict.fromkeys([f for f in (fields or "").split(",") if f.strip()]
                                        + ["username", "make", "model"]))
    try:
        q = Query.build(bbox=args.bbox, closeto=args.closeto, radius=args.radius, lookat=args.lookat,
                        tolerance=args.tolerance, start_time=args.start_time, end_time=args.end_time,
                        usernames=args.usernames, userkeys=args.userkeys, pano=args.pano,
                        organization_id=args.organization_id, max_features=args.max_features,
                        fields=fields, max_tiles=args.max_tiles)
        config = _config(args)
    except QueryError as e:
        return _fail(e.message, EXIT_USAGE)
    except ValueError as e:
        return _fail(str(e), EXIT_USAGE)
    result = search(q, strategy=args.strategy, sequences="sequences" in kinds, config=config,
                    progress=_ProgressLine(args.quiet))
    told = describe(result)
    rep = result.report
    if not told.write:
        kept = f" {output.safe_dest(out)} is untouched." if output.would_replace(out, kinds, args.append,
                                                                                 args.layer) else ""
        return _fail(told.text + kept, told.exit_code)

    extra: tuple = ()
    downloaded = None
    if args.download and result.images:
        downloaded = _download(args, result.images, config)
        if downloaded is None:
            return EXIT_INTERRUPTED
        from .api.schema import Column

        extra = (Column("file", "string"),)

    dest, layer = out, args.layer
    if not rep.complete and output.would_replace(out, kinds, args.append, args.layer):
        dest, layer = output.beside_destination(out, kinds, args.layer, "incomplete")
    desc = "Mapillary search: " + q.describe() + ("" if rep.complete else " (INCOMPLETE)")
    layers = {k: result.images if k == "images" else result.sequences for k in kinds}
    try:
        if args.schema == "v3":
            from .api.v3 import write_v3

            written = [output.Written(p, name, write_v3(p, k, layers[k], desc))
                       for p, name, k in output.targets(dest, kinds, layer)]
        else:
            written = output.write_all(dest, layers, q.fields, desc, layer=layer, append=args.append, extra=extra)
    except output.OutputError as e:
        return _fail(str(e), EXIT_ERROR)

    counts = [f"{len(result.images):,} images"] if "images" in kinds else []
    if "sequences" in kinds:
        counts.append(f"{len(result.sequences):,} sequences")
    where = "; ".join(f"{output.safe_dest(w.path)} (layer {w.layer})" for w in written)
    print(f"{' and '.join(counts)} written to {where}; {rep.requests} requests in {rep.seconds:.1f} s.")
    for text in rep.warnings + [x for w in written for x in w.warnings]:
        sys.stderr.write("warning: " + text + "\n")
    if rep.capped:
        sys.stderr.write(f"note: kept {q.max_features:,} images as --max-features asked.\n")
    code = EXIT_OK
    if downloaded is not None and not downloaded.complete:
        _fail(f"DOWNLOADS INCOMPLETE: {downloaded.summary()}. The layer's 'file' field is empty for those images; "
              "run the same command again to fetch only what is missing.", EXIT_INCOMPLETE)
        code = EXIT_INCOMPLETE
    elif downloaded is not None:
        sys.stderr.write(f"{downloaded.summary()} into {args.download}.\n")
    if not rep.complete:
        kept = (f" Your existing {output.safe_dest(out)} is untouched; the incomplete result is in "
                f"{output.safe_dest(dest)}" + (f" (layer {layer})" if layer != args.layer else "") + ".") \
            if (dest, layer) != (out, args.layer) else ""
        return _fail(f"INCOMPLETE: {told.text} What was fetched is written.{kept} Details: {told.details}.",
                     EXIT_INCOMPLETE)
    if not result.images:
        sys.stderr.write(told.text + "\n")
    return code


def _download(args, images, config):
    """Download the images' files; sets ``extra["file"]``. Returns the DownloadReport."""
    from .api import token_from_env
    from .api.client import Client
    from .api.download import download_images
    from .api.records import set_field

    client = Client(token_from_env(), config)
    line = _ProgressLine(args.quiet)

    class _P:
        def __init__(self, done, total):
            self.stage, self.done, self.total, self.found = "download", done, total, len(images)

    try:
        report = download_images(images, args.download, client, size=args.size,
                                 progress=lambda d, t: line(_P(d, t)), workers=config.workers)
    except OSError as e:
        _fail(f"cannot download into {args.download}: {e.strerror or e}.", EXIT_ERROR)
        from .api.download import DownloadReport

        report = DownloadReport(total=len(images), stopped=f"the folder cannot be written ({e.strerror or e})")
    set_field(images, "file", report.paths)
    if report.disk_full:
        sys.stderr.write(f"mapillary_retriever: the disk holding {args.download} is full: downloads stopped "
                         f"({len(report.paths):,} of {report.total:,} images are there).\n")
    return report


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
    layers: dict[str, list] = {}
    if images:
        layers["images"] = images
    if sequences:
        layers["sequences"] = sequences
    if not layers:
        return _fail(f"{args.input} holds no v3 images or sequences: nothing written.", EXIT_ERROR)
    try:
        written = []
        for kind in layers:  # images carry username, make, model; sequences username
            fields = ("username", "make", "model") if kind == "images" else ("username",)
            for path, name, k in output.targets(out, list(layers), args.layer):
                if k == kind:
                    written += output.write_all(path, {kind: layers[kind]}, fields,
                                                "converted from Mapillary API v3", layer=name, append=args.append)
    except output.OutputError as e:
        return _fail(str(e), EXIT_ERROR)
    where = "; ".join(f"{output.safe_dest(w.path)} (layer {w.layer})" for w in written)
    print(f"{len(images)} images and {len(sequences)} sequences converted to {where}.")
    return EXIT_OK


# --- for-features --------------------------------------------------------------------------------------------

FEATURE_EXAMPLES = """examples:
  the 3 nearest images within 50 m of every feature (points, lines, polygons; any CRS):
    %(prog)s assets.gpkg -o asset_images.geojson
  only the images looking at each feature, captured since 2022, with the camera:
    %(prog)s poles.shp --looking-at --newer-than 2022-01-01 --fields make,model -o pole_images.gpkg

Each row is one image for one feature: the image's columns, then feature_id (the input feature's id, or
--id-field's value), rank (1 = nearest), distance_m (metres to the feature's nearest point, 0 on or inside it)
and bearing (degrees from the image to that point). An image near several features has one row per feature.

exit status: 0 complete, 1 error (nothing written), 2 bad input, 3 partial result written, 130 interrupted."""


def _features_parser() -> argparse.ArgumentParser:
    from .api.formats import EXTENSIONS
    from .api.schema import EXTRA_FIELDS

    p = argparse.ArgumentParser(
        prog="python3 -m mapillary_retriever for-features",
        description="The nearest Mapillary images of every feature of a vector file (any format and CRS GDAL reads).",
        epilog=FEATURE_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("input", metavar="LAYER_FILE", help="a vector file: GeoPackage, Shapefile, GeoJSON, …")
    p.add_argument("--input-layer", metavar="NAME", help="the layer of LAYER_FILE to read (default: the first)")
    p.add_argument("--id-field", metavar="FIELD", help="the field whose value is feature_id (default: the FID)")
    p.add_argument("--distance", type=float, default=50.0, metavar="M", help="metres from the feature (default 50)")
    p.add_argument("--nearest", type=int, default=3, metavar="N", help="images per feature, nearest first (default 3)")
    p.add_argument("--looking-at", action="store_true",
                   help="only images whose camera points at the feature (panoramas always count)")
    p.add_argument("--tolerance", type=float, default=50.0, metavar="DEG",
                   help="look-at tolerance in degrees (default 50)")
    p.add_argument("--newer-than", metavar="DATE", help="captured then or later, e.g. 2022-01-01")
    p.add_argument("--pano", choices=["any", "only", "exclude"], default="any")
    p.add_argument("--fields", metavar="F,F", help="extra fields from the Graph API: " + ", ".join(EXTRA_FIELDS))
    p.add_argument("--output", "-o", required=True, metavar="PATH",
                   help="the format comes from the extension: " + ", ".join(EXTENSIONS) + "; or \"PG:…\"")
    p.add_argument("--layer", metavar="NAME", help="GeoPackage/PostGIS table name (default images)")
    p.add_argument("--max-tiles", type=int, metavar="N", help="skip features needing more z14 tiles (default 400)")
    p.add_argument("--workers", type=int, metavar="N", help="requests in flight at once (default 16)")
    p.add_argument("--retries", type=int, metavar="N", help="retries of a failing request (default 6)")
    p.add_argument("--cache-dir", metavar="DIR", help="where fetched tiles are kept for a day")
    p.add_argument("--no-cache", action="store_true", help="neither read nor keep fetched tiles")
    p.add_argument("--refresh", action="store_true", help="fetch every tile again (and refresh the cache)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress line")
    return p


class _InputError(Exception):
    """LAYER_FILE cannot be read as features."""


def read_features(path: str, layer_name: str | None = None, id_field: str | None = None):
    """The features of a vector file as the engine's WGS84 shapes (``api.nearby.Feature``), and
    warnings for the features left out. Raises _InputError when the file or layer cannot be read."""
    from osgeo import ogr, osr

    from .api.nearby import Feature

    with _gdal_errors_quiet():
        ds = ogr.Open(path) if os.path.exists(path) else None
    if ds is None:
        raise _InputError(f"cannot read {path}: " + ("no such file." if not os.path.exists(path)
                                                    else "not a vector file GDAL can open."))
    lyr = ds.GetLayerByName(layer_name) if layer_name else (ds.GetLayer(0) if ds.GetLayerCount() else None)
    if lyr is None:
        names = ", ".join(ds.GetLayerByIndex(i).GetName() for i in range(ds.GetLayerCount())) or "none"
        raise _InputError(f"{path} has no layer {layer_name!r} (layers: {names})." if layer_name
                          else f"{path} holds no layer.")
    defn = lyr.GetLayerDefn()
    if id_field and defn.GetFieldIndex(id_field) < 0:
        names = ", ".join(defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())) or "none"
        raise _InputError(f"{path} has no field {id_field!r} (fields: {names}).")
    wgs84 = osr.SpatialReference()
    wgs84.ImportFromEPSG(4326)
    wgs84.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    warnings = []
    srs = lyr.GetSpatialRef()
    transform = None
    if srs is None:
        warnings.append(f"{path} has no coordinate reference system: read as longitude, latitude (WGS84).")
    elif not srs.IsSame(wgs84):
        srs = srs.Clone()
        srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        transform = osr.CoordinateTransformation(srs, wgs84)
    kinds = {ogr.wkbPoint: "point", ogr.wkbMultiPoint: "point", ogr.wkbLineString: "line",
             ogr.wkbMultiLineString: "line", ogr.wkbPolygon: "polygon", ogr.wkbMultiPolygon: "polygon"}
    features = []
    for f in lyr:
        fid = f.GetFID()
        key = (f.GetField(id_field) if f.IsFieldSetAndNotNull(id_field) else None) if id_field else fid
        geom = f.GetGeometryRef()
        if geom is None or geom.IsEmpty():
            warnings.append(f"feature {fid} has no geometry: skipped.")
            continue
        geom = geom.GetLinearGeometry() if geom.HasCurveGeometry() else geom.Clone()
        kind = kinds.get(ogr.GT_Flatten(geom.GetGeometryType()))
        if kind is None:
            warnings.append(f"feature {fid} is a {geom.GetGeometryName().lower()}, not a point, line or polygon: "
                            "skipped.")
            continue
        if transform is not None:
            with _gdal_errors_quiet():
                ok = _transform(geom, transform)
            if not ok:
                warnings.append(f"feature {fid} could not be reprojected to WGS84: skipped.")
                continue
        features.append(Feature(key, kind, _parts(geom, kind)))
    return features, warnings


def _transform(geom, transform) -> bool:
    try:
        return geom.Transform(transform) == 0
    except RuntimeError:  # GDAL in exception mode
        return False


def _parts(geom, kind: str) -> list[list[tuple[float, float]]]:
    from osgeo import ogr

    flat = ogr.GT_Flatten(geom.GetGeometryType())
    if flat in (ogr.wkbPoint, ogr.wkbLineString):
        pieces = [geom]
    elif flat == ogr.wkbPolygon:
        pieces = [geom.GetGeometryRef(i) for i in range(geom.GetGeometryCount())]
    elif kind == "polygon":
        pieces = [poly.GetGeometryRef(i) for poly in (geom.GetGeometryRef(k) for k in range(geom.GetGeometryCount()))
                  for i in range(poly.GetGeometryCount())]
    else:
        pieces = [geom.GetGeometryRef(i) for i in range(geom.GetGeometryCount())]
    return [[(p[0], p[1]) for p in piece.GetPoints() or []] for piece in pieces]


class _gdal_errors_quiet:  # noqa: N801 (a context manager named for what it does)
    """GDAL's own error printing off (our message says what went wrong)."""

    def __enter__(self):
        from osgeo import gdal

        gdal.PushErrorHandler("CPLQuietErrorHandler")

    def __exit__(self, *exc):
        from osgeo import gdal

        gdal.PopErrorHandler()
        return False


def _for_features(args) -> int:
    import dataclasses

    from .api import QueryError, output
    from .api.nearby import images_for_features
    from .api.outcome import describe
    from .api.query import DEFAULT_MAX_TILES, parse_time
    from .api.schema import Column

    out = args.output
    if not (args.distance > 0 and args.distance <= 50_000):
        return _fail("--distance must be between 0 and 50000 metres.", EXIT_USAGE)
    if args.nearest < 1:
        return _fail("--nearest must be at least 1.", EXIT_USAGE)
    if not (0 < args.tolerance <= 180):
        return _fail("--tolerance must be between 0 and 180 degrees.", EXIT_USAGE)
    if args.max_tiles is not None and args.max_tiles < 1:
        return _fail("--max-tiles must be at least 1.", EXIT_USAGE)
    try:
        newer = parse_time(args.newer_than, "--newer-than")
        fields = tuple(f.strip() for f in (args.fields or "").split(",") if f.strip())
        config = _config(args)
        output.check_destination(out, ["images"], layer=args.layer)
        features, warnings = read_features(args.input, args.input_layer, args.id_field)
    except QueryError as e:
        return _fail(e.message, EXIT_USAGE)
    except (ValueError, _InputError) as e:  # OutputError is a ValueError
        return _fail(str(e), EXIT_USAGE)
    for text in warnings:
        sys.stderr.write("warning: " + text + "\n")
    if not features:
        return _fail(f"{args.input} holds no usable point, line or polygon: nothing to search.", EXIT_USAGE)
    try:
        found = images_for_features(features, _token(), distance=args.distance, nearest=args.nearest,
                                    looking_at=args.looking_at, tolerance=args.tolerance, newer_than=newer,
                                    pano=args.pano, fields=fields, max_tiles=args.max_tiles or DEFAULT_MAX_TILES,
                                    config=config, progress=_ProgressLine(args.quiet))
    except QueryError as e:
        return _fail(e.message, EXIT_USAGE)
    for fid, why in found.skipped:
        sys.stderr.write(f"warning: feature {fid} skipped: {why}.\n")
    result = found.as_search_result()
    told = describe(result)
    rep = found.report
    if not told.write:
        return _fail(told.text, told.exit_code)
    key_type = "string" if args.id_field else "int"
    extra = (Column("feature_id", key_type), Column("rank", "int"), Column("distance_m", "real"),
             Column("bearing", "real"))
    rows = [dataclasses.replace(m.image, extra={**(m.image.extra or {}), "feature_id": _key(m.feature_id, key_type),
                                                "rank": m.rank, "distance_m": m.distance, "bearing": m.bearing})
            for m in found.matches]
    dest, layer = out, args.layer
    if not rep.complete and output.would_replace(out, ["images"], False, args.layer):
        dest, layer = output.beside_destination(out, ["images"], args.layer, "incomplete")
    desc = (f"Mapillary images for the features of {os.path.basename(args.input)}"
            + ("" if rep.complete else " (INCOMPLETE)"))
    try:
        written = output.write_all(dest, {"images": rows}, fields, desc, layer=layer, extra=extra)
    except output.OutputError as e:
        return _fail(str(e), EXIT_ERROR)
    where = "; ".join(f"{output.safe_dest(w.path)} (layer {w.layer})" for w in written)
    print(f"{len(rows):,} images for {found.matched:,} of {found.features:,} features written to {where}; "
          f"{rep.requests} requests in {rep.seconds:.1f} s.")
    for text in rep.warnings + [x for w in written for x in w.warnings]:
        sys.stderr.write("warning: " + text + "\n")
    if not rep.complete:
        return _fail(f"INCOMPLETE: {told.text} What was fetched is written to {output.safe_dest(dest)}. "
                     f"Details: {told.details}.", EXIT_INCOMPLETE)
    if not rows:
        sys.stderr.write("No Mapillary images near any feature: try a larger --distance or fewer filters.\n")
    return EXIT_OK


def _key(value, typ: str):
    if typ == "int":
        return value
    return None if value is None else str(value)


def _token() -> str | None:
    from .api import token_from_env

    return token_from_env()


def _lean_process() -> None:
    """This process only: glibc gives every thread its own malloc arena, and each keeps what the tile
    bodies its thread read leave behind (~30 MB at a million images). The workers only wait on
    sockets: two arenas serve them. (Never done inside QGIS: its allocator is its own business.)"""
    import ctypes

    try:
        ctypes.CDLL(None).mallopt(-8, 2)  # M_ARENA_MAX
    except (OSError, AttributeError):  # not glibc
        pass


if __name__ == "__main__":
    _lean_process()
    code = main()
    import gc

    gc.freeze()  # nothing is left to collect: the exit then does not walk every object once more
    sys.exit(code)
