"""A supervisor approves over a real SSH connection while a clerk works locally on the same
database file, both in tmux at 80x24; the result is checked in the database.

    python -m benchmarks.ssh_demo              # explains what is missing, if anything
    python -m benchmarks.ssh_demo --install    # apt-get install openssh-server first (root)
    python -m benchmarks.ssh_demo --keep       # leave the temp dir (database, logs, screens)

What it does, all under one temp dir and without changing the system (beyond the package):
a fresh demo database (`order-tui demo --prepare`); a key pair and a host key made with
`ssh-keygen`; `sshd -D -f <temp config>` on a free high port of 127.0.0.1, accepting only that
key for the current user; a tmux server of its own (`tmux -L <unique name>`) with two windows:
`clerk` runs `order-tui --user zhao` locally, `ssh` runs
`ssh -tt -p PORT -i KEY localhost order-tui --db DB --user zhang`. The clerk enters and
submits an order; the supervisor presses F5 on the worklist, sees the order, opens the
approval inbox and approves it; the script reads the verdict and the audit row back through
the services and prints a report with the screens captured on the SSH side.

`Tmux` (the driver: start a window, send keys, wait for text on the screen) is also what the
real-terminal tests in tests/terminal/ use.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

BIN = Path(sys.executable).parent
ORDER_NO = re.compile(r"SO\d{11,12}")
PIN = "1234"


class ScreenTimeout(AssertionError):
    """What was awaited did not show; the message holds the screen as it was."""


@dataclass
class Tmux:
    """One private tmux server (`tmux -L name`): windows of a fixed size, keys, screen text.

    A unique socket name keeps parallel test workers and other users' tmux apart; `kill()`
    ends the server and everything running in it.
    """

    name: str = field(default_factory=lambda: f"order-tui-{uuid.uuid4().hex[:10]}")
    width: int = 80
    height: int = 24
    started: bool = False
    socket_path: Path | None = None

    def tmux(self, *args: str, check: bool = True) -> str:
        done = subprocess.run(
            ["tmux", "-u", "-L", self.name, "-f", str(self._config()), *args],
            capture_output=True,
            text=True,
            env=tmux_env(),
            timeout=20,
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"tmux {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout

    def start(self, window: str, argv: Sequence[str], env: Mapping[str, str]) -> None:
        """Run `argv` in a new window with exactly `env` (nothing inherited)."""
        command = shlex.join(["env", "-i", *(f"{k}={v}" for k, v in env.items()), *argv])
        size = ["-x", str(self.width), "-y", str(self.height)]
        if not self.started:
            self.tmux("new-session", "-d", "-s", "main", "-n", window, *size, command)
            self.started = True
            self.socket_path = Path(self.tmux("display-message", "-p", "#{socket_path}").strip())
        else:
            self.tmux("new-window", "-d", "-t", "main:", "-n", window, command)
        self.tmux("resize-window", "-t", f"main:{window}", *size)

    def _config(self) -> Path:
        """Read by the server at its start: a pane stays after its program ends (to read
        why), Esc is passed on at once. (Not `window-size manual`: tmux 3.3 crashes on it
        in a config file; without a client a window keeps the size it was made with.)"""
        path = Path(tempfile.gettempdir()) / f"{self.name}.tmux.conf"
        if not path.exists():
            path.write_text(
                "set -g remain-on-exit on\nset -sg escape-time 10\nset -g history-limit 100\n"
            )
        return path

    def send(self, window: str, *keys: str, literal: bool = False) -> None:
        """tmux key names (`Enter`, `F6`, `C-s`) or, with literal=True, text to type."""
        self.tmux("send-keys", "-t", f"main:{window}", *(["-l"] if literal else []), *keys)

    def type(self, window: str, text: str) -> None:
        self.send(window, text, literal=True)

    def screen(self, window: str, *, escapes: bool = False, full: bool = False) -> str:
        """The visible screen, one line per row. `escapes`: with the SGR codes; `full`: with
        each line's trailing spaces, so a line holds exactly the cells tmux counted (a wide
        character once, for its two cells)."""
        flags = ["-p", *(["-e"] if escapes else []), *(["-N"] if full else [])]
        return self.tmux("capture-pane", *flags, "-t", f"main:{window}")

    def wait_for(
        self,
        window: str,
        text: str | Callable[[str], bool],
        timeout: float = 20.0,
    ) -> str:
        """Poll the screen until it shows `text` (or `text(screen)` holds); the screen."""
        check = text if callable(text) else (lambda screen: text in screen)
        deadline = time.monotonic() + timeout
        pause = 0.02
        while True:
            screen = self.screen(window)
            if check(screen):
                return screen
            if time.monotonic() > deadline:
                what = text if isinstance(text, str) else getattr(text, "__doc__", "condition")
                raise ScreenTimeout(
                    f"window {window!r}: no {what!r} after {timeout} s; the screen:\n{screen}"
                )
            time.sleep(pause)
            pause = min(pause * 1.5, 0.1)

    def resize(self, window: str, width: int, height: int) -> None:
        self.tmux("resize-window", "-t", f"main:{window}", "-x", str(width), "-y", str(height))

    def kill(self) -> None:
        if self.started:
            self.tmux("kill-server", check=False)
            self.started = False
        if self.socket_path is not None:
            self.socket_path.unlink(missing_ok=True)  # tmux leaves it behind
        self._config().unlink(missing_ok=True)


def tmux_env() -> dict[str, str]:
    """The tmux client's environment: a UTF-8 locale, so that tmux counts CJK as 2 cells."""
    env = {k: v for k, v in os.environ.items() if k != "TMUX"}
    env["LANG"] = env["LC_ALL"] = "C.UTF-8"
    return env


