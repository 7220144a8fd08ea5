"""`order-tui print pick-list|packing-slip|receipt ORDER_NO [--out PATH]`."""

import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from order_tui.cli import main
from tests import pg


@pytest.fixture
def demo_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ORDER_TUI_PIN", "1234")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    pg.demo_for_cli(monkeypatch, tmp_path)
    return tmp_path


def _number(capsys: pytest.CaptureFixture[str], status: str) -> str:
    assert main(["orders", "list", "--status", status, "--json", "--user", "zhao"]) == 0
    return str(json.loads(capsys.readouterr().out)[0]["order_no"])


def test_print_each_document(demo_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    picking = _number(capsys, "picking")
    out = demo_env / "pick.pdf"
    assert main(["print", "pick-list", picking, "--user", "liu", "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    text = PdfReader(out).pages[0].extract_text()
    assert picking in text and "上海浦江精密机械有限公司" in text

    shipped = _number(capsys, "shipped")
    assert main(["print", "receipt", shipped, "--user", "zhou"]) == 0
    written = Path(capsys.readouterr().out.strip())
    assert written.name == f"{shipped}-receipt.pdf" and written.parent.name == "documents"
    assert "广州天河恒泰贸易有限公司" in PdfReader(written).pages[0].extract_text()

    packed = _number(capsys, "packed")
    assert main(["print", "packing-slip", packed, "--user", "liu", "--out", str(demo_env)]) == 0
    assert Path(capsys.readouterr().out.strip()) == demo_env / f"{packed}-packing-slip.pdf"


def test_print_out_of_turn_is_one_line(demo_env: Path, capsys: pytest.CaptureFixture[str]):
    draft = _number(capsys, "draft")
    assert main(["print", "receipt", draft, "--user", "zhao"]) == 1
    err = capsys.readouterr().err
    assert err.strip() == "order-tui: error: Delivery receipt: not for an order that is Draft"
