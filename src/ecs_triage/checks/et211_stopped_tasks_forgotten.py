"""The service is failing but ECS no longer holds its stopped tasks.

What it detects:
    A service runs fewer tasks than it wants (or its deployment failed) and the collected evidence holds
    no stopped task of it. ECS keeps stopped tasks visible for only about an hour, so the stop reasons,
    exit codes and container reasons that would name the cause are gone. The diagnosis falls back on what
    remains: service events, running tasks, target health and configuration.

    Services whose tasks cannot be placed or launched at all (`unable to place a task`, `failed to launch
    a task` in the events) are left out: those tasks never existed. So are collections that did not look
    for the service's stopped tasks (`diagnose --task`, or another service's diagnosis): there their
    absence proves nothing.

Why it happens:
    The failure happened more than about an hour ago, or tasks fail so rarely that none stopped recently.
    Nothing records ECS task state changes by default.

How to fix:
    Run `ecs-triage diagnose` while the failure is happening (or within the hour), and record stopped
    tasks from now on: an EventBridge rule on `ECS Task State Change` events with `lastStatus` STOPPED,
    sent to a CloudWatch Logs group, keeps every stop reason for as long as you want.

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_cwe_events.html
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-errors.html
"""

from __future__ import annotations

import json

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator, aws_cli
from ecs_triage.evidence.infra import failing_services, launch_failures, name_of, stopped_tasks_looked_for

CHECK = Check(
    id="ET211",
    slug="stopped-tasks-forgotten",
    title="The service is failing but ECS no longer holds its stopped tasks",
    category="service",
    severity="info",
    requires=("services", "tasks"),
)

LOG_GROUP = "/aws/events/ecs-stopped-tasks"
RULE = "ecs-triage-stopped-tasks"


def evaluate(ev: Evidence) -> Iterator[Hit]:
    for svc in failing_services(ev):
        if launch_failures(svc):
            continue  # its tasks were never placed or launched: there is nothing ECS could have kept
        if not stopped_tasks_looked_for(ev, svc):
            continue  # a task target: its service's stopped tasks were not listed, their absence proves nothing
        tasks = ev.tasks_of(svc)
        if any(t.last_status == "STOPPED" for t in tasks):
            continue
        running = sum(1 for t in tasks if t.last_status == "RUNNING")
        cluster_arn = svc.cluster_arn
        region = ev.region or "us-east-1"
        account = ev.account or (cluster_arn.split(":")[4] if cluster_arn.count(":") >= 5 else "")
        pattern = {
            "source": ["aws.ecs"],
            "detail-type": ["ECS Task State Change"],
            "detail": {"lastStatus": ["STOPPED"], "clusterArn": [cluster_arn]},
        }
        log_group_arn = f"arn:aws:logs:{region}:{account}:log-group:{LOG_GROUP}"
        yield Hit(
            resource=svc.arn,
            message=(
                f"Service {svc.name} runs {svc.running} of {svc.desired} tasks but no stopped task of it remains: "
                "ECS forgets stopped tasks after about an hour, so this diagnosis used what remains "
                f"({_n(len(svc.events), 'service event')}, {_n(running, 'running task')}, the configuration). "
                "Run `ecs-triage diagnose` sooner, or record stopped tasks with an EventBridge rule on "
                '"ECS Task State Change"'
            ),
            cause="unknown",
            confidence=0.3,
            evidence=(
                EvidenceRef(svc.arn, "/runningCount", svc.running),
                EvidenceRef(svc.arn, "/desiredCount", svc.desired),
            ),
            fix=Fix(
                summary="Record stopped ECS tasks so the next failure can be diagnosed",
                steps=(
                    f"Create the log group {LOG_GROUP} and an EventBridge rule on ECS Task State Change (STOPPED) for cluster {name_of(cluster_arn)}.",
                    "Send the rule to the log group (the log group's resource policy must let events.amazonaws.com write).",
                    "Next time, run ecs-triage diagnose within the hour of the failure.",
                ),
                commands=(
                    aws_cli("logs", "create-log-group", log_group_name=LOG_GROUP),
                    aws_cli("events", "put-rule", name=RULE, event_pattern=json.dumps(pattern, separators=(",", ":"))),
                    aws_cli("events", "put-targets", rule=RULE, targets=f"Id=1,Arn={log_group_arn}"),
                ),
                docs=("https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_cwe_events.html",),
                risk="safe",
            ),
            signature="tasks.forgotten",
            root=False,
        )


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")
