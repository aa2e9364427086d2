"""What the agent fetches before the container starts: secrets, parameters, registry auth, logs, volumes, roles."""

from __future__ import annotations

from ecs_triage.knowledge import fixtemplates as fx
from ecs_triage.knowledge.model import Signature

SECRET = ("secret", "from asm", "asm:", "ssm", "parameter store", "parameters")
TIMEOUT = (
    "i/o timeout",
    "context deadline exceeded",
    "context canceled",
    "request canceled",
    "dial tcp",
    "connection issue",
    "client.timeout",
    "timeout exceeded",
    "tls handshake timeout",
    "signal: killed",
    "network is unreachable",
    "connection reset",
    "timed out",
)
LOGS = ("logging driver", "logger", "log stream", "log group", "cloudwatch log", "awslogs", "logs:")

SIGNATURES: tuple[Signature, ...] = (
    Signature(
        id="secrets.kms.decrypt-denied",
        cause="secrets-kms-denied",
        summary="The secret or parameter is encrypted with a KMS key the execution role may not use",
        explanation="A secret or SecureString encrypted with a customer-managed KMS key needs kms:Decrypt for the "
        "execution role, in its IAM policy and in the key policy. KMS reports a denied key as if it did not exist.",
        context=(*SECRET, "kms"),
        any_of=(
            "customer master key",
            "kms:decrypt",
            "awskms",
            "kms.accessdenied",
            "kmsaccessdenied",
            "access to kms is not allowed",
            "kms key",
            "kmsinvalidstate",
            "kms.notfound",
            "kms access",
        ),
        confidence=0.9,
        decide=("the secret's KmsKeyId; the execution role's kms:Decrypt permission and the key policy",),
        fix=fx.KMS_DECRYPT,
    ),
    Signature(
        id="secrets.ssm.not-found",
        cause="secrets-not-found",
        summary="A referenced SSM parameter does not exist (or its name is invalid)",
        explanation="ECS could not find the parameter named in valueFrom: a typo, another Region or account, a "
        "deleted parameter, or an invalid name (double slash, missing leading slash with an ARN).",
        context=("ssm", "parameter"),
        any_of=(
            "invalid ssm parameters",
            "invalidparameters",
            "parameternotfound",
            "parameter not found",
            "parameter does not exist",
            "invalid parameters",
            "parameterversionnotfound",
        ),
        extract=(r"invalid (?:ssm )?parameters:\s*(?P<parameter>[^\s,]+)",),
        confidence=0.9,
        decide=("aws ssm get-parameters --names NAME in the task's Region",),
        fix=fx.SECRET_NOT_FOUND,
    ),
    Signature(
        id="secrets.asm.not-found",
        cause="secrets-not-found",
        summary="A referenced secret, JSON key or version does not exist",
        explanation="Secrets Manager has no secret at that ARN (wrong Region, account or name suffix, deleted), or "
        "the valueFrom suffix names a JSON key, version stage or version id the secret does not have.",
        context=("secret", "asm"),
        any_of=(
            "resourcenotfoundexception",
            "can't find the specified secret",
            "cannot find the specified secret",
            "did not contain json key",
            "json key",
            "version stage",
            "versionstage",
            "version id",
            "secret not found",
            "marked for deletion",
            "invalidrequestexception",
            "unmarshal json",
            "does not contain the key",
            "invalid secret",
        ),
        extract=(r"json key (?P<json_key>[\w.-]+)",),
        confidence=0.9,
        decide=("aws secretsmanager describe-secret on the exact ARN; the JSON keys of its value",),
        fix=fx.SECRET_NOT_FOUND,
    ),
    Signature(
        id="pull.ecr.registry-auth-network",
        cause="image-pull-network",
        summary="The task could not reach ECR to get the registry auth token (network path)",
        explanation="Before pulling, the agent asks ECR (api.ecr.REGION.amazonaws.com) for an auth token. The call "
        "timed out: no route to the internet nor an ecr.api VPC endpoint, or egress 443 blocked, or DNS off.",
        any_of=("ecr registry auth", "registry auth from amazon ecr", "api.ecr.", "ecr auth", "auth from amazon ecr"),
        context=TIMEOUT,
        none_of=("secret from asm", "secrets from ssm", "secret from ssm"),
        confidence=0.9,
        decide=("the subnet's route (public IP + IGW, or NAT) or an ecr.api endpoint with private DNS; SG egress 443",),
        fix=fx.ECR_NETWORK,
    ),
    Signature(
        id="secrets.network.timeout",
        cause="secrets-network",
        summary="The task could not reach Secrets Manager or SSM (network path)",
        explanation="Fetching the secrets timed out or was killed: the subnet has no route to the internet nor "
        "secretsmanager/ssm VPC endpoints (with private DNS), or egress 443 is blocked.",
        context=SECRET,
        any_of=TIMEOUT,
        confidence=0.85,
        decide=("the subnet's route table and the secretsmanager/ssm endpoints; SG egress on 443",),
        fix=fx.SECRETS_NETWORK,
    ),
    Signature(
        id="secrets.access-denied",
        cause="secrets-access-denied",
        summary="The execution role may not read a referenced secret or parameter",
        explanation="ECS reads task-definition secrets with the EXECUTION role. It needs "
        "secretsmanager:GetSecretValue or ssm:GetParameters on each referenced ARN. A permission granted on the "
        "task role instead does not help.",
        context=SECRET,
        any_of=(
            "accessdenied",
            "access denied",
            "not authorized to perform",
            "is not authorized",
            "explicit deny",
            "unauthorized",
        ),
        none_of=("registry auth from amazon ecr", "ecr registry auth"),
        extract=(r"assumed-role/(?P<role_name>[\w+=,.@-]+)/",),
        confidence=0.9,
        decide=(
            "the execution role's policies vs the secret ARN (or the permission sitting on the task role)",
            "a resource policy on the secret",
        ),
        fix=fx.SECRET_ACCESS,
    ),
    Signature(
        id="secrets.fetch-failed",
        cause="secrets-access-denied",
        summary="The agent could not fetch a secret; the detail is cut off (most often a permission)",
        explanation="The agent failed to fetch a referenced secret or parameter and the reason was truncated. "
        "Without a timeout or a not-found in the text, the usual cause is the execution role's permission.",
        context=SECRET,
        any_of=(
            "failed to fetch secret",
            "unable to retrieve secret",
            "unable to retrieve secrets",
            "retrieval failed",
        ),
        none_of=("registry auth from amazon ecr", "ecr registry auth"),
        confidence=0.55,
        decide=(
            "the full reason (AccessDenied, ResourceNotFound, timeout)",
            "the execution role's permission on each referenced secret",
            "the subnet's route to Secrets Manager / SSM",
        ),
        fix=fx.SECRET_ACCESS,
    ),
    Signature(
        id="secrets.or-registry-auth.unspecified",
        cause="secrets-network",
        summary="The task could not fetch its secrets or registry auth; the message gives no detail",
        explanation="'unable to pull secrets or registry auth' with no detail is most often a network path problem "
        "(no route to Secrets Manager, SSM or ECR); a permission or a missing secret usually comes with its own detail.",
        any_of=("unable to pull secrets or registry auth", "execution resource retrieval failed"),
        confidence=0.45,
        decide=(
            "the rest of the reason (AccessDenied, ResourceNotFound, timeout)",
            "the subnet's route to the secretsmanager/ssm/ecr endpoints",
            "the execution role's permission on each secret",
        ),
        fix=fx.SECRETS_NETWORK,
    ),
    # logs
    Signature(
        id="logs.bad-region",
        cause="log-config",
        summary="The awslogs options are wrong (the Region or endpoint does not exist)",
        explanation="awslogs-region is missing or invalid (for example 'undefined' from a template), so the "
        "driver cannot build the CloudWatch Logs endpoint.",
        context=(*LOGS, "logs."),
        any_of=(
            "missingendpoint",
            "logs.undefined",
            "logs.null",
            "logs..amazonaws",
            "invalid region",
            "'endpoint' configuration",
        ),
        confidence=0.9,
        decide=("the container's logConfiguration.options.awslogs-region",),
        fix=fx.LOG_CONFIG,
    ),
    Signature(
        id="logs.network",
        cause="log-network",
        summary="The task could not reach CloudWatch Logs (network path)",
        explanation="The log driver timed out or was killed while creating the stream: no route to the internet "
        "nor a logs VPC endpoint with private DNS, or egress 443 blocked.",
        context=LOGS,
        any_of=(*TIMEOUT, "no such host"),
        confidence=0.8,
        decide=("the subnet's route table and a logs interface endpoint; SG egress 443",),
        fix=fx.LOGS_NETWORK,
    ),
    Signature(
        id="logs.config",
        cause="log-config",
        summary="The log driver could not start: the log group is missing or the role may not write to it",
        explanation="awslogs needs the log group to exist (or awslogs-create-group=true with logs:CreateLogGroup), "
        "and the execution role needs logs:CreateLogStream and logs:PutLogEvents.",
        context=LOGS,
        any_of=("logging driver", "logger args", "log group", "log stream", "logs:", "awslogs", "cloudwatch log"),
        extract=(r"log-group:(?P<log_group>[^\s:,'\"]+)",),
        confidence=0.8,
        decide=("does the log group exist?", "the execution role's logs:CreateLogStream/PutLogEvents/CreateLogGroup"),
        fix=fx.LOG_CONFIG,
    ),
    # EFS and volumes
    Signature(
        id="volume.efs.mount-failed",
        cause="efs-mount-failure",
        summary="The EFS volume could not be mounted",
        explanation="The EFS mount failed: no mount target in the task's AZ, its security group does not allow "
        "NFS (2049) from the task, the file-system policy or IAM authorization denies, or the access point path "
        "is wrong.",
        any_of=("efs", "mount.nfs", "nfs4", "elasticfilesystem", "amazon-efs-utils", "fs-"),
        context=("mount", "efs utils", "volume", "access point", "access denied by server", "efs"),
        none_of=("cannotpullcontainer",),
        extract=(r"(?P<file_system_id>fs-[0-9a-f]{8,17})",),
        confidence=0.9,
        decide=("the mount targets and their security groups (2049 from the task)", "the file-system policy"),
        fix=fx.EFS,
    ),
    Signature(
        id="volume.create-failed",
        cause="efs-mount-failure",
        summary="A task volume could not be created or prepared (ownership or mount)",
        explanation="The agent could not create or chown the task's volume directory. This is mostly seen with "
        "EFS/bind volumes whose POSIX owner or access point does not match the container user.",
        any_of=("cannotcreatevolumeerror", "/var/lib/ecs/volumes", "failed to chown", "lchown", "volume mount"),
        confidence=0.55,
        decide=("the task definition's volumes and the access point's POSIX user / root directory",),
        fix=fx.EFS,
    ),
    # roles
    Signature(
        id="role.assume-failed",
        cause="role-assume-failed",
        summary="ECS could not assume a role (trust policy, or the role does not exist)",
        explanation="The role's trust policy must allow ecs-tasks.amazonaws.com (task and execution roles), or "
        "ecs.amazonaws.com for the service-linked role; the role must exist in the same account.",
        any_of=(
            "unable to assume",
            "could not assume",
            "cannot assume",
            "sts:assumerole",
            "trust relationship",
            "service linked role",
            "service-linked role",
            "role is not valid",
            "invalid role",
            "role does not exist",
            "cannot be found",
            "assume the role",
            "assumerole",
        ),
        context=("role", "assume"),
        extract=(r"(?P<role_arn>arn:aws[\w-]*:iam::\d{12}:role/[\w+=,.@/-]+)",),
        confidence=0.9,
        decide=("aws iam get-role: does it exist, and does its trust policy name ecs-tasks.amazonaws.com?",),
        fix=fx.ROLE_TRUST,
    ),
)
