"""API batch sizes and collection caps, as data (AWS documented limits per call)."""

from __future__ import annotations

# Maximum identifiers per call.
DESCRIBE_CLUSTERS = 100
DESCRIBE_SERVICES = 10
DESCRIBE_TASKS = 100
DESCRIBE_CONTAINER_INSTANCES = 100
DESCRIBE_INSTANCES = 100  # instance ids per DescribeInstances (AWS allows 1000; keep requests small)
DESCRIBE_TARGET_GROUPS = 20  # TargetGroupArns per DescribeTargetGroups
DESCRIBE_LOAD_BALANCERS = 20  # LoadBalancerArns per DescribeLoadBalancers
DESCRIBE_SUBNETS = 200
DESCRIBE_SECURITY_GROUPS = 200
DESCRIBE_TARGET_HEALTH = 1  # one target group per DescribeTargetHealth

# Page sizes requested from list/describe paginators (the AWS maximum for each).
LIST_TASKS_PAGE = 100
LIST_SERVICES_PAGE = 100
LIST_CLUSTERS_PAGE = 100
LIST_CONTAINER_INSTANCES_PAGE = 100

# Collection caps.
LOG_TAIL_EVENTS = 50  # GetLogEvents limit for a stopped container's tail
LOG_TAIL_TASKS_PER_SERVICE = 3  # most recent stopped tasks whose log tails are read, per service
MAX_WORKERS = 16  # bounded pool for independent calls
DESCRIBE_WORKERS = 8  # per paged list: describes of complete batches in flight while the next page is fetched
MAX_ATTEMPTS = 5  # attempts per call, first one included (adaptive retry mode), then the call becomes a gap
CONNECT_TIMEOUT = 5
READ_TIMEOUT = 10


def chunks(items: list[str], size: int) -> list[list[str]]:
    """Split `items` into lists of at most `size` (keeps order)."""
    return [items[i : i + size] for i in range(0, len(items), size)]
