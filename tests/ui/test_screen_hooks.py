"""The screen bases declare their hooks with @abstractmethod (Textual's metaclass does not mix
with ABCMeta, so Python would not stop an incomplete screen): this test does. Every class in
order_tui.screens that is not itself a base (a class declaring hooks of its own) must
implement every hook it inherits."""

import importlib
import inspect
import pkgutil

import order_tui.screens


def _screen_classes() -> list[type]:
    classes: dict[str, type] = {}
    for info in pkgutil.iter_modules(order_tui.screens.__path__, "order_tui.screens."):
        module = importlib.import_module(info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__.startswith("order_tui.screens"):
                classes[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return list(classes.values())


def _declares_hooks(cls: type) -> bool:
    return any(getattr(v, "__isabstractmethod__", False) for v in vars(cls).values())


def _open_hooks(cls: type) -> list[str]:
    return sorted(
        name
        for name in dir(cls)
        if getattr(getattr(cls, name, None), "__isabstractmethod__", False)
    )


def test_there_are_bases_with_hooks() -> None:
    bases = [c.__qualname__ for c in _screen_classes() if _declares_hooks(c)]
    assert {"PagedListScreen", "MdListScreen", "DeliveryForm", "FieldDialog"} <= set(bases)


def test_every_concrete_screen_implements_the_hooks_it_inherits() -> None:
    classes = _screen_classes()
    # A base, and any class another screen builds on, may leave hooks to its subclasses.
    parents = {b for c in classes for b in c.__mro__[1:]}
    missing = {
        c.__qualname__: _open_hooks(c)
        for c in classes
        if not _declares_hooks(c) and c not in parents and _open_hooks(c)
    }
    assert not missing, missing
