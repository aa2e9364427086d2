"""CloudWatch Logs: the awslogs group of each container and the tail of stopped containers' streams."""

from __future__ import annotations

from typing import Any

from ecs_triage.collect import limits
from ecs_triage.collect.session import AwsSession, Sink


def awslogs_options(container: dict, default_region: str) -> dict[str, str] | None:
    conf = container.get("logConfiguration") or {}
    if conf.get("logDriver") != "awslogs":
        return None
    opts = conf.get("options") or {}
    group = opts.get("awslogs-group")
    if not group:
        return None
    return {
        "group": group,
        "region": opts.get("awslogs-region") or default_region,
        "prefix": opts.get("awslogs-stream-prefix") or "",
    }


def log_group(sess: AwsSession, sink: Sink, name: str, region: str) -> dict | None:
    def fetch(sub: Sink) -> dict | None:
        groups, _ = sess.paginate(
            sub,
            "log_groups",
            "logs",
            "DescribeLogGroups",
            name,
            "logGroups",
            region=region,
            logGroupNamePrefix=name,
        )
        if groups is None:
            return None
        match = next((g for g in groups if g.get("logGroupName") == name), None)
        return {"logGroupName": name, "region": region, "found": match is not None, "logGroup": match}

    return sess.once(sink, ("log_group", region, name), fetch)


def log_tail(
    sess: AwsSession, sink: Sink, group: str, stream: str, region: str, task_arn: str, container: str
) -> dict | None:
    def fetch(sub: Sink) -> dict | None:
        resp, code = sess.call(
            sub,
            "log_events",
            "logs",
            "GetLogEvents",
            f"{group}:{stream}",
            region=region,
            expected=("ResourceNotFoundException",),
            logGroupName=group,
            logStreamName=stream,
            limit=limits.LOG_TAIL_EVENTS,
            startFromHead=False,
        )
        item: dict[str, Any] = {
            "logGroupName": group,
            "logStreamName": stream,
            "taskArn": task_arn,
            "containerName": container,
            "region": region,
            "found": False,
            "events": [],
        }
        if resp is None:
            return item if code == "ResourceNotFoundException" else None
        item["found"] = True
        item["events"] = [
            {"timestamp": e.get("timestamp"), "message": e.get("message")} for e in resp.get("events") or []
        ]
        return item

    return sess.once(sink, ("log_tail", region, group, stream), fetch)
