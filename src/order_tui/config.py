"""Where order-tui finds its database and data, and the few business settings.

Layers, lowest precedence first:

1. built-in defaults (platformdirs user data dir, sqlite file ``orders.db`` in it);
2. site config ``<site_config_dir>/config.toml``: one database shared by several OS users;
3. user config ``<user_config_dir>/config.toml``;
4. environment: the file named by ``ORDER_TUI_CONFIG``, then ``ORDER_TUI_DB``;
5. command-line flags: ``--config FILE``, then ``--db``.

Loading never touches the disk except to read: whoever opens the database creates
directories, so ``order-tui check`` can report a broken setup without "repairing" it.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import tomllib
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs
import tomli_w

__all__ = [
    "APP_NAME",
    "CONFIG_FILENAME",
    "DB_FILENAME",
    "DEFAULT_TIMEZONE",
    "ENV_CONFIG",
    "ENV_DB",
    "LANGS",
    "MIN_RETENTION_YEARS",
    "Config",
    "ConfigError",
    "default_data_dir",
    "load_config",
    "path_to_sqlite_url",
    "save_user_config",
    "site_config_path",
    "sqlite_url_path",
    "user_config_path",
]

APP_NAME = "order-tui"
CONFIG_FILENAME = "config.toml"
DB_FILENAME = "orders.db"
ENV_CONFIG = "ORDER_TUI_CONFIG"
ENV_DB = "ORDER_TUI_DB"
DEFAULT_TIMEZONE = "Asia/Shanghai"
# The seed process requires archived orders to be kept at least three years.
MIN_RETENTION_YEARS = 3
LANGS: tuple[str, ...] = ("zh", "en")

# The only keys a config file may hold; anything else is a typo we want to report,
# because a silently ignored "databse.url" would point clerks at the wrong database.
_SCHEMA: dict[str, dict[str, type]] = {
    "database": {"url": str},
    "paths": {"data_dir": str},
    "business": {"timezone": str, "retention_years": int},
    "ui": {"lang": str, "ascii": bool, "escape_delay_ms": int},
}
_TYPE_NAMES: dict[type, str] = {str: "string", int: "integer", bool: "boolean", dict: "table"}
# Textual's own default is 100 ms; more than a couple of seconds would make Esc feel broken.
ESCAPE_DELAY_RANGE = (10, 2000)

_URL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
_TOML_POS_RE = re.compile(r"\s*\((?:at line (\d+), column (\d+)|at end of document)\)\s*$")


class ConfigError(Exception):
    """A configuration problem, described in one line fit to show the operator."""


@dataclass(frozen=True)
class Config:
    """The effective configuration after all layers are merged."""

    db_url: str
    data_dir: Path
    timezone: str = DEFAULT_TIMEZONE
    retention_years: int = MIN_RETENTION_YEARS
    lang: str = "zh"
    sources: tuple[str, ...] = ()
    # True when a config file names the language (else the app may follow the locale).
    lang_explicit: bool = False
    ascii: bool = False  # [ui] ascii: ASCII borders for the Linux console and old terminals
    escape_delay_ms: int | None = None  # [ui] escape_delay_ms: None keeps Textual's 100 ms

    def __post_init__(self) -> None:
        # Checked here as well as in load_config so no code path can build a Config
        # that would let archived orders be purged early.
        _check_retention(self.retention_years, "retention_years")
        _check_lang(self.lang, "lang")
        _check_timezone(self.timezone, "timezone")

    @property
    def attachments_dir(self) -> Path:
        return self.data_dir / "attachments"

    @property
    def db_path(self) -> Path | None:
        """The database file for a ``sqlite:///PATH`` URL; None for in-memory or other engines."""
        return sqlite_url_path(self.db_url)


def site_config_path() -> Path:
    return Path(platformdirs.site_config_dir(APP_NAME)) / CONFIG_FILENAME


def user_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME)) / CONFIG_FILENAME


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME))


