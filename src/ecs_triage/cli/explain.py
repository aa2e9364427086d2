"""`ecs-triage explain`: the cause and fix of a raw ECS failure message (or of JSON lines of them)."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import click

from ecs_triage.errors import EXIT_USAGE, InputError

KIND_HELP = "stopped_reason, container_reason, service_event, log or api_error (default: any)."


@click.command("explain")
@click.argument("text", required=False)
@click.option("--kind", "-k", default=None, metavar="KIND", help=f"Where the text comes from: {KIND_HELP}")
@click.option("--exit-code", "exit_code", default=None, metavar="N", help="The container's exit code, if known.")
@click.option(
    "--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Output."
)
@click.option(
    "--jsonl",
    "jsonl",
    default=None,
    metavar="FILE",
    help='Batch: read JSON lines {"id", "text", "kind"?, "exit_code"?} from FILE (- for stdin), write one JSON '
    "result line each.",
)
@click.option("--examples", is_flag=True, help="Explain the bundled example messages and print a table.")
def explain(
    text: str | None, kind: str | None, exit_code: str | None, fmt: str, jsonl: str | None, examples: bool
) -> None:
    """Explain an ECS failure message: its cause (a taxonomy label), what decides it, and the fix.

    TEXT is a task's stoppedReason, a container's reason, a service event, an application log line or an API
    error; `-` reads it from stdin. Exit codes: 0 done (even when the cause is `unknown`), 2 usage or input
    error (with --jsonl: some lines were malformed; each is reported on stderr, the others are still explained).
    """
    from ecs_triage.app import explain as app

    modes = sum(x is not None and x is not False for x in (text, jsonl, examples or None))
    if modes != 1:
        raise InputError("give exactly one of: TEXT (or - for stdin), --jsonl FILE, --examples")
    if jsonl is not None:
        if kind is not None or exit_code is not None:
            raise InputError("--kind and --exit-code apply to one TEXT; with --jsonl put them on each line")
        _run_jsonl(jsonl)
        return
    if examples:
        if kind is not None or exit_code is not None:
            raise InputError("--kind and --exit-code apply to one TEXT, not to --examples")
        _run_examples(fmt)
        return
    assert text is not None
    if text == "-":
        text = sys.stdin.buffer.read().decode("utf-8", "replace")
    code = app.parse_exit_code(exit_code)
    app.parse_kind(kind)
    match = app.explain(text, kind=kind, exit_code=code)
    res = app.result(match)
    res.pop("id")
    if fmt == "json":
        click.echo(json.dumps(res, indent=2, ensure_ascii=False))
    elif sys.stdout.isatty() and not os.environ.get("NO_COLOR"):
        _print_rich(render_text(res))
    else:
        click.echo(render_text(res))


def _run_jsonl(path: str) -> None:
    from ecs_triage.app import explain as app

    out = sys.stdout
    stream: Any
    if path == "-":
        stream = sys.stdin.buffer
    else:
        try:
            stream = open(path, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:

        def write(line: str) -> None:
            out.write(line)
            out.write("\n")

        def bad(b: app.BadLine) -> None:
            sys.stderr.write(f"ecs-triage: {path if path != '-' else '<stdin>'}:{b.line}: {b.reason}\n")

        try:
            nbad = app.run_jsonl_lines(stream, write, bad)
        except OSError as exc:
            raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()
    out.flush()
    if nbad:
        sys.stderr.write(f"ecs-triage: {nbad} malformed line(s) skipped\n")
        sys.exit(EXIT_USAGE)


def _run_examples(fmt: str) -> None:
    from ecs_triage.app import explain as app
    from ecs_triage.knowledge import classify

    rows = []
    for ex in app.examples():
        res = app.result(classify(ex["text"], kind=ex.get("kind"), exit_code=ex.get("exit_code")), ex.get("id"))
        rows.append((ex, res))
    if fmt == "json":
        for _, res in rows:
            click.echo(json.dumps(res, ensure_ascii=False, separators=(",", ":")))
        return
    if sys.stdout.isatty() and not os.environ.get("NO_COLOR"):
        _rich_table(rows)
    else:
        click.echo(_plain_table(rows))


def _short(text: str, width: int) -> str:
    one = " ".join(text.split())
    return one if len(one) <= width else one[: width - 1] + "…"


def _plain_table(rows: list[tuple[dict[str, Any], dict[str, Any]]]) -> str:
    head = ("id", "cause", "conf", "message", "fix")
    body = [
        (
            str(res["id"]),
            res["cause"],
            f"{res['confidence']:.0%}",
            _short(ex["text"], 60),
            _short(res["fix"]["summary"] if res["fix"] else "-", 60),
        )
        for ex, res in rows
    ]
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in [head, *body]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("")
    lines.append(f'{len(rows)} example messages; `ecs-triage explain "TEXT"` explains one in full.')
    return "\n".join(lines)


def _rich_table(rows: list[tuple[dict[str, Any], dict[str, Any]]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="ecs-triage explain: bundled example messages", show_lines=False)
    for col in ("id", "cause", "conf", "message", "fix"):
        table.add_column(col, overflow="fold" if col in ("message", "fix") else "ellipsis")
    for ex, res in rows:
        table.add_row(
            str(res["id"]),
            f"[bold]{res['cause']}[/bold]",
            f"{res['confidence']:.0%}",
            _short(ex["text"], 90),
            res["fix"]["summary"] if res["fix"] else "-",
        )
    console = Console()
    console.print(table)
    console.print(f'{len(rows)} example messages; `ecs-triage explain "TEXT"` explains one in full.')


def _print_rich(text: str) -> None:
    """The plain explanation with its labels highlighted (only on a terminal: rich is imported here)."""
    from rich.console import Console
    from rich.text import Text

    console = Console(highlight=False)
    for line in text.splitlines():
        styled = Text(line)
        head, sep, _ = line.partition(":")
        if sep and head and not line.startswith(" ") and " " not in head.strip():
            styled.stylize("bold cyan", 0, len(head) + 1)
        elif line.startswith("what would decide"):
            styled.stylize("bold cyan")
        elif line.lstrip().startswith("$ "):
            styled.stylize("green")
        if line.startswith("cause:"):
            styled.stylize("bold", len(head) + 1)
        console.print(styled, soft_wrap=True)


def render_text(res: dict[str, Any]) -> str:
    """The plain-text explanation of one result."""
    lines = [f"cause:       {res['cause']}  (confidence {res['confidence']:.0%})"]
    if res["signature"]:
        lines.append(f"signature:   {res['signature']}")
    lines.append(f"summary:     {res['summary']}")
    if res.get("explanation"):
        lines.append(f"why:         {res['explanation']}")
    if res.get("captures"):
        lines.append("seen:        " + ", ".join(f"{k}={v}" for k, v in sorted(res["captures"].items())))
    if res.get("decide"):
        lines.append("what would decide:")
        lines.extend(f"  - {d}" for d in res["decide"])
    fix = res.get("fix")
    if fix:
        lines.append(f"fix:         {fix['summary']}")
        lines.extend(f"  {i}. {s}" for i, s in enumerate(fix.get("steps", []), start=1))
        if fix.get("commands"):
            lines.append("  commands:")
            lines.extend(f"    $ {c}" for c in fix["commands"])
        if fix.get("snippet") is not None:
            lines.append(f"  {fix.get('snippet_title') or 'snippet'}:")
            snippet = json.dumps(fix["snippet"], indent=2, ensure_ascii=False)
            lines.extend("    " + ln for ln in snippet.splitlines())
    return "\n".join(lines)
