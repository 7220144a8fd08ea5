"""Home: what waits for the operator's roles, queue by queue, oldest first."""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Footer, Input, OptionList, Static

from order_tui.domain.lifecycle import Action
from order_tui.domain.roles import DEPARTMENT_ROLE, PERMISSIONS, Role
from order_tui.domain.terms import HOLD_KINDS, REJECT_REASONS
from order_tui.screens.base import OrderScreen, TitleBar
from order_tui.screens.export_dialog import EXPORT_BINDING, ExportKey
from order_tui.screens.fmt import local_time, money, short_day
from order_tui.screens.i18n import STRINGS, error_text, localize_bindings, pick, register, t
from order_tui.screens.palette import OrderFilter
from order_tui.widgets.field_input import FieldInput
from order_tui.widgets.grouped_table import Column, Group, GroupedOptions, GroupedTable, Row
from order_tui.widgets.status_line import app_now

if TYPE_CHECKING:
    from textual.screen import Screen

    from order_tui.services import Database
    from order_tui.services.common import Actor
    from order_tui.services.exports import ExportTable
    from order_tui.services.worklist import Queue, WorkItem

register(
    {
        "key.new_intake": ("新需求", "New intake"),
        "key.entry_new": ("新订单", "New order"),
        "key.inbox": ("审批", "Approvals"),
        "key.master_data": ("基础资料", "Master data"),
        "key.production_plans": ("生产计划", "Production"),
        "key.pick_list": ("拣货清单", "To pick"),
        "key.holds_list": ("挂起单", "Holds"),
        "key.completion_queue": ("待归档", "To close"),
        "key.archive_browser": ("归档查询", "Archive"),
        # step 5 lists (screens/shipping.py, screens/feedback.py)
        "key.ship_list": ("待发货", "To ship"),
        "key.feedback_queue": ("待回访", "Feedback"),
        "key.after_sales": ("售后清单", "After-sales"),
        "key.monthly_review": ("月度评审", "Monthly review"),
    }
)

# Step 5: the keys for its lists (who may open them) and the worklist queues whose rows
# open the action's form instead of the order detail.
STEP5_LISTS: dict[str, tuple[Role, ...]] = {
    "ship_list": (Role.LOGISTICS, Role.WAREHOUSE),
    "feedback_queue": (Role.SALES_REP,),
    "after_sales": (Role.SALES_MANAGER,),
}
STEP5_FORMS: dict[str, Action] = {
    "ship_order": Action.SHIP,
    "sign_off_order": Action.SIGN_OFF,
    "record_feedback_order": Action.RECORD_FEEDBACK,
}
STEP5_QUEUES: dict[str, tuple[Action, tuple[Role, ...]]] = {
    "to_ship": (Action.SHIP, (Role.LOGISTICS,)),
    "to_sign": (Action.SIGN_OFF, (Role.LOGISTICS, Role.SALES_REP)),
    "feedback": (Action.RECORD_FEEDBACK, (Role.SALES_REP,)),
}

FLAG_STYLE = "bold red"
FLAG_STYLE_NO_COLOR = "bold reverse"  # red turns to dark grey on dark grey without colour


def columns(lang: str, total_width: int = 10, date_width: int = 5) -> list[Column]:
    """For 80 columns: flag 4, order 13, customer >= 16, total, date, note >= 8."""
    return [
        Column(t("home.col.flag", lang), 4),
        Column(t("home.col.order", lang), 13),
        Column(t("home.col.customer", lang), 16, flex=3, max_width=40),
        Column(t("home.col.total", lang), total_width, align="right"),
        Column(t("home.col.wanted", lang), date_width),
        Column(t("home.col.note", lang), 8, flex=2),
    ]


def department(code: str, lang: str) -> str:
    key = f"dept.{code}"
    return t(key, lang) if key in STRINGS else code