def app_env(home: Path, term: str, **extra: str) -> dict[str, str]:
    """What order-tui gets: a UTF-8 locale, `term`, a private home and config dirs (so no
    user or site config file changes what it shows), nothing else from this process."""
    env = {
        "PATH": f"{BIN}:/usr/bin:/bin",
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CONFIG_DIRS": str(home / "site-config"),
        "XDG_DATA_HOME": str(home / "data"),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TERM": term,
    }
    env.update(extra)
    return env


def prepare_demo(db: Path) -> None:
    subprocess.run(
        [str(BIN / "order-tui"), "demo", "--prepare", "--db", str(db)],
        check=True,
        capture_output=True,
        timeout=120,
    )


# -- the clerk's and the supervisor's steps, shared with the tests -----------------------------


def log_in(term: Tmux, window: str, name: str) -> str:
    """Type the PIN on the login screen (the user name is given by --user); the worklist,
    once loaded (its count line shows)."""
    term.wait_for(window, "PIN", timeout=30)
    term.type(window, PIN)
    term.send(window, "Enter")
    return term.wait_for(
        window, lambda s: f"({name})" in s and re.search(r"共 \d+ 单", s) is not None
    )


def clerk_submits_order(term: Tmux, window: str) -> tuple[str, dict[str, str]]:
    """On the worklist: `n`, customer C0001, F6 to the lines, 3 x P0001 (20,400.00), Ctrl+S,
    F10, `y`. Returns the order number and the screens seen at each step."""
    screens: dict[str, str] = {}
    term.send(window, "n")
    term.wait_for(window, "F4")
    term.type(window, "C0001")
    term.send(window, "Enter")
    screens["customer"] = term.wait_for(window, "北京华宇科技有限公司")
    term.send(window, "F6")
    term.wait_for(window, "Ins")  # the lines' keys in the footer: the grid has the focus
    term.type(window, "P0001")
    term.send(window, "Enter")
    term.wait_for(window, "PLC")
    term.type(window, "3")
    term.send(window, "Enter")
    screens["line"] = term.wait_for(window, "合计 ¥20,400.00")  # the totals are recomputed
    term.send(window, "C-s")
    screens["saved"] = term.wait_for(window, lambda s: ORDER_NO.search(s) is not None)
    match = ORDER_NO.search(screens["saved"])
    assert match is not None
    order_no = match.group(0)
    term.send(window, "F10")
    screens["check"] = term.wait_for(window, "y 确认提交审核")
    term.send(window, "y")
    screens["submitted"] = term.wait_for(
        window, lambda s: order_no in s and ("已提交审核" in s or "submitted" in s)
    )
    return order_no, screens


def supervisor_approves(
    term: Tmux, window: str, order_no: str, *, refresh: bool = False
) -> dict[str, str]:
    """On the worklist: (F5 until the order shows), `v`, filter by its number, `1`, Enter."""
    screens: dict[str, str] = {}
    if refresh:
        # F5 until the worklist shows it (a refresh that raced the clerk's commit: again)
        for _ in range(10):
            term.send(window, "F5")
            try:
                term.wait_for(window, order_no, timeout=2)
                break
            except ScreenTimeout:
                continue
    screens["worklist"] = term.wait_for(window, order_no)
    term.send(window, "v")
    screens["inbox"] = term.wait_for(window, re_line(r"已显示 \d+ 单"))  # the rows are in
    # "/" and the number in one write, as a fast typist's keys arrive over SSH: the filter
    # must take them all (in the list letters are sort keys and digits option codes)
    term.type(window, f"/{order_no}")
    term.send(window, "Enter")
    term.wait_for(window, f"{order_no}”：已显示 1 单")  # filtered, the list has the focus
    term.send(window, "1")
    screens["marked"] = term.wait_for(window, re_line(rf"^ 1 +{order_no}"))
    term.send(window, "Enter")
    # the result row of the order itself, not the count line, which can paint first
    screens["done"] = term.wait_for(window, re_line(rf"(成功|OK) +{order_no} "))
    return screens


