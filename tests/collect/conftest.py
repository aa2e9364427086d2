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


@pytest.fixture(scope="module")
def shared_world() -> Iterator[World]:
    """One world per test module, for tests that only read it (collection is read-only; fault hooks
    live on the collectors' own clients and are cleared after each test)."""
    with pytest.MonkeyPatch.context() as mp:
        for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
            mp.delenv(var, raising=False)
        mp.setenv("AWS_ACCESS_KEY_ID", "testing")
        mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        mp.setenv("AWS_DEFAULT_REGION", "us-east-1")
        mp.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
        mp.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials")
        state_manager.set_transition("ecs::task", {"progression": "manual", "times": 10**9})
        try:
            with mock_aws():
                yield build_world()
        finally:
            state_manager.unset_transition("ecs::task")


@pytest.fixture(autouse=True)
def _clear_client_hooks() -> Iterator[None]:
    yield
    session_mod.CLIENT_HOOKS.clear()
