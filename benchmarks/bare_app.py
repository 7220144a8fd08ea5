"""The start-up benchmark's reference: a bare Textual app that composes what order-tui's
login screen shows (a title bar, the two inputs with their labels, the hint, the footer) and
nothing else. No order_tui import: it costs what Textual and the widgets cost.

Run as a script (`python benchmarks/bare_app.py [zh|en]`); `benchmarks/startup.py` launches
it in tmux beside the real `order-tui` and waits for the same title text on both screens.
"""

import sys

from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Input, Static

TEXT = {
    "zh": ("订单管理 | 操作员登录", "用户名", "PIN 码", "Enter 下一项/登录 · Tab 切换输入框"),
    "en": (
        "Order desk | Operator login",
        "Username",
        "PIN",
        "Enter: next field / log in · Tab: switch field",
    ),
}


class BareLogin(App[None]):
    CSS = """
    Screen { align-horizontal: center; }
    #title { dock: top; height: 1; background: $primary; text-style: bold; padding: 0 1; }
    #form { width: 64; height: auto; margin-top: 1; }
    .field { height: 3; }
    .label { width: 12; height: 3; content-align: right middle; padding-right: 1; }
    Input { width: 32; }
    #hint { height: 1; margin-left: 12; }
    """

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.text = TEXT[lang]

    def compose(self) -> ComposeResult:
        title, username, pin, hint = self.text
        yield Static(title, id="title")
        with Vertical(id="form"):
            with Horizontal(classes="field"):
                yield Static(username, classes="label")
                yield Input(id="username", max_length=32)
            with Horizontal(classes="field"):
                yield Static(pin, classes="label")
                yield Input(password=True, id="pin", max_length=12, restrict=r"\d*")
            yield Static(hint, id="hint")
        yield Footer(show_command_palette=False)


if __name__ == "__main__":
    BareLogin(sys.argv[1] if len(sys.argv) > 1 else "zh").run()