def re_line(pattern: str) -> Callable[[str], bool]:
    """A screen condition: some line matches `pattern`."""
    rx = re.compile(pattern, re.MULTILINE)

    def check(screen: str) -> bool:
        return rx.search(screen) is not None

    check.__doc__ = pattern
    return check


def approval_in_database(db_path: Path, order_no: str) -> dict[str, object]:
    """The order's status, its verdicts and the approve audit rows, read through the services."""
    from order_tui.services import operators, orders
    from order_tui.store import repo
    from order_tui.store.engine import open_database

    db = open_database(f"sqlite:///{db_path}", db_path.parent)
    try:
        detail = orders.get_order(db, operators.find_actor(db, "zhang"), order_no)
        with db.reading() as session:
            order = repo.get_order(session, order_no)
            assert order.id is not None
            approvals = [
                (e.operator_name, e.from_status, e.to_status)
                for e in repo.audit_of_order(session, order.id)
                if e.action == "approve"
            ]
    finally:
        db.dispose()
    return {
        "status": detail.status,
        "verdicts": [(v["department"], v["verdict"]) for v in detail.verdicts],
        "approvals": approvals,
    }


# -- the SSH demo ---------------------------------------------------------------------------------

SSHD = "/usr/sbin/sshd"
TOOLS = {"tmux": "tmux", "ssh": "openssh-client", "ssh-keygen": "openssh-client"}


class Unavailable(RuntimeError):
    """Something the demo needs is missing or cannot start; the message says what to do."""


def missing_tools() -> list[str]:
    """The Debian packages to install for what is missing ([] when all is there)."""
    packages = {pkg for tool, pkg in TOOLS.items() if shutil.which(tool) is None}
    if not Path(SSHD).exists():
        packages.add("openssh-server")
    return sorted(packages)


