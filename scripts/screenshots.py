"""Screenshots of the plugin in a real QGIS desktop under Xvfb, against a local sandbox.

    python3 scripts/screenshots.py [--out out/screenshots] [--latency 0.3]

Starts the sandbox (its own process), Xvfb, and QGIS (a fresh profile with only this plugin
enabled) running scripts/screenshot_steps.py, which opens the dialog, searches, opens the
viewer... and asks for a screenshot at each step. This driver answers with ImageMagick's
``import -window root``. Needs Xvfb, xdotool and imagemagick (.ci/install-system.sh).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZE = (1600, 1000)


def wait_file(path: Path, timeout: float, proc: subprocess.Popen | None = None) -> None:
    end = time.monotonic() + timeout
    while not path.exists():
        if proc is not None and proc.poll() is not None:
            raise SystemExit(f"{proc.args[0]} exited with {proc.returncode} while waiting for {path.name}")
        if time.monotonic() > end:
            raise SystemExit(f"timed out waiting for {path}")
        time.sleep(0.1)


def free_display() -> int:
    for n in range(90, 140):
        if not Path(f"/tmp/.X{n}-lock").exists() and not Path(f"/tmp/.X11-unix/X{n}").exists():
            return n
    raise SystemExit("no free X display number")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(ROOT / "out" / "screenshots"))
    ap.add_argument("--timeout", type=float, default=240.0)
    ap.add_argument("--latency", type=float, default=0.3, help="the sandbox's seconds per answer (to see progress)")
    ap.add_argument("--steps", choices=("issue", "tour", "scales"), default="issue",
                    help="issue: the first-hour issue's screens; tour: search, cancel, map, viewer, settings")
    ap.add_argument("--verbose", action="store_true", help="list the visible windows after each screenshot")
    a = ap.parse_args()
    out = Path(a.out).resolve()
    work = out / "work"
    shutil.rmtree(out, ignore_errors=True)
    work.mkdir(parents=True)
    procs: list[subprocess.Popen] = []
    venv = ROOT / ".venv" / "bin" / "python"
    python = str(venv) if venv.exists() else "/usr/bin/python3"
    try:
        ready = work / "sandbox.url"
        sandbox = subprocess.Popen([python, "-m", "sandbox", "--port", "0", "--latency", str(a.latency),
                                    "--ready-file", str(ready)], cwd=ROOT,
                                   stdout=subprocess.DEVNULL, stderr=open(work / "sandbox.log", "w"))
        procs.append(sandbox)
        wait_file(ready, 60, sandbox)
        url = ready.read_text().strip()
        token = subprocess.check_output([python, "-c", "from sandbox import DEMO_TOKEN; print(DEMO_TOKEN)"],
                                        cwd=ROOT, text=True).strip()

        display = free_display()
        # 96 dpi: at Xvfb's default Qt would scale every window by ~4 % and push them off the screen
        xvfb = subprocess.Popen(["Xvfb", f":{display}", "-screen", "0", f"{SIZE[0]}x{SIZE[1]}x24", "-dpi", "96",
                                 "-nolisten", "tcp"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(xvfb)
        wait_file(Path(f"/tmp/.X11-unix/X{display}"), 20, xvfb)
        end = time.monotonic() + 20  # the socket exists a moment before Xvfb accepts on it
        while subprocess.run(["xdotool", "getdisplaygeometry"], env=dict(os.environ, DISPLAY=f":{display}"),
                             capture_output=True).returncode != 0 and time.monotonic() < end:
            time.sleep(0.2)

        profile = work / "profiles-root"
        ini = profile / "profiles" / "default" / "QGIS" / "QGIS3.ini"
        ini.parent.mkdir(parents=True)
        ini.write_text("[PythonPlugins]\nmapillary_retriever=true\n\n"
                       "[qgis]\nshowTips340=false\nchecksum=false\n"
                       "\n[core]\nNewsFeed\\httpsfeedqgisorg\\disabled=true\n")
        env = dict(os.environ, DISPLAY=f":{display}", QGIS_PLUGINPATH=str(ROOT), MAPILLARY_GRAPH_URL=url,
                   MAPILLARY_TILES_URL=url, MAPILLARY_ACCESS_TOKEN=token, SCREENSHOT_DIR=str(work),
                   SCREENSHOT_STEPS=a.steps,
                   QT_QPA_PLATFORM="xcb")
        env.pop("QGIS_CUSTOM_CONFIG_PATH", None)
        qgis = subprocess.Popen(["/usr/bin/qgis.bin", "--nologo", "--noversioncheck", "--profiles-path", str(profile),
                                 "--code", str(ROOT / "scripts" / "screenshot_steps.py")],
                                env=env, stdout=open(work / "qgis.log", "w"), stderr=subprocess.STDOUT)
        procs.append(qgis)

        end = time.monotonic() + a.timeout
        resized = False
        while True:
            if qgis.poll() is not None:
                break
            if time.monotonic() > end:
                raise SystemExit("QGIS did not finish its steps in time; see " + str(work / "qgis.log"))
            if not resized:
                ids = subprocess.run(["xdotool", "search", "--name", "QGIS"], env=env, capture_output=True,
                                     text=True).stdout.split()
                for wid in ids:
                    subprocess.run(["xdotool", "windowsize", wid, str(SIZE[0]), str(SIZE[1])], env=env,
                                   capture_output=True)
                resized = bool(ids)
            for req in sorted(work.glob("*.request")):
                name = req.stem
                png = out / (name + ".png")
                subprocess.run(["import", "-window", "root", str(png)], env=env, check=True)
                print("screenshot", png)
                if a.verbose:
                    print(subprocess.run(["xdotool", "search", "--onlyvisible", "--name", ".", "getwindowname", "%@",
                                          "getwindowgeometry", "%@"], env=env, capture_output=True, text=True).stdout)
                req.unlink()
                (work / (name + ".done")).touch()
            if (work / "finished").exists():
                break
            time.sleep(0.1)
        errors = (work / "errors.txt")
        if errors.exists() and errors.read_text().strip():
            print(errors.read_text(), file=sys.stderr)
            return 1
        return 0
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()


if __name__ == "__main__":
    sys.exit(main())
