"""Accuracy and speed of `ecs-triage explain` on the shared corpus of real ECS failure messages.

Usage: .venv/bin/python benchmarks/explain_accuracy.py [CORPUS.jsonl]
  (default: ../shared/corpus/public.jsonl relative to the repository root)

Prints: top-1 cause accuracy overall and per label, the confusion pairs (true -> predicted, with ids),
throughput of the classifier (the corpus classified over and over for ~1 s in one thread, so on one core:
messages per second of wall time, and of CPU time, which other load on the machine does not skew), throughput of the batch command end to end (`explain --jsonl`, JSON in
and out, in a subprocess), and the start-up time of `ecs-triage --help` and `ecs-triage explain "x"`.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO / ".." / "shared" / "corpus" / "public.jsonl"


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def accuracy(rows: list[dict]) -> None:
    from ecs_triage.app.explain import BadLine, run_jsonl

    results: list[dict] = []
    bad: list[BadLine] = []
    lines = [json.dumps({k: r.get(k) for k in ("id", "text", "kind", "exit_code")}) for r in rows]
    run_jsonl(lines, results.append, bad.append)
    truth = {r["id"]: r["label"] for r in rows}
    predicted = {r["id"]: r for r in results}
    total = len(rows)
    right = sum(1 for i, label in truth.items() if predicted.get(i, {}).get("cause") == label)
    print(f"corpus: {total} messages, {len(bad)} malformed")
    print(f"top-1 accuracy: {right}/{total} = {right / total:.1%}")
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for i, label in truth.items():
        per[label][1] += 1
        per[label][0] += predicted.get(i, {}).get("cause") == label
    print("\nper label (right/total):")
    for label in sorted(per, key=lambda k: (-per[k][1], k)):
        ok, n = per[label]
        print(f"  {label:34s} {ok:3d}/{n:<3d} {ok / n:6.0%}")
    pairs: dict[tuple[str, str], list[str]] = defaultdict(list)
    for i, label in truth.items():
        got = predicted.get(i, {})
        if got.get("cause") != label:
            pairs[(label, got.get("cause", "<missing>"))].append(
                f"{i} ({got.get('signature') or '-'}, conf {got.get('confidence', 0):.2f})"
            )
    print("\nconfusion pairs (true -> predicted: ids):")
    if not pairs:
        print("  none")
    for (label, got), ids in sorted(pairs.items()):
        print(f"  {label} -> {got}: {', '.join(ids)}")
    conf = Counter(round(r["confidence"], 1) for r in results)
    print("\nconfidence histogram:", ", ".join(f"{k:.1f}:{v}" for k, v in sorted(conf.items())))


def throughput(rows: list[dict], seconds: float = 1.0) -> None:
    from ecs_triage.knowledge import classify

    pinned = " (one thread)"
    items = [(r["text"], r["kind"], r["exit_code"]) for r in rows]
    for text, kind, code in items:  # warm up: compile the catalog
        classify(text, kind, code)
    n = 0
    w0, c0 = time.perf_counter(), time.process_time()
    while time.perf_counter() - w0 < seconds:
        for text, kind, code in items:
            classify(text, kind, code)
        n += len(items)
    wall, cpu_s = time.perf_counter() - w0, time.process_time() - c0
    print(
        f"\nclassifier throughput{pinned}: {n / wall:,.0f} messages/s wall, {n / cpu_s:,.0f} messages/s CPU "
        f"({n} messages in {wall:.2f} s wall / {cpu_s:.2f} s CPU; {1e6 * cpu_s / n:.1f} us per message)"
    )


def batch_in_process(rows: list[dict], seconds: float = 1.0) -> None:
    import io

    from ecs_triage.app.explain import run_jsonl_lines

    lines = [json.dumps({k: r.get(k) for k in ("id", "text", "kind", "exit_code")}) for r in rows]
    sink = io.StringIO()

    def write(line: str) -> None:
        sink.write(line)
        sink.write("\n")

    n = 0
    w0, c0 = time.perf_counter(), time.process_time()
    while time.perf_counter() - w0 < seconds:
        run_jsonl_lines(lines, write, print)
        n += len(lines)
        sink.seek(0)
        sink.truncate()
    wall, cpu_s = time.perf_counter() - w0, time.process_time() - c0
    print(
        f"batch mode in process (parse JSON line, classify, render fix, write JSON line; one thread): "
        f"{n / wall:,.0f} messages/s wall, {n / cpu_s:,.0f} messages/s CPU"
    )


def command() -> list[str]:
    exe = Path(sys.executable).with_name("ecs-triage")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("ecs-triage")
    return [found] if found else [sys.executable, "-m", "ecs_triage"]


def batch_cli(rows: list[dict], copies: int = 200) -> None:
    lines = [json.dumps({k: r.get(k) for k in ("id", "text", "kind", "exit_code")}) for r in rows] * copies
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
        path = fh.name
    try:
        t0 = time.perf_counter()
        proc = subprocess.run([*command(), "explain", "--jsonl", path], capture_output=True, text=True, check=False)
        wall = time.perf_counter() - t0
    finally:
        os.unlink(path)
    out = proc.stdout.count("\n")
    print(
        f"batch command `explain --jsonl` ({len(lines)} lines, JSON in and out, incl. start-up): "
        f"{out / wall:,.0f} messages/s wall (exit {proc.returncode}, {out} results)"
    )


def startup(runs: int = 7) -> None:
    cmd = command()
    env = {**os.environ, "NO_COLOR": "1"}
    print(f"\nstart-up ({' '.join(Path(c).name for c in cmd)}; median of {runs} runs, wall):")
    for args in (["--help"], ["explain", "x"]):
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            subprocess.run([*cmd, *args], capture_output=True, env=env, check=False)
            times.append(time.perf_counter() - t0)
        print(f"  ecs-triage {' '.join(args):12s} median {statistics.median(times):.3f} s, min {min(times):.3f} s")


def main() -> int:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CORPUS
    if not corpus.exists():
        print(f"corpus not found: {corpus}", file=sys.stderr)
        return 2
    rows = load(corpus)
    print(f"# explain accuracy benchmark: {corpus.resolve()}")
    accuracy(rows)
    throughput(rows)
    batch_in_process(rows)
    batch_cli(rows)
    startup()
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO / "src"))
    raise SystemExit(main())
