"""F8 on a list screen: export the list in view to XLSX or CSV.

How a list screen gets it
-------------------------
- `PagedListScreen` (screens/paged.py) and `MdListScreen` (screens/md_common.py, and so
  `OrderListScreen`) have it built in: F8 walks the screen's own keyset query (`fetch` /
  `page`) from the first page to the last in a thread worker and writes each item as the
  screen's `row()` shows it (right-aligned cells as numbers, ISO dates as dates). Override
  `export_row(item, columns)` for typed values, or `export_table()` to use a service's table
  from `services/exports.py`.
- Any other screen: mix `ExportKey` in before the screen class, add `EXPORT_BINDING` to its
  BINDINGS and implement `export_table()`, which runs on the app's thread and returns an
  `ExportTable` whose `rows` is a lazy iterable (a generator over the service's pages); the
  rows are consumed in the worker:

      class ArchiveScreen(ExportKey, OrderScreen):
          BINDINGS = [..., EXPORT_BINDING]
          EXPORT_NAME = "archive"

          def export_table(self) -> ExportTable:
              query = self.query_in_view()  # capture the filters now, not in the thread
              rows = ((r.order_no, r.order_day, r.customer, r.total)
                      for r in pages(lambda after: archive.search(self.db, query, after=after),
                                     lambda r: r.cursor))
              return ExportTable(self.t("archive.title"), [...labels...], rows)

The key opens `PrintPathDialog` with `<data dir>/exports/<name>-<YYYYMMDD-HHMM>.xlsx`; a name
ending in .csv gives CSV. Progress shows in the screen's `#status` line when it has one; the
path written is announced when done.
"""

from __future__ import annotations

import re
from abc import abstractmethod
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.binding import Binding
from textual.widgets import Static

from order_tui.screens.i18n import error_text, register, t
from order_tui.screens.print_dialog import PrintPathDialog

if TYPE_CHECKING:
    from order_tui.services.exports import ExportResult, ExportTable
    from order_tui.widgets.grouped_table import Column, Row

register(
    {
        "key.export": ("导出", "Export"),
        "export.title": ("导出 {what}", "Export {what}"),
        "export.hint": (
            "Enter 导出（文件名以 .xlsx 或 .csv 结尾决定格式）· Esc 取消",
            "Enter exports (a name ending .xlsx or .csv picks the format) · Esc cancels",
        ),
        "export.running": ("正在导出…已写 {count} 行", "Exporting… {count} rows written"),
        "export.started": ("正在导出到 {path}", "Exporting to {path}"),
        "export.busy": ("上一次导出尚未完成", "The last export is still running"),
        "export.done": ("已导出 {count} 行：{path}", "Exported {count} rows: {path}"),
        "export.failed": ("导出失败：{error}", "Export failed: {error}"),
    }
)

EXPORT_BINDING = Binding("f8", "export", "Export", id="export", show=False)
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def plain_value(text: str, column: Column | None) -> Any:
    """A cell as the list shows it, back to a value a spreadsheet can sum or sort: a
    right-aligned number (1,234.50) as a Decimal, an ISO day as a date, the rest as text."""
    cell = text.strip()
    if column is not None and column.align == "right" and cell:
        try:
            return Decimal(cell.replace(",", "").replace("¥", ""))
        except InvalidOperation:
            return cell
    if _ISO_DAY.fullmatch(cell):
        try:
            return date.fromisoformat(cell)
        except ValueError:
            return cell
    return cell


def plain_row(row: Row, columns: Sequence[Column]) -> list[Any]:
    return [
        plain_value(str(cell), columns[i] if i < len(columns) else None)
        for i, cell in enumerate(row.cells)
    ]


class ExportKey:
    """F8: ask where, write the list in a thread worker, say where it went.

    Mixed into `OrderScreen` subclasses (it uses their `db`, `lang`, `app`, `notify`)."""

    EXPORT_NAME: ClassVar[str] = ""
    _exporting: bool = False

    @abstractmethod
    def export_table(self) -> ExportTable:
        """The list in view (on the app's thread; `rows` lazy, read in the worker)."""

    def export_name(self) -> str:
        """The file name's stem: `EXPORT_NAME`, else the screen class's name."""
        return self.EXPORT_NAME or type(self).__name__.removesuffix("Screen").lower()

    def action_export(self) -> None:
        from order_tui.services.exports import default_path

        screen: Any = self
        if self._exporting:
            screen.notify(t("export.busy", screen.lang), severity="warning")
            return
        table = self.export_table()
        path = default_path(screen.db, self.export_name())

        def chosen(typed: str | None) -> None:
            if typed:
                self._exporting = True
                self._status(t("export.started", screen.lang, path=typed))
                self._export(table, typed)

        screen.app.push_screen(
            PrintPathDialog(
                screen.lang,
                table.title,
                str(path),
                title_key="export.title",
                hint_key="export.hint",
            ),
            chosen,
        )

    def _status(self, text: str) -> None:
        found = self.query("#status")  # type: ignore[attr-defined]
        if found:
            found.first(Static).update(text)

    @work(thread=True, group="export", exit_on_error=False)
    def _export(self, table: ExportTable, path: str) -> None:
        from order_tui.services.exports import export

        screen: Any = self
        app = screen.app

        def progress(count: int) -> None:
            app.call_from_thread(self._status, t("export.running", screen.lang, count=count))

        try:
            result = export(table, path, progress)
        except Exception as exc:  # said to the operator; the list stays usable
            app.call_from_thread(self._export_failed, exc)
        else:
            app.call_from_thread(self._exported, result)

    def _exported(self, result: ExportResult) -> None:
        screen: Any = self
        self._exporting = False
        text = t("export.done", screen.lang, count=result.rows, path=str(result.path))
        self._status(text)
        screen.notify(text, timeout=8)

    def _export_failed(self, exc: Exception) -> None:
        screen: Any = self
        self._exporting = False
        text = t("export.failed", screen.lang, error=error_text(exc, screen.lang))
        self._status(text)
        screen.notify(text, severity="error", timeout=8)


def rows_of(items: Iterable[Any], row: Any, columns: Sequence[Column]) -> Iterable[list[Any]]:
    """Each item as its screen row, in plain values (lazy)."""
    return (plain_row(row(item), columns) for item in items)
