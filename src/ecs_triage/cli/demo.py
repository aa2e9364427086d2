"""`ecs-triage demo`: diagnose a built-in simulated broken AWS account (moto, in this process)."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from dataclasses import replace
from typing import Any

import click

from ecs_triage.cli._common import format_option
from ecs_triage.errors import EXIT_COLLECT, EXIT_USAGE, CollectError, InputError, TriageError

MISSING_MOTO = "the demo needs moto: pip install 'ecs-triage[demo]'"


_CLEARED = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_REGION")


def _point_at(endpoint: str) -> tuple[dict[str, str], dict[str, str | None]]:
    """Point this process's AWS configuration at the simulated account (never at a real one).
    Returns (the variables set, the previous values to restore)."""
    from ecs_triage.demo.server import FAKE_ENV

    env = {"AWS_ENDPOINT_URL": endpoint, **FAKE_ENV}
    saved = {k: os.environ.get(k) for k in (*env, *_CLEARED)}
    for var in _CLEARED:
        os.environ.pop(var, None)
    os.environ.update(env)
    return env, saved


def _restore(saved: dict[str, str | None]) -> None:
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@click.command("demo")
@click.option("--serve", is_flag=True, help="Keep the simulated account up and print how to point tools at it.")
@click.option("--only", metavar="NAME", help="Build and diagnose one world only (see the list in docs/demo.md).")
@format_option(("text", "json", "md"))
def demo(serve: bool, only: str | None, fmt: str) -> None:
    """Build a simulated AWS account with broken ECS services (moto, no AWS needed), then show the `scan`
    table and the `diagnose` report of each broken service.

    \b
    ecs-triage demo
    ecs-triage demo --only ecr-pull-403 --format json
    ecs-triage demo --serve        # then use scan/diagnose/aws against it
    """
    from ecs_triage.demo import WORLDS, moto_available, start_server

    if not moto_available():
        click.echo(MISSING_MOTO, err=True)
        sys.exit(EXIT_USAGE)

    if only is not None and only not in WORLDS:
        raise InputError(f"--only {only!r}: no such world; choose one of: {', '.join(WORLDS)}")
    started = time.monotonic()
    click.echo("building the simulated account (moto) ...", err=True)
    try:
        server, endpoint = start_server([only] if only else None)
    except Exception as exc:  # a moto that cannot bind or build: one line, not a traceback
        raise CollectError(f"could not start the simulated account: {_failure(exc)}") from None
    env, saved = _point_at(endpoint)
    try:
        worlds = server.worlds
        click.echo(f"simulated account ready at {endpoint} in {time.monotonic() - started:.1f} s", err=True)
        if serve:
            _serve(env, worlds)
            return
        failed = _show(worlds, fmt)
        click.echo(f"demo finished in {time.monotonic() - started:.1f} s", err=True)
    finally:
        server.stop()
        _restore(saved)
    if failed:
        sys.exit(EXIT_COLLECT)


def _serve(env: dict[str, str], worlds: list[Any]) -> None:
    broken = [w for w in worlds if not w.healthy]
    click.echo("# The simulated account is up. In another shell:")
    click.echo("unset " + " ".join(_CLEARED))
    click.echo("export " + " ".join(f"{k}={v}" for k, v in env.items()))
    click.echo("")
    click.echo("# then try:")
    for cluster in sorted({w.cluster for w in worlds}):
        click.echo(f"ecs-triage scan --cluster {cluster}")
    for w in broken[:3]:
        click.echo(f"ecs-triage diagnose --cluster {w.cluster} --service {w.service}")
    if broken:
        w = broken[0]
        click.echo(f"ecs-triage diagnose --cluster {w.cluster} --service {w.service} --save-snapshot {w.service}.json")
        click.echo(f"aws ecs describe-services --cluster {w.cluster} --services {w.service}")
    click.echo("")
    click.echo("# broken services: " + ", ".join(f"{w.cluster}/{w.service}" for w in broken))
    click.echo("# Ctrl-C stops the simulated account.")
    sys.stdout.flush()

    def _stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    stop = threading.Event()
    try:
        while not stop.wait(3600):
            pass
    except KeyboardInterrupt:
        click.echo("stopped the simulated account", err=True)


def _failure(exc: Exception) -> str:
    if isinstance(exc, TriageError):
        return exc.message
    return f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}"


def _show(worlds: list[Any], fmt: str) -> int:
    """Print the scan and the diagnoses; returns how many steps failed (each reported in one line)."""
    from ecs_triage.app.diagnose import diagnose_service
    from ecs_triage.app.scan import render_scan, scan_clusters
    from ecs_triage.render import render

    clusters = sorted({w.cluster for w in worlds})
    broken = [w for w in worlds if not w.healthy]
    scan_out: Any = None
    errors: list[dict[str, str]] = []
    try:
        scan_out = scan_clusters(clusters)
    except Exception as exc:  # one line per failed step, the demo goes on
        errors.append({"step": f"scan {' '.join(clusters)}", "error": _failure(exc)})
    diagnoses: list[tuple[Any, Any]] = []
    # The scan collected each cluster once; a service's diagnosis is the same offline path over its part of
    # that snapshot (what `diagnose --cluster C --service S` would collect again). Only a service the scan
    # did not list as unhealthy is collected anew.
    scanned = {(r.cluster, r.service): r.report for r in scan_out.rows} if scan_out is not None else {}
    for w in broken:
        if (w.cluster, w.service) in scanned:
            diagnoses.append((w, replace(scanned[(w.cluster, w.service)], command="diagnose")))
            continue
        try:
            report, _snapshot = diagnose_service(w.cluster, w.service)
        except Exception as exc:
            errors.append({"step": f"diagnose {w.cluster}/{w.service}", "error": _failure(exc)})
            continue
        diagnoses.append((w, report))

    if fmt == "json":
        doc = {
            "schema": "ecs-triage.demo/v1",
            "scan": json.loads(render_scan(scan_out, "json")) if scan_out is not None else None,
            "diagnoses": [
                {
                    "world": w.name,
                    "cluster": w.cluster,
                    "service": w.service,
                    "expected_cause": w.cause,
                    "report": json.loads(render(report, "json")),
                }
                for w, report in diagnoses
            ],
            "errors": errors,
        }
        click.echo(json.dumps(doc, indent=2, default=str))
        return len(errors)
    if fmt == "md":
        click.echo("# ecs-triage demo: a simulated account\n")
        if scan_out is not None:
            click.echo(render_scan(scan_out, fmt))
        for w, report in diagnoses:
            click.echo(f"\n---\n\n*Demo world `{w.name}`: {w.description}*\n")
            click.echo(render(report, fmt))
    else:
        click.echo("== scan: " + ", ".join(clusters) + " ==")
        if scan_out is not None:
            click.echo(render_scan(scan_out, fmt))
        for w, report in diagnoses:
            click.echo(f"\n== diagnose --cluster {w.cluster} --service {w.service}  ({w.description}) ==")
            click.echo(render(report, fmt))
    for err in errors:
        click.echo(f"ecs-triage: error: {err['step']}: {err['error']}", err=True)
    return len(errors)
