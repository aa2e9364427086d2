"""scan over several Regions: a named cluster may live in only some of them."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from ecs_triage.app.scan import scan_clusters
from ecs_triage.errors import InputError


@mock_aws
def test_cluster_missing_in_one_region_is_a_note_not_a_failure() -> None:
    boto3.client("ecs", region_name="us-east-1").create_cluster(clusterName="prod")
    scan = scan_clusters(["prod"], regions=["us-east-1", "us-west-2"])
    assert scan.regions == ("us-east-1",)
    assert "cluster prod not found in us-west-2" in scan.notes
    assert "cluster prod has no services" in scan.notes


@mock_aws
def test_cluster_missing_everywhere_is_an_input_error() -> None:
    boto3.client("ecs", region_name="us-east-1").create_cluster(clusterName="prod")
    with pytest.raises(InputError, match="no ECS cluster 'staging' in us-east-1, us-west-2"):
        scan_clusters(["staging"], regions=["us-east-1", "us-west-2"])
    with pytest.raises(InputError, match="no ECS cluster 'staging' in us-east-1"):
        scan_clusters(["staging"], regions=["us-east-1"])