def install(packages: list[str]) -> None:
    if os.geteuid() != 0:
        raise Unavailable(f"--install needs root: run `sudo apt-get install {' '.join(packages)}`")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for argv in (
        ["apt-get", "update", "-q"],
        ["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages],
    ):
        subprocess.run(argv, check=True, env=env)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Sshd:
    """sshd on 127.0.0.1:`port` from a temp config: one key, for the current user, no
    password, no PAM; its own host key, pid file and log. `stop()` ends it."""

    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def client_key(self) -> Path:
        return self.folder / "client_ed25519"

    @property
    def log(self) -> Path:
        return self.folder / "sshd.log"

    def start(self, timeout: float = 10.0) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        for key in (self.client_key, self.folder / "host_ed25519"):
            subprocess.run(
                ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "order-tui-demo", "-f", key],
                check=True,
            )
        (self.folder / "authorized_keys").write_text(Path(f"{self.client_key}.pub").read_text())
        user = pwd_name()
        config = self.folder / "sshd_config"
        config.write_text(
            f"Port {self.port}\n"
            "ListenAddress 127.0.0.1\n"
            f"HostKey {self.folder / 'host_ed25519'}\n"
            f"PidFile {self.folder / 'sshd.pid'}\n"
            f"AuthorizedKeysFile {self.folder / 'authorized_keys'}\n"
            f"AllowUsers {user}\n"
            "PubkeyAuthentication yes\n"
            "PasswordAuthentication no\n"
            "KbdInteractiveAuthentication no\n"
            "PermitRootLogin prohibit-password\n"
            "UsePAM no\n"
            "StrictModes no\n"  # the keys live in a temp dir
            "PrintMotd no\n"
            "LogLevel VERBOSE\n"
        )
        if os.geteuid() == 0:
            # sshd running as root separates privileges into this (empty) directory; the
            # package's service makes it at boot, a container that never started it has none
            Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
        check = subprocess.run([SSHD, "-t", "-f", str(config)], capture_output=True, text=True)
        if check.returncode != 0:
            raise Unavailable(f"sshd refuses the temp config: {check.stderr.strip()}")
        self.process = subprocess.Popen(
            [SSHD, "-D", "-f", str(config), "-E", str(self.log)],
            stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            if self.process.poll() is not None or time.monotonic() > deadline:
                log = self.log.read_text() if self.log.exists() else ""
                self.stop()
                raise Unavailable(f"sshd did not start on port {self.port}: {log.strip()}")
            time.sleep(0.05)

    def ssh_argv(self, remote: Sequence[str]) -> list[str]:
        """`ssh -tt` to localhost with the demo key, running `remote` there."""
        return [
            "ssh",
            "-F",
            "/dev/null",  # no user or system client config: the same run everywhere
            "-tt",
            "-p",
            str(self.port),
            "-i",
            str(self.client_key),
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "BatchMode=yes",
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            f"UserKnownHostsFile={self.folder / 'known_hosts'}",
            "-o",
            "LogLevel=ERROR",
            "localhost",
            shlex.join(remote),
        ]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None


def pwd_name() -> str:
    import pwd

    return pwd.getpwuid(os.getuid()).pw_name


@dataclass
class DemoResult:
    order_no: str
    recorded: dict[str, object]
    ssh_screens: dict[str, str]  # login (before the order), worklist (after F5), inbox, ...
    clerk_screens: dict[str, str]
    accepted: list[str]  # sshd's log lines of the accepted connection
    seconds: float

    @property
    def ok(self) -> bool:
        return (
            self.recorded.get("verdicts") == [("sales", "approve")]
            and [a[0] for a in self.recorded.get("approvals", [])] == ["zhang"]  # type: ignore[union-attr]
            and bool(self.accepted)
        )


def run_demo(folder: Path, term_name: str = "xterm-256color") -> DemoResult:
    """The whole demo in `folder` (which it fills); raises `Unavailable` when sshd or tmux
    cannot run, `ScreenTimeout` when a screen never showed what the step waits for."""
    started = time.monotonic()
    missing = missing_tools()
    if missing:
        raise Unavailable(
            f"missing: {', '.join(missing)}; install with `apt-get install {' '.join(missing)}`"
            " or run this with --install"
        )
    db = folder / "orders.db"
    prepare_demo(db)
    sshd = Sshd(folder / "ssh")
    sshd.start()
    term = Tmux()
    try:
        env = app_env(folder, term_name)
        app = [str(BIN / "order-tui"), "--db", str(db), "--lang", "zh"]
        term.start("clerk", [*app, "--user", "zhao"], env)
        # the SSH side: the remote command gets the locale and private dirs the clerk gets
        # (sshd passes TERM from the client's terminal, nothing else of our environment)
        remote = ["env", *(f"{k}={v}" for k, v in env.items() if k != "TERM"), *app]
        term.start("ssh", sshd.ssh_argv([*remote, "--user", "zhang"]), env)
        ssh_screens: dict[str, str] = {"login": log_in(term, "ssh", "zhang")}
        log_in(term, "clerk", "zhao")
        order_no, clerk_screens = clerk_submits_order(term, "clerk")
        ssh_screens.update(supervisor_approves(term, "ssh", order_no, refresh=True))
        recorded = approval_in_database(db, order_no)
        accepted = [
            line.strip()
            for line in sshd.log.read_text().splitlines()
            if "Accepted publickey" in line
        ]
        return DemoResult(
            order_no, recorded, ssh_screens, clerk_screens, accepted, time.monotonic() - started
        )
    finally:
        term.kill()
        sshd.stop()


def report(result: DemoResult) -> str:
    """What happened, with the screens the supervisor saw over SSH."""
    rec = result.recorded
    lines = [
        f"ssh demo: {'OK' if result.ok else 'FAILED'} in {result.seconds:.1f} s",
        f"  order {result.order_no}: entered and submitted locally by zhao (sales_clerk)",
        f"  approved over SSH by zhang (sales_manager): verdicts {rec['verdicts']}",
        f"  status now {rec['status']} (finance and warehouse still to approve)",
        f"  audit rows for approve: {rec['approvals']}",
        f"  sshd: {result.accepted[0] if result.accepted else 'no accepted connection logged'}",
        "",
    ]
    for name in ("login", "worklist", "marked", "done"):
        lines.append(f"-- SSH side, {name} (80x24) --")
        lines += [row.rstrip() for row in result.ssh_screens[name].rstrip("\n").split("\n")]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ssh_demo", description=__doc__)
    parser.add_argument("--install", action="store_true", help="apt-get install what is missing")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir and print it")
    parser.add_argument("--term", default="xterm-256color", help="TERM of both terminals")
    args = parser.parse_args(argv)
    missing = missing_tools()
    if missing:
        if not args.install:
            print(
                f"missing: {', '.join(missing)}. Install with `apt-get install "
                f"{' '.join(missing)}` (as root) or rerun with --install.",
                file=sys.stderr,
            )
            return 2
        install(missing)
    folder = Path(tempfile.mkdtemp(prefix="order-tui-ssh-"))
    try:
        result = run_demo(folder, args.term)
    except (Unavailable, ScreenTimeout) as exc:
        print(f"ssh demo could not run: {exc}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"kept: {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)
    print(report(result))
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