def note_text(item: WorkItem, lang: str, timezone: str) -> str:
    """The item's note in the operator's language, from the structured fields (codes to
    labels, UTC to local time); the service's plain `note` when they are empty."""
    colon = "：" if lang == "zh" else ": "
    if item.queue == "review" and item.departments:
        return "/".join(department(d, lang) for d in item.departments)
    if item.queue == "returned" and item.rejected_by:
        reason = REJECT_REASONS.get(item.reason_code)
        detail = item.comment.strip() or (pick(reason, lang) if reason else item.reason_code)
        return department(item.rejected_by, lang) + colon + detail
    if item.queue == "holds" and item.hold_kind:
        kind = HOLD_KINDS.get(item.hold_kind)
        return (pick(kind, lang) if kind else item.hold_kind) + colon + item.comment
    if item.queue == "feedback" and item.due_at is not None:
        due = item.due_at if item.due_at.tzinfo else item.due_at.replace(tzinfo=UTC)
        return t("home.due", lang, when=local_time(due.isoformat(), timezone, "%m-%d %H:%M"))
    return item.note


def flag_text(item: WorkItem, lang: str) -> str:
    if item.on_hold and item.overdue:
        return t("home.hold_late", lang)
    if item.on_hold:
        return t("home.hold", lang)
    if item.overdue:
        return t("home.late", lang)
    return ""


