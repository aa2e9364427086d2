"""ELBv2: the services' target groups (health-check settings), target health, load balancers."""

from __future__ import annotations

from ecs_triage.collect import limits
from ecs_triage.collect.session import AwsSession, Sink


def target_groups(sess: AwsSession, sink: Sink, arns: list[str]) -> dict[str, dict | None]:
    """{arn: TargetGroup + TargetHealthDescriptions, or None (not found / failed)}; 20 ARNs per call."""

    def fetch(sub: Sink, ids: list[str]) -> dict[str, dict]:
        groups, code = sess.paginate(
            sub,
            "target_groups",
            "elbv2",
            "DescribeTargetGroups",
            ",".join(ids),
            "TargetGroups",
            expected=("TargetGroupNotFound",),
            TargetGroupArns=ids,
        )
        if groups is None and code == "TargetGroupNotFound" and len(ids) > 1:
            # one missing ARN fails the whole batch: ask one by one
            out: dict[str, dict] = {}
            for part in sess.pmap(lambda i: fetch(sub, [i]), ids):
                out.update(part)
            return out
        found = {g["TargetGroupArn"]: g for g in groups or []}

        def health(arn: str) -> None:
            resp, _ = sess.call(sub, "target_groups", "elbv2", "DescribeTargetHealth", arn, TargetGroupArn=arn)
            found[arn]["TargetHealthDescriptions"] = None if resp is None else resp.get("TargetHealthDescriptions")

        sess.pmap(health, list(found))
        return found

    return sess.batch_once(sink, "target_group", arns, fetch, limits.DESCRIBE_TARGET_GROUPS)


def load_balancers(sess: AwsSession, sink: Sink, arns: list[str]) -> dict[str, dict | None]:
    def fetch(sub: Sink, ids: list[str]) -> dict[str, dict]:
        lbs, _ = sess.paginate(
            sub,
            "load_balancers",
            "elbv2",
            "DescribeLoadBalancers",
            ",".join(ids),
            "LoadBalancers",
            LoadBalancerArns=ids,
        )
        return {lb["LoadBalancerArn"]: lb for lb in lbs or []}

    return sess.batch_once(sink, "load_balancer", arns, fetch, limits.DESCRIBE_LOAD_BALANCERS)
