"""Step 5, the day after: the representative's feedback calls and the after-sales list.

The queue shows the open calls by due time (24 hours after the signing), overdue ones
flagged, with the attempts that did not reach the customer. The form records one call:
reached or not, satisfaction 1-5, remarks, after-sales needed with its description.
Reached closes the call; not reached keeps it in the queue with the attempt on record.
The sales manager's after-sales list shows the calls that asked for after-sales, newest
first; Enter opens the order.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Footer, Input, Static

from order_tui.domain.lifecycle import Action
from order_tui.domain.shipping import SATISFACTION
from order_tui.screens.base import TitleBar
from order_tui.screens.delivery_common import Choice, DeliveryForm, OrderListScreen, local_now
from order_tui.screens.fmt import local_time
from order_tui.screens.i18n import pick, register, t
from order_tui.screens.md_common import field_row
from order_tui.screens.palette import OrderFilter
from order_tui.widgets.field_input import FieldInput
from order_tui.widgets.grouped_table import Column, Row

if TYPE_CHECKING:
    from order_tui.services import Database
    from order_tui.services.common import Actor
    from order_tui.services.delivery import AfterSalesRow, FeedbackCall, FeedbackForm

STAMP = "%m-%d %H:%M"

register(
    {
        "key.feedback_open": ("回访", "Record call"),
        "key.feedback_save": ("保存回访", "Save"),
        "key.after_sales_open": ("查看订单", "Open order"),
        "feedback.queue_title": ("待回访", "Feedback calls"),
        "feedback.col.flag": ("标记", "Flag"),
        "feedback.col.order": ("订单号", "Order no"),
        "feedback.col.customer": ("客户", "Customer"),
        "feedback.col.contact": ("联系人", "Contact"),
        "feedback.col.due": ("截止", "Due"),
        "feedback.col.tries": ("未接通", "Missed"),
        "feedback.overdue": ("逾期", "LATE"),
        "feedback.tries": ("{count} 次", "{count}x"),
        "feedback.last_try": (
            "上次未接通 {when}：{remarks}",
            "Last missed call {when}: {remarks}",
        ),
        "feedback.title": ("回访 {order_no}", "Feedback {order_no}"),
        "feedback.head": ("{order_no} · {customer}", "{order_no} · {customer}"),
        "feedback.when": (
            "签收于 {delivered} · 回访截止 {due}",
            "Delivered {delivered} · call by {due}",
        ),
        "feedback.who": (
            "联系人 {contact} · 签收人 {signer}",
            "Contact {contact} · signed by {signer}",
        ),
        "feedback.attempt": ("{when} {by}：{what}{remarks}", "{when} {by}: {what}{remarks}"),
        "feedback.attempt.reached": ("已接通", "reached"),
        "feedback.attempt.missed": ("未接通", "not reached"),
        "feedback.closed": (
            "该回访已于 {when} 完成；再次保存即为更正（须为已接通）。",
            "This call was recorded at {when}; saving again corrects it (reached only).",
        ),
        "feedback.reached": ("是否接通", "Reached"),
        "feedback.yes": ("已接通", "Reached"),
        "feedback.no": ("未接通", "Not reached"),
        "feedback.satisfaction": ("满意度", "Satisfaction"),
        "feedback.satisfaction_hint": ("1 很不满意 … 5 很满意", "1 very unhappy … 5 very happy"),
        "feedback.remarks": ("备注", "Remarks"),
        "feedback.after_sales": ("需要售后", "After-sales"),
        "feedback.after_sales_text": ("售后说明", "What to do"),
        "feedback.preview.reached": (
            "保存后回访完成{after}",
            "Saving closes the call{after}",
        ),
        "feedback.preview.after": ("，并列入售后清单", " and lists it for after-sales"),
        "feedback.preview.missed": (
            "未接通：记录本次尝试，回访继续留在待回访中",
            "Not reached: the attempt is recorded and the call stays in the queue",
        ),
        "feedback.err.satisfaction": ("请输入 1 到 5", "Enter 1 to 5"),
        "feedback.err.after_sales": ("请说明售后要做什么", "Describe what after-sales must do"),
        "feedback.done.closed": ("订单 {order_no} 回访已完成", "Feedback for {order_no} recorded"),
        "feedback.done.missed": (
            "订单 {order_no}：已记录未接通，回访保留在待回访中",
            "Order {order_no}: missed call recorded, the call stays in the queue",
        ),
        "feedback.help": (
            "回访在签收 24 小时后到期，逾期的标“逾期”。接通：满意度 1-5 必填，需要售后时须说明，"
            "保存即完成回访（需要售后的列入销售经理的售后清单）；未接通：记录本次尝试和备注，"
            "回访继续留在待回访中。Space 或 ←→ 切换选项。",
            "A call falls due 24 hours after the signing; overdue ones are flagged LATE. "
            "Reached: satisfaction 1-5 is required, after-sales needs its description, and "
            "saving closes the call (after-sales cases go to the sales manager's list). Not "
            "reached: the attempt and remarks are recorded and the call stays in the queue. "
            "Space or Left/Right switch a choice.",
        ),
        "after_sales.title": ("售后清单", "After-sales"),
        "after_sales.col.order": ("订单号", "Order no"),
        "after_sales.col.customer": ("客户", "Customer"),
        "after_sales.col.day": ("回访", "Called"),
        "after_sales.col.score": ("满意", "Score"),
        "after_sales.col.what": ("售后内容", "After-sales needed"),
        "after_sales.detail": (
            "{contact} · 回访人 {by} · 备注：{remarks}",
            "{contact} · called by {by} · remarks: {remarks}",
        ),
    }
)


def stamp(moment: datetime | None, timezone: str, lang: str, fmt: str = STAMP) -> str:
    if moment is None:
        return t("detail.none", lang)
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return local_time(aware.isoformat(), timezone, fmt)


def satisfaction_text(score: int | None, lang: str) -> str:
    if score is None:
        return ""
    return f"{score} {pick(SATISFACTION[score], lang)}" if score in SATISFACTION else str(score)


# -- the queue ---------------------------------------------------------------------------------


class FeedbackQueueScreen(OrderListScreen):
    """Open feedback calls by due time; Enter records one."""

    DETAIL = True
    HELP_NOTES: ClassVar[list[str]] = ["feedback.help"]

    def list_title(self) -> str:
        return self.t("feedback.queue_title")

    def enter_key(self) -> str | None:
        return "feedback_open"

    def columns(self) -> list[Column]:
        return [
            Column(self.t("feedback.col.flag"), 4),
            Column(self.t("feedback.col.order"), 13),
            Column(self.t("feedback.col.customer"), 12, flex=3, max_width=32),
            Column(self.t("feedback.col.contact"), 18, flex=1, max_width=26),
            Column(self.t("feedback.col.due"), 11),
            Column(self.t("feedback.col.tries"), 6, align="right"),
        ]

    def _now(self) -> datetime:
        return local_now(self, self.db.timezone).astimezone(UTC)

    def fetch(self, cursor: Any, limit: int) -> list[Any]:
        from order_tui.services import delivery

        assert self.actor is not None
        return delivery.feedback_page(self.db, self.actor, cursor, limit, now=self._now())

    def row(self, item: Any) -> Row:
        call: FeedbackCall = item
        flag = self.t("feedback.overdue") if call.overdue else ""
        contact = " ".join(x for x in (call.contact_name, call.contact_phone) if x)
        return Row(
            key=call.order_no,
            cells=(
                flag,
                call.order_no,
                call.customer,
                contact,
                stamp(call.due_at, self.db.timezone, self.lang),
                self.t("feedback.tries", count=call.attempts) if call.attempts else "",
            ),
            styles=("bold reverse" if flag else "", "", "", "", "bold" if call.overdue else ""),
        )

    def highlighted(self, key: str | None) -> None:
        call: FeedbackCall | None = self.items.get(key or "")
        text = ""
        if call is not None and call.attempts:
            text = self.t(
                "feedback.last_try",
                when=stamp(call.last_attempt_at, self.db.timezone, self.lang),
                remarks=call.last_remarks or self.t("detail.none"),
            )
        self.query_one("#detail", Static).update(text)

    def open_order(self, order_no: str) -> None:
        assert self.actor is not None
        form = FeedbackScreen(self.db, self.lang, self.actor, order_no)
        self.app.push_screen(form, callback=lambda _result: self.reload())


# -- recording one call ----------------------------------------------------------------------


class FeedbackScreen(DeliveryForm):
    """One feedback call. Ctrl+S saves."""

    KIND = "feedback"
    ACTION = Action.RECORD_FEEDBACK
    SAVE_KEY = "key.feedback_save"
    FIRST_FIELD = "reached"

    DEFAULT_CSS = """
    FeedbackScreen #head { height: auto; margin-bottom: 1; }
    FeedbackScreen #preview { height: auto; margin-top: 1; text-style: bold; }
    """
    HELP_NOTES: ClassVar[list[str]] = ["feedback.help"]

    def __init__(self, db: Database, lang: str, actor: Actor, order_no: str) -> None:
        super().__init__(db, lang, actor, order_no)
        self.data: FeedbackForm | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar(self.title_text(self.t("feedback.title", order_no=self.order_no)))
        yes_no = [("no", t("dlv.no", self.lang)), ("yes", t("dlv.yes", self.lang))]
        with VerticalScroll(classes="md-form", id="form"):
            yield Static(self.t("dlv.loading"), id="head")
            yield from field_row(
                "reached",
                self.t("feedback.reached") + " *",
                Choice(
                    [("yes", self.t("feedback.yes")), ("no", self.t("feedback.no"))],
                    "yes",
                    lang=self.lang,
                ),
            )
            yield from field_row(
                "satisfaction",
                self.t("feedback.satisfaction") + " *",
                FieldInput(max_length=1, compact=True, restrict=r"[1-5]?", classes="-short"),
                self.t("feedback.satisfaction_hint"),
            )
            yield from field_row(
                "remarks", self.t("feedback.remarks"), FieldInput(max_length=2000, compact=True)
            )
            yield from field_row(
                "after_sales", self.t("feedback.after_sales"), Choice(yes_no, "no", lang=self.lang)
            )
            yield from field_row(
                "after_sales_text",
                self.t("feedback.after_sales_text"),
                FieldInput(max_length=2000, compact=True),
            )
            yield Static("", id="preview", markup=False)
        yield Static("", id="form-status", markup=False)
        yield Footer(show_command_palette=False)

    # -- data -------------------------------------------------------------------------------

    def fetch(self) -> Any:
        from order_tui.services import delivery

        assert self.actor is not None
        return delivery.feedback_form(self.db, self.actor, self.order_no)

    def show_data(self, data: Any, first: bool) -> None:
        form: FeedbackForm = data
        tz = self.db.timezone
        now = local_now(self, tz)
        head = Text()
        head.append(
            self.t("feedback.head", order_no=form.order_no, customer=form.customer),
            style="bold",
        )
        head.append(
            "\n"
            + self.t(
                "feedback.when",
                delivered=stamp(form.delivered_at, tz, self.lang),
                due=stamp(form.due_at, tz, self.lang),
            )
        )
        due = form.due_at if form.due_at.tzinfo else form.due_at.replace(tzinfo=UTC)
        if not form.closed and due < now:
            head.append(" " + self.t("feedback.overdue"), style="bold reverse")
        none = self.t("detail.none")
        contact = " ".join(x for x in (form.contact_name, form.contact_phone) if x) or none
        head.append("\n" + self.t("feedback.who", contact=contact, signer=form.signer or none))
        colon = "：" if self.lang == "zh" else ": "
        for attempt in form.attempts:
            outcome = "reached" if attempt.reached else "missed"
            what = self.t(f"feedback.attempt.{outcome}")
            head.append(
                "\n"
                + self.t(
                    "feedback.attempt",
                    when=stamp(attempt.at, tz, self.lang),
                    by=attempt.by,
                    what=what,
                    remarks=colon + attempt.remarks if attempt.remarks else "",
                ),
                style="dim",
            )
        if form.closed:
            head.append("\n" + self.t("feedback.closed", when=stamp(form.done_at, tz, self.lang)))
        self.query_one("#head", Static).update(head)
        if first and form.closed:  # a correction starts from what was recorded
            self.set_values(
                {
                    "reached": "yes",
                    "satisfaction": str(form.satisfaction or ""),
                    "remarks": form.remarks,
                    "after_sales": "yes" if form.after_sales_needed else "no",
                    "after_sales_text": form.after_sales,
                }
            )
            self.query_one("#f-reached", Choice).disabled = True

    def after_values(self) -> None:
        self._sync()

    # -- what depends on the answers --------------------------------------------------------

    def _sync(self) -> None:
        if self.data is None or not self.is_attached:
            return
        reached = self.query_one("#f-reached", Choice).value == "yes"
        after = self.query_one("#f-after_sales", Choice)
        for selector in ("#f-satisfaction", "#f-after_sales"):
            self.query_one(selector).disabled = not reached
        wanted = reached and after.value == "yes"
        self.query_one("#f-after_sales_text", Input).disabled = not wanted
        preview = self.query_one("#preview", Static)
        if reached:
            extra = self.t("feedback.preview.after") if wanted else ""
            preview.update(self.t("feedback.preview.reached", after=extra))
        else:
            preview.update(self.t("feedback.preview.missed"))

    @on(Choice.Changed)
    def _choice_changed(self, event: Choice.Changed) -> None:
        self._sync()

    # -- Ctrl+S -----------------------------------------------------------------------------

    def save(self) -> None:
        if self.data is None or self.blocked():
            return
        values = self.field_values()
        reached = values.get("reached") == "yes"
        after = reached and values.get("after_sales") == "yes"
        text = str(values.get("satisfaction") or "").strip()
        after_text = str(values.get("after_sales_text") or "").strip()
        errors: dict[str, str] = {}
        if reached and text not in {"1", "2", "3", "4", "5"}:
            errors["satisfaction"] = self.t("feedback.err.satisfaction")
        if after and not after_text:
            errors["after_sales_text"] = self.t("feedback.err.after_sales")
        if errors:
            self.show_errors(errors)
            return
        self.clear_errors()
        self._record(
            reached,
            int(text) if reached else None,
            str(values.get("remarks") or ""),
            after,
            after_text if after else "",
        )

    def _record(
        self, reached: bool, score: int | None, remarks: str, after: bool, after_text: str
    ) -> None:
        from order_tui.services import delivery

        def change(actor: Actor, version: int) -> bool:
            return delivery.record_feedback(
                self.db,
                actor,
                self.order_no,
                reached=reached,
                satisfaction=score,
                remarks=remarks,
                after_sales_needed=after,
                after_sales=after_text,
                expected_version=version,
            )

        def done(closed: bool) -> None:
            key = "feedback.done.closed" if closed else "feedback.done.missed"
            self.notify(self.t(key, order_no=self.order_no))

        def refused(exc: Exception) -> None:
            self.failed(exc, {"after_sales": "after_sales_text"})

        self.write(change, done, refused)


# -- the after-sales list -------------------------------------------------------------------


class AfterSalesScreen(OrderListScreen):
    """Calls that asked for after-sales, newest first; Enter opens the order."""

    DETAIL = True

    def list_title(self) -> str:
        return self.t("after_sales.title")

    def enter_key(self) -> str | None:
        return "after_sales_open"

    def columns(self) -> list[Column]:
        return [
            Column(self.t("after_sales.col.order"), 13),
            Column(self.t("after_sales.col.customer"), 12, flex=2, max_width=30),
            Column(self.t("after_sales.col.day"), 5),
            Column(self.t("after_sales.col.score"), 4, align="right"),
            Column(self.t("after_sales.col.what"), 12, flex=3),
        ]

    def fetch(self, cursor: Any, limit: int) -> list[Any]:
        from order_tui.services import delivery

        assert self.actor is not None
        return delivery.after_sales_page(self.db, self.actor, cursor, limit)

    def matches(self, wanted: OrderFilter, text: str, item: Any) -> bool:
        row: AfterSalesRow = item
        return wanted.matches(row.order_no, row.customer) or text.strip() in row.after_sales

    def row(self, item: Any) -> Row:
        case: AfterSalesRow = item
        return Row(
            key=case.order_no,
            cells=(
                case.order_no,
                case.customer,
                stamp(case.done_at, self.db.timezone, self.lang, "%m-%d"),
                f"{case.satisfaction}/5" if case.satisfaction else "",
                case.after_sales,
            ),
            styles=("", "", "", "bold" if (case.satisfaction or 5) <= 2 else ""),
        )

    def highlighted(self, key: str | None) -> None:
        case: AfterSalesRow | None = self.items.get(key or "")
        text = ""
        if case is not None:
            none = self.t("detail.none")
            contact = " ".join(x for x in (case.contact_name, case.contact_phone) if x) or none
            text = self.t(
                "after_sales.detail",
                contact=contact,
                by=case.recorded_by or none,
                remarks=case.remarks or none,
            )
        self.query_one("#detail", Static).update(text)

    def open_order(self, order_no: str) -> None:
        from order_tui.screens.order_detail import OrderDetailScreen

        assert self.actor is not None
        self.app.push_screen(OrderDetailScreen(self.db, self.lang, self.actor, order_no))
