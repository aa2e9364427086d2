"""Fixtures for the collector tests: moto in-process with the ECS task lifecycle pinned (moto-notes 3.1)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto import mock_aws
from moto.moto_api import state_manager

from ecs_triage.collect import session as session_mod

from .world import World, build_world


@pytest.fixture
def aws() -> Iterator[None]:
    state_manager.set_transition("ecs::task", {"progression": "manual", "times": 10**9})
    try:
        with mock_aws():
            yield
    finally:
        state_manager.unset_transition("ecs::task")
        session_mod.CLIENT_HOOKS.clear()


@pytest.fixture
def world(aws: None) -> World:
    return build_world()
