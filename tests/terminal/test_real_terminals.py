"""The real `order-tui` (the installed console script) in tmux at 80x24: a clerk enters and
submits an order, a supervisor approves it from the inbox, under the TERM values operators
have (xterm-256color, screen-256color inside screen/tmux, 16-colour xterm, the Linux console)
and with NO_COLOR; and a form that survives resizing the window.

What the screens are checked for, besides the words of each step:
- every line holds exactly the terminal's width in cells as tmux counted them (`capture-pane
  -N` keeps trailing spaces; a wide character is one character for two cells), so the app and
  the terminal agree on the width of every Chinese character and columns stay aligned;
- amounts line up under their column headings;
- TERM=linux: no box-drawing or block glyph (the console font has none worth using);
- 16 colours: no 256-colour or true-colour code, no text in its own background colour;
  NO_COLOR: greys only, no hue.

Each test has its own tmux server (`tmux -L <unique name>`), killed in a finalizer; waits poll
the screen (`Tmux.wait_for`) instead of sleeping. The demo database is built once per module
and copied per test.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.cells import cell_len

from benchmarks.ssh_demo import (
    BIN,
    Tmux,
    app_env,
    approval_in_database,
    clerk_submits_order,
    log_in,
    prepare_demo,
    supervisor_approves,
)

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None, reason="tmux is not installed: the real-terminal tests need it"
)

WIDTH, HEIGHT = 80, 24
CASES = {
    "xterm-256color": ("xterm-256color", {}),
    "screen-256color": ("screen-256color", {}),
    "xterm-16": ("xterm", {}),
    "linux": ("linux", {}),
    "no-color": ("xterm-256color", {"NO_COLOR": "1"}),
}
SGR = re.compile(r"\x1b\[([0-9;]*)m")
AMOUNT = re.compile(r"\d[\d,]*\.\d\d")
BOX_AND_BLOCKS = re.compile("[\u2500-\u259f]")
ORDER_ROW = re.compile(r" +(\S+ +)?SO\d{11,12} ")  # a worklist or inbox row (flag, number)
LINE_ROW = re.compile(r" +\d+ P\d{4} ")  # a row of the line-item grid
CLOCK_AT_RIGHT = re.compile(r"\d\d:\d\d ?$")  # the title bar's clock, at its right end


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "orders.db"
    prepare_demo(path)
    return path


@pytest.fixture
def term() -> Iterator[Tmux]:
    tmux = Tmux(width=WIDTH, height=HEIGHT)
    yield tmux
    tmux.kill()


def fresh_copy(template: Path, folder: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{template}{suffix}")
        if source.exists():
            shutil.copy(source, folder / f"orders.db{suffix}")
    return folder / "orders.db"


def start_app(term: Tmux, window: str, db: Path, user: str, env: dict[str, str]) -> None:
    argv = [str(BIN / "order-tui"), "--db", str(db), "--lang", "zh", "--user", user]
    term.start(window, argv, env)


# -- what every screen must satisfy ------------------------------------------------------------


def assert_fills_the_terminal(term: Tmux, window: str, width: int, height: int) -> None:
    """tmux and the app (Rich) count the cells of every character alike: no row is wider
    than the window by the app's count, and the title bar, written to the last column (its
    clock at the right end), is exactly `width` cells by both counts. (Other rows may end in
    cells the app cleared rather than wrote; tmux leaves those out.)"""
    term.wait_for(window, lambda screen: CLOCK_AT_RIGHT.search(screen.split("\n")[0]) is not None)
    lines = term.screen(window, full=True).split("\n")[:height]
    assert len(lines) == height
    for number, line in enumerate(lines, 1):
        assert cell_len(line) <= width, f"row {number} is {cell_len(line)} cells: {line!r}"
    title = lines[0]
    assert cell_len(title) == width and CLOCK_AT_RIGHT.search(title), f"title bar: {title!r}"


def column_end(line: str, start: int) -> int:
    """The cell just after the character at index `start`'s match ends (see `ends_of`)."""
    return cell_len(line[:start])


def ends_of(pattern: re.Pattern[str], line: str) -> list[int]:
    return [column_end(line, m.end()) for m in pattern.finditer(line)]


def assert_amounts_under(screen: str, heading: str, rows: re.Pattern[str]) -> None:
    """On every line `rows` matches (at its start) an amount ends in the cell where
    `heading` ends."""
    lines = screen.split("\n")
    header = next(line for line in lines if heading in line)
    right = column_end(header, header.index(heading) + len(heading))
    body = [line for line in lines if rows.match(line)]
    assert body, f"no row like {rows.pattern!r}:\n{screen}"
    for line in body:
        assert right in ends_of(AMOUNT, line), f"no amount ends at cell {right}: {line!r}"


