"""The text rules every stored string passes (domain/text.py): the fast path for printable
text decides exactly as the walk through every character does."""

import unicodedata

from hypothesis import example, given
from hypothesis import strategies as st

from order_tui.domain.text import text_problem


def _walked(value: str, most: int | None) -> tuple[str, dict[str, object]] | None:
    """The rule, stated plainly: the first forbidden character, else the length."""
    for position, ch in enumerate(value, start=1):
        category = unicodedata.category(ch)
        if category == "Cc" and ch not in "\t\n\r":
            return "text.control", {"position": position}
        if category == "Cs":
            return "text.unencodable", {"position": position}
    if most is not None and len(value) > most:
        return "text.too_long", {"most": most, "count": len(value)}
    return None


@given(st.text(st.characters(codec=None, exclude_categories=())), st.none() | st.integers(0, 40))
@example("订单 SO20261127001 华宇精密电子", 8)
@example("line\tone\nline two\r", None)
@example("\x1b[2J", None)
@example("ok\ud800", None)
@example("\u200b\u00a0\u2028 invisible but storable", None)
@example("", 0)
def test_fast_path_decides_as_the_walk(value: str, most: int | None) -> None:
    problem = text_problem(value, most)
    found = None if problem is None else (problem.code, dict(problem.params))
    assert found == _walked(value, most)
