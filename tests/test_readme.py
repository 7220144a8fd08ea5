"""README and the code agree on what users rely on."""

from pathlib import Path

from order_tui.domain.lifecycle import markdown_table

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_shows_the_current_lifecycle_table() -> None:
    assert markdown_table() in README.read_text(encoding="utf-8")


def test_readme_has_the_two_setup_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert ".venv/bin/pip install -e . && .venv/bin/order-tui demo" in text
    assert ".venv/bin/pip install -e '.[test]' && .venv/bin/pytest" in text
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert ".venv/bin/pip install -e '.[test]' && .venv/bin/pytest" in ci
