"""lint: files -> API shapes -> a lint snapshot per file -> the diagnose engine -> findings with locations.

Each file is linted on its own (names of task definitions may repeat across files); findings get a
`Location(file, line, column, pointer)` from the resource's pointer map and the file's line map.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ecs_triage import engine, registry
from ecs_triage.errors import InputError
from ecs_triage.evidence import parse
from ecs_triage.evidence.snapshot import SCHEMA
from ecs_triage.lint import formats
from ecs_triage.report import Finding, Location, Outcome, Report, fingerprint

SUFFIXES = (".json", ".yaml", ".yml", ".template")
SKIP_DIRS = frozenset({".git", "node_modules", ".venv", "venv", "__pycache__", ".terraform", ".tox", ".mypy_cache"})
_STATUS_ORDER = {"error": 0, "failed": 1, "passed": 2, "skipped": 3, "not-applicable": 4}
_ID_PREFIX = re.compile(r"^ET\d{0,3}$", re.I)


@dataclass
class LintResult:
    report: Report
    errors: list[str] = field(default_factory=list)  # one line per file that could not be read


# Evidence kinds `--live` collects for the task definitions of the files (no services, tasks or network).
LIVE_KINDS = frozenset(
    {
        "task_definitions",
        "iam_roles",
        "iam_simulations",
        "ecr_repositories",
        "ecr_images",
        "secrets",
        "ssm_parameters",
        "kms_keys",
        "log_groups",
    }
)


def live_checks() -> tuple[registry.RegisteredCheck, ...]:
    """The diagnose checks that need only configuration evidence (roles, images, secrets, log groups): with
    `--live` they prove that what the definitions reference exists and is allowed."""
    return tuple(
        c
        for c in registry.for_mode("diagnose")
        if "lint" not in c.meta.modes
        and set(c.meta.requires) <= LIVE_KINDS
        and set(c.meta.requires) != {"task_definitions"}
    )


def select_checks(select: str | None, ignore: str | None, live: bool = False) -> tuple[registry.RegisteredCheck, ...]:
    """The lint checks kept by `--select`/`--ignore` (comma-separated ids, id prefixes like ET1, or slugs)."""
    checks = registry.for_mode("lint") + (live_checks() if live else ())

    def matcher(spec: str, option: str) -> list[str]:
        tokens = [t.strip() for t in spec.split(",") if t.strip()]
        for t in tokens:
            if not any(_match(c, t) for c in checks):
                raise InputError(f"{option}: no lint check matches {t!r} (`ecs-triage checks --mode lint` lists them)")
        return tokens

    if select:
        tokens = matcher(select, "--select")
        checks = tuple(c for c in checks if any(_match(c, t) for t in tokens))
    if ignore:
        tokens = matcher(ignore, "--ignore")
        checks = tuple(c for c in checks if not any(_match(c, t) for t in tokens))
    return checks


def _match(check: registry.RegisteredCheck, token: str) -> bool:
    if _ID_PREFIX.match(token):
        return check.id.startswith(token.upper())
    return check.meta.slug == token.lower()


def iter_inputs(paths: Iterable[str]) -> Iterator[tuple[str, Path | None, bool, str | None]]:
    """(display name, path or None for stdin, explicitly named, error) for every input file, each once."""
    seen: set[Path] = set()
    for raw, child_path, explicit, problem in _iter_all(paths):
        if child_path is not None and problem is None:
            key = child_path.resolve()
            if key in seen:
                continue
            seen.add(key)
        yield raw, child_path, explicit, problem


def _iter_all(paths: Iterable[str]) -> Iterator[tuple[str, Path | None, bool, str | None]]:
    for raw in paths:
        if raw == "-":
            yield "<stdin>", None, True, None
            continue
        p = Path(raw)
        if p.is_dir():
            found = False
            for child in sorted(p.rglob("*")):
                rel = child.relative_to(p).parts
                if any(part in SKIP_DIRS for part in rel[:-1]):
                    continue
                if child.is_file() and child.suffix.lower() in SUFFIXES:
                    found = True
                    yield str(child), child, False, None
            if not found:
                yield str(p), p, False, f"{p}: no *.json, *.yaml, *.yml or *.template files"
        elif p.exists():
            yield str(p), p, True, None
        else:
            yield str(p), p, True, f"{p}: no such file or directory"


def _read(name: str, path: Path | None, stdin: Any) -> bytes:
    if path is None:
        source = stdin if stdin is not None else sys.stdin.buffer
        data: bytes = source.read(formats.MAX_BYTES + 1)
        return data
    try:
        with path.open("rb") as fh:
            return fh.read(formats.MAX_BYTES + 1)
    except OSError as exc:
        raise formats.InputFileError(f"{name}: cannot read ({exc.strerror or type(exc).__name__})") from None


def snapshot_for(parsed: formats.Parsed) -> dict[str, Any]:
    data: dict[str, list[Any]] = {kind: [] for kind in parsed.kinds}
    for r in parsed.resources:
        data.setdefault(r.kind, []).append({**r.payload, "__source__": parsed.file})
    return {
        "schema": SCHEMA,
        "source": "lint",
        "target": {"file": parsed.file, "format": parsed.format},
        "data": data,
        "gaps": [],
    }


MAX_DISAMBIGUATION = 64  # same-name resources compared by value (beyond that: the first one)


def locate(parsed: formats.Parsed, f: Finding, index: dict[str, list[formats.Resource]] | None = None) -> Location:
    if index is None:
        index = index_resources(parsed)
    candidates = index.get(f.resource, [])
    if not candidates:
        candidates = [r for r in parsed.resources if f.resource.endswith(" " + r.name)]
    if not candidates and f.pointer:  # e.g. a live check naming a role: the definition holding the pointer
        candidates = [
            r
            for r in parsed.resources
            if r.kind == "task_definitions" and _value_at(r.payload, f.pointer) is not _MISSING
        ]
    if not candidates:
        return Location(parsed.file, None, None, f.pointer)
    res = candidates[0]
    if 1 < len(candidates) <= MAX_DISAMBIGUATION:  # same name twice in a file: the one matching the evidence
        res = max(candidates, key=lambda r: sum(_value_at(r.payload, e.pointer) == e.value for e in f.evidence))
    file_ptr = res.file_pointer(f.pointer)
    _, pos = parsed.loaded.locate(file_ptr)
    if pos is None:
        return Location(parsed.file, None, None, file_ptr)
    return Location(parsed.file, pos[0], pos[1], file_ptr)


def index_resources(parsed: formats.Parsed) -> dict[str, list[formats.Resource]]:
    index: dict[str, list[formats.Resource]] = {}
    for r in parsed.resources:
        index.setdefault(r.resource_id, []).append(r)
    return index


_MISSING = object()


def _value_at(doc: Any, pointer: str) -> Any:
    for part in pointer.strip("/").split("/") if pointer.strip("/") else []:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(doc, dict) and part in doc:
            doc = doc[part]
        elif isinstance(doc, list) and part.isdigit() and int(part) < len(doc):
            doc = doc[int(part)]
        else:
            return _MISSING
    return doc


def borrow_task_definitions(parsed: formats.Parsed, others: list[formats.Parsed]) -> list[formats.Resource]:
    """Task definitions from other files that the services of `parsed` name (`taskDefinition: web:3` in a
    service file, the definition in its own file). The services are linked to them."""
    own = {r.payload.get("taskDefinitionArn") for r in parsed.resources if r.kind == "task_definitions"}
    out: list[formats.Resource] = []
    for svc in (r for r in parsed.resources if r.kind == "services"):
        ref = svc.payload.get("taskDefinition")
        if not isinstance(ref, str) or ref in own:
            continue
        short = ref.rsplit("/", 1)[-1]
        for other in others:
            if other is parsed:
                continue
            td = next(
                (
                    r
                    for r in other.resources
                    if r.kind == "task_definitions" and r.payload.get("family") in (short, short.split(":", 1)[0])
                ),
                None,
            )
            if td is not None:
                svc.payload["taskDefinition"] = td.payload["taskDefinitionArn"]
                if td not in out:
                    out.append(td)
                break
    return out


def lint_parsed(
    parsed: formats.Parsed,
    checks: tuple[registry.RegisteredCheck, ...],
    borrowed: list[formats.Resource] | None = None,
    live: dict[str, Any] | None = None,
) -> tuple[list[tuple[Finding, bool]], list[Outcome]]:
    """Lint one file. `borrowed` task definitions (from other files) are seen by the rules, and findings
    about them are left to their own file."""
    snap = snapshot_for(parsed)
    if live is not None:
        for kind, items in live.get("data", {}).items():
            if kind != "task_definitions":
                snap["data"][kind] = items
        snap["gaps"] = list(live.get("gaps", []))
        snap["region"], snap["account"] = live.get("region"), live.get("account")
    skip = {r.resource_id for r in borrowed or ()}
    for r in borrowed or ():
        snap["data"].setdefault("task_definitions", []).append(dict(r.payload))
    ev = parse.parse_snapshot(snap)
    found, outcomes = engine.evaluate(ev, checks)
    located = []
    index = index_resources(parsed)
    for f, root in found:
        if f.resource in skip:
            continue
        loc = locate(parsed, f, index)
        located.append((replace(f, location=loc, fingerprint=fingerprint(f.fingerprint, parsed.file)), root))
    return located, outcomes


def merge_outcomes(per_file: list[list[Outcome]]) -> tuple[Outcome, ...]:
    merged: dict[str, Outcome] = {}
    for outcomes in per_file:
        for o in outcomes:
            prev = merged.get(o.check)
            if prev is None:
                merged[o.check] = o
                continue
            best = o if _STATUS_ORDER[o.status] < _STATUS_ORDER[prev.status] else prev
            merged[o.check] = replace(best, findings=prev.findings + o.findings)
    return tuple(merged[k] for k in sorted(merged))


def plain_copy(value: Any) -> Any:
    """A copy without unknown values (CloudFormation intrinsics): what `--live` may look up in AWS."""
    if isinstance(value, dict):
        if formats.is_intrinsic(value):
            return None
        return {k: c for k, v in value.items() if (c := plain_copy(v)) is not None or v is None}
    if isinstance(value, list):
        return [c for c in (plain_copy(v) for v in value) if c is not None]
    return value


def collect_live(
    parsed_files: list[formats.Parsed],
    *,
    profile: str | None = None,
    region: str | None = None,
    progress: Any = None,
) -> dict[str, Any]:
    """One read-only snapshot of what the files' task definitions reference (roles, images, secrets, log
    groups), with the diagnose collectors. Raises CollectError when AWS cannot be reached at all."""
    from ecs_triage.collect import collect_definitions

    tds = [plain_copy(r.payload) for p in parsed_files for r in p.resources if r.kind == "task_definitions"]
    return collect_definitions(tds, profile=profile, region=region, progress=progress)


def lint_paths(
    paths: Iterable[str],
    *,
    select: str | None = None,
    ignore: str | None = None,
    stdin: Any = None,
    live: bool = False,
    profile: str | None = None,
    region: str | None = None,
    progress: Any = None,
) -> LintResult:
    checks = select_checks(select, ignore, live=live)
    paths = list(paths)
    errors: list[str] = []
    notes: list[str] = []
    files: list[dict[str, Any]] = []
    found: list[tuple[Finding, bool]] = []
    per_file: list[list[Outcome]] = []
    all_parsed: list[formats.Parsed] = []
    for name, path, explicit, problem in iter_inputs(paths):
        if problem is not None:
            (errors if explicit else notes).append(problem)
            continue
        try:
            raw_bytes = _read(name, path, stdin)
            if explicit and not raw_bytes.strip():
                errors.append(
                    f"{name}: empty input"
                )  # e.g. `terraform show -json plan | ecs-triage lint -` failed upstream
                continue
            parsed = formats.parse_text(formats.decode(raw_bytes, name), name)
        except formats.InputFileError as exc:
            errors.append(str(exc))
            continue
        except formats.NotRecognized as exc:
            if path is None:  # stdin was meant for us: not recognising it is an error
                errors.append(str(exc))
            else:
                notes.append(f"skipped {exc}")  # readable, just not ours (package.json, a workflow ...)
            continue
        except RecursionError:
            errors.append(f"{name}: nested too deeply")
            continue
        notes.extend(parsed.notes)
        files.append({"file": name, "format": parsed.format, "resources": [r.resource_id for r in parsed.resources]})
        if parsed.resources:
            all_parsed.append(parsed)
    live_snap = (
        collect_live(all_parsed, profile=profile, region=region, progress=progress) if live and all_parsed else None
    )
    for parsed in all_parsed:
        borrowed = borrow_task_definitions(parsed, all_parsed)
        file_found, outcomes = lint_parsed(parsed, checks, borrowed, live_snap)
        found.extend(file_found)
        per_file.append(outcomes)
    if not files and not errors:
        notes.append("no task definition, service, CloudFormation template or Terraform plan found")
    report = Report(
        command="lint",
        source="lint",
        target={"paths": paths},
        findings=engine.rank(found, fold=False),
        outcomes=merge_outcomes(per_file),
        notes=tuple(notes),
        gaps=tuple(live_snap.get("gaps", [])) if live_snap else (),
        region=live_snap.get("region") if live_snap else None,
        account=live_snap.get("account") if live_snap else None,
        extra={
            "files": files,
            **({"unreadable": errors} if errors else {}),
            **({"calls": live_snap.get("calls", {})} if live_snap else {}),
        },
    )
    return LintResult(report, errors)
