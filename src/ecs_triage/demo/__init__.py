"""The simulated broken AWS account (moto) behind `ecs-triage demo` and the end-to-end tests.

    WORLDS: name -> World (static records; ids are filled in by build_worlds)
    build_worlds(session_or_clients, names=None) -> list[World]
    start_server() -> (server, endpoint_url)

moto is imported only when a world is built or the server starts (optional extra `ecs-triage[demo]`).
"""

from __future__ import annotations

from ecs_triage.demo import worlds_more as _worlds_more  # noqa: F401  (registers more worlds)
from ecs_triage.demo.server import start_server
from ecs_triage.demo.worlds import WORLDS, World, build_worlds

__all__ = ["WORLDS", "World", "build_worlds", "moto_available", "start_server"]


def moto_available() -> bool:
    """True when the optional extra `ecs-triage[demo]` (moto with its server) is installed."""
    try:
        import moto
        import moto.server  # noqa: F401
    except ImportError:
        return False
    return True
