"""`[tool.binlint]` in pyproject.toml or binlint.toml: found, validated, with defaults."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Callable, Mapping

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

from binlint.model import Severity

CODE_PREFIX = re.compile(r"^BL\d{0,3}$")
DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024
# Bytes of code (comments and string literals left out) above which a Python file gets the
# text-level key scan only. Checking a module takes about 600-900 bytes of memory per byte of
# code (libcst's tree and binlint's model of it; bench/scaling.py: 890 MB for 1.5 MB of one-line
# requests, 1.1 GB for 1.2 MB of hand-signed ones), so a larger file would take a worker past 1 GB.
DEFAULT_MAX_PARSE_SIZE = 1024 * 1024
# CPU seconds one file may take; analysis is linear, so only a bug gets near this.
DEFAULT_FILE_TIME_LIMIT = 120.0

DEFAULT_ENV_VAR_NAMES: Mapping[str, str] = {
    "api-key": "BINANCE_API_KEY",
    "api-secret": "BINANCE_API_SECRET",
    "private-key": "BINANCE_PRIVATE_KEY",
    "private-key-pass": "BINANCE_PRIVATE_KEY_PASS",
}

DEFAULT_EXCLUDES: tuple[str, ...] = (
    ".git/", ".hg/", ".svn/", ".tox/", ".nox/", ".venv/", "venv/", "__pycache__/",
    "node_modules/", "site-packages/", ".mypy_cache/", ".pytest_cache/", ".ruff_cache/",
    ".binlint_cache/", ".eggs/", "*.egg-info/", "build/", "dist/",
)


class ConfigError(Exception):
    """A config file or option that binlint cannot use; the CLI exits 2."""


@dataclass(frozen=True)
class Config:
    """The effective settings of one run."""

    select: tuple[str, ...] = ("BL",)
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDES
    extend_exclude: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    severity: tuple[tuple[str, Severity], ...] = ()
    recv_window_warn: int = 10000
    env_var_names: tuple[tuple[str, str], ...] = tuple(DEFAULT_ENV_VAR_NAMES.items())
    order_methods: tuple[str, ...] = ()
    client_classes: tuple[str, ...] = ()
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    max_parse_size: int = DEFAULT_MAX_PARSE_SIZE
    file_time_limit: float = DEFAULT_FILE_TIME_LIMIT
    warn_unused_ignores: bool = False
    # Where relative patterns are anchored: the config file's folder, or the cwd.
    root: Path = field(default_factory=Path.cwd)
    source: Path | None = None

    def env_var(self, kind: str) -> str:
        return dict(self.env_var_names).get(kind, DEFAULT_ENV_VAR_NAMES[kind])

    def severity_of(self, code: str, default: Severity) -> Severity:
        return dict(self.severity).get(code, default)

    def cache_key(self) -> str:
        """A stable text naming everything in the config that changes findings."""
        parts = [f"{f.name}={getattr(self, f.name)!r}" for f in fields(self) if f.name not in ("root", "source")]
        return "|".join(parts)


# --- validation ------------------------------------------------------------------

def _str_list(key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"`{key}` must be a list of strings, got {value!r}")
    return tuple(value)


def _codes(key: str, value: Any) -> tuple[str, ...]:
    from binlint.codes import unknown

    codes = tuple(v.strip().upper() for v in _str_list(key, value))
    for code in codes:
        if not CODE_PREFIX.match(code):
            raise ConfigError(f"`{key}`: {code!r} is not a binlint code or prefix (like BL1 or BL302)")
        why = unknown(code)
        if why is not None:
            raise ConfigError(f"`{key}`: {why}")
    return codes


def _positive_int(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigError(f"`{key}` must be a positive integer, got {value!r}")
    return value


def _positive_number(key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0 or value == float("inf"):
        raise ConfigError(f"`{key}` must be a positive number, got {value!r}")
    return float(value)


def _bool(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"`{key}` must be true or false, got {value!r}")
    return value


def _per_file_ignores(key: str, value: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        raise ConfigError(f"`{key}` must be a table of glob = [codes], got {value!r}")
    return tuple((str(glob), _codes(f"{key}.{glob}", codes)) for glob, codes in value.items())


def _severity(key: str, value: Any) -> tuple[tuple[str, Severity], ...]:
    if not isinstance(value, dict):
        raise ConfigError(f"`{key}` must be a table of CODE = \"error|warning|info\", got {value!r}")
    result = []
    for code, level in value.items():
        _codes(key, [code])
        if not isinstance(level, str):
            raise ConfigError(f"`{key}.{code}` must be \"error\", \"warning\" or \"info\", got {level!r}")
        try:
            result.append((code.upper(), Severity.parse(level)))
        except ValueError:
            raise ConfigError(f"`{key}.{code}` must be \"error\", \"warning\" or \"info\", got {level!r}") from None
    return tuple(result)


def _env_var_names(key: str, value: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict):
        raise ConfigError(f"`{key}` must be a table like {{api-key = \"BINANCE_API_KEY\"}}, got {value!r}")
    names = dict(DEFAULT_ENV_VAR_NAMES)
    for kind, name in value.items():
        if kind not in DEFAULT_ENV_VAR_NAMES:
            allowed = ", ".join(DEFAULT_ENV_VAR_NAMES)
            raise ConfigError(f"`{key}.{kind}` is not a known variable kind (expected one of {allowed})")
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ConfigError(f"`{key}.{kind}` must be an environment variable name, got {name!r}")
        names[kind] = name
    return tuple(names.items())


_KEYS: dict[str, tuple[str, Callable[[str, Any], Any]]] = {
    "select": ("select", _codes),
    "ignore": ("ignore", _codes),
    "exclude": ("exclude", _str_list),
    "extend-exclude": ("extend_exclude", _str_list),
    "per-file-ignores": ("per_file_ignores", _per_file_ignores),
    "severity": ("severity", _severity),
    "recv-window-warn": ("recv_window_warn", _positive_int),
    "env-var-names": ("env_var_names", _env_var_names),
    "order-methods": ("order_methods", _str_list),
    "client-classes": ("client_classes", _str_list),
    "max-file-size": ("max_file_size", _positive_int),
    "max-parse-size": ("max_parse_size", _positive_int),
    "file-time-limit": ("file_time_limit", _positive_number),
    "warn-unused-ignores": ("warn_unused_ignores", _bool),
}


def from_table(table: Mapping[str, Any], root: Path, source: Path | None) -> Config:
    """Validate a `[tool.binlint]` table; unknown keys and bad values raise ConfigError."""
    where = f" in {source}" if source else ""
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in _KEYS:
            known = ", ".join(sorted(_KEYS))
            raise ConfigError(f"unknown key `{key}` in [tool.binlint]{where} (known keys: {known})")
        attr, check = _KEYS[key]
        try:
            values[attr] = check(key, value)
        except ConfigError as exc:
            raise ConfigError(f"{exc}{where}") from None
    return Config(root=root, source=source, **values)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data: dict[str, Any] = tomllib.load(handle)
            return data
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not valid TOML: it is not UTF-8 text") from None


def _table_in(path: Path) -> dict[str, Any] | None:
    data = _read_toml(path)
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        table = tool.get("binlint") if isinstance(tool, dict) else None
        if table is not None and not isinstance(table, dict):
            raise ConfigError(f"[tool.binlint] in {path} must be a table")
        return table
    # binlint.toml: top-level keys, or a [tool.binlint] table.
    tool = data.get("tool")
    if isinstance(tool, dict) and isinstance(tool.get("binlint"), dict):
        binlint_table: dict[str, Any] = tool["binlint"]
        return binlint_table
    return data


def load_file(path: Path) -> Config:
    """Load an explicit `--config` file (a pyproject.toml or a binlint.toml)."""
    path = path.resolve()
    if not path.is_file():
        raise ConfigError(f"config file {path} does not exist")
    table = _table_in(path)
    return from_table(table or {}, path.parent, path)


def discover(start: Path) -> Config:
    """The nearest binlint.toml or pyproject.toml with [tool.binlint], from `start` up."""
    try:
        start = start.resolve()
    except (OSError, RuntimeError):  # a symlink loop: look up from the folder that holds it
        start = start.absolute().parent.resolve()
    directory = start if start.is_dir() else start.parent
    for folder in (directory, *directory.parents):
        for name in ("binlint.toml", "pyproject.toml"):
            candidate = folder / name
            if candidate.is_file():
                table = _table_in(candidate)
                if table is not None:
                    return from_table(table, folder, candidate)
    return Config(root=Path.cwd())


def with_overrides(config: Config, **overrides: Any) -> Config:
    """The config with command-line values laid over it (None means "not given")."""
    return replace(config, **{k: v for k, v in overrides.items() if v is not None})
