"""The application exited because a dependency it needs at start is unreachable.

What it detects:
    An essential container of a stopped task exited non-zero and its log tail says a connection failed:
    `ECONNREFUSED 10.0.3.17:5432`, `dial tcp ...: i/o timeout`, `could not connect to server`,
    `Connection refused`, `getaddrinfo ENOTFOUND`. The finding names the host and port. When the host is
    `127.0.0.1` or `localhost`, the application fell back to its default because the variable that should
    name the dependency is not set: the finding says so and lists what the container defines. For a remote
    host it tells how the connection failed, because each failure has another fix: *refused* (the host
    answered, nothing listens on that port, or the address is stale), *timed out* (packets dropped: a
    security group, network ACL or route), or *name not resolved* (DNS).

Why it happens:
    The database, cache or API is down, not yet created, in another VPC, or its security group does not
    allow the task's security group on that port; or the task is pointed at the wrong address (a missing
    host variable makes most frameworks try localhost, where nothing listens inside the task).

How to fix:
    For localhost: set the host/URL variable in the container's `environment` or `secrets`. Refused: start
    the dependency or fix the port it listens on, or point the task at its current address (an IP address
    of a managed database changes on failover: use its DNS name); the security groups are not the cause.
    Timed out: allow inbound traffic on that port from the task's security group on the dependency's
    security group, and check ACLs and routes. Not resolved: fix the name or the private zone's VPC
    association. Consider retrying the connection at start instead of exiting.

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-networking.html
    - https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html
"""

from __future__ import annotations

import re

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator, aws_cli

try:
    from ecs_triage.knowledge import classify  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - only while the catalog is missing
    classify = None  # type: ignore[assignment]

from ecs_triage.evidence.infra import (
    Endpoint,
    Exit,
    connection_failure,
    defined_names,
    exits,
    name_of,
    unreachable_endpoints,
)

CHECK = Check(
    id="ET121",
    slug="app-exit-dependency-unreachable",
    title="The application exited because a dependency it needs at start is unreachable",
    category="task",
    severity="error",
    requires=("tasks", "log_events"),
    reads=("task_definitions", "services"),
)

_HOSTISH = ("HOST", "URL", "URI", "ADDR", "ENDPOINT", "DSN", "SERVER")


def evaluate(ev: Evidence) -> Iterator[Hit]:
    seen: dict[tuple[str, str, str], list[str]] = {}
    for ex in exits(ev):
        if ex.stream is None or ex.container.exit_code in (137, 139):
            continue
        found = unreachable_endpoints(ex.lines) or _catalog_endpoints(ex.lines)
        if not found:
            continue
        ep = found[-1]
        key = (ex.task.task_definition_arn, ex.container.name, ep.label)
        if key in seen:
            seen[key].append(ex.task.arn)
            continue
        seen[key] = [ex.task.arn]
        event = ex.stream.events[ep.line]
        names = sorted(defined_names(ex.definition))
        host_vars = [n for n in names if any(h in n for h in _HOSTISH)]
        if ep.is_local:
            message = (
                f"Container {ex.container.name} exited with code {ex.container.exit_code}: it could not reach "
                f"{ep.label}, which is inside the task itself: the variable naming the dependency's host is unset, "
                "so the application fell back to localhost"
            )
            message += (
                f"; the container defines {', '.join(host_vars)}: check its value"
                if host_vars
                else f"; the container defines no host/URL variable ({', '.join(names) or 'no environment at all'})"
            )
        else:
            message = f"Container {ex.container.name} exited with code {ex.container.exit_code}: " + _WHAT.get(
                ep.failure, _WHAT[""]
            ).format(label=ep.label, host=ep.host, port=ep.port or "its port")
            holders = _holders(ex, ep)
            if holders:
                message += f"; {' and '.join(holders)} in the task definition name that address"
        evidence = (
            EvidenceRef(ex.task.arn, f"{ex.container.pointer}/exitCode", ex.container.exit_code),
            EvidenceRef(ex.stream.resource, event.pointer, event.message),
        )
        yield Hit(
            resource=ex.task.arn,
            message=message,
            cause="app-exit-dependency-unreachable",
            confidence=0.9,
            evidence=evidence,
            fix=_fix(ex, ep, host_vars),
            signature=f"app.dependency-unreachable:{ep.label}",
            extra={"tasks": seen[key], "host": ep.host, "port": ep.port},
        )


_WHAT = {
    "refused": (
        "{label} refused the connection at start. A refusal means the network path works (a security group or "
        "ACL drop gives a timeout, not a refusal): nothing listens on port {port} at {host} (the dependency is "
        "stopped, still starting, or listens on another port or interface), or {host} is the wrong address"
    ),
    "timeout": (
        "the connection to {label} timed out at start: packets are dropped on the way (the dependency's security "
        "group does not admit the task, a network ACL, or no route to that network), or the host is down"
    ),
    "dns": "the name {host} does not resolve from the task (misspelt, or a private zone the VPC cannot see)",
    "": "it could not connect to its dependency {label} at start (the log does not say whether refused or timed out)",
}


