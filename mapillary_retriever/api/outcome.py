"""How a search ended, in words: one function shared by the command line, the dialog and
Processing, so the outcome reads the same everywhere.

Texts are English templates marked for translation in the context "outcome"; a user
interface passes its translate function (``QCoreApplication.translate``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .errors import Cause
from .records import SearchResult


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 (the name pylupdate looks for)
    return text


EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INCOMPLETE = 0, 1, 2, 3

_UNITS = {"tiles": QT_TRANSLATE_NOOP("outcome", "map tiles"), "graph": QT_TRANSLATE_NOOP("outcome", "boxes"),
          "users": QT_TRANSLATE_NOOP("outcome", "pages")}
_TITLES = {
    Cause.TOKEN: QT_TRANSLATE_NOOP("outcome", "Mapillary refused the token"),
    Cause.UNREACHABLE: QT_TRANSLATE_NOOP("outcome", "Could not reach Mapillary"),
    Cause.RATE_LIMITED: QT_TRANSLATE_NOOP("outcome", "Mapillary's rate limit was reached"),
    Cause.QUOTA: QT_TRANSLATE_NOOP("outcome", "Mapillary's daily quota is spent"),
    Cause.REFUSED: QT_TRANSLATE_NOOP("outcome", "Mapillary refused some requests"),
    Cause.SERVER: QT_TRANSLATE_NOOP("outcome", "Mapillary answered with errors"),
    Cause.BAD_ANSWER: QT_TRANSLATE_NOOP("outcome", "Mapillary's answers could not be read"),
    Cause.TOO_DENSE: QT_TRANSLATE_NOOP("outcome", "Mapillary refused boxes as too dense"),
    Cause.BAD_QUERY: QT_TRANSLATE_NOOP("outcome", "Nothing to search"),
    Cause.CANCELLED: QT_TRANSLATE_NOOP("outcome", "Search cancelled"),
}
_ADVICE = {
    Cause.TOKEN: QT_TRANSLATE_NOOP("outcome", "Open the settings to paste a valid client token."),
    Cause.UNREACHABLE: QT_TRANSLATE_NOOP("outcome", "Check the network connection and proxy settings."),
    Cause.RATE_LIMITED: QT_TRANSLATE_NOOP("outcome", "Wait a few minutes, then retry."),
    Cause.SERVER: QT_TRANSLATE_NOOP("outcome", "Mapillary may be having trouble: retry later."),
    Cause.BAD_ANSWER: QT_TRANSLATE_NOOP("outcome", "Retry later."),
}


@dataclass
class Outcome:
    level: str  # "success", "info", "warning", "critical"
    title: str  # a few words
    text: str  # one or two short sentences
    details: str  # everything else (for a Details button, a log, stderr)
    exit_code: int  # for the command line
    resumable: bool  # "Retry the missing part" can fetch something
    write: bool  # there is something worth writing (never replace good data with nothing)


def describe(result: SearchResult, translate: Callable[[str, str], str] | None = None) -> Outcome:
    """The outcome of a search (or a resume) for people."""
    def t(text: str) -> str:
        return translate("outcome", text) if translate else text

    rep = result.report
    n, m = len(result.images), len(result.sequences)
    found = (t("{n} images and {m} sequences") if result.with_sequences else t("{n} images")).format(
        n=f"{n:,}", m=f"{m:,}")
    details = rep.summary()
    cause = rep.cause
    if rep.complete:
        if not n:
            q = result.query
            hint = t("Try a larger area or fewer filters.")
            if q is not None and q.center is not None and q.bbox is None:
                hint = t("Try a larger radius (it is {r:g} m) or fewer filters.").format(r=q.radius)
            return Outcome("warning", t("No Mapillary images found"), t("Nothing matches this search.") + " " + hint,
                           details, EXIT_OK, False, True)
        text = found + "."
        if rep.warnings:
            text += " " + " ".join(rep.warnings)
        return Outcome("success", t("Mapillary search complete"), text, details, EXIT_OK, False, True)
    fatal = rep.fatal
    if fatal is not None and fatal.cause == Cause.BAD_QUERY:
        return Outcome("warning", t(_TITLES[Cause.BAD_QUERY]), fatal.reason, details, EXIT_USAGE, False, False)
    title = t(_TITLES.get(cause, QT_TRANSLATE_NOOP("outcome", "Mapillary search incomplete"))) \
        if cause is not None else t("Mapillary search incomplete")
    advice = t(_ADVICE[cause]) if cause in _ADVICE else ""
    if not n and (fatal is not None or rep.fetched == 0) and not rep.cancelled:  # an error: nothing to write
        failed = [f for f in rep.failures if f.kind in ("tile", "cell", "page")]
        reason = fatal.reason if fatal is not None else (failed[0].reason if failed else details)
        text = reason if fatal is not None else t("Nothing was fetched ({reason}).").format(reason=reason.rstrip("."))
        if advice and advice not in text and "wait" not in text.lower():  # the reason may say when already
            text += " " + advice
        return Outcome("critical", title, text, details, EXIT_ERROR, rep.resumable, False)
    missing = [f for f in rep.failures if f.kind in ("tile", "cell", "page")]
    parts = []
    if rep.cancelled:
        parts.append(t("Cancelled: {found} kept.").format(found=found))
    else:
        parts.append(t("{found} kept, but the result is incomplete.").format(found=found))
    if missing:
        parts.append(t("{k} of {total} {unit} are missing.").format(
            k=len(missing), total=max(rep.planned, len(missing)),
            unit=t(_UNITS.get(rep.strategy, QT_TRANSLATE_NOOP("outcome", "parts")))))
    lacking = sum(f.count for f in rep.failures if f.kind == "fields")
    if lacking:
        parts.append(t("{k} images lack their extra fields.").format(k=f"{lacking:,}"))
    if fatal is not None:
        parts.append(fatal.reason)
    elif advice and not rep.cancelled:
        parts.append(advice)
    level = "info" if rep.cancelled and fatal is None else "warning"
    return Outcome(level, title, " ".join(parts), details, EXIT_INCOMPLETE, rep.resumable, bool(n))
