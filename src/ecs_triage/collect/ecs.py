"""ECS: clusters, services, tasks (STOPPED and RUNNING, all pages), task definitions, container instances."""

from __future__ import annotations

from typing import Any

from ecs_triage.collect import limits
from ecs_triage.collect.session import AwsSession, Sink


def describe_clusters(sess: AwsSession, sink: Sink, names: list[str]) -> tuple[list[dict], list[dict]] | None:
    """(clusters, failures) for up to any number of names (batched), or None when the call failed."""
    out: list[dict] = []
    failures: list[dict] = []
    for chunk in limits.chunks(names, limits.DESCRIBE_CLUSTERS):
        resp, _ = sess.call(sink, "clusters", "ecs", "DescribeClusters", ",".join(chunk), clusters=chunk)
        if resp is None:
            return None
        out.extend(resp.get("clusters") or [])
        failures.extend(resp.get("failures") or [])
    return out, failures


def list_cluster_arns(sess: AwsSession, sink: Sink) -> list[str] | None:
    arns, _ = sess.paginate(
        sink, "clusters", "ecs", "ListClusters", "*", "clusterArns", maxResults=limits.LIST_CLUSTERS_PAGE
    )
    return arns


def list_service_arns(sess: AwsSession, sink: Sink, cluster: str) -> list[str] | None:
    arns, _ = sess.paginate(
        sink,
        "services",
        "ecs",
        "ListServices",
        cluster,
        "serviceArns",
        cluster=cluster,
        maxResults=limits.LIST_SERVICES_PAGE,
    )
    return arns


def describe_services(sess: AwsSession, sink: Sink, cluster: str, names: list[str]) -> tuple[list[dict], list[dict]]:
    """Batches of 10, concurrently. A failed batch becomes a gap naming its services."""

    def one(chunk: list[str]) -> tuple[list[dict], list[dict]]:
        resp, _ = sess.call(
            sink, "services", "ecs", "DescribeServices", ",".join(chunk), cluster=cluster, services=chunk
        )
        if resp is None:
            return [], []
        return resp.get("services") or [], resp.get("failures") or []

    services: list[dict] = []
    failures: list[dict] = []
    for svcs, fails in sess.pmap(one, limits.chunks(names, limits.DESCRIBE_SERVICES)):
        services.extend(svcs)
        failures.extend(fails)
    return services, failures


def list_task_arns(
    sess: AwsSession, sink: Sink, cluster: str, status: str, service: str | None = None
) -> list[str] | None:
    params: dict[str, Any] = {"cluster": cluster, "desiredStatus": status, "maxResults": limits.LIST_TASKS_PAGE}
    if service:
        params["serviceName"] = service
    resource = f"{cluster}/{service}" if service else cluster
    arns, _ = sess.paginate(sink, "tasks", "ecs", "ListTasks", resource, "taskArns", **params)
    return arns


def describe_tasks(sess: AwsSession, sink: Sink, cluster: str, arns: list[str]) -> tuple[list[dict], list[dict]]:
    """Batches of 100, concurrently: (tasks, failures[])."""

    def one(chunk: list[str]) -> tuple[list[dict], list[dict]]:
        resource = chunk[0] if len(chunk) == 1 else f"{cluster}: {len(chunk)} tasks"
        resp, _ = sess.call(sink, "tasks", "ecs", "DescribeTasks", resource, cluster=cluster, tasks=chunk)
        if resp is None:
            return [], []
        return resp.get("tasks") or [], resp.get("failures") or []

    tasks: list[dict] = []
    failures: list[dict] = []
    for got, fails in sess.pmap(one, limits.chunks(list(dict.fromkeys(arns)), limits.DESCRIBE_TASKS)):
        tasks.extend(got)
        failures.extend(fails)
    return tasks, failures


def task_definition(sess: AwsSession, sink: Sink, arn: str) -> dict | None:
    def fetch(sub: Sink) -> dict | None:
        resp, _ = sess.call(sub, "task_definitions", "ecs", "DescribeTaskDefinition", arn, taskDefinition=arn)
        return None if resp is None else resp.get("taskDefinition")

    return sess.once(sink, ("task_definition", arn), fetch)


def task_definitions(sess: AwsSession, sink: Sink, arns: list[str]) -> list[dict]:
    got = sess.pmap(lambda arn: task_definition(sess, sink, arn), list(dict.fromkeys(a for a in arns if a)))
    return [td for td in got if td]


def container_instances(sess: AwsSession, sink: Sink, cluster: str) -> list[dict] | None:
    """Every container instance of the cluster (remaining resources, attributes), batched by 100."""
    arns, _ = sess.paginate(
        sink,
        "container_instances",
        "ecs",
        "ListContainerInstances",
        cluster,
        "containerInstanceArns",
        cluster=cluster,
        maxResults=limits.LIST_CONTAINER_INSTANCES_PAGE,
    )
    if arns is None:
        return None

    def one(chunk: list[str]) -> list[dict] | None:
        resp, _ = sess.call(
            sink,
            "container_instances",
            "ecs",
            "DescribeContainerInstances",
            cluster,
            cluster=cluster,
            containerInstances=chunk,
        )
        return None if resp is None else resp.get("containerInstances") or []

    out: list[dict] = []
    for got in sess.pmap(one, limits.chunks(arns, limits.DESCRIBE_CONTAINER_INSTANCES)):
        if got is None:
            return None
        out.extend(got)
    return out
