#!/usr/bin/env python3
"""The plugin's translations: extract the strings from the code into Qt .ts files, check them, build .qm files.

    python3 scripts/i18n.py extract           # update every mapillary_retriever/i18n/*.ts from the code
    python3 scripts/i18n.py extract --check   # exit 1 if a .ts lacks strings of the code or holds strings it lost
    python3 scripts/i18n.py new fr            # start mapillary_retriever/i18n/mapillary_retriever_fr.ts
    python3 scripts/i18n.py status            # per language: strings, unfinished, placeholder mistakes
    python3 scripts/i18n.py build             # lrelease: every .ts to its .qm (``make translations``)

Why not pylupdate5: the code translates through small helpers (``tr(text)`` calling
``QCoreApplication.translate("MapillaryRetriever", text)``, ``self.tr`` of the Processing algorithms in the
context "MapillaryProcessing"), and pylupdate5 files a ``tr("…")`` under the enclosing class (or no context),
so its .ts would never match what the code asks for at run time. This extractor reads the AST of every module
and finds, with the context used at run time:

- ``QT_TRANSLATE_NOOP("ctx", "text")`` and ``translate("ctx", "text")`` / ``QCoreApplication.translate(…)``;
- calls of translation helpers: any function whose return value calls ``translate("ctx", <its text argument>)``
  (or another helper with it), called by name in its module, imported by name from another module of the package,
  or as ``self.name(…)`` inside a class that (or whose base class) defines it.

Only literal strings (implicit concatenation and ``+`` of literals included) can be extracted; calls with other
arguments are listed by ``extract --verbose`` (they translate strings marked elsewhere with QT_TRANSLATE_NOOP).
"""

from __future__ import annotations

import argparse
import ast
import re
import shutil
import subprocess  # nosec B404 (runs lrelease)
import sys
import xml.etree.ElementTree as ET  # nosec B405 (our own .ts files)
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "mapillary_retriever"
I18N = PACKAGE / "i18n"
PREFIX = "mapillary_retriever_"
SKIP = {"__main__.py"}  # the command line speaks English
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


@dataclass
class Message:
    context: str
    source: str
    files: list[str] = field(default_factory=list)  # relative to the i18n folder, as Qt Linguist wants them
    translation: str = ""
    finished: bool = False


@dataclass
class Extracted:
    messages: dict[tuple[str, str], Message] = field(default_factory=dict)
    dynamic: list[str] = field(default_factory=list)  # "file:line: call" of helpers given no literal
    problems: list[str] = field(default_factory=list)  # strings that cannot work (f-strings, unknown contexts)