class HomeScreen(ExportKey, OrderScreen):
    """The worklist. Enter opens the order under the cursor; F5 reloads."""

    DEFAULT_CSS = """
    HomeScreen #status {
        height: 1;
        padding: 0 1;
        color: $text-muted;
    }
    HomeScreen #filter-row {
        display: none;
        height: 1;
        padding: 0 1;
    }
    HomeScreen #filter-row.-active {
        display: block;
    }
    HomeScreen #filter-label {
        width: auto;
        text-style: bold;
        padding-right: 1;
    }
    HomeScreen #filter {
        width: 1fr;
    }
    """

    # Priority: the app runs these before it routes the next key, so what is typed right
    # after one (a burst such as "b/精密" read at once over SSH) goes to the screen it opens,
    # which the app holds such keys for until it has mounted (screens/typeahead.py), instead
    # of to this list. A letter typed into the filter stays text: an Input consumes it first.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("i", "new_intake", "New intake", id="new_intake", priority=True),
        Binding("n", "new_order", "New order", id="entry_new", priority=True),
        Binding("v", "inbox", "Approval inbox", id="inbox", priority=True),
        Binding("t", "ship_list", "To ship", id="ship_list", priority=True),
        Binding("f", "feedback_queue", "Feedback calls", id="feedback_queue", priority=True),
        # The manager's footer is full with approvals: F1 and Ctrl+P list this one.
        Binding("a", "after_sales", "After-sales", id="after_sales", show=False, priority=True),
        Binding(
            "m", "monthly_review", "Monthly review", id="monthly_review", show=False, priority=True
        ),
        Binding("f7", "master_data", "Master data", id="master_data", show=False, priority=True),
        Binding("p", "production_plans", "Production plans", id="production_plans", priority=True),
        Binding("k", "pick_list", "Orders to pick", id="pick_list", priority=True),
        Binding("h", "holds_list", "Holds", id="holds_list", priority=True),
        Binding("c", "completion_queue", "To close", id="completion_queue", priority=True),
        # Every role may browse the archive: shown in the footer it would push F1 and Ctrl+Q
        # off 80 columns for all of them; F1, Ctrl+P and README list it.
        Binding("b", "archive_browser", "Archive", id="archive_browser", show=False, priority=True),
        Binding(
            "slash", "filter", "Filter", id="filter", key_display="/", show=False, priority=True
        ),
        Binding("escape", "clear_filter", "Clear filter", id="clear_filter", show=False),
        EXPORT_BINDING,
    ]
    EXPORT_NAME = "worklist"
    HELP_EXTRA: ClassVar[list[tuple[str, str]]] = [
        ("Up / Down", "key.move"),
        ("PgUp / PgDn", "key.page"),
    ]
    HELP_NOTES: ClassVar[list[str]] = ["help.marks", "help.filter"]

    def __init__(self, db: Database, lang: str, actor: Actor) -> None:
        super().__init__(db, lang, actor)
        self.queues: list[Queue] = []
        self.filter = OrderFilter.parse("")
        self.summary = ""

    def compose(self) -> ComposeResult:
        yield TitleBar(self.title_text(self.t("home.title")))
        yield GroupedTable(columns(self.lang), id="worklist")
        with Horizontal(id="filter-row"):
            yield Static(self.t("home.filter") + " /", id="filter-label", markup=False)
            yield FieldInput(placeholder=self.t("home.filter_ph"), id="filter", compact=True)
        yield Static(self.t("home.loading"), id="status", markup=False)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one(GroupedTable)
        localize_bindings(table.options, self.lang)
        table.focus()
        self.reload()

    def reload(self) -> None:
        self.query_one("#status", Static).update(self.t("home.loading"))
        self.load()

    def on_screen_resume(self) -> None:
        # Back from an order or a list: a hold raised or released there shows at once.
        if self.summary:
            self.reload()

    @work(thread=True, exclusive=True, group="worklist", exit_on_error=False)
    def load(self) -> None:
        from order_tui.services import worklist

        assert self.actor is not None
        try:
            queues = worklist.worklist(self.db, self.actor)
        except Exception as exc:  # show it and stay usable; F5 tries again
            self.app.call_from_thread(self._failed, exc)
        else:
            self.app.call_from_thread(self._show, queues)

    def _failed(self, exc: Exception) -> None:
        if not self.is_attached:  # the operator left before the result came
            return
        self.query_one("#status", Static).update(
            self.t("home.error", error=error_text(exc, self.lang))
        )

    def _show(self, queues: list[Queue]) -> None:
        if not self.is_attached:  # the operator left before the result came
            return
        self.queues = queues
        items = [item for queue in queues for item in queue.items]
        held = sum(i.on_hold for i in items)
        late = sum(i.overdue for i in items)
        now = app_now(self.app, self.db.timezone)
        self.summary = self.t(
            "home.summary", count=len(items), held=held, late=late, time=now.strftime("%H:%M")
        )
        if queues and not items:
            self.summary = self.t("home.nothing") + "  " + self.summary
        self._render_queues()

    def _render_queues(self) -> None:
        """The queues as loaded, cut down to the rows the `/` filter lets through."""
        queues = self.queues
        this_year = app_now(self.app, self.db.timezone).year
        items = [item for queue in queues for item in queue.items]
        other_year = any(i.wanted_date and i.wanted_date.year != this_year for i in items)
        total_width = max([len(money(i.total)) for i in items] + [6])
        table = self.query_one(GroupedTable)
        table.columns = columns(self.lang, total_width, 8 if other_year else 5)
        groups = []
        shown = 0
        for q in queues:
            rows = [i for i in q.items if self._passes(i)]
            shown += len(rows)
            count = f"{len(rows)}/{len(q.items)}" if self.filter else str(len(q.items))
            label = pick(q.label, self.lang)
            groups.append(
                Group(
                    f"{label}（{count}）" if self.lang == "zh" else f"{label} ({count})",
                    [self._row(item, this_year) for item in rows],
                    empty=self.t("home.empty_queue"),
                )
            )
        if not queues:
            groups = [Group(self.t("home.no_queues"))]
        table.set_groups(groups)
        status = self.summary
        if self.filter:
            status = self.t("home.filtered", shown=shown, count=len(items))
        self.query_one("#status", Static).update(status)

    def _passes(self, item: WorkItem) -> bool:
        return not self.filter or self.filter.matches(item.order_no, item.customer, item.total)

    def _row(self, item: WorkItem, this_year: int) -> Row:
        flag = flag_text(item, self.lang)
        style = FLAG_STYLE_NO_COLOR if self.app.no_color else FLAG_STYLE
        return Row(
            key=f"{item.queue}:{item.order_no}",
            cells=(
                flag,
                item.order_no,
                item.customer,
                money(item.total),
                short_day(item.wanted_date, this_year),
                note_text(item, self.lang, self.db.timezone),
            ),
            styles=(style if flag else "", "", "", "", style if item.overdue else ""),
        )

    def export_table(self) -> ExportTable:
        """F8: the worklist from the service again, as far as the `/` filter lets it through."""
        from order_tui.services import exports

        assert self.actor is not None
        lang, tz = self.lang, self.db.timezone
        return exports.worklist_table(
            self.db,
            self.actor,
            lang,
            notes=lambda item: note_text(item, lang, tz),
            keep=self._passes,
        )

    def order_in_view(self) -> WorkItem | None:
        """The order under the cursor: Ctrl+P offers what may be done to it."""
        key = self.query_one(GroupedTable).highlighted_key
        for queue in self.queues:
            for item in queue.items:
                if f"{item.queue}:{item.order_no}" == key:
                    return item
        return None

    # -- `/` filter -----------------------------------------------------------------------------

    @property
    def filtering(self) -> bool:
        return self.query_one("#filter-row").has_class("-active")

    def action_filter(self) -> None:
        """`/`: type to narrow the list; Enter goes back to the list, Esc clears."""
        self.query_one("#filter-row").add_class("-active")
        # at once, not `focus()`: the keys typed right after "/" are routed next
        self.set_focus(self.query_one("#filter", Input))
        self.refresh_bindings()

    def action_clear_filter(self) -> None:
        self.query_one("#filter-row").remove_class("-active")
        self.query_one("#filter", Input).value = ""  # Input.Changed re-renders the list
        self.filter = OrderFilter.parse("")
        self._render_queues()
        self.query_one(GroupedOptions).focus()
        self.refresh_bindings()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.filter = OrderFilter.parse(event.value)
        self._render_queues()

    @on(Input.Submitted, "#filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        event.stop()
        if not self.filter:
            self.action_clear_filter()
            return
        self.query_one(GroupedOptions).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_filter":
            return self.is_mounted and self.filtering
        if action == "new_order":  # order entry is the sales clerk's
            return self.actor is not None and bool(self.actor.roles & PERMISSIONS["create_order"])
        if action == "inbox":  # the departments that review
            return self.actor is not None and any(
                role in self.actor.roles for role in DEPARTMENT_ROLE.values()
            )
        if action == "production_plans":
            return self.actor is not None and Role.PRODUCTION in self.actor.roles
        if action == "pick_list":
            return self.actor is not None and Role.WAREHOUSE in self.actor.roles
        if action == "holds_list":  # the clerk resolves holds with the customer
            return self.actor is not None and self.actor.has(Role.SALES_CLERK, Role.SALES_MANAGER)
        if action == "completion_queue":  # the archivist completes and archives
            from order_tui.screens.archive import may_complete

            return may_complete(self.actor)
        if action == "archive_browser":  # every role that reads orders
            from order_tui.screens.archive import may_browse

            return may_browse(self.actor)
        if action == "new_intake":  # sales rep and clerk take requirements
            return self.actor is not None and bool(
                self.actor.roles & PERMISSIONS["record_requirement"]
            )
        if action == "monthly_review":
            return self.actor is not None and Role.SALES_MANAGER in self.actor.roles
        if action in STEP5_LISTS:
            return self.actor is not None and self.actor.has(*STEP5_LISTS[action])
        if action in STEP5_FORMS:  # the palette's lifecycle action on the row under the cursor
            item = self.order_in_view()
            return item is not None and STEP5_FORMS[action] in item.actions
        return True

    def _push_list(self, screen: Screen[object]) -> None:
        self.app.push_screen(screen, callback=lambda _result: self.reload())

    def action_ship_list(self) -> None:
        """`t`: packed orders to ship, earliest wanted date first (logistics)."""
        from order_tui.screens.shipping import ShippingListScreen

        assert self.actor is not None
        self._push_list(ShippingListScreen(self.db, self.lang, self.actor))

    def action_feedback_queue(self) -> None:
        """`f`: the feedback calls due, by due time (sales rep)."""
        from order_tui.screens.feedback import FeedbackQueueScreen

        assert self.actor is not None
        self._push_list(FeedbackQueueScreen(self.db, self.lang, self.actor))

    def action_after_sales(self) -> None:
        """`a`: orders whose feedback asked for after-sales, newest first (sales manager)."""
        from order_tui.screens.feedback import AfterSalesScreen

        assert self.actor is not None
        self._push_list(AfterSalesScreen(self.db, self.lang, self.actor))

    def action_monthly_review(self) -> None:
        """`m`: the month's figures, charts and review notes (sales manager)."""
        from order_tui.screens.monthly_review import MonthlyReviewScreen

        assert self.actor is not None
        self.app.push_screen(MonthlyReviewScreen(self.db, self.lang, self.actor))

    def _step5_form(self, action: Action) -> None:
        from order_tui.screens.delivery_common import form_for

        item = self.order_in_view()
        if item is None or self.actor is None:
            return
        self._push_list(form_for(action, self.db, self.lang, self.actor, item.order_no))

    def action_ship_order(self) -> None:
        self._step5_form(Action.SHIP)

    def action_sign_off_order(self) -> None:
        self._step5_form(Action.SIGN_OFF)

    def action_record_feedback_order(self) -> None:
        self._step5_form(Action.RECORD_FEEDBACK)

    def action_new_intake(self) -> None:
        """`i`: a new Customer Requirement Registration Form (sales rep, sales clerk)."""
        from order_tui.screens.intake import IntakeScreen

        assert self.actor is not None
        self.app.push_screen(IntakeScreen(self.db, self.lang, self.actor))

    def action_new_order(self) -> None:
        """`n`: a new sales order (step 2); the worklist reloads when the screen closes."""
        from order_tui.screens.order_entry import OrderEntryScreen

        assert self.actor is not None
        entry = OrderEntryScreen(self.db, self.lang, self.actor)
        self.app.push_screen(entry, callback=lambda _result: self.reload())

    def action_inbox(self) -> None:
        """`v`: the approval inbox of my departments; the worklist reloads on return."""
        from order_tui.screens.inbox import InboxScreen

        assert self.actor is not None
        inbox = InboxScreen(self.db, self.lang, self.actor)
        self.app.push_screen(inbox, callback=lambda _result: self.reload())

    def action_production_plans(self) -> None:
        """`p`: orders to plan and the open production plans (production)."""
        from order_tui.screens.production import ProductionListScreen

        assert self.actor is not None
        self.app.push_screen(ProductionListScreen(self.db, self.lang, self.actor))

    def action_pick_list(self) -> None:
        """`k`: the orders to pick, by requested delivery date (warehouse)."""
        from order_tui.screens.picking import PickListScreen

        assert self.actor is not None
        self.app.push_screen(PickListScreen(self.db, self.lang, self.actor))

    def action_holds_list(self) -> None:
        """`h`: the holds to resolve with the customer (sales clerk, sales manager)."""
        from order_tui.screens.holds import HoldsScreen

        assert self.actor is not None
        self.app.push_screen(HoldsScreen(self.db, self.lang, self.actor))

    def action_completion_queue(self) -> None:
        """`c`: orders to complete and archive, with their missing documents (archivist)."""
        from order_tui.screens.archive import CompletionScreen

        assert self.actor is not None
        self._push_list(CompletionScreen(self.db, self.lang, self.actor))

    def action_archive_browser(self) -> None:
        """`b`: search the archived orders and open one read only."""
        from order_tui.screens.archive import ArchiveBrowser

        assert self.actor is not None
        self.app.push_screen(ArchiveBrowser(self.db, self.lang, self.actor))

    def action_master_data(self) -> None:
        """F7: customers, products, stock and (admin) operators."""
        from order_tui.screens.masterdata import MasterDataScreen

        assert self.actor is not None
        self.app.push_screen(MasterDataScreen(self.db, self.lang, self.actor))

    @on(OptionList.OptionSelected)
    def _open(self, event: OptionList.OptionSelected) -> None:
        if not event.option_id:
            return
        assert self.actor is not None
        queue, order_no = event.option_id.split(":", 1)
        if queue in STEP5_QUEUES and self.actor.has(*STEP5_QUEUES[queue][1]):
            # Orders waiting to ship, to be signed for or for their call open on the form.
            from order_tui.screens.delivery_common import form_for

            action = STEP5_QUEUES[queue][0]
            self._push_list(form_for(action, self.db, self.lang, self.actor, order_no))
            return
        if queue == "review":
            # An order waiting for my verdict opens where the verdict is given.
            from order_tui.screens.review import ReviewScreen

            review = ReviewScreen(self.db, self.lang, self.actor, order_no)
            self.app.push_screen(review, callback=lambda _result: self.reload())
            return
        pick = queue == "picking" or (queue == "to_pick" and Role.WAREHOUSE in self.actor.roles)
        if pick:  # the warehouse picks where it scans
            from order_tui.screens.picking import PickScreen

            self.app.push_screen(PickScreen(self.db, self.lang, self.actor, order_no))
            return
        if queue in ("production", "to_pick"):  # production plans approved orders
            from order_tui.screens.production import ProductionPlanScreen

            plan = ProductionPlanScreen(self.db, self.lang, self.actor, order_no)
            self.app.push_screen(plan)
            return
        from order_tui.screens.order_detail import OrderDetailScreen

        self.app.push_screen(OrderDetailScreen(self.db, self.lang, self.actor, order_no))
