"""What a check author imports.

A check is one module `etNNN_slug.py` in this package with:
  * a module docstring with the sections *What it detects*, *Why it happens*, *How to fix*, *References*
    (the docs page is generated from it);
  * `CHECK = Check(...)`: id, slug, title, category, severity, requires (evidence kinds it cannot work
    without), reads (kinds it also consults), modes;
  * `def evaluate(ev: Evidence) -> Iterator[Hit]`: pure, no I/O, no boto3, no clock, no environment.

The engine stamps the id, title, severity, docs link and a stable fingerprint onto each `Hit`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from ecs_triage.evidence.model import Evidence
from ecs_triage.fixes import Fix, aws_cli

Severity = Literal["error", "warning", "info"]
Mode = Literal["diagnose", "lint"]

SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
CATEGORIES = (
    "task",  # 1xx task start and stop
    "service",  # 2xx service scheduling and deployments
    "load-balancing",  # 3xx load balancing and health checks
    "configuration",  # 4xx IAM, secrets and configuration
    "network",  # 5xx networking
    "logging",  # 6xx logging
    "exec",  # 7xx ECS Exec
    "tool",  # 9xx the tool itself
)


@dataclass(frozen=True)
class Check:
    """The metadata record every check module declares as `CHECK`."""

    id: str
    slug: str
    title: str
    category: str
    severity: Severity
    requires: tuple[str, ...]
    modes: tuple[Mode, ...] = ("diagnose",)
    # Kinds the check also consults when present. A gap in one of them never lets the check pass: with no
    # finding, the outcome is "skipped: missing permission X" (a gap in `requires` skips the check outright).
    reads: tuple[str, ...] = ()


@dataclass(frozen=True)
class EvidenceRef:
    """One line of proof: a pointer into a raw payload and the value observed there.

    `resource` names the payload (an ARN, `taskdef web:3`, a file); `pointer` is a JSON pointer inside it
    (`/containers/0/reason`); `value` is what was seen. `note` says why it matters, if not obvious.
    """

    resource: str
    pointer: str
    value: Any
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"resource": self.resource, "pointer": self.pointer, "value": self.value}
        if self.note:
            out["note"] = self.note
        return out

    def dotted(self) -> str:
        """`/containers/0/reason` -> `containers[0].reason`."""
        out = ""
        for part in self.pointer.strip("/").split("/"):
            if not part:
                continue
            part = part.replace("~1", "/").replace("~0", "~")
            out += f"[{part}]" if part.isdigit() else (f".{part}" if out else part)
        return out


@dataclass(frozen=True)
class Hit:
    """What a check yields: the problem observed on one resource, its proof, its cause and its fix."""

    resource: str
    message: str
    cause: str
    confidence: float
    evidence: tuple[EvidenceRef, ...] = ()
    fix: Fix | None = None
    signature: str = ""
    pointer: str = ""  # where in the resource the mistake sits (lint locations)
    severity: Severity | None = None  # overrides the check's default severity when set
    root: bool = True  # False for a symptom that should fold under a root cause of the same label
    extra: dict[str, Any] = field(default_factory=dict)


__all__ = [
    "Check",
    "Evidence",
    "EvidenceRef",
    "Fix",
    "Hit",
    "Iterator",
    "Severity",
    "aws_cli",
]