# --- reading the code -----------------------------------------------------------------------------------------
def _literal(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literal(node.left), _literal(node.right)
        if left is not None and right is not None:
            return left + right
    return None


def _name(func: ast.AST) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


# A helper is (context, index of the text argument); a "pass-through" helper (context, text) has context None.
Helper = tuple[str | None, int]


class _Module:
    def __init__(self, path: Path, tree: ast.Module, package: Path) -> None:
        self.path = path
        self.tree = tree
        self.name = ".".join(path.relative_to(package.parent).with_suffix("").parts)
        self.functions: dict[str, ast.FunctionDef] = {}  # module-level and nested functions by name
        self.classes: dict[str, ast.ClassDef] = {}
        self.imports: dict[str, tuple[str, str]] = {}  # local name -> (module, name)
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                self.classes.setdefault(node.name, node)
                for item in node.body:  # methods are found through their class
                    if isinstance(item, ast.FunctionDef):
                        item.__dict__["_method"] = True
            elif isinstance(node, ast.ImportFrom) and node.level:
                base = self.name.split(".")
                base = base[: len(base) - node.level]
                target = ".".join(base + ([node.module] if node.module else []))
                for alias in node.names:
                    self.imports[alias.asname or alias.name] = (target, alias.name)
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and not node.__dict__.get("_method"):
                self.functions.setdefault(node.name, node)


class Extractor:
    def __init__(self, package: Path = PACKAGE) -> None:
        self.package = package
        self.modules: dict[str, _Module] = {}
        for path in sorted(package.rglob("*.py")):
            if path.name in SKIP or "__pycache__" in path.parts:
                continue
            mod = _Module(path, ast.parse(path.read_text(encoding="utf-8"), str(path)), package)
            self.modules[mod.name] = mod
        self._helpers: dict[int, Helper | None] = {}

    # helpers ---------------------------------------------------------------------------------------------------
    def helper_of(self, func: ast.FunctionDef, mod: _Module, cls: ast.ClassDef | None) -> Helper | None:
        key = id(func)
        if key in self._helpers:
            return self._helpers[key]
        self._helpers[key] = None  # no recursion
        params = [a.arg for a in func.args.args]
        if cls is not None and params[:1] == ["self"]:
            params = params[1:]
        found: Helper | None = None
        for ret in (n for n in ast.walk(func) if isinstance(n, ast.Return) and n.value is not None):
            for call in (n for n in ast.walk(ret.value) if isinstance(n, ast.Call)):
                args = call.args
                if _name(call.func) in ("translate", "_translator") and len(args) == 2:
                    ctx = _literal(args[0])
                    if isinstance(args[1], ast.Name) and args[1].id in params:
                        if ctx is not None:
                            found = (ctx, params.index(args[1].id))
                        elif isinstance(args[0], ast.Name) and args[0].id in params:
                            found = (None, params.index(args[1].id))
                elif args and isinstance(args[0], ast.Name) and args[0].id in params:
                    inner = self.resolve_call(call, mod, cls)
                    if inner is not None and inner[0] is not None and inner[1] == 0:
                        found = (inner[0], params.index(args[0].id))
                if found:
                    break
            if found:
                break
        self._helpers[key] = found
        return found

    def _function(self, mod: _Module, name: str, depth: int = 0) -> tuple[ast.FunctionDef, _Module] | None:
        if name in mod.functions:
            return mod.functions[name], mod
        if name in mod.imports and depth < 5:
            target, real = mod.imports[name]
            other = self.modules.get(target) or self.modules.get(target + ".__init__")
            if other is not None:
                return self._function(other, real, depth + 1)
        return None

    def _class(self, mod: _Module, name: str, depth: int = 0) -> tuple[ast.ClassDef, _Module] | None:
        if name in mod.classes:
            return mod.classes[name], mod
        if name in mod.imports and depth < 5:
            target, real = mod.imports[name]
            other = self.modules.get(target) or self.modules.get(target + ".__init__")
            if other is not None:
                return self._class(other, real, depth + 1)
        return None

    def _method(self, cls: ast.ClassDef, mod: _Module, name: str, depth: int = 0):
        for item in cls.body:
            if isinstance(item, ast.FunctionDef) and item.name == name:
                return item, mod, cls
        for base in cls.bases:
            found = self._class(mod, base.id) if isinstance(base, ast.Name) and depth < 10 else None
            if found is not None:
                hit = self._method(found[0], found[1], name, depth + 1)
                if hit is not None:
                    return hit
        return None

    def resolve_call(self, call: ast.Call, mod: _Module, cls: ast.ClassDef | None) -> Helper | None:
        func = call.func
        if isinstance(func, ast.Name):
            found = self._function(mod, func.id)
            return self.helper_of(found[0], found[1], None) if found else None
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "self" \
                and cls is not None:
            hit = self._method(cls, mod, func.attr)
            return self.helper_of(hit[0], hit[1], hit[2]) if hit else None
        return None

    # messages --------------------------------------------------------------------------------------------------
    def extract(self) -> Extracted:
        out = Extracted()
        for mod in self.modules.values():
            rel = Path("..", *mod.path.relative_to(self.package).parts).as_posix()
            self._visit(mod.tree, mod, None, rel, out, None)
        return out

    def _visit(self, node: ast.AST, mod: _Module, cls: ast.ClassDef | None, rel: str, out: Extracted,
               func: ast.AST | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                self._visit(child, mod, child, rel, out, func)
                continue
            if isinstance(child, ast.Call):
                self._call(child, mod, cls, rel, out, func)
            inner = child if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) else func
            self._visit(child, mod, cls, rel, out, inner)

    def _call(self, call: ast.Call, mod: _Module, cls: ast.ClassDef | None, rel: str, out: Extracted,
              func: ast.AST | None) -> None:
        where = f"{mod.path.relative_to(self.package.parent)}:{call.lineno}"
        name = _name(call.func)
        args = call.args
        if name in ("QT_TRANSLATE_NOOP", "translate") and len(args) == 2 and _literal(args[0]) is not None:
            ctx, text = _literal(args[0]), _literal(args[1])
            if text is not None:
                self._add(out, ctx, text, rel)
            elif isinstance(args[1], ast.JoinedStr):
                out.problems.append(f"{where}: an f-string cannot be translated")
            elif name == "translate" and not (isinstance(func, ast.FunctionDef) and self.helper_of(func, mod, cls)):
                out.dynamic.append(f"{where}: {ast.unparse(call)[:90]}")
            return
        if name in ("QT_TRANSLATE_NOOP", "translate") and len(args) == 2:
            if _literal(args[1]) is not None:
                out.problems.append(f"{where}: the context of {ast.unparse(call)[:90]} is not a literal")
            return
        helper = self.resolve_call(call, mod, cls)
        if helper is None:
            if name == "tr" and args and _literal(args[0]) is not None:
                out.problems.append(f"{where}: no translation helper named {name} found for this call")
            return
        ctx, index = helper
        if ctx is None or index >= len(args):
            return
        text = _literal(args[index])
        if func is None:
            out.problems.append(f"{where}: translated at import time, before the plugin installs its translator")
        if isinstance(func, ast.FunctionDef) and self.helper_of(func, mod, cls) is not None:
            return  # the helper's own body
        if text is not None:
            self._add(out, ctx, text, rel)
        elif isinstance(args[index], ast.JoinedStr):
            out.problems.append(f"{where}: an f-string cannot be translated")
        else:
            out.dynamic.append(f"{where}: {ast.unparse(call)[:90]}")

    @staticmethod
    def _add(out: Extracted, ctx: str, text: str, rel: str) -> None:
        msg = out.messages.setdefault((ctx, text), Message(ctx, text))
        if rel not in msg.files:
            msg.files.append(rel)


def extract(package: Path = PACKAGE) -> Extracted:
    """Every translatable string of the package with the context the code uses at run time."""
    return Extractor(package).extract()


# --- .ts files ------------------------------------------------------------------------------------------------
def ts_path(lang: str) -> Path:
    return I18N / f"{PREFIX}{lang}.ts"


def languages() -> list[str]:
    return sorted(p.stem[len(PREFIX):] for p in I18N.glob(f"{PREFIX}*.ts"))


def read_ts(path: Path) -> dict[tuple[str, str], Message]:
    root = ET.parse(path).getroot()  # nosec B314 (our own file)
    out: dict[tuple[str, str], Message] = {}
    for context in root.iter("context"):
        ctx = context.findtext("name") or ""
        for message in context.iter("message"):
            source = message.findtext("source") or ""
            tr = message.find("translation")
            kind = tr.get("type") if tr is not None else "unfinished"
            if kind in ("vanished", "obsolete"):
                continue
            files = [loc.get("filename", "") for loc in message.iter("location")]
            out[(ctx, source)] = Message(ctx, source, files, (tr.text or "") if tr is not None else "",
                                         kind != "unfinished")
    return out


def _esc(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&apos;"))


def write_ts(path: Path, lang: str, messages: dict[tuple[str, str], Message]) -> None:
    lines = ['<?xml version="1.0" encoding="utf-8"?>', "<!DOCTYPE TS>",
             f'<TS version="2.1" language="{lang}" sourcelanguage="en">']
    for ctx in sorted({c for c, _ in messages}):
        lines += ["<context>", f"    <name>{_esc(ctx)}</name>"]
        for msg in (m for (c, _), m in messages.items() if c == ctx):
            lines.append("    <message>")
            lines += [f'        <location filename="{_esc(f)}"/>' for f in msg.files]
            lines.append(f"        <source>{_esc(msg.source)}</source>")
            kind = "" if msg.finished else ' type="unfinished"'
            lines.append(f"        <translation{kind}>{_esc(msg.translation)}</translation>")
            lines.append("    </message>")
        lines.append("</context>")
    lines.append("</TS>")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def merge(code: dict[tuple[str, str], Message], old: dict[tuple[str, str], Message]) -> dict:
    """The code's strings with the translations of ``old``; a new string gets an unfinished suggestion when the
    same text is translated in another context."""
    elsewhere = {m.source: m.translation for m in old.values() if m.finished and m.translation}
    merged: dict[tuple[str, str], Message] = {}
    for key in sorted(code, key=lambda k: k[0]):  # by context, in the order of the code within one
        msg = Message(key[0], key[1], list(code[key].files))
        if key in old:
            msg.translation, msg.finished = old[key].translation, old[key].finished
        elif key[1] in elsewhere:
            msg.translation = elsewhere[key[1]]
        merged[key] = msg
    return merged


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def placeholder_mistakes(messages: dict[tuple[str, str], Message]) -> list[str]:
    return [f"[{m.context}] {m.source!r} -> {m.translation!r}" for m in messages.values()
            if m.translation and placeholders(m.source) != placeholders(m.translation)]


# --- commands -------------------------------------------------------------------------------------------------
def cmd_extract(check: bool, verbose: bool) -> int:
    found = extract()
    for line in found.problems:
        print("problem:", line, file=sys.stderr)
    if verbose:
        for line in found.dynamic:
            print("not a literal (translated where it was marked):", line)
    status = 1 if found.problems else 0
    for lang in languages():
        path = ts_path(lang)
        old = read_ts(path)
        new = sorted(set(found.messages) - set(old))
        gone = sorted(set(old) - set(found.messages))
        if check:
            for ctx, text in new:
                print(f"{path.name}: new string [{ctx}] {text!r}")
            for ctx, text in gone:
                print(f"{path.name}: obsolete string [{ctx}] {text!r}")
            if new or gone:
                status = 1
            continue
        merged = merge(found.messages, old)
        write_ts(path, lang, merged)
        unfinished = sum(not m.finished for m in merged.values())
        print(f"{path.relative_to(ROOT)}: {len(merged)} strings, {len(new)} new, {len(gone)} dropped, "
              f"{unfinished} unfinished")
    if check and status == 0:
        print(f"translations up to date with the code ({len(found.messages)} strings)")
    return status


def cmd_new(lang: str) -> int:
    path = ts_path(lang)
    if path.exists():
        print(f"{path.relative_to(ROOT)} exists; run extract to update it", file=sys.stderr)
        return 1
    I18N.mkdir(exist_ok=True)
    write_ts(path, lang, merge(extract().messages, {}))
    print(f"wrote {path.relative_to(ROOT)}")
    return 0


def cmd_status() -> int:
    status = 0
    for lang in languages():
        msgs = read_ts(ts_path(lang))
        unfinished = [m for m in msgs.values() if not m.finished or not m.translation]
        wrong = placeholder_mistakes(msgs)
        print(f"{lang}: {len(msgs)} strings, {len(unfinished)} unfinished, {len(wrong)} placeholder mistakes")
        for line in wrong:
            print("  placeholders differ:", line)
        status |= bool(wrong)
    return status


def lrelease() -> str | None:
    for candidate in (shutil.which("lrelease"), "/usr/lib/qt5/bin/lrelease", shutil.which("lrelease-qt5")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def cmd_build(files: list[str]) -> int:
    tool = lrelease()
    if tool is None:
        print("lrelease not found: install Debian's qttools5-dev-tools (make setup does)", file=sys.stderr)
        return 1
    for ts in [Path(f) for f in files] or [ts_path(lang) for lang in languages()]:
        done = subprocess.run([tool, "-silent", "-removeidentical", str(ts), "-qm", str(ts.with_suffix(".qm"))],
                              check=False)  # nosec B603 (fixed arguments)
        if done.returncode:
            return done.returncode
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("extract", help="update the .ts files from the code")
    ex.add_argument("--check", action="store_true", help="change nothing; exit 1 if a .ts is out of date")
    ex.add_argument("--verbose", "-v", action="store_true", help="also list the calls given no literal")
    new = sub.add_parser("new", help="start the .ts of a new language")
    new.add_argument("lang", help="a Qt locale name such as fr or pt_BR")
    sub.add_parser("status", help="per language: strings, unfinished, placeholder mistakes")
    build = sub.add_parser("build", help="lrelease every .ts (or the ones given) to its .qm")
    build.add_argument("files", nargs="*", help=".ts files (default: all)")
    args = parser.parse_args(argv)
    if args.command == "extract":
        return cmd_extract(args.check, args.verbose)
    if args.command == "new":
        return cmd_new(args.lang)
    if args.command == "status":
        return cmd_status()
    return cmd_build(args.files)


if __name__ == "__main__":
    sys.exit(main())
