"""Discovers the check modules (`checks/etNNN_*.py`) and turns each into a `RegisteredCheck`."""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ecs_triage.checks._api import Check, Hit

MODULE_NAME = re.compile(r"^et(\d{3})_[a-z0-9_]+$")
DOCS_BASE = "https://github.com/ecs-triage/ecs-triage/blob/main/docs/checks"


@dataclass(frozen=True)
class RegisteredCheck:
    meta: Check
    evaluate: Callable[[Any], Iterator[Hit]]
    doc: str
    module: str

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def docs_url(self) -> str:
        return f"{DOCS_BASE}/{self.meta.id}.md"


@lru_cache(maxsize=1)
def all_checks() -> tuple[RegisteredCheck, ...]:
    import ecs_triage.checks as pkg

    found = []
    for info in pkgutil.iter_modules(pkg.__path__):
        if not MODULE_NAME.match(info.name):
            continue
        module = importlib.import_module(f"{pkg.__name__}.{info.name}")
        meta = getattr(module, "CHECK", None)
        evaluate = getattr(module, "evaluate", None)
        if not isinstance(meta, Check) or not callable(evaluate):
            raise RuntimeError(f"check module {info.name} must define CHECK and evaluate()")
        found.append(RegisteredCheck(meta, evaluate, (module.__doc__ or "").strip(), module.__name__))
    return tuple(sorted(found, key=lambda c: c.id))


def get(check_id: str) -> RegisteredCheck | None:
    wanted = check_id.strip().upper()
    for check in all_checks():
        if check.id == wanted or check.meta.slug == check_id.strip().lower():
            return check
    return None


def for_mode(mode: str) -> tuple[RegisteredCheck, ...]:
    return tuple(c for c in all_checks() if mode in c.meta.modes)
