"""How the command line sets up the app: language, ASCII mode, theme, escape delay."""

import argparse
from pathlib import Path

import pytest

from order_tui.cli import _app_options, locale_lang, resolve_lang
from order_tui.config import Config, ConfigError, load_config
from order_tui.theme import escape_delay_ms, theme_for, wants_ascii


def cfg(tmp_path: Path, text: str = "") -> Config:
    user = tmp_path / "user"
    user.mkdir(exist_ok=True)
    (user / "config.toml").write_text(text, encoding="utf-8")
    return load_config(
        env={},
        site_config_dir=tmp_path / "site",
        user_config_dir=user,
        user_data_dir=tmp_path / "data",
    )


@pytest.mark.parametrize(
    ("environ", "lang"),
    [
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "zh_TW.UTF-8"}, "zh"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({}, "en"),
        ({"LC_ALL": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),  # LC_ALL wins
        ({"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}, "en"),
        ({"LC_ALL": "", "LANG": "zh_CN.UTF-8"}, "zh"),  # empty counts as unset
        ({"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
    ],
)
def test_locale_language(environ: dict[str, str], lang: str) -> None:
    assert locale_lang(environ) == lang


def test_flag_beats_config_beats_locale(tmp_path: Path) -> None:
    chinese = {"LANG": "zh_CN.UTF-8"}
    nothing = cfg(tmp_path)
    assert not nothing.lang_explicit
    assert resolve_lang(None, nothing, chinese) == "zh"
    assert resolve_lang(None, nothing, {"LANG": "en_GB.UTF-8"}) == "en"
    english_file = cfg(tmp_path, '[ui]\nlang = "en"\n')
    assert english_file.lang_explicit
    assert resolve_lang(None, english_file, chinese) == "en"  # the file beats the locale
    chinese_file = cfg(tmp_path, '[ui]\nlang = "zh"\n')
    assert resolve_lang(None, chinese_file, {"LANG": "en_US.UTF-8"}) == "zh"
    assert resolve_lang("en", chinese_file, chinese) == "en"  # the flag beats both


def test_ascii_flag_config_or_linux_console() -> None:
    assert wants_ascii(True, False, {"TERM": "xterm-256color"})
    assert wants_ascii(None, True, {"TERM": "xterm-256color"})
    assert wants_ascii(None, False, {"TERM": "linux"})
    assert not wants_ascii(None, False, {"TERM": "xterm-256color"})
    assert not wants_ascii(None, False, {})


def test_theme_for_poor_terminals() -> None:
    assert theme_for(True, "truecolor") == "ansi-dark"
    assert theme_for(False, "standard") == "ansi-dark"  # 16 colours: the terminal's own
    assert theme_for(False, "256") == "textual-dark"
    assert theme_for(False, "truecolor") == "textual-dark"


def test_escape_delay_env_wins_over_config() -> None:
    assert escape_delay_ms(300, {}) == 300
    assert escape_delay_ms(300, {"ESCDELAY": "50"}) is None  # Textual reads ESCDELAY itself
    assert escape_delay_ms(None, {}) is None


def test_ui_settings_in_the_config_file(tmp_path: Path) -> None:
    loaded = cfg(tmp_path, "[ui]\nascii = true\nescape_delay_ms = 250\n")
    assert loaded.ascii and loaded.escape_delay_ms == 250
    assert not cfg(tmp_path).ascii and cfg(tmp_path).escape_delay_ms is None
    with pytest.raises(ConfigError, match=r"ui\.ascii.*expected boolean, got string"):
        cfg(tmp_path, '[ui]\nascii = "yes"\n')
    with pytest.raises(ConfigError, match=r"ui\.escape_delay_ms.*out of range"):
        cfg(tmp_path, "[ui]\nescape_delay_ms = 5\n")
    with pytest.raises(ConfigError, match=r"ui\.escape_delay_ms.*expected integer"):
        cfg(tmp_path, "[ui]\nescape_delay_ms = true\n")


def test_app_options_from_flags_config_and_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from textual import constants

    monkeypatch.setattr(constants, "ESCAPE_DELAY", constants.ESCAPE_DELAY)
    monkeypatch.delenv("ESCDELAY", raising=False)
    monkeypatch.delenv("TEXTUAL_COLOR_SYSTEM", raising=False)
    monkeypatch.setenv("TERM", "linux")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    args = argparse.Namespace(lang=None, ascii=None)
    options = _app_options(args, cfg(tmp_path, "[ui]\nescape_delay_ms = 300\n"))
    assert options == {"lang": "zh", "ascii": True, "theme": "ansi-dark"}
    assert pytest.approx(0.3) == constants.ESCAPE_DELAY

    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("ESCDELAY", "50")
    constants.ESCAPE_DELAY = 0.05
    args = argparse.Namespace(lang="en", ascii=None)
    options = _app_options(args, cfg(tmp_path, "[ui]\nescape_delay_ms = 300\n"))
    assert options == {"lang": "en", "ascii": False, "theme": "textual-dark"}
    assert pytest.approx(0.05) == constants.ESCAPE_DELAY  # ESCDELAY from the environment
