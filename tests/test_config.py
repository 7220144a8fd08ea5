"""Configuration layering, path handling and error messages."""

from __future__ import annotations

import tomllib
from pathlib import Path

import platformdirs
import pytest

from order_tui import config as config_mod
from order_tui.config import (
    Config,
    ConfigError,
    load_config,
    path_to_sqlite_url,
    save_user_config,
)


@pytest.fixture
def dirs(tmp_path: Path) -> dict[str, Path]:
    """Separate site, user-config and user-data dirs under tmp_path, none created yet."""
    return {
        "site": tmp_path / "site",
        "user": tmp_path / "user",
        "data": tmp_path / "data",
    }


def _load(dirs: dict[str, Path], **kwargs: object) -> Config:
    kwargs.setdefault("env", {})
    return load_config(
        site_config_dir=dirs["site"],
        user_config_dir=dirs["user"],
        user_data_dir=dirs["data"],
        **kwargs,  # type: ignore[arg-type]
    )


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _url(path: Path) -> str:
    return "sqlite:///" + path.as_posix()


# --- defaults -----------------------------------------------------------------------


def test_defaults_use_data_dir(dirs: dict[str, Path]) -> None:
    cfg = _load(dirs)
    assert cfg.data_dir == dirs["data"]
    assert cfg.db_url == _url(dirs["data"] / "orders.db")
    assert cfg.db_path == dirs["data"] / "orders.db"
    assert cfg.attachments_dir == dirs["data"] / "attachments"
    assert cfg.timezone == "Asia/Shanghai"
    assert cfg.retention_years == 3
    assert cfg.lang == "zh"
    assert cfg.sources == ("defaults",)


def test_defaults_come_from_platformdirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(platformdirs, "site_config_dir", lambda app: str(tmp_path / "s" / app))
    monkeypatch.setattr(platformdirs, "user_config_dir", lambda app: str(tmp_path / "u" / app))
    monkeypatch.setattr(platformdirs, "user_data_dir", lambda app: str(tmp_path / "d" / app))
    _write(tmp_path / "u" / "order-tui" / "config.toml", '[ui]\nlang = "en"\n')

    cfg = load_config(env={})

    assert cfg.data_dir == tmp_path / "d" / "order-tui"
    assert cfg.db_path == tmp_path / "d" / "order-tui" / "orders.db"
    assert cfg.lang == "en"
    assert config_mod.user_config_path() == tmp_path / "u" / "order-tui" / "config.toml"


def test_load_config_creates_nothing(dirs: dict[str, Path], tmp_path: Path) -> None:
    before = sorted(tmp_path.rglob("*"))
    _load(dirs, db=str(tmp_path / "deep" / "x.db"))
    assert sorted(tmp_path.rglob("*")) == before