def assert_colours(term: Tmux, window: str, case: str) -> None:
    screen = term.screen(window, escapes=True)
    codes: list[list[int]] = []
    for match in SGR.finditer(screen):
        codes.append([int(p) for p in match.group(1).split(";") if p])
    extended = [c for c in codes if 38 in c or 48 in c]
    if case in ("xterm-16", "linux"):
        assert not extended, f"256-colour or true-colour codes on a 16-colour terminal: {extended}"
        assert any(30 <= p <= 47 or 90 <= p <= 107 for c in codes for p in c)
        unreadable = text_in_its_background(screen)
        assert not unreadable, f"text in its own background colour: {unreadable}"
    elif case == "no-color":
        for code in extended:
            assert_grey(code)
        assert not any(31 <= p <= 36 or 41 <= p <= 46 for c in codes for p in c), codes
    else:
        assert extended, "no colour at all on a 256-colour terminal"


def text_in_its_background(screen: str) -> list[str]:
    """The texts drawn with the same ANSI colour (0-15) for letters and background."""
    found: list[str] = []
    fg = bg = None
    for line in screen.split("\n"):
        pos = 0
        for match in [*SGR.finditer(line), None]:
            text = line[pos : match.start() if match else len(line)]
            if text.strip() and fg is not None and fg == bg:
                found.append(text.strip())
            if match is None:
                break
            for code in [int(p) for p in match.group(1).split(";") if p] or [0]:
                if code == 0:
                    fg = bg = None
                elif 30 <= code <= 37 or 90 <= code <= 97:
                    fg = code - 30 if code < 90 else code - 82
                elif 40 <= code <= 47 or 100 <= code <= 107:
                    bg = code - 40 if code < 100 else code - 92
                elif code == 39:
                    fg = None
                elif code == 49:
                    bg = None
            pos = match.end()
    return found


def assert_grey(code: list[int]) -> None:
    """38;5;N / 48;5;N with a grey N, or 38;2;R;G;B with R == G == B."""
    i = 0
    while i < len(code):
        if code[i] in (38, 48) and code[i + 1] == 5:
            n = code[i + 2]
            assert n in (0, 7, 8, 15, 16, 231) or n >= 232, f"a hue under NO_COLOR: {code}"
            i += 3
        elif code[i] in (38, 48) and code[i + 1] == 2:
            r, g, b = code[i + 2 : i + 5]
            assert r == g == b, f"a hue under NO_COLOR: {code}"
            i += 5
        else:
            i += 1


def assert_screen(term: Tmux, window: str, screen: str, case: str) -> None:
    assert_fills_the_terminal(term, window, WIDTH, HEIGHT)
    if case == "linux":
        glyphs = sorted(set(BOX_AND_BLOCKS.findall(term.screen(window))))
        assert not glyphs, f"box or block glyphs on the Linux console: {glyphs}\n{screen}"


# -- the flow -----------------------------------------------------------------------------------


@pytest.mark.parametrize("case", list(CASES))
def test_clerk_submits_and_supervisor_approves(
    case: str, demo_db: Path, tmp_path: Path, term: Tmux
) -> None:
    term_name, extra = CASES[case]
    db = fresh_copy(demo_db, tmp_path)
    env = app_env(tmp_path, term_name, **extra)
    # both start at once: their start-ups overlap
    start_app(term, "clerk", db, "zhao", env)
    start_app(term, "boss", db, "zhang", env)

    worklist = log_in(term, "clerk", "zhao")
    assert "赵琳" in worklist and "草稿待完成" in worklist
    assert_screen(term, "clerk", worklist, case)
    assert_amounts_under(worklist, "金额", ORDER_ROW)

    order_no, screens = clerk_submits_order(term, "clerk")
    assert "信用代码 91110108700286417J" in screens["customer"]
    assert "大写 贰万零肆佰元整" in screens["line"]
    assert_amounts_under(screens["line"], "价税合计", LINE_ROW)
    assert f"{order_no}（草稿）" in screens["saved"]
    assert "提交前检查" in screens["check"]
    for name, screen in screens.items():
        if name != "check":  # the dialog is gone by now; its screen was checked above
            assert screen.count("\n") >= HEIGHT - 1, name
    assert_screen(term, "clerk", screens["submitted"], case)
    assert_colours(term, "clerk", case)

    home = log_in(term, "boss", "zhang")
    assert "张总" in home and "销售经理" in home
    boss = supervisor_approves(term, "boss", order_no, refresh=True)
    assert_amounts_under(boss["worklist"], "金额", ORDER_ROW)
    assert_amounts_under(boss["inbox"], "金额", ORDER_ROW)
    assert "北京华宇科技有限公司" in boss["marked"]
    assert f"成功  {order_no} 销售  批准" in boss["done"]
    term.send("boss", "Enter")  # closes the result (on 16 colours it hides the screen)
    # the inbox reloads after the result closes: wait for its summary line, not just its title
    inbox = term.wait_for(
        "boss",
        lambda screen: "执行结果" not in screen and "审批收件箱" in screen and "上次执行" in screen,
    )
    assert "上次执行：成功 1 · 失败 0" in inbox
    assert_screen(term, "boss", inbox, case)
    assert_colours(term, "boss", case)

    recorded = approval_in_database(db, order_no)
    assert recorded == {
        "status": "in_review",  # finance and the warehouse have yet to approve
        "verdicts": [("sales", "approve")],
        "approvals": [("zhang", "in_review", "in_review")],
    }


