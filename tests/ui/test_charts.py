"""Text charts: they fit the width they are given, line up Chinese labels (two cells a
character) and stay pure ASCII in ASCII mode."""

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from order_tui.widgets.charts import Bar, Col, bar_chart, fit, line_chart, sparkline, text_table

LABELS = ["北京科技有限公司", "上海机电设备制造有限公司（华东分公司）", "ABC Ltd", "工业控制器"]
values = st.lists(st.integers(0, 10_000), min_size=1, max_size=100)


def _lines(text: str) -> list[str]:
    return text.split("\n")


bar_rows = st.lists(
    st.tuples(st.sampled_from(LABELS), st.integers(0, 10**7)), min_size=1, max_size=12
)


@given(bar_rows, st.integers(30, 160), st.booleans())
def test_bar_chart_fits_and_aligns(rows: list[tuple[str, int]], width: int, ascii: bool) -> None:
    bars = [Bar(label, value, f"{value:,}") for label, value in rows]
    lines = _lines(bar_chart(bars, width, ascii=ascii).plain)
    assert len(lines) == len(bars)
    assert {cell_len(line) for line in lines} == {max(cell_len(line) for line in lines)}
    assert all(cell_len(line) <= width for line in lines)
    # every bar starts in the same cell, whatever the width of the label's characters
    label_w = min(max(cell_len(b.label) for b in bars), max(6, width // 3))
    for line, bar in zip(lines, bars, strict=True):
        assert cell_len(fit(bar.label, label_w, ascii=ascii)) == label_w
        assert line.endswith(bar.text)


def test_largest_bar_fills_the_room_and_small_ones_still_show() -> None:
    lines = _lines(bar_chart([Bar("甲", 1000, "1000"), Bar("乙", 1, "1")], 40).plain)
    assert lines[0].count("█") > 20
    assert "▏" in lines[1]  # 1/1000 of the room is less than a cell: a sliver, not nothing
    ascii_lines = _lines(
        bar_chart([Bar("甲", 1000), Bar("乙", 1), Bar("丙", 0)], 40, ascii=True).plain
    )
    assert ascii_lines[1].count("#") == 1 and "#" not in ascii_lines[2]


def test_long_labels_are_cut_with_a_mark() -> None:
    assert fit("上海机电设备制造有限公司", 9) == "上海机电…"
    assert fit("上海机电设备制造有限公司", 9, ascii=True) == "上海机电~"
    assert fit("ABC", 5) == "ABC  "


@given(values, st.integers(20, 160), st.integers(2, 12), st.booleans())
def test_line_chart_fits(series: list[int], width: int, height: int, ascii: bool) -> None:
    labels = [(0, "1"), (len(series) - 1, str(len(series)))]
    text = line_chart(series, width, height, x_labels=labels, ascii=ascii).plain
    lines = _lines(text)
    assert len(lines) == height + 2  # the rows, the axis, the labels
    assert all(cell_len(line) <= width for line in lines)
    if ascii:
        assert text.isascii()
    # one point per value shown: all of them, or the latest that fit
    room = width - len(str(max(max(series), 1))) - 2
    points = sum(line.count("*" if ascii else "●") for line in lines)
    assert points == min(len(series), room)


def test_line_chart_marks_the_top_value_on_the_top_row() -> None:
    lines = _lines(line_chart([0, 3, 6, 2], 40, 4).plain)
    assert lines[0].startswith("6 ") and "●" in lines[0]
    assert lines[3].startswith("0 ")


def test_sparkline() -> None:
    assert sparkline([0, 1, 8]).plain == " ▁█"
    assert sparkline([0, 1, 8], ascii=True, cell=2).plain == "  __##"
    assert sparkline([0, 0]).plain == "  "


@given(st.integers(40, 160), st.lists(st.sampled_from(LABELS), min_size=1, max_size=5))
def test_text_table_fits(width: int, names: list[str]) -> None:
    cols = [
        Col("订单号", 13),
        Col("客户", flex=2),
        Col("金额", 10, right=True),
        Col("说明", flex=1),
    ]
    rows = [("SO20261101001", name, "7,256.00", name) for name in names]
    lines = _lines(text_table(cols, rows, width).plain)
    assert len(lines) == len(rows) + 1
    assert all(cell_len(line) <= width for line in lines)
    # the amount column ends in the same cell on every row
    ends = {cell_len(line[: line.index("7,256.00")]) for line in lines[1:]}
    assert len(ends) == 1
