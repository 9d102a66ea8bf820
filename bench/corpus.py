"""What the benchmark runs on, made once under a cache folder and reused.

- a scratch venv holding binlint (this checkout, installed as users install it) and
  the peers from PyPI: detect-secrets, bandit and ruff;
- the sources of the Binance SDKs from PyPI, each installed alone (`pip install
  --no-deps --target`) so that packages sharing the `binance` namespace do not
  overwrite each other;
- two trees of plain `.py` files every tool reads alike: the running Python's standard
  library without its tests, and the Binance SDK sources;
- two single files: a module of the standard library that is not Binance code, and a
  generated 500-line Binance bot.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PEERS = ("detect-secrets", "bandit", "ruff")
# distribution -> folders of its own code (installed alone, so nothing else is in the target)
SDKS: dict[str, tuple[str, ...]] = {
    "python-binance": ("binance",),
    "binance-connector": ("binance",),
    "binance-futures-connector": ("binance",),
    "binance-sdk-spot": ("binance_sdk_spot",),
    "binance-common": ("binance_common",),
    "ccxt": ("ccxt",),
}
# ccxt holds a hundred exchanges; its Binance modules are the Binance code in it.
CCXT_ONLY_BINANCE = True
# Folders of the standard library that are its tests (or not the standard library).
STDLIB_LEFT_OUT = frozenset({"test", "tests", "idle_test", "site-packages", "__pycache__"})
_LAYOUT_VERSION = "4"


@dataclass(frozen=True)
class Corpus:
    """Paths of everything the benchmark needs."""

    cache: Path
    python: Path  # the scratch venv's interpreter
    bin: Path  # its scripts folder
    trees: Path  # each tree below it (and the single files) is a project of its own
    stdlib: Path
    binance: Path
    plain_file: Path
    binance_file: Path
    versions: dict[str, str]

    def tool(self, name: str) -> str:
        return str(self.bin / name)


def default_cache() -> Path:
    return Path(os.environ.get("BINLINT_BENCH_CACHE", Path.home() / ".cache" / "binlint-bench"))


def _say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _pip(python: Path, *args: str) -> None:
    command = [str(python), "-m", "pip", "--disable-pip-version-check", "--quiet", *args]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"bench: `pip {' '.join(args)}` failed:\n{done.stderr.strip()[-2000:]}")


def _make_venv(cache: Path) -> Path:
    root = cache / "venv"
    python = root / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    marker = root / ".complete"
    wanted = json.dumps({"python": sys.version, "peers": PEERS})
    if not marker.exists() or marker.read_text() != wanted:
        _say(f"creating the scratch venv {root} ({', '.join(PEERS)} from PyPI)")
        venv.EnvBuilder(with_pip=True, clear=True).create(root)
        _pip(python, "install", "--upgrade", "pip")
        _pip(python, "install", *PEERS)
        marker.write_text(wanted)
    _install_binlint(cache, python)
    return python


def _checkout_fingerprint() -> str:
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted([*(REPO / "binlint").rglob("*.py"), REPO / "pyproject.toml"]):
        info = path.stat()
        digest.update(f"{path.relative_to(REPO)}|{info.st_size}|{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _install_binlint(cache: Path, python: Path) -> None:
    """binlint from this checkout, installed as users install it (not editable: compiled
    modules, no import hook), again whenever the checkout changed."""
    marker = cache / "venv" / ".binlint"
    fingerprint = _checkout_fingerprint()
    if marker.exists() and marker.read_text() == fingerprint:
        return
    _say(f"installing binlint from {REPO}")
    source = cache / "binlint-src"
    shutil.rmtree(source, ignore_errors=True)
    source.mkdir(parents=True)
    shutil.copytree(REPO / "binlint", source / "binlint", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        if (REPO / name).exists():
            shutil.copyfile(REPO / name, source / name)
    _pip(python, "install", "--force-reinstall", "--no-deps", str(source))
    _pip(python, "install", str(source))  # its dependencies, the first time
    marker.write_text(fingerprint)


def _install_sdks(cache: Path, python: Path) -> Path:
    sources = cache / "sdk-src"
    for dist in SDKS:
        target = sources / dist
        if not (target / ".complete").exists():
            _say(f"installing {dist} from PyPI (sources only, no dependencies)")
            shutil.rmtree(target, ignore_errors=True)
            _pip(python, "install", "--no-deps", "--no-compile", "--target", str(target), dist)
            (target / ".complete").write_text(dist)
    return sources


def _copy_py(source: Path, destination: Path, keep: "callable[[Path], bool]") -> None:  # type: ignore[valid-type]
    for folder, dirs, files in os.walk(source):
        dirs[:] = sorted(d for d in dirs if d not in STDLIB_LEFT_OUT)
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            path = Path(folder, name)
            relative = path.relative_to(source)
            if keep(relative):
                out = destination / relative
                out.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, out)


def _build_trees(cache: Path, sources: Path) -> tuple[Path, Path, Path]:
    trees = cache / "trees"
    marker = trees / ".complete"
    stamp = f"{_LAYOUT_VERSION}|{sys.version}"
    stdlib, binance = trees / "stdlib", trees / "binance"
    if marker.exists() and marker.read_text() == stamp:
        return trees, stdlib, binance
    _say("copying the standard library (without tests) and the SDK sources into plain trees")
    shutil.rmtree(trees, ignore_errors=True)
    trees.mkdir(parents=True)
    # Empty binlint configs: one at the top, and one per tree, so that a run over one
    # tree indexes that tree alone (as a user's run over their project does); each root holds its
    # own .binlint_cache, which the benchmark removes before the other tools read the tree.
    for root in (trees, stdlib, binance):
        root.mkdir(parents=True, exist_ok=True)
        (root / "binlint.toml").write_text("# benchmark trees: binlint's defaults\n")
    _copy_py(Path(sysconfig.get_paths()["stdlib"]), stdlib, lambda relative: True)
    for dist, packages in SDKS.items():
        for package in packages:
            root = sources / dist / package
            if dist == "ccxt" and CCXT_ONLY_BINANCE:
                keep = lambda relative: any(part.startswith("binance") for part in relative.parts)  # noqa: E731
            else:
                keep = lambda relative: True  # noqa: E731
            _copy_py(root, binance / dist / package, keep)
    marker.write_text(stamp)
    return trees, stdlib, binance


def _versions(python: Path, sources: Path) -> dict[str, str]:
    script = (
        "import importlib.metadata as m, json, sys;"
        "print(json.dumps({n: m.version(n) for n in sys.argv[1:]}))"
    )
    done = subprocess.run([str(python), "-c", script, "binlint", "libcst", *PEERS],
                          capture_output=True, text=True, check=True)
    versions = json.loads(done.stdout)
    for dist in SDKS:
        for info in (sources / dist).glob("*.dist-info"):
            versions[dist] = info.name[: -len(".dist-info")].rsplit("-", 1)[-1]
    versions["python"] = sys.version.split()[0]
    return versions


def prepare(cache: Path | None = None) -> Corpus:
    """Make (or reuse) the venv, the SDK sources, the trees and the single files."""
    cache = (cache or default_cache()).resolve()
    cache.mkdir(parents=True, exist_ok=True)
    python = _make_venv(cache)
    sources = _install_sdks(cache, python)
    trees, stdlib, binance = _build_trees(cache, sources)
    # The single files are a project of their own: below `trees`, their project would be both
    # trees (a check of one file reads the rest of its project).
    single = trees / "single"
    single.mkdir(exist_ok=True)
    (single / "binlint.toml").write_text("# benchmark single files: binlint's defaults\n")
    plain_file = single / "plain.py"
    shutil.copyfile(stdlib / "json" / "encoder.py", plain_file)
    binance_file = single / "bot500.py"
    from bench.botgen import bot_source  # noqa: PLC0415 - run.py puts the repo on sys.path

    binance_file.write_text(bot_source(500))
    return Corpus(cache, python, python.parent, trees, stdlib, binance, plain_file, binance_file,
                  _versions(python, sources))


def py_files(tree: Path) -> list[Path]:
    return sorted(p for p in tree.rglob("*.py") if p.is_file())
