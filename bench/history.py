"""`binlint history` on a synthetic repository, against the time git takes to print the history.

    python bench/history.py                    # 5,000 commits, medians of 3 runs
    python bench/history.py --commits 20000 --runs 5 --keep /tmp/history-bench

It builds a repository with `git fast-import` (deterministic: the same repository every
run): a few dozen Python modules, notebooks and config files, edited a few lines per
commit, with a handful of keys added and removed along the way (fake keys made now), plus
SHA-256 digests and placeholders that must not be reported. Then it times

- `git log -p > /dev/null` on the same commits: the floor, reading the history;
- `git log --raw` with `git cat-file --batch` over every changed blob: the other way to
  read history (whole file versions instead of patches), as git alone and with binlint's
  byte gate run over every version (what that route would cost before any diffing);
- `binlint history` (all cores, and `--jobs 1`);

and prints binlint's time as a multiple of the floor, and the findings.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.measure import run_many  # noqa: E402
from binlint.testing import fake_key, sha256_hex  # noqa: E402

BINLINT = str(Path(sys.executable).with_name("binlint"))
WORDS = ("price", "qty", "symbol", "order", "balance", "signal", "window", "spread", "fee", "level")


def module_text(rng: random.Random, number: int, lines: int) -> list[str]:
    body = [f"# strategy module {number}", "import os", "import time", "from decimal import Decimal", ""]
    if number % 3 == 0:
        body.insert(1, "from binance.client import Client")
    while len(body) < lines:
        word = rng.choice(WORDS)
        body.append(f"def {word}_{len(body)}(x, y={rng.randint(1, 99)}):")
        body.append(f"    return Decimal(x) * {rng.randint(1, 9)} + y  # {word}")
        body.append("")
    return body


def keyed(kind: str, key: str, secret: str) -> str:
    return {
        "constant": f'API_KEY = "{key}"\nAPI_SECRET = "{secret}"\nclient = Client(API_KEY, API_SECRET)',
        "env": f"BINANCE_API_KEY={key}\nBINANCE_API_SECRET={secret}",
        "call": f'client = Client("{key}", "{secret}")',
    }[kind]


def build(path: Path, commits: int, seed: int = 7) -> dict[str, object]:
    """A repository of `commits` commits at `path`; returns what was planted in it."""
    rng = random.Random(seed)
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    files: dict[str, list[str]] = {f"bot/strategy_{i:02d}.py": module_text(rng, i, rng.randint(80, 400))
                                   for i in range(40)}
    files["config/settings.yaml"] = ["binance:", "  testnet: false", f"  checksum: {sha256_hex('settings')}"]
    files["bot/constants.py"] = ["from binance.client import Client", f'DIGEST = "{sha256_hex("c")}"',
                                 'API_KEY = "your_api_key_here"']
    keys = [(fake_key(f"bench-{i}"), fake_key(f"bench-secret-{i}")) for i in range(6)]
    # (commit number, path, action, key index): a key added then removed, moved, kept to HEAD...
    plan = {
        commits // 10: ("bot/constants.py", "add", "constant", 0),
        commits // 10 + 3: ("bot/constants.py", "remove", "constant", 0),
        commits // 4: (".env", "add", "env", 1),
        commits // 4 + 1: (".env", "delete", "env", 1),
        commits // 2: ("bot/strategy_03.py", "add", "call", 2),
        commits // 2 + 50: ("bot/strategy_03.py", "remove", "call", 2),
        commits // 2 + 51: ("bot/strategy_09.py", "add", "call", 2),  # the same key, moved
        (3 * commits) // 4: ("config/local.env", "add", "env", 3),  # still there at HEAD
    }
    stream = bytearray()
    mark = 0

    def data(text: str) -> bytes:
        raw = text.encode()
        return b"data %d\n%s\n" % (len(raw), raw)

    start = 1_700_000_000
    for number in range(commits):
        changed: dict[str, str | None] = {}
        if number == 0:
            changed = {name: "\n".join(lines) + "\n" for name, lines in files.items()}
        elif number in plan:
            name, action, kind, index = plan[number]
            snippet = keyed(kind, *keys[index])
            if action == "add":
                files.setdefault(name, ["from binance.client import Client"] if name.endswith(".py") else [])
                files[name].extend(snippet.split("\n"))
                changed[name] = "\n".join(files[name]) + "\n"
            elif action == "remove":
                for line in snippet.split("\n"):
                    files[name].remove(line)
                changed[name] = "\n".join(files[name]) + "\n"
            else:
                del files[name]
                changed[name] = None
        else:
            for _ in range(rng.randint(1, 3)):
                name = f"bot/strategy_{rng.randrange(40):02d}.py"
                lines = files[name]
                at = rng.randrange(5, len(lines))
                word = rng.choice(WORDS)
                lines[at] = f"    {word} = Decimal('{rng.random():.8f}')  # tuned in change {number}"
                if rng.random() < 0.3:
                    lines.insert(at, f"# note {number}: {word} {sha256_hex(str(number))[:rng.randint(8, 64)]}")
                changed[name] = "\n".join(lines) + "\n"
        mark += 1
        stream += b"commit refs/heads/main\nmark :%d\n" % mark
        stream += b"author Bench <bench@example.com> %d +0000\n" % (start + number * 60)
        stream += b"committer Bench <bench@example.com> %d +0000\n" % (start + number * 60)
        stream += data(f"change {number}")
        if mark > 1:
            stream += b"from :%d\n" % (mark - 1)
        for name, text in changed.items():
            if text is None:
                stream += b"D %s\n" % name.encode()
            else:
                stream += b"M 100644 inline %s\n" % name.encode() + data(text)
        stream += b"\n"
    subprocess.run(["git", "fast-import", "--quiet"], cwd=path, input=bytes(stream), check=True)
    subprocess.run(["git", "checkout", "-q", "main"], cwd=path, check=True)
    subprocess.run(["git", "gc", "-q"], cwd=path, check=True)
    return {"pairs": 4}


def blob_floor(path: Path) -> list[str]:
    """The shell pipeline for the other way to read history: every changed blob, whole."""
    return ["sh", "-c", "git log --format= --raw --no-abbrev --no-renames | awk '$4 !~ /^0+$/ {print $4}' "
                        "| git cat-file --batch > /dev/null"]


def blob_route(folder: Path) -> tuple[float, int, int]:
    """(seconds, blob versions, bytes) for the blob route: `git log --raw`, every new blob read
    whole with `git cat-file --batch`, each through the byte gate. No diffs yet: a lower bound."""
    import threading

    from binlint.frontends.history.patches import may_hold_credential

    began = time.perf_counter()
    raw = subprocess.run(["git", "log", "--raw", "--no-abbrev", "--no-renames", "--format=", "HEAD"], cwd=folder,
                         capture_output=True, check=True).stdout
    blobs: dict[bytes, None] = {}
    for line in raw.split(b"\n"):
        if line.startswith(b":"):
            new = line.partition(b"\t")[0].split()[3]
            if new.strip(b"0"):
                blobs[new] = None
    process = subprocess.Popen(["git", "cat-file", "--batch"], cwd=folder, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE)

    def feed() -> None:
        assert process.stdin is not None
        process.stdin.write(b"".join(blob + b"\n" for blob in blobs))
        process.stdin.close()

    threading.Thread(target=feed, daemon=True).start()
    assert process.stdout is not None
    total = 0
    for _ in blobs:
        size = int(process.stdout.readline().split()[2])
        data = process.stdout.read(size)
        process.stdout.read(1)
        total += size
        may_hold_credential(data)
    process.wait()
    return time.perf_counter() - began, len(blobs), total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--commits", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="build (or reuse) the repository here")
    args = parser.parse_args()

    folder = args.keep or Path(tempfile.mkdtemp(prefix="binlint-history-bench-"))
    if not (folder / ".git").is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        began = time.perf_counter()
        build(folder, args.commits)
        print(f"built {args.commits:,} commits in {time.perf_counter() - began:.1f} s at {folder}")
    count = subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=folder, capture_output=True,
                           text=True, check=True).stdout.strip()
    patch_bytes = len(subprocess.run(["git", "log", "-p"], cwd=folder, capture_output=True, check=True).stdout)
    print(f"repository: {int(count):,} commits, `git log -p` prints {patch_bytes / 1e6:.1f} MB; cores: "
          f"{len(os.sched_getaffinity(0))}")

    rows = [
        ("git log -p > /dev/null (floor)", ["git", "log", "-p"]),
        ("git log --raw + cat-file --batch", blob_floor(folder)),
        ("binlint history", [BINLINT, "history", "--exit-zero"]),
        ("binlint history --jobs 1", [BINLINT, "history", "--exit-zero", "--jobs", "1"]),
    ]
    floor = None
    for label, command in rows:
        timing = run_many(command, args.runs, cwd=str(folder))
        floor = floor or timing.median
        print(f"{label:<36} {timing.median:7.2f} s  (cpu {timing.cpu_median:6.2f} s)  "
              f"{timing.median / floor:5.2f}x the floor")

    seconds = sorted(blob_route(folder) for _ in range(args.runs))[args.runs // 2]
    print(f"{'blob route + byte gate (no diffs)':<36} {seconds[0]:7.2f} s  ({seconds[1]:,} blob versions, "
          f"{seconds[2] / 1e6:.0f} MB)  {seconds[0] / floor:5.2f}x the floor")

    done = subprocess.run([BINLINT, "history", "--format", "json"], cwd=folder, capture_output=True, text=True)
    document = json.loads(done.stdout)
    print(f"findings (exit status {done.returncode}): {document['summary']['findings']} "
          f"({document['summary']['at_head']} at HEAD); planted: 4 key pairs (8 credentials), "
          "2 pairs still at HEAD (one of them moved), 2 only in history")
    for finding in document["findings"]:
        print(f"  {finding['path']}:{finding['line']}: {finding['code']} commit {finding['commit'][:7]} "
              f"{'at HEAD' if finding['at_head'] else 'only in history'}, later commits {finding['later_commits']}")
    expected = (8, 4)
    got = (document["summary"]["findings"], document["summary"]["at_head"])
    if got != expected:
        print(f"MISSED: expected {expected[0]} findings ({expected[1]} at HEAD), got {got[0]} ({got[1]} at HEAD)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
