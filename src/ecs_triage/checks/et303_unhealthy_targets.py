"""The service's targets are unhealthy in its target group.

What it detects:
    Targets registered by a service are `unhealthy` with a reason: `Target.ResponseCodeMismatch` (the
    health-check path answers with a code outside the matcher, e.g. 404 or 301), `Target.Timeout` (no
    answer in time: the task's security group does not let the load balancer in, or the application is
    too slow) or `Target.FailedHealthChecks` (connection refused or reset). For timeouts, the check reads
    the security groups: when the task's security groups allow no inbound traffic from the load
    balancer's security groups on the container port, it says so and prints the rule to add. When the
    tasks' log says the application listens on `127.0.0.1` / `localhost` only, it says that instead.
    When ET301 (health-check port) or ET302 (grace period shorter than the warm-up) holds for the same
    target group, the unhealthy targets are their symptom: the finding is not a root cause and folds
    under theirs.

Why it happens:
    The health-check path does not exist or redirects, the matcher is too strict, the application
    listens on another port or only on 127.0.0.1, the security group blocks the load balancer, or the
    application is overloaded or slow to start.

How to fix:
    Point the health check at a path that answers 200 without authentication or redirects (or widen the
    matcher), open the task's security group to the load balancer's security group on the container
    port, make the application listen on 0.0.0.0, and give it a grace period longer than its warm-up.

References:
    - https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/troubleshoot-service-load-balancers.html
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator, aws_cli
from ecs_triage.evidence.infra import (
    TargetGroup,
    clip,
    grace_too_short,
    health_check_port_mismatch,
    load_balancers,
    log_stream_for,
    network,
    target_groups,
)

CHECK = Check(
    id="ET303",
    slug="unhealthy-targets",
    title="The service's targets are unhealthy in its target group",
    category="load-balancing",
    severity="error",
    requires=("services", "target_groups"),
    reads=("tasks", "load_balancers", "security_groups", "log_events", "task_definitions"),
)

REASONS = ("Target.ResponseCodeMismatch", "Target.Timeout", "Target.FailedHealthChecks")


def _sg_blocks(
    ev: Evidence, tg: TargetGroup, task_sgs: tuple[str, ...], port: int | None
) -> tuple[bool, tuple[str, ...]]:
    """(True, lb security groups) when the task SGs provably allow no inbound TCP `port` from the LB."""
    if not ev.has("security_groups") or not ev.has("load_balancers") or not task_sgs or port is None:
        return False, ()
    lb_sgs: tuple[str, ...] = ()
    for arn in tg.load_balancer_arns:
        lb = load_balancers(ev).get(arn)
        if lb is not None:
            lb_sgs += lb.security_groups
    net = network(ev)
    groups = [net.security_groups.get(g) for g in task_sgs]
    if not lb_sgs or any(g is None for g in groups):
        return False, lb_sgs
    for g in groups:
        assert g is not None
        for rule in g.ingress:
            if not rule.covers_tcp(port):
                continue
            if set(rule.group_ids) & set(lb_sgs) or rule.cidrs:
                return False, lb_sgs  # a CIDR rule may well cover the load balancer's subnets
    return True, lb_sgs


_LOOPBACK = re.compile(
    r"(?:listen(?:ing)?|running|serving|started|bound)\b[^\n]{0,40}?(?:on|at|to)\s+(?:https?://)?(?:127\.0\.0\.1|localhost|\[::1\]):\d+",
    re.I,
)


def _loopback_bind(ev: Evidence, svc: Any) -> tuple[str, str, str] | None:
    """(stream, pointer, line) when a task's log says the application listens on 127.0.0.1/localhost."""
    if not ev.has("log_events"):
        return None
    for t in ev.tasks_of(svc):
        for c in t.containers:
            stream = log_stream_for(ev, t, c.name)
            for e in stream.events if stream else ():
                if _LOOPBACK.search(e.message):
                    assert stream is not None
                    return stream.resource, e.pointer, e.message
    return None


