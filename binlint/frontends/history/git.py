"""Git plumbing for `binlint history`: the repository, the revisions, the patch stream, blobs.

Everything git is asked runs with a fixed set of options (`-c` overrides), so a user's
git config (colours, external diff drivers, text conversion, quoted paths, signatures)
never changes what binlint reads. Failures become `GitError` with a message for people.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from typing import IO, Iterable, Iterator

# Options that make git's output the same whatever the user's config says.
_STABLE = (
    "-c", "core.quotepath=on", "-c", "color.ui=never", "-c", "log.showSignature=false",
    "-c", "diff.mnemonicPrefix=false", "-c", "diff.noprefix=false", "-c", "diff.external=",
    "-c", "diff.relative=false", "-c", "log.follow=false", "-c", "core.pager=cat",
)
COMMIT_MARK = b"\x00C "  # starts every commit's header line in the patch stream


class GitError(Exception):
    """Git is missing, the folder is no repository, or git refused a revision; exit status 2."""


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("GIT_EXTERNAL_DIFF", "GIT_PAGER", "GIT_DIFF_OPTS"):
        env.pop(name, None)
    env["GIT_TERMINAL_PROMPT"] = "0"
    env["LC_ALL"] = "C"
    return env


def git(args: Iterable[str], cwd: str, *, stdin: bytes | None = None, timeout: float = 300
        ) -> subprocess.CompletedProcess[bytes]:
    """Run git and wait for it; GitError when git is missing or hangs."""
    command = ["git", *_STABLE, *args]
    try:
        return subprocess.run(command, cwd=cwd, input=stdin, capture_output=True, timeout=timeout,
                              env=_environment())
    except FileNotFoundError:
        raise GitError("`binlint history` needs git, and no `git` command was found") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"`git {' '.join(args)}` took longer than {timeout:.0f} s") from None


def _text(data: bytes) -> str:
    return os.fsdecode(data.rstrip(b"\n"))


@dataclass(frozen=True)
class Repository:
    """The repository `binlint history` reads."""

    cwd: str  # where git runs
    top: str | None  # the work tree's top folder; None in a bare repository
    shallow: bool
    head: str | None  # HEAD's commit; None before the first commit

    @property
    def root(self) -> str:
        """The folder repository paths are relative to (the work tree, or the bare repository)."""
        return self.top or self.cwd


def open_repository(folder: str) -> Repository:
    """The repository holding `folder`; GitError when there is none."""
    if not os.path.isdir(folder):
        raise GitError(f"{folder} is not a folder")
    done = git(["rev-parse", "--is-bare-repository", "--is-shallow-repository", "--git-dir"], folder)
    if done.returncode != 0:
        raise GitError(f"{os.path.abspath(folder)} is not in a git repository: `binlint history` reads git's "
                       "commits (run it inside a clone)")
    bare, shallow, _ = (done.stdout.decode(errors="replace").splitlines() + ["", "", ""])[:3]
    top = None
    if bare != "true":
        top_done = git(["rev-parse", "--show-toplevel"], folder)
        if top_done.returncode == 0 and top_done.stdout.strip():
            top = _text(top_done.stdout)
    head_done = git(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], folder)
    head = head_done.stdout.decode().strip() if head_done.returncode == 0 else None
    return Repository(folder, top, shallow == "true", head or None)


def check_revisions(repository: Repository, revisions: list[str]) -> None:
    """GitError naming the first revision git does not know."""
    for revision in revisions:
        if not revision or revision.startswith("-"):
            raise GitError(f"{revision!r} is not a revision (like HEAD, main, origin/main..HEAD or v1.0...v2.0)")
        if revision.endswith(("^!", "^@")):
            ends = [revision[:-2]]
        else:
            ends = revision.lstrip("^").replace("...", "..").split("..")
        for end in ends:
            if not end:
                continue  # `main..` means main..HEAD
            done = git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{end}^{{commit}}"], repository.cwd)
            if done.returncode != 0:
                where = "" if repository.head else " (the repository has no commits yet)"
                raise GitError(f"unknown revision {end!r}{where}: name a branch, tag or commit, like main, HEAD~3 "
                               "or origin/main (fetch it first in a CI checkout)")


def shallow_boundary(repository: Repository) -> list[str]:
    """The commits a shallow clone was cut at (their parents are not in the clone)."""
    done = git(["rev-parse", "--git-path", "shallow"], repository.cwd)
    path = os.path.join(repository.cwd, _text(done.stdout)) if done.returncode == 0 else ""
    try:
        with open(path, encoding="ascii", errors="replace") as handle:
            return [line.strip() for line in handle if line.strip()]
    except OSError:
        return []


def commit_list(repository: Repository, revisions: list[str]) -> list[str]:
    """The commits `revisions` name, oldest first (`git rev-list --reverse`)."""
    done = git(["rev-list", "--reverse", *revisions, "--"], repository.cwd)
    if done.returncode != 0:
        raise GitError(f"git rev-list failed: {_text(done.stderr)}")
    return done.stdout.decode("ascii", errors="replace").split()


def patch_command(big_file: int) -> list[str]:
    """`git log -p` of the commits named on its stdin, in that order: only added lines matter,
    so no context (`-U0`); full blob ids; no rename detection; merges as combined diffs (what
    a merge added against every parent); files above `big_file` bytes come out as `Binary
    files … differ` (git does not diff them)."""
    return [
        "git", *_STABLE, "-c", f"core.bigFileThreshold={max(big_file, 1)}",
        "log", "-p", "-U0", "--cc", "--no-color", "--no-ext-diff", "--no-textconv", "--no-renames",
        "--full-index", "--src-prefix=a/", "--dst-prefix=b/", "--ignore-submodules", "--no-notes",
        "--format=%x00C %H %cI", "--no-walk=unsorted", "--stdin",
    ]


class PatchStream:
    """A running `git log -p` over `commits`; iterate for one commit's bytes at a time."""

    def __init__(self, repository: Repository, commits: list[str], big_file: int) -> None:
        try:
            self.process = subprocess.Popen(patch_command(big_file), cwd=repository.cwd,
                                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                            stderr=subprocess.PIPE, env=_environment(), bufsize=0)
        except FileNotFoundError:
            raise GitError("`binlint history` needs git, and no `git` command was found") from None
        _widen_pipe(self.process.stdout)
        # git reads its whole stdin before it writes: hand the list over from a thread, so a
        # long list never dead-locks against a full output pipe.
        import threading

        def feed() -> None:
            assert self.process.stdin is not None
            try:
                self.process.stdin.write("".join(f"{c}\n" for c in commits).encode("ascii"))
                self.process.stdin.close()
            except OSError:
                pass

        self.feeder = threading.Thread(target=feed, daemon=True)
        self.feeder.start()

    def __iter__(self) -> Iterator[bytes]:
        assert self.process.stdout is not None
        yield from split_commits(self.process.stdout)

    def close(self) -> None:
        """Wait for git; GitError when it failed."""
        process = self.process
        self.feeder.join()
        if process.stdout is not None:
            process.stdout.close()
        stderr = process.stderr.read() if process.stderr is not None else b""
        if process.wait() != 0:
            raise GitError(f"git log failed: {_text(stderr) or f'exit status {process.returncode}'}")

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


