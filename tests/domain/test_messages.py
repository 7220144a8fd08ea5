"""The message catalog: both languages, the same placeholders, and every code raised exists."""

import ast
import string
from pathlib import Path

import pytest

import order_tui
from order_tui.domain import messages
from order_tui.domain.errors import Coded, Conflict, ValidationError

SRC = Path(order_tui.__file__).parent


def _load_all_modules() -> None:
    # Catalog entries are registered by the modules that raise them.
    import importlib
    import pkgutil

    for info in pkgutil.walk_packages([str(SRC)], "order_tui."):
        if (
            info.name.endswith(("__main__", ".app"))
            or ".screens" in info.name
            or ".migrations" in info.name
        ):
            continue
        importlib.import_module(info.name)


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_message_has_both_languages_with_the_same_placeholders() -> None:
    _load_all_modules()
    for code, (zh, en) in messages.MESSAGES.items():
        assert zh and en, code
        assert _fields(zh) == _fields(en), code


def _codes_in_source() -> list[tuple[Path, int, str]]:
    found = []
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            for kw in node.keywords:
                value = kw.value
                if (
                    kw.arg == "code"
                    and isinstance(value, ast.Constant)
                    and isinstance(value.value, str)
                ):
                    found.append((path, node.lineno, value.value))
    return found


def test_every_code_raised_is_in_the_catalog() -> None:
    _load_all_modules()
    missing = [f"{p.name}:{line} {code}" for p, line, code in _codes_in_source()]
    missing = [m for m in missing if m.split()[-1] not in messages.MESSAGES]
    assert not missing


def test_a_coded_error_speaks_both_languages() -> None:
    messages.register(
        {"test.qty": ("第{line}行：数量须大于零", "line {line}: quantity must be > 0")}
    )
    error = ValidationError(code="test.qty", field="qty", line=3)
    assert str(error) == "line 3: quantity must be > 0"
    assert error.field == "qty" and error.params == {"line": 3}
    assert messages.localized(error, "zh") == "第3行：数量须大于零"
    assert messages.localized(error, "en") == "line 3: quantity must be > 0"


def test_pair_parameters_are_picked_by_language() -> None:
    messages.register({"test.status": ("订单状态为{status}", "the order is {status}")})
    error = Conflict(code="test.status", changed_by="zhao", status=("已归档", "archived"))
    assert messages.localized(error, "zh") == "订单状态为已归档"
    assert str(error) == "the order is archived"
    assert error.changed_by == "zhao"


def test_an_uncoded_error_is_shown_as_written() -> None:
    assert messages.localized(ValidationError("plain", "x"), "zh") == "plain"


def test_a_code_defined_twice_with_other_text_is_refused() -> None:
    messages.register({"test.twice": ("一", "one")})
    with pytest.raises(ValueError, match="defined twice"):
        messages.register({"test.twice": ("二", "two")})


# Files allowed to raise uncoded errors for a while (e.g. a branch still converting one);
# empty now that every service is coded.
NOT_YET_CODED: set[str] = set()


def _coded_classes() -> set[str]:
    _load_all_modules()
    names: set[str] = set()
    todo: list[type] = [Coded]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("order_tui.") and sub.__name__ not in names:
                names.add(sub.__name__)
                todo.append(sub)
    return names


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def test_every_error_an_operator_can_see_is_made_with_a_code() -> None:
    """`raise ValidationError("English")` would show English in a Chinese session.

    Every construction of a coded error (DomainError and its kin, InvalidCode, InvalidAmount...)
    passes `code=`; re-raising an error object that already has one (`raise exc`) is fine.
    """
    coded = _coded_classes()
    assert {"ValidationError", "GuardFailed", "InvalidCode", "InvalidAmount"} <= coded
    uncoded = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC).as_posix()
        if relative in NOT_YET_CODED:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and _called_name(node) in coded
                and not any(kw.arg == "code" for kw in node.keywords)
            ):
                uncoded.append(f"{relative}:{node.lineno} {_called_name(node)}")
    assert not uncoded, "errors without a message code:\n" + "\n".join(uncoded)


def test_the_not_yet_coded_files_exist() -> None:
    # When one is renamed or removed, the list above must follow.
    assert all((SRC / name).is_file() for name in NOT_YET_CODED)
