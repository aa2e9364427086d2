"""EC2/VPC: the tasks' subnets, route tables, VPC (+ DNS attributes), endpoints, security groups, NACLs,
NAT and internet gateways; EC2 instances behind container instances."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ecs_triage.collect import limits
from ecs_triage.collect.session import AwsSession, Sink


def _by_ids(
    sess: AwsSession,
    sink: Sink,
    *,
    kind: str,
    op: str,
    result_key: str,
    id_param: str,
    id_field: str,
    not_found: str,
    ids: list[str],
    batch: int,
    flatten: Callable[[list[Any]], list[dict]] | None = None,
) -> dict[str, Any]:
    """Describe resources by id, batched and cached; one unknown id fails a batch, so retry one by one."""

    def fetch(sub: Sink, chunk: list[str]) -> dict[str, Any]:
        params: dict[str, Any] = {id_param: chunk}
        items, code = sess.paginate(sub, kind, "ec2", op, ",".join(chunk), result_key, expected=(not_found,), **params)
        if items is None:
            if code == not_found and len(chunk) > 1:
                out: dict[str, Any] = {}
                for part in sess.pmap(lambda i: fetch(sub, [i]), chunk):
                    out.update(part)
                return out
            return {}
        if flatten is not None:
            items = flatten(items)
        return {item[id_field]: item for item in items}

    return sess.batch_once(sink, kind, ids, fetch, batch)


def subnets(sess: AwsSession, sink: Sink, ids: list[str]) -> dict[str, Any]:
    return _by_ids(
        sess,
        sink,
        kind="subnets",
        op="DescribeSubnets",
        result_key="Subnets",
        id_param="SubnetIds",
        id_field="SubnetId",
        not_found="InvalidSubnetID.NotFound",
        ids=ids,
        batch=limits.DESCRIBE_SUBNETS,
    )


def security_groups(sess: AwsSession, sink: Sink, ids: list[str]) -> dict[str, Any]:
    return _by_ids(
        sess,
        sink,
        kind="security_groups",
        op="DescribeSecurityGroups",
        result_key="SecurityGroups",
        id_param="GroupIds",
        id_field="GroupId",
        not_found="InvalidGroup.NotFound",
        ids=ids,
        batch=limits.DESCRIBE_SECURITY_GROUPS,
    )


def instances(sess: AwsSession, sink: Sink, ids: list[str]) -> dict[str, Any]:
    return _by_ids(
        sess,
        sink,
        kind="ec2_instances",
        op="DescribeInstances",
        result_key="Reservations",
        id_param="InstanceIds",
        id_field="InstanceId",
        not_found="InvalidInstanceID.NotFound",
        ids=ids,
        batch=limits.DESCRIBE_INSTANCES,
        flatten=lambda reservations: [i for r in reservations for i in r.get("Instances") or []],
    )


def _grouped(
    sess: AwsSession,
    sink: Sink,
    *,
    kind: str,
    op: str,
    result_key: str,
    filter_name: str,
    ids: list[str],
    group_of: Callable[[dict], list[str]],
) -> dict[str, list[dict] | None]:
    """Describe with a filter over many ids at once (vpc-id, association.subnet-id); group items by id.
    A failed call gives None for each id of its batch (a gap)."""

    def fetch(sub: Sink, chunk: list[str]) -> dict[str, list[dict]]:
        items, _ = sess.paginate(
            sub, kind, "ec2", op, ",".join(chunk), result_key, Filters=[{"Name": filter_name, "Values": chunk}]
        )
        if items is None:
            return {}
        out: dict[str, list[dict]] = {i: [] for i in chunk}
        for item in items:
            for key in group_of(item):
                if key in out:
                    out[key].append(item)
        return out

    return sess.batch_once(sink, kind, ids, fetch, 200)


def route_tables(sess: AwsSession, sink: Sink, vpc_ids: list[str]) -> dict[str, list[dict] | None]:
    return _grouped(
        sess,
        sink,
        kind="route_tables",
        op="DescribeRouteTables",
        result_key="RouteTables",
        filter_name="vpc-id",
        ids=vpc_ids,
        group_of=lambda rt: [rt.get("VpcId", "")],
    )


def vpc_endpoints(sess: AwsSession, sink: Sink, vpc_ids: list[str]) -> dict[str, list[dict] | None]:
    return _grouped(
        sess,
        sink,
        kind="vpc_endpoints",
        op="DescribeVpcEndpoints",
        result_key="VpcEndpoints",
        filter_name="vpc-id",
        ids=vpc_ids,
        group_of=lambda ep: [ep.get("VpcId", "")],
    )


def nat_gateways(sess: AwsSession, sink: Sink, vpc_ids: list[str]) -> dict[str, list[dict] | None]:
    return _grouped(
        sess,
        sink,
        kind="nat_gateways",
        op="DescribeNatGateways",
        result_key="NatGateways",
        filter_name="vpc-id",
        ids=vpc_ids,
        group_of=lambda nat: [nat.get("VpcId", "")],
    )


def internet_gateways(sess: AwsSession, sink: Sink, vpc_ids: list[str]) -> dict[str, list[dict] | None]:
    return _grouped(
        sess,
        sink,
        kind="internet_gateways",
        op="DescribeInternetGateways",
        result_key="InternetGateways",
        filter_name="attachment.vpc-id",
        ids=vpc_ids,
        group_of=lambda igw: [a.get("VpcId", "") for a in igw.get("Attachments") or []],
    )


def network_acls(sess: AwsSession, sink: Sink, subnet_ids: list[str]) -> dict[str, list[dict] | None]:
    return _grouped(
        sess,
        sink,
        kind="network_acls",
        op="DescribeNetworkAcls",
        result_key="NetworkAcls",
        filter_name="association.subnet-id",
        ids=subnet_ids,
        group_of=lambda acl: [a.get("SubnetId", "") for a in acl.get("Associations") or []],
    )


def vpcs(sess: AwsSession, sink: Sink, vpc_ids: list[str]) -> dict[str, Any]:
    """DescribeVpcs + DescribeVpcAttribute (enableDnsSupport, enableDnsHostnames) per VPC."""

    def fetch(sub: Sink, chunk: list[str]) -> dict[str, Any]:
        attrs: dict[tuple[str, str], Any] = {}

        def describe() -> list[dict] | None:
            items, _ = sess.paginate(sub, "vpcs", "ec2", "DescribeVpcs", ",".join(chunk), "Vpcs", VpcIds=chunk)
            return items

        def attr(vpc_id: str, attribute: str) -> None:
            resp, _ = sess.call(sub, "vpcs", "ec2", "DescribeVpcAttribute", vpc_id, VpcId=vpc_id, Attribute=attribute)
            field = attribute[0].upper() + attribute[1:]
            attrs[(vpc_id, field)] = None if resp is None else (resp.get(field) or {}).get("Value")

        jobs: list[Callable[[], Any]] = [describe]
        for vpc_id in chunk:  # the attributes need only the ids: ask for them alongside DescribeVpcs
            for attribute in ("enableDnsSupport", "enableDnsHostnames"):
                jobs.append(lambda v=vpc_id, a=attribute: attr(v, a))  # type: ignore[misc]
        items = sess.parallel(jobs)[0]
        if items is None:
            return {}
        found = {v["VpcId"]: v for v in items}
        for (vpc_id, field), value in attrs.items():
            if vpc_id in found:
                found[vpc_id][field] = value
        return found

    return sess.batch_once(sink, "vpcs", vpc_ids, fetch, 200)
