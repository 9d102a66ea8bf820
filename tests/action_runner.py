"""Runs a composite action's shell steps locally, the way the GitHub runner does.

Enough of the runner for binlint's `action.yml`: `${{ }}` expressions over the `inputs`,
`github` and `steps` contexts (paths, string literals, `==`, `!=`, `&&`, `||`, `!` and the
status functions), step `if`s, `shell: bash` steps run as `bash --noprofile --norc -eo
pipefail`, and the GITHUB_OUTPUT, GITHUB_PATH and GITHUB_ENV files. `uses:` steps are
recorded with their interpolated `with:`, not run. An expression it does not understand is
an error, so the action cannot quietly outgrow the test.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

_TOKEN = re.compile(r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<number>\d+(?:\.\d+)?)|(?P<op>==|!=|&&|\|\||!|\(|\))"
                    r"|(?P<name>[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)*))")
_STATUS = ("success", "failure", "always", "cancelled")


class ExpressionError(ValueError):
    """An expression this runner does not understand."""


def _tokens(expression: str) -> list[tuple[str, str]]:
    found, position = [], 0
    text = expression.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise ExpressionError(f"cannot read {text[position:]!r} in {expression!r}")
        kind = match.lastgroup or ""
        found.append((kind, match.group(kind)))
        position = match.end()
    return found


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


class _Parser:
    def __init__(self, expression: str, contexts: dict[str, Any], failed: bool) -> None:
        self.tokens, self.index = _tokens(expression), 0
        self.contexts, self.failed, self.expression = contexts, failed, expression

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            raise ExpressionError(f"expected {value or 'more'} in {self.expression!r}")
        self.index += 1
        return token

    def parse(self) -> Any:
        value = self.either()
        if self.peek() is not None:
            raise ExpressionError(f"unexpected {self.peek()[1]!r} in {self.expression!r}")  # type: ignore[index]
        return value

    def either(self) -> Any:
        value = self.both()
        while self.peek() == ("op", "||"):
            self.take()
            right = self.both()
            value = value or right
        return value

    def both(self) -> Any:
        value = self.negation()
        while self.peek() == ("op", "&&"):
            self.take()
            right = self.negation()
            value = value and right
        return value

    def negation(self) -> Any:
        if self.peek() == ("op", "!"):
            self.take()
            return not self.negation()
        return self.comparison()

    def comparison(self) -> Any:
        left = self.primary()
        token = self.peek()
        if token in (("op", "=="), ("op", "!=")):
            self.take()
            right = self.primary()
            same = _text(left).lower() == _text(right).lower()
            return same if token[1] == "==" else not same  # type: ignore[index]
        return left

    def primary(self) -> Any:
        kind, value = self.take()
        if kind == "string":
            return value[1:-1].replace("''", "'")
        if kind == "number":
            return float(value)
        if kind == "op" and value == "(":
            inner = self.either()
            self.take(")")
            return inner
        if kind != "name":
            raise ExpressionError(f"unexpected {value!r} in {self.expression!r}")
        if value in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[value]
        if value in _STATUS and self.peek() == ("op", "("):
            self.take("(")
            self.take(")")
            return {"success": not self.failed, "failure": self.failed, "always": True, "cancelled": False}[value]
        head, *rest = value.split(".")
        if head not in self.contexts:
            raise ExpressionError(f"unknown context {head!r} in {self.expression!r}")
        current: Any = self.contexts[head]
        for part in rest:
            current = current.get(part) if isinstance(current, dict) else None
        return current


def evaluate(expression: str, contexts: dict[str, Any], failed: bool = False) -> Any:
    """The value of one expression (without the `${{ }}`)."""
    return _Parser(expression, contexts, failed).parse()


def interpolate(text: str, contexts: dict[str, Any]) -> str:
    """`text` with every `${{ expression }}` replaced by its value."""
    return re.sub(r"\$\{\{(.*?)\}\}", lambda m: _text(evaluate(m.group(1), contexts)), text)


def condition(text: str | None, contexts: dict[str, Any], failed: bool) -> bool:
    """Whether a step with `if: text` runs: an `if` without a status function means `success() && (...)`."""
    if text is None:
        return not failed
    inner = text.strip()
    if inner.startswith("${{") and inner.endswith("}}"):
        inner = inner[3:-2]
    value = bool(evaluate(inner, contexts, failed))
    if not any(re.search(rf"\b{name}\s*\(", inner) for name in _STATUS):
        value = value and not failed
    return value


@dataclass
class StepRun:
    name: str
    ran: bool
    returncode: int | None = None
    stdout: str = ""
    stderr: str = ""
    uses: str | None = None
    with_: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)


@dataclass
class ActionRun:
    steps: list[StepRun]
    outputs: dict[str, str]
    failed: bool
    path_added: list[str]

    def step(self, name: str) -> StepRun:
        return next(s for s in self.steps if s.name == name)

    @property
    def log(self) -> str:
        return "\n".join(s.stdout + s.stderr for s in self.steps)


def load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def run_action(action_dir: Path, workspace: Path, runner_temp: Path, with_: dict[str, str] | None = None,
               github: dict[str, Any] | None = None, skip: tuple[str, ...] = (),
               path_prefix: tuple[str, ...] = (), base_env: dict[str, str] | None = None) -> ActionRun:
    """Run the action in `action_dir` on `workspace` as a workflow step `uses: ...` with `with_` would.

    `skip` names steps to leave out (a later run reusing an earlier run's install);
    `path_prefix` goes in front of PATH (as a later `GITHUB_PATH` line would)."""
    action = load(action_dir / "action.yml")
    declared = action.get("inputs") or {}
    given = with_ or {}
    unknown = set(given) - set(declared)
    if unknown:
        raise ValueError(f"inputs the action does not declare: {sorted(unknown)}")
    inputs = {name: _text(given.get(name, spec.get("default", ""))) for name, spec in declared.items()}
    github = {"action_path": str(action_dir), "workspace": str(workspace), "event_name": "push", "event": {},
              **(github or {})}
    contexts: dict[str, Any] = {"inputs": inputs, "github": github, "steps": {}}

    runner_temp.mkdir(parents=True, exist_ok=True)
    event_path = runner_temp / "event.json"
    event_path.write_text(json.dumps(github["event"]))
    env = dict(base_env if base_env is not None else os.environ)
    env.update({
        "CI": "true", "GITHUB_ACTIONS": "true", "RUNNER_OS": "Linux", "RUNNER_TEMP": str(runner_temp),
        "GITHUB_WORKSPACE": str(workspace), "GITHUB_ACTION_PATH": str(action_dir),
        "GITHUB_EVENT_NAME": github["event_name"], "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_SHA": _text(github.get("sha")), "GITHUB_STEP_SUMMARY": str(runner_temp / "summary.md"),
    })
    extra_path: list[str] = []
    runs, failed = [], False
    for index, step in enumerate(action["runs"]["steps"]):
        name = step.get("name") or step.get("id") or f"step {index}"
        if name in skip or not condition(step.get("if"), contexts, failed):
            runs.append(StepRun(name, ran=False))
            continue
        step_env = {key: interpolate(_text(value), contexts) for key, value in (step.get("env") or {}).items()}
        if "uses" in step:
            with_values = {key: interpolate(_text(value), contexts) for key, value in (step.get("with") or {}).items()}
            runs.append(StepRun(name, ran=False, uses=step["uses"], with_=with_values, env=step_env))
            continue
        if step.get("shell") != "bash":
            raise ValueError(f"step {name!r}: only `shell: bash` steps can run here")
        files = {kind: runner_temp / f"{kind.lower()}-{index}" for kind in ("GITHUB_OUTPUT", "GITHUB_PATH", "GITHUB_ENV")}
        for file in files.values():
            file.write_text("")
        script = runner_temp / f"step-{index}.sh"
        script.write_text(interpolate(step["run"], contexts))
        full_env = {**env, **step_env, **{kind: str(file) for kind, file in files.items()},
                    "PATH": os.pathsep.join([*path_prefix, *reversed(extra_path), env.get("PATH", "")])}
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                              cwd=interpolate(step.get("working-directory", str(workspace)), contexts),
                              env=full_env, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
        runs.append(StepRun(name, ran=True, returncode=done.returncode, stdout=done.stdout, stderr=done.stderr,
                            env=step_env))
        if "id" in step:
            contexts["steps"][step["id"]] = {"outputs": _key_values(files["GITHUB_OUTPUT"].read_text()),
                                             "outcome": "success" if done.returncode == 0 else "failure"}
        extra_path.extend(line for line in files["GITHUB_PATH"].read_text().splitlines() if line)
        env.update(_key_values(files["GITHUB_ENV"].read_text()))
        failed = failed or done.returncode != 0
    outputs = {name: interpolate(_text(spec.get("value", "")), contexts)
               for name, spec in (action.get("outputs") or {}).items()}
    return ActionRun(runs, outputs, failed, extra_path)


def _key_values(text: str) -> dict[str, str]:
    """The `name=value` and `name<<DELIMITER` lines of a GITHUB_OUTPUT or GITHUB_ENV file."""
    values: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            body = []
            for body_line in lines:
                if body_line == delimiter:
                    break
                body.append(body_line)
            values[name] = "\n".join(body)
        elif "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
    return values
