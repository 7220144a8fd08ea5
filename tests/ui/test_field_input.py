"""What a field does not take, said beside it (widgets/field_input.py), keys and terminal
pastes only, at 80x24: cut pastes, numbers refused whole, several lines, a full field, a
character the format refuses, Ctrl+V, and the note's place and going away."""

import re
from pathlib import Path

import pytest
from textual import events
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.pilot import Pilot
from textual.widgets import Static

from order_tui.app import OrderApp
from order_tui.screens.login import LoginScreen
from order_tui.services import Database
from order_tui.widgets.field_input import FieldInput
from tests.ui.pilot import screen_text, settle

SIZE = (80, 24)
SRC = Path(__file__).parents[2] / "src" / "order_tui"


class Form(App[None]):
    """Two fields as the forms have them: free text, then digits only; the last on the
    screen's bottom row."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("名称")
            yield FieldInput(max_length=40, id="name", compact=True)
            yield Static("数量")
            yield FieldInput(max_length=12, restrict=r"[0-9.]*", id="qty", compact=True)
            yield Static("下一行")
        yield FieldInput(max_length=8, id="last", compact=True)

    def on_mount(self) -> None:
        self.query_one("#name").focus()


async def paste(pilot: Pilot[None], text: str) -> None:
    pilot.app.post_message(events.Paste(text))  # as the terminal delivers a paste
    await pilot.pause()


def fields(pilot: Pilot[None]) -> tuple[FieldInput, FieldInput, FieldInput]:
    query = pilot.app.screen.query_one
    return query("#name", FieldInput), query("#qty", FieldInput), query("#last", FieldInput)


def row(pilot: Pilot[None], y: int) -> str:
    return screen_text(pilot).splitlines()[y]


CUT = {
    "zh": "本栏最多 40 个字符：粘贴的 10000 个只保留了前 {kept} 个",
    "en": "Holds 40 characters: kept the first {kept} of the 10000 pasted",
}


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_a_long_paste_keeps_what_fits_and_says_so_under_the_field(lang: str) -> None:
    async with Form(lang).run_test(size=SIZE) as pilot:
        name, _, _ = fields(pilot)
        await pilot.press(*"ab")
        await paste(pilot, "中" * 10_000)
        assert name.value == "ab" + "中" * 38  # typed text kept, the paste after it
        assert name.note == CUT[lang].format(kept=38)
        assert row(pilot, name.region.bottom).strip() == name.note  # right under the field
        await pilot.press("backspace")  # typing again in the field: the note goes
        assert name.note == "" and name.value == "ab" + "中" * 37
        await pilot.press("ctrl+u", "ctrl+k")
        await paste(pilot, "中" * 10_000)
        assert name.value == "中" * 40 and name.note == CUT[lang].format(kept=40)


async def test_a_number_is_never_cut_and_a_formatted_field_refuses_whole() -> None:
    async with Form("zh").run_test(size=SIZE) as pilot:
        name, qty, _ = fields(pilot)
        await paste(pilot, "1" + "0" * 40)  # a text field, but a number: cut it, and it lies
        assert name.value == ""
        assert name.note == "本栏最多 40 个字符：粘贴的 41 个是一个值，不截断，未粘贴"
        await pilot.press("tab", *"12")
        assert qty.value == "12" and qty.note == ""  # leaving the name took its note away
        await paste(pilot, "1234567890123")
        assert qty.value == "12" and "不截断" in qty.note
        await paste(pilot, "3件")
        assert qty.value == "12" and qty.note == "粘贴内容含本栏不收的字符，未粘贴"
        await pilot.press("x")
        assert qty.value == "12" and qty.note == "本栏不收“x”"
        await pilot.press(*"3.4567890")
        assert qty.value == "123.4567890" and qty.note == ""
        await pilot.press("1", "2")
        assert qty.value == "123.45678901" and qty.note == "本栏最多 12 个字符"
        await paste(pilot, "5")
        assert qty.note == "本栏最多 12 个字符，已满：未粘贴"


async def test_several_lines_keep_the_first_and_ctrl_v_takes_the_same_path() -> None:
    async with Form("en").run_test(size=SIZE) as pilot:
        name, _, last = fields(pilot)
        await paste(pilot, "\n上海市浦东新区\r\n\n张江路 88 号\n")  # as copied from a cell
        assert name.value == "上海市浦东新区"
        assert name.note == "Takes one line: pasted the first (of 2)"
        await pilot.press("tab", "tab")
        assert pilot.app.focused is last
        pilot.app.copy_to_clipboard("第一行\n第二行很长很长")
        await pilot.press("ctrl+v")
        # Textual's own Ctrl+V put the newline in; here it is the first line, cut to fit
        assert last.value == "第一行"
        assert last.note == "Takes one line: pasted the first (of 2)"
        # the bottom row: the note goes above the field
        assert row(pilot, last.region.y - 1).strip() == last.note


async def test_the_login_screen_says_it_beside_the_field(db: Database) -> None:
    """A real screen: the username field, 32 characters, with a 100-character paste."""
    app = OrderApp(db, demo=True, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        await paste(pilot, "z" * 100)
        username = app.screen.query_one("#username", FieldInput)
        assert username.value == "z" * 32
        text = screen_text(pilot)
        assert "本栏最多 32 个字符：粘贴的 100 个只保留了前 32 个" in text
        await pilot.press("ctrl+u")
        await pilot.press(*"zhao", "enter", "a")
        assert "本栏不收这个字符" in screen_text(pilot)  # a PIN field does not echo it
        await pilot.press(*"1234", "enter")  # the note is in nobody's way
        await settle(pilot)
        assert not isinstance(app.screen, LoginScreen), screen_text(pilot)


def test_every_text_field_of_the_app_is_a_field_input() -> None:
    """A plain Input would refuse a long paste whole again, silently."""
    plain = re.compile(r"(?<![\w.])Input\(")
    found = [
        f"{path.relative_to(SRC)}:{number}"
        for path in sorted(SRC.rglob("*.py"))
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if plain.search(line)
    ]
    assert not found, f"plain Input built at {', '.join(found)}: use FieldInput"