def test_env_defaults_to_os_environ(dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDER_TUI_DB", "/srv/from-environ.db")
    cfg = load_config(
        site_config_dir=dirs["site"], user_config_dir=dirs["user"], user_data_dir=dirs["data"]
    )
    assert cfg.db_url == "sqlite:////srv/from-environ.db"


# --- precedence -----------------------------------------------------------------------


def test_site_config_overrides_defaults(dirs: dict[str, Path]) -> None:
    site = _write(
        dirs["site"] / "config.toml",
        '[paths]\ndata_dir = "/var/lib/order-tui"\n[business]\nretention_years = 5\n',
    )
    cfg = _load(dirs)
    assert cfg.data_dir == Path("/var/lib/order-tui")
    # The default database follows the configured data dir.
    assert cfg.db_url == "sqlite:////var/lib/order-tui/orders.db"
    assert cfg.retention_years == 5
    assert cfg.sources == ("defaults", f"site config {site}")


def test_user_config_overrides_site(dirs: dict[str, Path]) -> None:
    site = _write(
        dirs["site"] / "config.toml",
        '[database]\nurl = "/srv/site.db"\n[ui]\nlang = "en"\n[business]\nretention_years = 7\n',
    )
    user = _write(dirs["user"] / "config.toml", '[database]\nurl = "/srv/user.db"\n')
    cfg = _load(dirs)
    assert cfg.db_url == "sqlite:////srv/user.db"
    # Keys the user file does not set still come from the site file.
    assert cfg.lang == "en"
    assert cfg.retention_years == 7
    assert cfg.sources == ("defaults", f"site config {site}", f"user config {user}")


def test_env_config_file_read_after_user_file(dirs: dict[str, Path], tmp_path: Path) -> None:
    _write(dirs["user"] / "config.toml", '[database]\nurl = "/srv/user.db"\n[ui]\nlang = "en"\n')
    extra = _write(tmp_path / "extra.toml", '[database]\nurl = "/srv/extra.db"\n')
    cfg = _load(dirs, env={"ORDER_TUI_CONFIG": str(extra)})
    assert cfg.db_url == "sqlite:////srv/extra.db"
    assert cfg.lang == "en"  # the user file is still read: the env file adds to it
    assert f"ORDER_TUI_CONFIG file {extra}" in cfg.sources


def test_env_db_overrides_config_files(dirs: dict[str, Path], tmp_path: Path) -> None:
    _write(dirs["user"] / "config.toml", '[database]\nurl = "/srv/user.db"\n')
    extra = _write(tmp_path / "extra.toml", '[database]\nurl = "/srv/extra.db"\n')
    cfg = _load(dirs, env={"ORDER_TUI_CONFIG": str(extra), "ORDER_TUI_DB": "/srv/env.db"})
    assert cfg.db_url == "sqlite:////srv/env.db"
    assert cfg.sources[-1] == "env ORDER_TUI_DB"


def test_empty_env_vars_count_as_unset(dirs: dict[str, Path]) -> None:
    cfg = _load(dirs, env={"ORDER_TUI_CONFIG": "", "ORDER_TUI_DB": "  "})
    assert cfg.db_url == _url(dirs["data"] / "orders.db")


def test_config_flag_overrides_env(dirs: dict[str, Path], tmp_path: Path) -> None:
    flag_file = _write(
        tmp_path / "flag.toml",
        '[database]\nurl = "/srv/flag.db"\n[business]\ntimezone = "Asia/Urumqi"\n',
    )
    cfg = _load(dirs, env={"ORDER_TUI_DB": "/srv/env.db"}, config_file=str(flag_file))
    assert cfg.db_url == "sqlite:////srv/flag.db"
    assert cfg.timezone == "Asia/Urumqi"
    assert cfg.sources[-1] == f"--config file {flag_file}"


def test_db_flag_overrides_everything(dirs: dict[str, Path], tmp_path: Path) -> None:
    _write(dirs["site"] / "config.toml", '[database]\nurl = "/srv/site.db"\n')
    _write(dirs["user"] / "config.toml", '[database]\nurl = "/srv/user.db"\n')
    flag_file = _write(tmp_path / "flag.toml", '[database]\nurl = "/srv/flag.db"\n')
    cfg = _load(
        dirs,
        env={"ORDER_TUI_DB": "/srv/env.db"},
        config_file=str(flag_file),
        db="/srv/cli.db",
    )
    assert cfg.db_url == "sqlite:////srv/cli.db"
    assert cfg.sources[-1] == "flag --db"
    assert len(cfg.sources) == 6


def test_missing_explicit_config_file_is_an_error(dirs: dict[str, Path], tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigError, match="config file not found"):
        _load(dirs, config_file=str(missing))
    with pytest.raises(ConfigError, match="config file not found"):
        _load(dirs, env={"ORDER_TUI_CONFIG": str(missing)})


# --- paths and URLs ------------------------------------------------------------------


def test_plain_path_becomes_absolute_sqlite_url(
    dirs: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    cfg = _load(dirs, db="sub/../orders.db")
    assert cfg.db_url == _url(tmp_path / "orders.db")
    assert cfg.db_path == tmp_path / "orders.db"


def test_tilde_is_expanded(
    dirs: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    cfg = _load(dirs, env={"ORDER_TUI_DB": "~/o.db"})
    assert cfg.db_path == tmp_path / "home" / "o.db"


def test_relative_paths_in_a_file_are_relative_to_that_file(dirs: dict[str, Path]) -> None:
    _write(
        dirs["site"] / "config.toml",
        '[database]\nurl = "db/orders.db"\n[paths]\ndata_dir = "files"\n',
    )
    cfg = _load(dirs)
    assert cfg.db_path == dirs["site"] / "db" / "orders.db"
    assert cfg.data_dir == dirs["site"] / "files"


def test_url_is_kept_as_is(dirs: dict[str, Path]) -> None:
    url = "postgresql+psycopg://orders@db.example.cn:5432/orders"
    cfg = _load(dirs, db=url)
    assert cfg.db_url == url
    assert cfg.db_path is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:////var/lib/order-tui/orders.db", Path("/var/lib/order-tui/orders.db")),
        ("sqlite+pysqlite:////srv/o.db?timeout=5", Path("/srv/o.db")),
        ("sqlite://", None),
        ("sqlite:///:memory:", None),
        ("postgresql://h/db", None),
    ],
)
def test_db_path(url: str, expected: Path | None, tmp_path: Path) -> None:
    cfg = Config(db_url=url, data_dir=tmp_path)
    assert cfg.db_path == expected


def test_path_to_sqlite_url() -> None:
    assert path_to_sqlite_url("/a/b/../c.db") == "sqlite:////a/c.db"
    assert path_to_sqlite_url("c.db", base=Path("/etc/order-tui")) == (
        "sqlite:////etc/order-tui/c.db"
    )


@pytest.mark.parametrize("bad", ["", "   ", "://nohost"])
def test_bad_db_value(dirs: dict[str, Path], bad: str) -> None:
    with pytest.raises(ConfigError, match="--db"):
        _load(dirs, db=bad)


# --- validation and messages ---------------------------------------------------------


def test_bad_toml_names_file_and_line(dirs: dict[str, Path]) -> None:
    path = _write(dirs["user"] / "config.toml", '[database]\nurl = "/srv/a.db"\nlang zh\n')
    with pytest.raises(ConfigError) as info:
        _load(dirs)
    message = str(info.value)
    assert str(path) in message
    assert "line 3" in message
    assert "\n" not in message


def test_bad_toml_at_end_of_file_still_names_a_line(dirs: dict[str, Path]) -> None:
    _write(dirs["site"] / "config.toml", '[ui]\nlang = "zh"\nretention =')
    with pytest.raises(ConfigError, match=r"line 3 \(end of file\)"):
        _load(dirs)


def test_invalid_utf8_names_file_and_line(dirs: dict[str, Path]) -> None:
    path = dirs["user"] / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_bytes('[ui]\nlang = "zh"\n# 注释\n'.encode("gbk"))
    with pytest.raises(ConfigError, match=r"line 3: not valid UTF-8"):
        _load(dirs)


def test_unknown_key_is_named(dirs: dict[str, Path]) -> None:
    path = _write(dirs["user"] / "config.toml", '[database]\npath = "/srv/a.db"\n')
    with pytest.raises(ConfigError, match=r"unknown key 'database.path'") as info:
        _load(dirs)
    assert str(path) in str(info.value)


def test_unknown_section_is_named(dirs: dict[str, Path]) -> None:
    _write(dirs["user"] / "config.toml", '[databse]\nurl = "/srv/a.db"\n')
    with pytest.raises(ConfigError, match=r"unknown key 'databse'"):
        _load(dirs)


@pytest.mark.parametrize(
    ("toml", "key", "expected"),
    [
        ('[business]\nretention_years = "5"\n', "business.retention_years", "integer"),
        ("[business]\nretention_years = true\n", "business.retention_years", "integer"),
        ("[business]\nretention_years = 3.5\n", "business.retention_years", "integer"),
        ("[database]\nurl = 42\n", "database.url", "string"),
        ('database = "x"\n', "database", "table"),
    ],
)
def test_wrong_type_names_key_and_type(
    dirs: dict[str, Path], toml: str, key: str, expected: str
) -> None:
    _write(dirs["user"] / "config.toml", toml)
    with pytest.raises(ConfigError) as info:
        _load(dirs)
    message = str(info.value)
    assert f"'{key}'" in message
    assert f"expected {expected}" in message


@pytest.mark.parametrize("years", [2, 0, -1])
def test_retention_below_three_refused(dirs: dict[str, Path], years: int) -> None:
    _write(dirs["site"] / "config.toml", f"[business]\nretention_years = {years}\n")
    with pytest.raises(ConfigError, match="at least 3 years"):
        _load(dirs)


def test_retention_below_three_refused_by_config_itself(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="at least 3 years"):
        Config(db_url="sqlite://", data_dir=tmp_path, retention_years=1)


@pytest.mark.parametrize("tz", ["Mars/Olympus", "Beijing", "../etc/passwd", ""])
def test_bad_timezone(dirs: dict[str, Path], tz: str) -> None:
    _write(dirs["user"] / "config.toml", f'[business]\ntimezone = "{tz}"\n')
    with pytest.raises(ConfigError, match=r"business\.timezone.*unknown time zone"):
        _load(dirs)


def test_bad_lang(dirs: dict[str, Path]) -> None:
    _write(dirs["user"] / "config.toml", '[ui]\nlang = "fr"\n')
    with pytest.raises(ConfigError, match=r"ui\.lang.*unsupported language"):
        _load(dirs)


def test_full_example_file(dirs: dict[str, Path]) -> None:
    _write(
        dirs["site"] / "config.toml",
        "[database]\n"
        'url = "sqlite:////var/lib/order-tui/orders.db"\n'
        "[paths]\n"
        'data_dir = "/var/lib/order-tui"\n'
        "[business]\n"
        'timezone = "Asia/Shanghai"\n'
        "retention_years = 3\n"
        "[ui]\n"
        'lang = "en"\n',
    )
    cfg = _load(dirs)
    assert cfg.db_path == Path("/var/lib/order-tui/orders.db")
    assert cfg.attachments_dir == Path("/var/lib/order-tui/attachments")
    assert cfg.lang == "en"


# --- saving ----------------------------------------------------------------------------


def test_save_user_config_merges_and_round_trips(dirs: dict[str, Path]) -> None:
    path = dirs["user"] / "config.toml"
    _write(path, '[ui]\nlang = "en"\n[business]\nretention_years = 5\n')

    written = save_user_config(
        {"database": {"url": "/srv/new.db"}, "business": {"timezone": "Asia/Shanghai"}},
        path,
    )

    assert written == path
    saved = tomllib.loads(path.read_text(encoding="utf-8"))
    assert saved == {
        "ui": {"lang": "en"},
        "business": {"retention_years": 5, "timezone": "Asia/Shanghai"},
        "database": {"url": "sqlite:////srv/new.db"},
    }
    cfg = _load(dirs)
    assert cfg.db_url == "sqlite:////srv/new.db"
    assert cfg.lang == "en"
    assert cfg.retention_years == 5


def test_save_user_config_creates_parent_and_accepts_paths(tmp_path: Path) -> None:
    path = tmp_path / "new" / "dir" / "config.toml"
    save_user_config({"paths": {"data_dir": tmp_path / "data"}}, path)
    saved = tomllib.loads(path.read_text(encoding="utf-8"))
    assert saved == {"paths": {"data_dir": str(tmp_path / "data")}}
    assert not list(path.parent.glob(".config-*"))  # no temp file left behind


def test_save_user_config_defaults_to_user_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(platformdirs, "user_config_dir", lambda app: str(tmp_path / "u" / app))
    written = save_user_config({"ui": {"lang": "zh"}})
    assert written == tmp_path / "u" / "order-tui" / "config.toml"
    assert written.exists()


@pytest.mark.parametrize(
    ("values", "match"),
    [
        ({"business": {"retention_years": 2}}, "at least 3 years"),
        ({"business": {"timezone": "Nowhere/City"}}, "unknown time zone"),
        ({"ui": {"language": "zh"}}, "unknown key 'ui.language'"),
        ({"ui": {"lang": 1}}, "expected string"),
    ],
)
def test_save_user_config_refuses_bad_values(
    tmp_path: Path, values: dict[str, dict[str, object]], match: str
) -> None:
    path = _write(tmp_path / "config.toml", '[ui]\nlang = "en"\n')
    with pytest.raises(ConfigError, match=match):
        save_user_config(values, path)
    assert path.read_text(encoding="utf-8") == '[ui]\nlang = "en"\n'


def test_save_user_config_keeps_a_broken_file(tmp_path: Path) -> None:
    path = _write(tmp_path / "config.toml", "[ui\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        save_user_config({"ui": {"lang": "zh"}}, path)
    assert path.read_text(encoding="utf-8") == "[ui\n"
