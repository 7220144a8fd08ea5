"""`order-tui export LIST` and `order-tui import KIND PATH`, plus `print sales-order`."""

import csv
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from order_tui.cli import main
from tests import pg

SAMPLES = Path(__file__).resolve().parents[2] / "sample_data" / "import"


def _env(mp: pytest.MonkeyPatch, folder: Path) -> None:
    mp.setenv("ORDER_TUI_DB", str(folder / "orders.db"))  # PostgreSQL: see demo_env
    mp.setenv("ORDER_TUI_PIN", "1234")
    mp.setenv("XDG_CONFIG_HOME", str(folder / "cfg"))
    mp.setenv("XDG_DATA_HOME", str(folder / "data"))
    mp.setenv("LANG", "C.UTF-8")
    mp.delenv("LC_ALL", raising=False)
    mp.delenv("LC_MESSAGES", raising=False)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli-demo")
    if pg.on_postgres():
        return folder  # the demo is a snapshot of the worker database (tests/pg.py)
    with pytest.MonkeyPatch.context() as mp:
        _env(mp, folder)
        assert main(["demo", "--prepare"]) == 0
    return folder / "orders.db"


@pytest.fixture
def demo_env(template: Path, tmp_path: Path) -> Iterator[Path]:
    with pytest.MonkeyPatch.context() as mp:
        _env(mp, tmp_path)
        if pg.on_postgres():
            pg.demo_for_cli(mp, tmp_path)
        else:
            shutil.copy(template, tmp_path / "orders.db")
        yield tmp_path


def test_export_lists(demo_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = demo_env / "out" / "orders.csv"
    assert (
        main(
            [
                "export",
                "orders",
                "--status",
                "draft",
                "--out",
                str(out),
                "--lang",
                "zh",
                "--user",
                "zhao",
            ]
        )
        == 0
    )
    assert f"{out}" in capsys.readouterr().out
    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    assert rows[0][:3] == ["订单号", "下单日期", "状态"]
    assert len(rows) > 1 and all(r[2] == "草稿" for r in rows[1:])

    assert (
        main(["export", "customers", "--format", "xlsx", "--out", str(demo_env), "--user", "zhao"])
        == 0
    )
    path = Path(capsys.readouterr().out.split("  (")[0])
    assert path.parent == demo_env and path.suffix == ".xlsx"
    sheet = load_workbook(path).active
    assert sheet["A1"].value == "Code" and sheet["B2"].value == "北京华宇科技有限公司"

    assert main(["export", "worklist", "--user", "zhao"]) == 0
    written = Path(capsys.readouterr().out.split("  (")[0])
    assert written.parent.name == "exports" and written.suffix == ".xlsx"
    assert main(["export", "inbox", "--user", "chen", "--format", "csv"]) == 0
    assert ".csv" in capsys.readouterr().out
    assert main(["export", "orders", "--status", "nonsense"]) == 1


def test_import_report_and_exit_codes(
    demo_env: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "products.csv"
    bad.write_text(
        "产品编码,产品名称,单位,标准价\nP9001,新品,台,100\nP9002,坏价,台,abc\n", encoding="utf-8"
    )
    assert main(["import", "products", str(bad), "--user", "zhang", "--lang", "zh"]) == 1
    out = capsys.readouterr().out
    assert "未导入任何数据" in out and "第 3 行  标准价" in out
    assert main(["import", "products", str(bad), "--user", "zhang", "--skip-bad"]) == 0
    out = capsys.readouterr().out
    assert "1 imported" in out and "row 3  List price" in out
    path = SAMPLES / "customers.csv"
    assert main(["import", "customers", str(path), "--user", "zhao"]) == 0
    assert "2 imported" in capsys.readouterr().out
    assert main(["import", "customers", str(path), "--user", "zhou"]) == 1  # no such role


def test_print_sales_order(demo_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    assert main(["orders", "list", "--status", "approved", "--json", "--user", "zhao"]) == 0
    number = json.loads(capsys.readouterr().out)[0]["order_no"]
    assert main(["print", "sales-order", number, "--user", "zhao"]) == 0
    path = Path(capsys.readouterr().out.strip())
    assert path.name == f"{number}-sales-order.pdf"
    text = PdfReader(path).pages[0].extract_text()
    assert number in text and "人民币" in text
