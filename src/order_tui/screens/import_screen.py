"""Import customers, products or stock levels from a CSV or XLSX file (master-data menu).

The operator picks what to import (only what their roles may change), types the file's path
and presses Enter: every row is checked; a clean file goes in at once (one transaction), a file
with bad rows goes in not at all and the report lists row, field and reason for each. F10 then
imports the good rows and skips the bad ones. The rules are the master-data services' own
(`services/imports.py`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Footer, Input, OptionList, Static

from order_tui.screens.base import OrderScreen, TitleBar
from order_tui.screens.delivery_common import Choice
from order_tui.screens.i18n import error_text, localize_bindings, register
from order_tui.screens.md_common import may, relabel
from order_tui.widgets.field_input import FieldInput
from order_tui.widgets.grouped_table import Column, Group, GroupedTable, Row

if TYPE_CHECKING:
    from order_tui.services import Database
    from order_tui.services.common import Actor
    from order_tui.services.imports import ImportReport

register(
    {
        "imp.title": ("导入基础资料", "Import master data"),
        "imp.kind": ("导入内容", "Import"),
        "imp.kind.customers": ("客户", "Customers"),
        "imp.kind.products": ("产品", "Products"),
        "imp.kind.stock": ("库存数量", "Stock levels"),
        "imp.path": ("文件", "File"),
        "imp.path_ph": (
            "CSV 或 XLSX 文件路径，如 ~/客户.xlsx（模板见 sample_data/import/）",
            "path of a CSV or XLSX file, e.g. ~/customers.xlsx (templates: sample_data/import/)",
        ),
        "imp.hint": (
            "←→ 选择内容 · Enter 检查并导入（有问题的文件不会导入）· F10 跳过问题行导入",
            "←→ choose · Enter checks and imports (nothing goes in while a row is bad)"
            " · F10 imports skipping bad rows",
        ),
        "imp.none": (
            "您的角色不能修改客户、产品或库存，无法导入",
            "Your roles may not change customers, products or stock: nothing to import",
        ),
        "imp.empty_path": ("请填写文件路径", "Type the file's path"),
        "imp.checking": ("正在检查…", "Checking…"),
        "imp.clean": ("全部合格，已导入 {count} 行", "All rows fine: {count} imported"),
        "imp.rejected": (
            "有 {bad} 行有问题，未导入任何数据。"
            "修正文件后再按 Enter，或按 F10 跳过问题行导入其余 {ok} 行",
            "{bad} rows rejected, nothing imported. Fix the file and press Enter again,"
            " or F10 imports the other {ok} rows",
        ),
        "imp.skipped": (
            "已导入 {count} 行，跳过有问题的 {bad} 行",
            "{count} rows imported, {bad} bad rows skipped",
        ),
        "imp.file_problem": ("文件无法导入，请看下列原因", "The file cannot be imported:"),
        "imp.col.row": ("行", "Row"),
        "imp.col.field": ("列", "Column"),
        "imp.col.reason": ("原因", "Reason"),
        "imp.group": ("问题行", "Rejected rows"),
        "key.imp_skip_bad": ("跳过问题行", "Skip bad rows"),
        "key.imp_run": ("导入", "Import"),
    }
)

# (kind, the permission to change it)
KIND_PERMISSIONS = (("customers", "customer"), ("products", "product"), ("stock", "stock"))


def importable(actor: Actor | None) -> list[str]:
    """The kinds this operator may import: what they may change."""
    return [kind for kind, permission in KIND_PERMISSIONS if may(actor, permission)]


class ImportScreen(OrderScreen):
    DEFAULT_CSS = """
    ImportScreen .imp-line { height: auto; padding: 0 1; }
    ImportScreen .imp-label { width: 10; text-style: bold; }
    ImportScreen #imp-path { width: 1fr; }
    ImportScreen #imp-hint { color: $text-muted; padding: 0 1; height: auto; }
    ImportScreen #imp-status { padding: 0 1; height: auto; }
    ImportScreen #imp-status.-error { color: $error; text-style: bold; }
    ImportScreen #imp-status.-error:nocolor { text-style: bold reverse; }
    ImportScreen GroupedTable { height: 1fr; }
    ImportScreen #imp-detail { padding: 0 1; height: auto; max-height: 3; color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f9", "run", "Check and import", id="imp_run"),
        Binding("f10", "skip_bad", "Import, skip bad", id="imp_skip_bad"),
    ]

    def __init__(self, db: Database, lang: str, actor: Actor) -> None:
        super().__init__(db, lang, actor)
        self.kinds = importable(actor)
        self.report: ImportReport | None = None
        self.busy = False

    def compose(self) -> ComposeResult:
        yield TitleBar(self.title_text(self.t("imp.title")))
        if self.kinds:
            options = [(k, self.t(f"imp.kind.{k}")) for k in self.kinds]
            with Horizontal(classes="imp-line"):
                yield Static(self.t("imp.kind"), classes="imp-label", markup=False)
                yield Choice(options, self.kinds[0], lang=self.lang, id="imp-kind")
            with Horizontal(classes="imp-line"):
                yield Static(self.t("imp.path"), classes="imp-label", markup=False)
                yield FieldInput(placeholder=self.t("imp.path_ph"), id="imp-path", compact=True)
            yield Static(self.t("imp.hint"), id="imp-hint", markup=False)
        yield Static("" if self.kinds else self.t("imp.none"), id="imp-status", markup=False)
        yield GroupedTable(self._columns(), id="imp-report")
        yield Static("", id="imp-detail", markup=False)  # the highlighted reason in full
        yield Footer(show_command_palette=False)

    def _columns(self) -> list[Column]:
        return [
            Column(self.t("imp.col.row"), 5, align="right"),
            Column(self.t("imp.col.field"), 10, flex=1, max_width=20),
            Column(self.t("imp.col.reason"), 20, flex=4),
        ]

    def on_mount(self) -> None:
        table = self.query_one(GroupedTable)
        localize_bindings(table.options, self.lang)
        relabel(table.options, "open", None)  # a report row opens nothing
        table.display = False  # until there is a report
        if self.kinds:
            self.query_one("#imp-kind", Choice).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "run":
            return bool(self.kinds) and not self.busy
        if action == "skip_bad":
            report = self.report
            return (
                report is not None
                and not self.busy
                and not report.imported
                and bool(report.problems)
                and report.ok_rows > 0
                and all(p.row > 1 for p in report.problems)
            )
        return True

    def _status(self, text: str, error: bool = False) -> None:
        status = self.query_one("#imp-status", Static)
        status.update(text)
        status.set_class(error, "-error")

    @on(Choice.Changed, "#imp-kind")
    def _kind_changed(self) -> None:
        self.report = None
        self.query_one(GroupedTable).display = False
        self.query_one("#imp-detail", Static).update("")
        self._status("")
        self.refresh_bindings()

    @on(Input.Submitted, "#imp-path")
    def _path_done(self) -> None:
        self.action_run()

    def action_run(self, skip_bad: bool = False) -> None:
        if not self.kinds or self.busy:
            return
        path = self.query_one("#imp-path", Input).value.strip()
        if not path:
            self._status(self.t("imp.empty_path"), error=True)
            self.query_one("#imp-path", Input).focus()
            return
        kind = self.query_one("#imp-kind", Choice).value
        self.busy = True
        self.refresh_bindings()
        self._status(self.t("imp.checking"))
        self._import(kind, path, skip_bad)

    def action_skip_bad(self) -> None:
        self.action_run(skip_bad=True)

    @work(thread=True, exclusive=True, group="import", exit_on_error=False)
    def _import(self, kind: str, path: str, skip_bad: bool) -> None:
        from order_tui.services import imports

        assert self.actor is not None
        try:
            report = imports.import_file(self.db, self.actor, kind, path, skip_bad=skip_bad)
        except Exception as exc:  # a path that cannot be read, a role: said, not raised
            self.app.call_from_thread(self._failed, exc)
        else:
            self.app.call_from_thread(self._show, report)

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        report = self.report
        key = event.option.id
        if report is None or key is None or not key.isdigit():
            return
        problem = report.problems[int(key)]
        column = problem.column(report.kind, self.lang)
        self.query_one("#imp-detail", Static).update(
            f"{problem.row} · {column} · {problem.message(self.lang)}"
        )

    def _failed(self, exc: Exception) -> None:
        if not self.is_attached:
            return
        self.busy = False
        self.report = None
        self.query_one(GroupedTable).display = False
        self.query_one("#imp-detail", Static).update("")
        self._status(error_text(exc, self.lang), error=True)
        self.refresh_bindings()

    def _show(self, report: ImportReport) -> None:
        if not self.is_attached:
            return
        self.busy = False
        self.report = report
        bad = len([r for r in report.rejected if r > 1])
        if report.imported and report.problems:
            self._status(self.t("imp.skipped", count=report.imported, bad=bad))
        elif report.imported:
            self._status(self.t("imp.clean", count=report.imported))
        elif any(p.row == 1 for p in report.problems):
            self._status(self.t("imp.file_problem"), error=True)
        else:
            self._status(self.t("imp.rejected", bad=bad, ok=report.ok_rows), error=True)
        rows = [
            Row(
                key=f"{index}",
                cells=(str(p.row), p.column(report.kind, self.lang), p.message(self.lang)),
            )
            for index, p in enumerate(report.problems)
        ]
        table = self.query_one(GroupedTable)
        table.display = bool(rows)
        table.set_groups([Group(self.t("imp.group"), rows)] if rows else [])
        self.query_one("#imp-detail", Static).update("")
        if rows:
            table.focus()
        self.refresh_bindings()