def path_to_sqlite_url(path: str | Path, *, base: Path | None = None) -> str:
    """Turn a filesystem path into an absolute ``sqlite:///`` URL.

    A relative path is taken relative to ``base`` (a config file's directory) or the
    working directory, so the URL stays valid when the app later changes directory.
    """
    return "sqlite:///" + _absolute(str(path), base).as_posix()


def sqlite_url_path(url: str) -> Path | None:
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.split("+", 1)[0].lower() != "sqlite":
        return None
    # "sqlite://" and "sqlite:///:memory:" are in-memory; the leading "/" after "//"
    # separates the (empty) host from the path.
    path = rest.removeprefix("/").split("?", 1)[0]
    if not path or path == ":memory:" or path.startswith("file::memory:"):
        return None
    return Path(path)


def load_config(
    *,
    db: str | None = None,
    config_file: str | None = None,
    env: Mapping[str, str] | None = None,
    site_config_dir: Path | None = None,
    user_config_dir: Path | None = None,
    user_data_dir: Path | None = None,
) -> Config:
    """Merge defaults, site and user config files, environment and flags into a Config.

    ``site_config_dir``, ``user_config_dir`` and ``user_data_dir`` replace the platformdirs
    locations; they exist so tests need not touch the real home directory.
    Raises ConfigError with a one-line message on any problem.
    """
    environ: Mapping[str, str] = os.environ if env is None else env
    site_file = site_config_path() if site_config_dir is None else site_config_dir / CONFIG_FILENAME
    user_file = user_config_path() if user_config_dir is None else user_config_dir / CONFIG_FILENAME

    data_dir = default_data_dir() if user_data_dir is None else user_data_dir
    db_url: str | None = None
    timezone = DEFAULT_TIMEZONE
    retention_years = MIN_RETENTION_YEARS
    lang = "zh"
    lang_explicit = False
    ascii_mode = False
    escape_delay: int | None = None
    sources: list[str] = ["defaults"]

    def apply_file(path: Path, label: str, *, required: bool) -> None:
        nonlocal data_dir, db_url, timezone, retention_years, lang, lang_explicit
        nonlocal ascii_mode, escape_delay
        values = _read_config_file(path, required=required)
        if values is None:
            return
        sources.append(f"{label} {path}")
        base = path.parent
        if (url := values.get("database", {}).get("url")) is not None:
            db_url = _normalize_db(url, f"database.url in {path}", base=base)
        if (raw_dir := values.get("paths", {}).get("data_dir")) is not None:
            if not raw_dir.strip():
                raise ConfigError(f"paths.data_dir in {path} must not be empty")
            data_dir = _absolute(raw_dir, base)
        business = values.get("business", {})
        if (tz := business.get("timezone")) is not None:
            timezone = _check_timezone(tz, f"business.timezone in {path}")
        if (years := business.get("retention_years")) is not None:
            retention_years = _check_retention(years, f"business.retention_years in {path}")
        ui = values.get("ui", {})
        if (ui_lang := ui.get("lang")) is not None:
            lang = _check_lang(ui_lang, f"ui.lang in {path}")
            lang_explicit = True
        if (ui_ascii := ui.get("ascii")) is not None:
            ascii_mode = ui_ascii
        if (delay := ui.get("escape_delay_ms")) is not None:
            escape_delay = _check_escape_delay(delay, f"ui.escape_delay_ms in {path}")

    apply_file(site_file, "site config", required=False)
    apply_file(user_file, "user config", required=False)
    # An empty variable counts as unset: that is how shells and service managers
    # usually "clear" a variable.
    if env_file := environ.get(ENV_CONFIG, "").strip():
        apply_file(_absolute(env_file, None), f"{ENV_CONFIG} file", required=True)
    if env_db := environ.get(ENV_DB, "").strip():
        db_url = _normalize_db(env_db, ENV_DB, base=None)
        sources.append(f"env {ENV_DB}")
    if config_file is not None:
        apply_file(_absolute(config_file, None), "--config file", required=True)
    if db is not None:
        db_url = _normalize_db(db, "--db", base=None)
        sources.append("flag --db")

    if db_url is None:
        # Follows the final data dir, so moving data_dir moves the default database too.
        db_url = path_to_sqlite_url(data_dir / DB_FILENAME)
    return Config(
        db_url=db_url,
        data_dir=data_dir,
        timezone=timezone,
        retention_years=retention_years,
        lang=lang,
        sources=tuple(sources),
        lang_explicit=lang_explicit,
        ascii=ascii_mode,
        escape_delay_ms=escape_delay,
    )