def evaluate(ev: Evidence) -> Iterator[Hit]:
    tgs = target_groups(ev)
    for svc in ev.services:
        for lb in svc.load_balancers:
            tg = tgs.get(lb.target_group_arn or "")
            if tg is None:
                continue
            bad = [t for t in tg.targets if t.state == "unhealthy" and (t.reason in REASONS)]
            if not bad:
                continue
            reasons = Counter(t.reason for t in bad)
            reason = reasons.most_common(1)[0][0] or ""
            sample = next(t for t in bad if t.reason == reason)
            hc = f"{tg.health_check_protocol or 'HTTP'} {tg.health_check_path or '/'} on port {tg.health_check_port or 'traffic-port'}"
            message = (
                f"{len(bad)} of {len(tg.targets)} targets of {tg.name} (service {svc.name}) are unhealthy: "
                f"{reason} ({sample.description or 'no description'}); the health check is {hc}"
            )
            evidence = [
                EvidenceRef(tg.arn, t.pointer, {"State": t.state, "Reason": t.reason, "Description": t.description})
                for t in bad[:3]
            ]
            evidence.append(EvidenceRef(tg.arn, "/HealthCheckPath", tg.health_check_path))
            steps: list[str] = []
            commands: list[str] = []
            confidence = 0.85
            port = lb.container_port
            if reason == "Target.ResponseCodeMismatch":
                steps.append(
                    f"Make {tg.health_check_path or '/'} answer {tg.matcher or '200'} without redirects or authentication, "
                    "or point the health check at a path that does (or widen the matcher)."
                )
                codes = re.findall(r"\b([1-5]\d\d)\b", sample.description or "")
                if codes and all(c.startswith("3") for c in codes):
                    steps.append(
                        f"The path redirects ({', '.join(codes)}): accept 200-399 or health-check the final path."
                    )
                    commands.append(
                        aws_cli("elbv2", "modify-target-group", target_group_arn=tg.arn, matcher="HttpCode=200-399")
                    )
                elif codes:
                    message += f"; the application answers {', '.join(codes)} on {tg.health_check_path or '/'}"
                confidence = 0.9
            elif reason == "Target.Timeout":
                task_sgs = svc.network.security_groups if svc.network else ()
                blocked, lb_sgs = _sg_blocks(ev, tg, task_sgs, port)
                if blocked:
                    message += (
                        f"; the task security group {', '.join(task_sgs)} allows no inbound TCP {port} from the load "
                        f"balancer's security group {', '.join(lb_sgs)}"
                    )
                    evidence.append(EvidenceRef(task_sgs[0], "/IpPermissions", "no rule for the load balancer"))
                    steps.append(
                        f"Allow inbound TCP {port} on {task_sgs[0]} from the load balancer's security group {lb_sgs[0]}."
                    )
                    commands.append(
                        aws_cli(
                            "ec2",
                            "authorize-security-group-ingress",
                            group_id=task_sgs[0],
                            protocol="tcp",
                            port=port,
                            source_group=lb_sgs[0],
                        )
                    )
                    confidence = 0.95
                else:
                    steps.append(
                        f"Check that the application answers {tg.health_check_path or '/'} on port {port} within "
                        f"{tg.health_check_timeout or 5} s, listens on 0.0.0.0, and that the task security group admits the load balancer."
                    )
            else:
                steps.append(
                    f"Check that the application listens on 0.0.0.0:{port} (not 127.0.0.1) and that the health check port is the traffic port."
                )
            loopback = _loopback_bind(ev, svc) if reason != "Target.ResponseCodeMismatch" else None
            if loopback is not None:
                message += f"; the application listens on loopback only ({clip(loopback[2], 120)}): the load balancer cannot reach it"
                evidence.append(EvidenceRef(loopback[0], loopback[1], loopback[2]))
                steps.insert(
                    0,
                    f"Make the application listen on 0.0.0.0:{port} instead of 127.0.0.1/localhost (its bind/host setting).",
                )
                confidence = 0.95
            grace = svc.health_check_grace_period
            steps.append(
                "If the application needs time to start, raise the service's healthCheckGracePeriodSeconds"
                + (f" (now {grace} s)." if grace is not None else " (none is set).")
            )
            # a symptom of what ET301 (health-check port) or ET302 (grace period) proves for this target group:
            # same cause, so it folds under that root instead of competing with it
            symptom = health_check_port_mismatch(ev, svc, tg.arn) or grace_too_short(ev, svc)
            if symptom:
                confidence = min(confidence, 0.6)
            yield Hit(
                resource=tg.arn,
                message=message,
                cause="elb-health-check",
                confidence=confidence,
                evidence=tuple(evidence),
                fix=Fix(
                    summary=f"Make the targets of {tg.name} pass their health check",
                    steps=tuple(steps),
                    commands=tuple(commands),
                ),
                signature=f"elb.unhealthy:{reason}",
                root=not symptom,
            )