def _holders(ex: Exit, ep: Endpoint) -> list[str]:
    """`NAME=value` of the container's environment entries whose (unmasked) value names the host."""
    if ex.definition is None:
        return []
    return [f"{kv.name}={kv.value}" for kv in ex.definition.environment if kv.value and ep.host in kv.value][:2]


def _catalog_endpoints(lines: tuple[str, ...]) -> tuple[Endpoint, ...]:
    """The catalog's reading of the tail (`knowledge.classify(line, kind="log")`), for other wordings."""
    if classify is None:
        return ()
    for i, line in enumerate(lines):
        m = classify(line, kind="log")
        if m.cause == "app-exit-dependency-unreachable":
            port = str(m.captures.get("port") or "")
            return (
                Endpoint(
                    str(m.captures.get("host") or "a dependency"),
                    int(port) if port.isdigit() else None,
                    i,
                    line.strip(),
                    connection_failure(" ".join(lines[i : i + 4])),
                ),
            )
    return ()


def _fix(ex: Exit, ep: Endpoint, host_vars: list[str]) -> Fix:
    container = ex.container.name
    family = ex.task_definition.family if ex.task_definition else name_of(ex.task.task_definition_arn)
    if ep.is_local:
        var = host_vars[0] if host_vars else "DATABASE_HOST"
        return Fix(
            summary=f"Point container {container} at the real dependency instead of {ep.label}",
            steps=(
                f"Set the variable your application reads for this dependency (for example {var}) in container "
                f"{container} of task definition {family}, in `environment` or `secrets`.",
                "Register a new revision and update the service to it.",
            ),
            snippet={"containerDefinitions": [{"name": container, "environment": [{"name": var, "value": "<host>"}]}]},
            snippet_title=f"task-definition patch for {family}",
            risk="review",
        )
    return _remote_fix(ex, ep, family)


_IP = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")


def _remote_fix(ex: Exit, ep: Endpoint, family: str) -> Fix:
    """The fix for a remote host follows how the connection failed: a refusal is about the listener or the
    address (never the security group), a timeout about the path, a DNS failure about the name."""
    port = f"port {ep.port}" if ep.port else "its port"
    svc = ex.service
    task_sg = (
        svc.network.security_groups[0] if svc is not None and svc.network and svc.network.security_groups else None
    )
    holders = _holders(ex, ep)
    where = f" ({', '.join(holders)} in {family})" if holders else f" (task definition {family})"
    steps: list[str] = []
    commands: list[str] = []
    is_ip = bool(_IP.match(ep.host))
    if is_ip:
        # who owns that address: no interface means the address is stale (a database that moved)
        commands.append(
            aws_cli(
                "ec2",
                "describe-network-interfaces",
                filters=f"Name=addr.private-ip-address,Values={ep.host}",
                query="NetworkInterfaces[].{id:NetworkInterfaceId,owner:Description,groups:Groups[].GroupId}",
            )
        )
    if ep.failure == "refused":
        steps.append(
            f"Start the dependency, or fix where it listens: {ep.host} answered, but nothing accepts connections on "
            f"{port} (a database still starting or stopped, a different port, bound to 127.0.0.1 only)."
        )
        steps.append(
            f"Check the address the task uses{where}"
            + (
                ": the command below shows which network interface owns it; if none, or not your database, the "
                "address is stale (a database IP changes on failover or restore): use its DNS endpoint name instead."
                if is_ip
                else "."
            )
        )
        steps.append("The security groups are not the problem: a blocked port times out instead of refusing.")
    elif ep.failure == "dns":
        steps.append(f"Check the spelling of {ep.host}{where} and that it resolves from the task's VPC.")
        steps.append(
            "For a private hosted zone, associate it with the task's VPC; turn on enableDnsSupport and "
            "enableDnsHostnames on the VPC."
        )
    else:
        steps.append(
            f"Allow inbound TCP {ep.port or ''} on the dependency's security group from the task's security group"
            + (f" {task_sg}" if task_sg else "")
            + (f" (service {svc.name}, cluster {name_of(svc.cluster_arn)})" if svc is not None else "")
            + (": the command below lists the groups of the interface that owns the address." if is_ip else ".")
        )
        steps.append(
            "Check the network ACLs and route tables between the task subnets and the dependency (another VPC needs "
            "peering or a transit gateway route)."
        )
        if ep.failure != "timeout":
            steps.append(f"Check that the dependency at {ep.label} is running and listening on {port}.")
    steps.append("Make the application retry the connection at start instead of exiting on the first failure.")
    summary = {
        "refused": f"Make something listen at {ep.label}, or point the task at the right address",
        "dns": f"Make {ep.host} resolve from the task's VPC",
    }.get(ep.failure, f"Make {ep.label} reachable from the task")
    return Fix(summary=summary, steps=tuple(steps), commands=tuple(commands))