def new_order_for_c0001(demo_db: Path, tmp_path: Path, term: Tmux) -> Path:
    """The clerk's app on a fresh copy, a new order with customer C0001 chosen; the copy."""
    db = fresh_copy(demo_db, tmp_path)
    start_app(term, "clerk", db, "zhao", app_env(tmp_path, "xterm-256color"))
    log_in(term, "clerk", "zhao")
    term.send("clerk", "n")
    term.wait_for("clerk", "F4")
    term.type("clerk", "C0001")
    term.send("clerk", "Enter")
    term.wait_for("clerk", "北京华宇科技有限公司")
    return db


def test_form_keeps_its_input_when_the_window_is_resized(
    demo_db: Path, tmp_path: Path, term: Tmux
) -> None:
    new_order_for_c0001(demo_db, tmp_path, term)
    term.send("clerk", "F6")
    term.wait_for("clerk", "Ins")
    term.type("clerk", "P0001")
    term.send("clerk", "Enter")
    term.wait_for("clerk", "PLC")
    term.type("clerk", "7")  # typed into the quantity cell, not yet entered
    term.wait_for("clerk", "PLC-CK… 7")

    def redrawn(width: int, height: int, *marks: str) -> str:
        """The first row ends at the new right edge (the clock moved there) and `marks` show."""

        def ok(screen: str) -> bool:
            rows = term.screen("clerk", full=True).split("\n")
            return (
                len(rows) >= height
                and cell_len(rows[0]) == width
                and CLOCK_AT_RIGHT.search(rows[0]) is not None
                and all(mark in screen for mark in marks)
            )

        ok.__doc__ = f"a {width}x{height} screen with {marks}"
        term.resize("clerk", width, height)
        return term.wait_for("clerk", ok)

    wide = redrawn(100, 30, "PLC-CK200-CPU224", "中关村南大街12号华宇大厦8层")
    assert "C0001" in wide and " 7 " in wide
    assert_fills_the_terminal(term, "clerk", 100, 30)
    back = redrawn(80, 24, "PLC-CK… 7")
    assert "北京华宇科技有限公司" in back
    assert_fills_the_terminal(term, "clerk", WIDTH, HEIGHT)
    small = redrawn(60, 20, "北京华宇科技有限公司")
    assert "P0001" in small and " 7 " in small
    assert_fills_the_terminal(term, "clerk", 60, 20)
    redrawn(80, 24, "PLC-CK… 7")

    # nothing typed was lost: the quantity is entered and the order saves with it
    term.send("clerk", "Enter")
    line = term.wait_for("clerk", "合计 ¥47,600.00")
    assert "大写 肆万柒仟陆佰元整" in line
    term.send("clerk", "C-s")
    saved = term.wait_for("clerk", "（草稿）")
    assert "47,600.00" in saved


def test_a_hang_up_keeps_the_draft_and_ends_the_process(
    demo_db: Path, tmp_path: Path, term: Tmux
) -> None:
    """The SSH connection drops mid-form (tmux kills the window: SIGHUP, then the tty is
    gone): what was typed is saved as a draft and the process ends, instead of staying
    behind on a dead terminal."""
    import os
    import sqlite3
    import time

    db = new_order_for_c0001(demo_db, tmp_path, term)
    pid = int(term.tmux("display-message", "-p", "-t", "main:clerk", "#{pane_pid}").strip())
    with sqlite3.connect(db) as conn:
        drafts_before = conn.execute("SELECT count(*) FROM form_draft").fetchone()[0]
    term.tmux("kill-window", "-t", "main:clerk")

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        os.kill(pid, 9)
        pytest.fail("order-tui was still running 10 s after its terminal hung up")
    with sqlite3.connect(db) as conn:
        drafts = conn.execute("SELECT count(*) FROM form_draft").fetchone()[0]
    assert drafts == drafts_before + 1