def save_user_config(values: Mapping[str, Mapping[str, Any]], path: Path | None = None) -> Path:
    """Merge ``values`` (``{"section": {"key": value}}``) into the user config file.

    Values are checked as load_config would check them, so ``order-tui init`` cannot
    write a file the next start refuses. Plain paths are made absolute against the
    working directory now, because later they would be read relative to the file.
    Returns the path written.
    """
    target = user_config_path() if path is None else path
    label = "values to save"
    normalized = _validate_sections(_plain_values(values), label)
    checked = _normalize_for_save(normalized)

    existing = _read_config_file(target, required=False) or {}
    merged: dict[str, dict[str, Any]] = {name: dict(sec) for name, sec in existing.items()}
    for section, items in checked.items():
        merged.setdefault(section, {}).update(items)

    target.parent.mkdir(parents=True, exist_ok=True)
    mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else None
    # Write-then-rename so a crash never leaves a half-written file that blocks startup.
    # mkstemp creates the file 0600, which also suits a URL that may carry a password.
    fd, tmp_name = tempfile.mkstemp(prefix=".config-", suffix=".toml", dir=target.parent)
    tmp_path = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            tomli_w.dump(merged, handle)
        if mode is not None:
            tmp_path.chmod(mode)
        tmp_path.replace(target)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
    return target


def _read_config_file(path: Path, *, required: bool) -> dict[str, dict[str, Any]] | None:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        if required:
            raise ConfigError(f"config file not found: {path}") from None
        return None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        line = data[: _bad_utf8_offset(data)].count(b"\n") + 1
        raise ConfigError(f"{path}, line {line}: not valid UTF-8") from None
    try:
        parsed = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_toml_error_message(path, text, exc)) from None
    return _validate_sections(parsed, str(path))


def _bad_utf8_offset(data: bytes) -> int:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start
    return len(data)


def _toml_error_message(path: Path, text: str, exc: tomllib.TOMLDecodeError) -> str:
    # Python 3.11's TOMLDecodeError has no lineno attribute; the position is only in the
    # message, as "(at line L, column C)" or "(at end of document)".
    message = str(exc)
    match = _TOML_POS_RE.search(message)
    if match is None:
        return f"{path}: invalid TOML: {message}"
    reason = message[: match.start()]
    if match.group(1) is not None:
        where = f"line {match.group(1)}, column {match.group(2)}"
    else:
        where = f"line {max(1, len(text.splitlines()))} (end of file)"
    return f"{path}, {where}: invalid TOML: {reason}"


def _validate_sections(raw: Mapping[str, Any], where: str) -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = {}
    for section, items in raw.items():
        keys = _SCHEMA.get(section)
        if keys is None:
            raise ConfigError(f"unknown key '{section}' in {where}; known: {_known_sections()}")
        if not isinstance(items, Mapping):
            raise ConfigError(
                f"wrong type for '{section}' in {where}: expected table, got {_type_name(items)}"
            )
        checked: dict[str, Any] = {}
        for key, value in items.items():
            expected = keys.get(key)
            if expected is None:
                known = ", ".join(f"{section}.{k}" for k in keys)
                raise ConfigError(f"unknown key '{section}.{key}' in {where}; known: {known}")
            # bool is an int subclass in Python, but "retention_years = true" is a mistake.
            if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
                raise ConfigError(
                    f"wrong type for '{section}.{key}' in {where}: "
                    f"expected {_TYPE_NAMES[expected]}, got {_type_name(value)}"
                )
            checked[key] = value
        result[section] = checked
    return result


