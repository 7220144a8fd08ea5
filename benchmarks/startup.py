"""Start-up: `order-tui` to its first painted screen, against a bare Textual app.

Each run launches a program in its own tmux session (80x24, on a private tmux server) and
polls `tmux capture-pane` every 2 ms until the login screen's title is on the screen: the
time from launching to that is what an operator waits. The programs alternate (order-tui,
bare, order-tui, ...), so a change of the machine's load hits both alike; the table gives
the medians and the ratio of the medians. The reference is `benchmarks/bare_app.py`, a
Textual app composing the login screen's widgets with no order_tui import.

    python -m benchmarks.startup --runs 7

The order-tui side runs on a demo database made once in a temporary directory
(`order-tui --db FILE demo --prepare`), with its own config and data directories, so the
operator's own settings play no part.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.common import median, ms, table

HERE = Path(__file__).resolve().parent
BARE_APP = HERE / "bare_app.py"
TITLE = {"zh": "操作员登录", "en": "Operator login"}
POLL_SECONDS = 0.002
TIMEOUT_SECONDS = 60.0


def order_tui_command() -> list[str]:
    script = Path(sys.executable).parent / "order-tui"
    return [str(script)] if script.exists() else [sys.executable, "-m", "order_tui"]


class Tmux:
    """A private tmux server (`tmux -L NAME`), killed on exit."""

    def __init__(self, env: dict[str, str]) -> None:
        self.socket = f"order-tui-startup-{os.getpid()}"
        self.env = env
        self.runs = 0
        # A session that stays, so each run's launch does not include starting the server.
        self.tmux("new-session", "-d", "-s", "keep", "-x", "80", "-y", "24", "sleep 3600")

    def tmux(self, *args: str, check: bool = True) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, *args],
            capture_output=True,
            text=True,
            env=self.env,
            check=check,
        )
        return done.stdout

    def first_paint(self, command: Sequence[str], text: str) -> float:
        """Seconds from launching `command` until `text` is on its screen."""
        self.runs += 1
        name = f"run{self.runs}"
        shell = " ".join(_quote(part) for part in command)
        start = time.perf_counter()
        self.tmux("new-session", "-d", "-s", name, "-x", "80", "-y", "24", shell)
        try:
            while True:
                screen = self.tmux("capture-pane", "-p", "-t", name, check=False)
                elapsed = time.perf_counter() - start
                if text in screen:
                    return elapsed
                if elapsed > TIMEOUT_SECONDS:
                    raise RuntimeError(f"{text!r} not on screen after {elapsed:.0f} s:\n{screen}")
                time.sleep(POLL_SECONDS)
        finally:
            self.tmux("kill-session", "-t", name, check=False)

    def close(self) -> None:
        self.tmux("kill-server", check=False)


def _quote(part: str) -> str:
    import shlex

    return shlex.quote(part)


def prepare(folder: Path, env: dict[str, str]) -> Path:
    db = folder / "orders.db"
    subprocess.run(
        [*order_tui_command(), "--db", str(db), "demo", "--prepare"],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return db


def measure(runs: int, lang: str = "zh") -> dict[str, list[float]]:
    """Seconds to the first painted login screen: {"order-tui": [...], "bare": [...]}."""
    with tempfile.TemporaryDirectory(prefix="order-tui-startup-") as tmp:
        folder = Path(tmp)
        env = dict(os.environ)
        env.update(
            ORDER_TUI_DATA_DIR=str(folder / "data"),
            XDG_CONFIG_HOME=str(folder / "config"),
            TERM="xterm-256color",
        )
        env.pop("ORDER_TUI_DB", None)
        env.pop("TMUX", None)
        db = prepare(folder, env)
        commands = {
            "order-tui": [*order_tui_command(), "--db", str(db), "--lang", lang],
            "bare": [sys.executable, str(BARE_APP), lang],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        tmux = Tmux(env)
        try:
            for _ in range(runs):
                for name, command in commands.items():
                    times[name].append(tmux.first_paint(command, TITLE[lang]))
        finally:
            tmux.close()
    return times


def report(times: dict[str, list[float]]) -> str:
    app, bare = median(times["order-tui"]), median(times["bare"])
    rows = [
        [
            "start-up to first paint",
            ms(app),
            ms(bare),
            f"{app / bare:.2f}x",
            "1.3x",
            str(len(times["order-tui"])),
        ]
    ]
    header = ["what", "order-tui (median)", "bare Textual app (median)", "ratio", "goal", "runs"]
    return table(header, rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.startup", description=__doc__)
    parser.add_argument("--runs", type=int, default=7, help="runs of each program (default 7)")
    parser.add_argument("--lang", choices=sorted(TITLE), default="zh")
    parser.add_argument("--all", action="store_true", help="also print every run's time")
    args = parser.parse_args(argv)
    times = measure(args.runs, args.lang)
    if args.all:
        for name, values in times.items():
            print(f"{name}: " + ", ".join(ms(v) for v in values))
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(report(times))
    return 0


if __name__ == "__main__":
    sys.exit(main())