def _widen_pipe(stream: IO[bytes] | None) -> None:
    """Let git write up to 1 MiB ahead of the reader (Linux; the default is 64 KiB): fewer
    stops and wake-ups on a busy machine. Best effort."""
    try:
        import fcntl

        if stream is not None and hasattr(fcntl, "F_SETPIPE_SZ"):
            fcntl.fcntl(stream.fileno(), fcntl.F_SETPIPE_SZ, 1 << 20)
    except (ImportError, OSError):
        pass


def split_commits(stream: IO[bytes], block: int = 1 << 20) -> Iterator[bytes]:
    """Each commit's part of the patch stream (its header line and its diffs)."""
    mark = b"\n" + COMMIT_MARK
    pending = bytearray()
    while True:
        data = stream.read(block)
        if not data:
            break
        start = len(pending)
        pending += data
        cut = 0
        position = pending.find(mark, max(start - len(mark), 1))
        while position >= 0:
            yield bytes(pending[cut:position + 1])
            cut = position + 1
            position = pending.find(mark, cut + 1)
        if cut:
            del pending[:cut]
    if pending:
        yield bytes(pending)


class BlobReader:
    """`git cat-file --batch`: blob contents by id, from one long-running git."""

    def __init__(self, repository: Repository) -> None:
        self.process = subprocess.Popen(["git", *_STABLE, "cat-file", "--batch"], cwd=repository.cwd,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        env=_environment())

    def read(self, blob: str, limit: int) -> bytes | int | None:
        """The blob's bytes; its size when larger than `limit`; None when git does not have it."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(blob.encode("ascii") + b"\n")
        self.process.stdin.flush()
        header = self.process.stdout.readline().split()
        if len(header) < 3 or header[1] == b"missing":
            return None
        size = int(header[2])
        data = self.process.stdout.read(size)
        self.process.stdout.read(1)  # the newline after the content
        return size if size > limit else data

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.process.wait()


def blob_sizes(repository: Repository, blobs: list[str]) -> dict[str, int]:
    """The sizes of `blobs` (`git cat-file --batch-check`)."""
    if not blobs:
        return {}
    done = git(["cat-file", "--batch-check"], repository.cwd, stdin="".join(f"{b}\n" for b in blobs).encode())
    sizes: dict[str, int] = {}
    for line in done.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2].isdigit():
            sizes[parts[0].decode()] = int(parts[2])
    return sizes


def present_at_head(repository: Repository, markers: list[str]) -> set[str]:
    """Which of `markers` (one-line strings) occur anywhere in HEAD's files.

    The markers go to git on stdin, never on a command line other users could read.
    """
    wanted = sorted({m for m in markers if m and "\n" not in m})
    if repository.head is None or not wanted:
        return set()
    done = git(["grep", "-F", "-o", "-h", "-I", "--no-color", "--no-recurse-submodules", "-f", "-", "HEAD", "--"],
               repository.cwd, stdin="\n".join(wanted).encode() + b"\n")
    if done.returncode not in (0, 1):
        raise GitError(f"git grep failed: {_text(done.stderr)}")
    found = set(done.stdout.decode("utf-8", errors="replace").splitlines())
    return found & set(wanted)


_ESCAPES = {ord("a"): 7, ord("b"): 8, ord("t"): 9, ord("n"): 10, ord("v"): 11, ord("f"): 12, ord("r"): 13,
            ord('"'): 34, ord("\\"): 92}


def unquote_path(raw: bytes) -> bytes:
    """A path as git prints it (`"t\\303\\251st.py"` when quoted) back to its bytes."""
    if len(raw) < 2 or not (raw.startswith(b'"') and raw.endswith(b'"')):
        return raw
    body = raw[1:-1]
    out = bytearray()
    index = 0
    while index < len(body):
        byte = body[index]
        if byte != 92 or index + 1 >= len(body):
            out.append(byte)
            index += 1
            continue
        following = body[index + 1]
        if 48 <= following <= 55 and index + 3 < len(body) + 1:
            digits = body[index + 1:index + 4]
            try:
                out.append(int(digits, 8) & 0xFF)
            except ValueError:
                out.append(following)
            index += 4
        else:
            out.append(_ESCAPES.get(following, following))
            index += 2
    return bytes(out)
