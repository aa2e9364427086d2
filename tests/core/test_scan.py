"""scan over cluster snapshots: which services are unhealthy, per-service gaps, the since window."""

from __future__ import annotations

import json
from typing import Any

from ecs_triage.app.scan import render_scan, scan_snapshots

NOW = "2026-11-25T12:00:00+00:00"


def _svc(name: str, desired: int, running: int) -> dict[str, Any]:
    return {
        "serviceName": name,
        "serviceArn": f"arn:aws:ecs:us-east-1:123456789012:service/prod/{name}",
        "desiredCount": desired,
        "runningCount": running,
        "pendingCount": 0,
        "taskDefinition": f"arn:aws:ecs:us-east-1:123456789012:task-definition/{name}:1",
        "deployments": [],
    }


def _task(service: str, stopped_at: str, reason: str, code: str = "TaskFailedToStart") -> dict[str, Any]:
    return {
        "taskArn": f"arn:aws:ecs:us-east-1:123456789012:task/prod/{service}{stopped_at[-8:-6]}",
        "group": f"service:{service}",
        "lastStatus": "STOPPED",
        "stopCode": code,
        "stoppedReason": reason,
        "stoppedAt": stopped_at,
        "taskDefinitionArn": f"arn:aws:ecs:us-east-1:123456789012:task-definition/{service}:1",
        "containers": [],
    }


def _snap() -> dict[str, Any]:
    return {
        "schema": "ecs-triage.snapshot/v1",
        "source": "live",
        "target": {"cluster": "prod"},
        "region": "us-east-1",
        "collected_at": NOW,
        "data": {
            "services": [_svc("web", 2, 2), _svc("api", 2, 0), _svc("billing", 1, 1), _svc("old", 1, 1)],
            "tasks": [
                _task(
                    "api",
                    "2026-11-25T11:50:00+00:00",
                    "CannotPullContainerError: pull image manifest has been retried 1 time(s): ... 403 Forbidden",
                ),
                _task(
                    "old", "2026-11-25T08:00:00+00:00", "Essential container in task exited", "EssentialContainerExited"
                ),
            ],
            "task_definitions": [],
        },
        "gaps": [
            {
                "kind": "secrets",
                "operation": "DescribeSecret",
                "error_code": "AccessDeniedException",
                "action": "secretsmanager:DescribeSecret",
                "resource": "arn:...:secret:billing",
                "services": ["billing"],
            }
        ],
    }


def test_scan_rows_failing_incomplete_and_healthy() -> None:
    scan = scan_snapshots([_snap()], since_seconds=3600)
    rows = {r.service: r for r in scan.rows}
    assert set(rows) == {"api", "billing"}
    assert rows["api"].status == "failing" and rows["api"].failed_tasks == 1
    assert rows["api"].top is not None and rows["api"].top.cause == "image-pull-auth"
    assert rows["billing"].status == "incomplete"
    assert rows["billing"].missing_permissions == ("secretsmanager:DescribeSecret",)
    # 'old' failed 4 hours ago, outside the window: healthy now
    assert scan.healthy == ("prod/old", "prod/web")
    assert scan.gaps == ()  # the only gap belongs to one service


def test_wider_window_counts_the_old_failure() -> None:
    scan = scan_snapshots([_snap()], since_seconds=6 * 3600)
    assert "old" in {r.service for r in scan.rows}


def test_scan_json_contract() -> None:
    doc = json.loads(render_scan(scan_snapshots([_snap()]), "json"))
    assert doc["schema"] == "ecs-triage.scan/v1"
    api = next(s for s in doc["services"] if s["service"] == "api")
    assert {
        "cluster",
        "service",
        "status",
        "desired",
        "running",
        "pending",
        "failed_tasks",
        "cause",
        "summary",
        "fix",
        "findings",
    } <= set(api)
    assert api["cause"] == "image-pull-auth" and api["findings"][0]["cause"] == "image-pull-auth"
    assert doc["summary"] == {"services": 4, "unhealthy": 2, "healthy": 2}


def test_text_table_keeps_arns_intact() -> None:
    text = render_scan(scan_snapshots([_snap()]), "text", color=False, width=300)
    assert "incomplete: missing permission secretsmanager:DescribeSecret" in text
    assert "2 healthy service(s)" in text


def test_no_clusters() -> None:
    scan = scan_snapshots([])
    assert scan.rows == () and scan.notes == ("no clusters found",)