def _known_sections() -> str:
    return ", ".join(f"[{name}]" for name in _SCHEMA)


def _type_name(value: object) -> str:
    for kind, name in (
        (bool, "boolean"),
        (int, "integer"),
        (float, "float"),
        (str, "string"),
        (list, "array"),
        (Mapping, "table"),
    ):
        if isinstance(value, kind):
            return name
    return type(value).__name__


def _plain_values(values: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    # Callers naturally hand over Path objects, which TOML cannot represent.
    plain: dict[str, dict[str, Any]] = {}
    for section, items in values.items():
        if isinstance(items, Mapping):
            plain[section] = {
                key: str(value) if isinstance(value, Path) else value
                for key, value in items.items()
            }
        else:
            plain[section] = items  # type: ignore[assignment]  # rejected by validation
    return plain


def _normalize_for_save(values: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    label = "values to save"
    out = {section: dict(items) for section, items in values.items()}
    if (url := out.get("database", {}).get("url")) is not None:
        out["database"]["url"] = _normalize_db(url, f"database.url in {label}", base=None)
    if (raw_dir := out.get("paths", {}).get("data_dir")) is not None:
        if not raw_dir.strip():
            raise ConfigError(f"paths.data_dir in {label} must not be empty")
        out["paths"]["data_dir"] = str(_absolute(raw_dir, None))
    business = out.get("business", {})
    if (tz := business.get("timezone")) is not None:
        _check_timezone(tz, f"business.timezone in {label}")
    if (years := business.get("retention_years")) is not None:
        _check_retention(years, f"business.retention_years in {label}")
    if (ui_lang := out.get("ui", {}).get("lang")) is not None:
        _check_lang(ui_lang, f"ui.lang in {label}")
    if (delay := out.get("ui", {}).get("escape_delay_ms")) is not None:
        _check_escape_delay(delay, f"ui.escape_delay_ms in {label}")
    return out


def _absolute(raw: str, base: Path | None) -> Path:
    path = Path(raw.strip()).expanduser()
    if not path.is_absolute():
        path = (base if base is not None else Path.cwd()) / path
    # normpath, not resolve(): keep symlinks as the admin wrote them (a shared database
    # is often reached through a stable link), only tidy "..".
    return Path(os.path.normpath(path))


def _normalize_db(value: str, where: str, *, base: Path | None) -> str:
    value = value.strip()
    if not value:
        raise ConfigError(f"{where}: database URL or path must not be empty")
    if "://" in value:
        if not _URL_RE.match(value):
            raise ConfigError(f"{where}: not a database URL: {value!r}")
        return value
    return path_to_sqlite_url(value, base=base)


def _check_timezone(value: str, where: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"{where}: unknown time zone {value!r} (expected an IANA name such as "
            f"{DEFAULT_TIMEZONE}; on Windows install the 'tzdata' package)"
        ) from None
    return value


def _check_retention(value: int, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"wrong type for {where}: expected integer, got {_type_name(value)}")
    if value < MIN_RETENTION_YEARS:
        raise ConfigError(
            f"{where}: {value} is too short; archived orders must be kept at least "
            f"{MIN_RETENTION_YEARS} years"
        )
    return value


def _check_escape_delay(value: int, where: str) -> int:
    low, high = ESCAPE_DELAY_RANGE
    if not low <= value <= high:
        raise ConfigError(f"{where}: {value} ms is out of range; expected {low} to {high}")
    return value


def _check_lang(value: str, where: str) -> str:
    if value not in LANGS:
        raise ConfigError(f"{where}: unsupported language {value!r}; expected one of {LANGS}")
    return value
