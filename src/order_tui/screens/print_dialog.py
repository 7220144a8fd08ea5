"""Where to write a printed document (or an exported list): the operator confirms the data
directory's path or types another (a USB stick on a warehouse PC, a shared folder), then the
document is written there."""

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from order_tui.domain.text import text_problem
from order_tui.screens.i18n import localize_bindings, register, t
from order_tui.widgets.field_input import FieldInput

# What file systems take (Linux, Windows and macOS alike): longer names fail at open() with an
# OSError after the dialog is gone, and the typed path with it.
NAME_MOST, PATH_MOST = 255, 4096

register(
    {
        "print.title": ("打印 {what}", "Print {what}"),
        "print.path": ("保存到（可改为其他文件或文件夹）", "Save to (type another file or folder)"),
        "print.hint": ("Enter 生成 PDF · Esc 取消", "Enter writes the PDF · Esc cancels"),
        "print.empty": ("请填写保存路径", "Type where to save it"),
        "print.control": (
            "路径第 {position} 个字符是不可见的控制字符，请删除",
            "Character {position} of the path is an invisible control character: remove it",
        ),
        "print.too_long": (
            "路径中的名称太长（每级最多 {most} 字节，整个路径最多 {total} 字节）",
            "A name in the path is too long (at most {most} bytes each, {total} in all)",
        ),
        "key.print_ok": ("生成", "Write"),
        "key.print_cancel": ("取消", "Cancel"),
    }
)


class PrintPathDialog(ModalScreen[str | None]):
    """Dismisses with the path typed (default: the data directory's), or None on Esc."""

    DEFAULT_CSS = """
    PrintPathDialog { align: center middle; }
    PrintPathDialog > Vertical {
        width: 76; max-width: 100%; height: auto;
        border: round $accent; background: $surface; padding: 0 1;
    }
    PrintPathDialog #print-title { text-style: bold; }
    PrintPathDialog #print-error { color: $error; height: auto; }
    PrintPathDialog #print-hint { color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="print_cancel", priority=True),
    ]

    def __init__(
        self,
        lang: str,
        what: str,
        default_path: str,
        *,
        title_key: str = "print.title",
        hint_key: str = "print.hint",
    ) -> None:
        super().__init__()
        self.lang = lang
        self.what = what
        self.default_path = default_path
        self.title_key = title_key  # the export key asks "Export {what}" with this dialog
        self.hint_key = hint_key
        localize_bindings(self, lang)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(t(self.title_key, self.lang, what=self.what), id="print-title")
            yield Static(t("print.path", self.lang), markup=False)
            yield FieldInput(self.default_path, id="print-path")
            yield Static("", id="print-error", markup=False)
            yield Static(t(self.hint_key, self.lang), id="print-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#print-path", Input).focus()

    @on(Input.Submitted, "#print-path")
    def _submitted(self, event: Input.Submitted) -> None:
        path = event.value.strip()
        if not path:
            self.query_one("#print-error", Static).update(t("print.empty", self.lang))
            return
        problem = path_problem(path, self.lang)
        if problem:
            self.query_one("#print-error", Static).update(problem)
            return
        self.dismiss(path)

    def action_cancel(self) -> None:
        self.dismiss(None)


def path_problem(path: str, lang: str) -> str:
    """Why no file system would open `path` (in `lang`); "" when one may."""
    problem = text_problem(path)
    if problem is not None:
        return t("print.control", lang, position=problem.params.get("position", "?"))
    encoded = path.encode("utf-8")
    names = encoded.replace(b"\\", b"/").split(b"/")
    if len(encoded) > PATH_MOST or any(len(name) > NAME_MOST for name in names):
        return t("print.too_long", lang, most=NAME_MOST, total=PATH_MOST)
    return ""
