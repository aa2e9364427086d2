"""Starting and running the container: disk, memory, dependencies, entrypoint, exec format, ports, runtime."""

from __future__ import annotations

from ecs_triage.knowledge import fixtemplates as fx
from ecs_triage.knowledge.model import Signature

EARLY: tuple[Signature, ...] = (
    Signature(
        id="host.disk-full",
        cause="disk-full",
        summary="The instance's (or task's) disk is full",
        explanation="Docker could not write image layers or the container's filesystem: the volume or the "
        "devicemapper thin pool is out of space (Fargate: the task's ephemeral storage).",
        any_of=(
            "no space left on device",
            "thin pool",
            "devmapper",
            "dm.min_free_space",
            "disk quota exceeded",
            "enospc",
            "not enough space",
            "insufficient disk space",
            "disk is full",
            "out of disk",
        ),
        confidence=0.9,
        decide=("the instance's free disk / docker thin pool; the Fargate task's ephemeralStorage",),
        fix=fx.DISK,
    ),
    Signature(
        id="app.runtime-heap-exhausted",
        cause="app-exit-other",
        summary="The application's own runtime ran out of heap (not the container limit)",
        explanation="Node.js, the JVM and similar runtimes cap their own heap below the container's memory. The "
        "process died of its own heap limit; ECS did not kill it. Raise the runtime's heap setting (and the "
        "container memory with it) or fix the leak.",
        any_of=(
            "javascript heap out of memory",
            "java.lang.outofmemoryerror",
            "heap limit allocation failed",
            "java heap space",
            "gc overhead limit exceeded",
            " memoryerror",
            "builtins.memoryerror",
            "fatal error: runtime: out of memory",
            "cannot allocate memory",
        ),
        none_of=("container killed", "outofmemoryerror: c", "outofmemory: c", "oom-kill", "oom killed", "oomkilled"),
        confidence=0.8,
        decide=("the container's exit code and reason: an OutOfMemoryError reason from ECS means the container limit",),
        fix=fx.APP_LOGS,
    ),
    Signature(
        id="container.oom-killed",
        cause="oom-killed",
        summary="The container was killed for exceeding its memory limit",
        explanation="The kernel's OOM killer stopped the container because it used more memory than its hard "
        "limit (container memory, or the task memory on Fargate). Exit code 137 (SIGKILL) goes with it.",
        any_of=(
            "outofmemoryerror",
            "oom-kill",
            "oom kill",
            "oomkilled",
            "out of memory",
            "due to oom",
            "killed due to memory",
            "oom_kill",
            "memory limit too low",
            " oom ",
            "oom-killer",
            "memory cgroup",
        ),
        confidence=0.95,
        decide=("peak memory vs the container's memory hard limit (CloudWatch MemoryUtilization)",),
        fix=fx.OOM,
    ),
    Signature(
        id="container.dependency-failed",
        cause="container-dependency",
        summary="A container's dependsOn condition was never met",
        explanation="ECS starts containers in dependsOn order; the container this one waits for stopped, never "
        "became HEALTHY, or did not finish in time, so this one could not start.",
        any_of=(
            "dependencytimeout",
            "dependency timeout",
            "its dependency",
            "container dependencies",
            "dependency container",
            "dependency graph",
            "ordering dependency",
            "dependencies of container",
            "dependson",
            "depends on container",
            "dependency condition",
            "container dependency",
            "dependency timed out",
            "dependent container",
        ),
        confidence=0.9,
        decide=("the dependsOn conditions and the state/exit code/health of the containers they name",),
        fix=fx.DEPENDENCY,
    ),
)

START: tuple[Signature, ...] = (
    Signature(
        id="exec.format.interpreter-missing",
        cause="exec-format",
        summary="The entrypoint's interpreter cannot be found (CRLF line endings or a missing loader)",
        explanation="'exec user process caused: no such file or directory' while the file exists means the kernel "
        "could not find the interpreter named on the script's #! line (often '/bin/sh\\r' from Windows line "
        "endings) or the binary's dynamic loader (a glibc binary on Alpine).",
        any_of=("exec user process caused: no such file or directory", 'exec user process caused "no such file'),
        confidence=0.6,
        decide=("the script's first line and line endings; the binary's libc vs the base image",),
        fix=fx.EXEC_FORMAT,
    ),
    Signature(
        id="exec.format.script",
        cause="exec-format",
        summary="The entrypoint script cannot be executed (no shebang, CRLF line endings, or not a Linux binary)",
        explanation="The kernel refused to execute the named script. A shell script without a '#!' line or "
        "saved with Windows line endings gives this error. If the image was built for another CPU, it is an "
        "architecture mismatch instead.",
        any_of=("exec format error",),
        regex=r"exec:?\s+\"?(?P<executable>[^\s\":]{1,255}\.(?:sh|bash|py|rb|pl))\"?:?\s+exec format error",
        confidence=0.6,
        decide=("the first line of the script (#!) and its line endings", "the image's architecture vs the task's"),
        fix=fx.EXEC_FORMAT,
    ),
    Signature(
        id="exec.format.architecture",
        cause="image-platform-mismatch",
        summary="The image was built for another CPU architecture (exec format error)",
        explanation="'exec format error' on ECS almost always means an image built for one CPU (often arm64 from "
        "an Apple-silicon laptop) running on another (X86_64), or the reverse.",
        any_of=("exec format error", "exec user process caused: exec format"),
        confidence=0.75,
        decide=("the image's architecture (docker buildx imagetools inspect) vs runtimePlatform.cpuArchitecture",),
        fix=fx.PLATFORM,
    ),
    Signature(
        id="entrypoint.not-found",
        cause="entrypoint-not-found",
        summary="The command or entrypoint cannot be found or executed in the image",
        explanation="The container runtime could not exec the first element of entryPoint/command: it is not in "
        'the image\'s PATH, is a whole command line in one string ("node index.js"), does not exist, or is not '
        "executable.",
        any_of=(
            "executable file not found",
            "no such file or directory",
            "permission denied",
            "not found in $path",
            'exec: "',
            "command not found",
            "cannot execute",
            "is a directory",
        ),
        context=(
            "exec",
            "starting container process",
            "entrypoint",
            "command",
            "oci runtime",
            "cannotstartcontainer",
            "not found in $path",
            "executable",
        ),
        none_of=("secret", "ssm", "log group", "efs", "mount", "/proc/", "cgroup", "keycreate"),
        extract=(r"exec:?\s+\"(?P<executable>[^\"]{1,255})\"",),
        confidence=0.9,
        decide=("the container definition's entryPoint and command, and the image's PATH",),
        fix=fx.ENTRYPOINT,
    ),
    Signature(
        id="entrypoint.shell-not-found",
        cause="entrypoint-not-found",
        summary="The shell could not find the command the entrypoint runs",
        explanation="The entrypoint is a shell (or a script run by one) and the command it execs is not in the "
        "image, not in PATH, or is a relative path that does not exist in the working directory.",
        any_of=(": not found", "command not found", "no such file or directory"),
        context=("/bin/sh", "/bin/bash", "sh:", "bash:", "exec:", "exec ", "entrypoint"),
        none_of=("secret", "ssm", "log group", "efs", "mount", "module", "import"),
        confidence=0.75,
        decide=("the container definition's entryPoint/command and the image's PATH and working directory",),
        fix=fx.ENTRYPOINT,
    ),
    Signature(
        id="host.port-allocated",
        cause="port-conflict",
        summary="A host port the container binds is already in use on the instance",
        explanation="Another container or process on the instance holds the host port: a static hostPort in "
        "bridge mode, host network mode with two tasks on one instance, or an old task still holding it.",
        any_of=(
            "port is already allocated",
            "address already in use",
            "eaddrinuse",
            "bind for ",
            "ports unavailable",
            "port already in use",
            "host port unavailable",
            "error retrieving docker port map",
            "failed to create endpoint",
        ),
        none_of=("clientexception", "invalidparameterexception", "must match"),
        extract=(r"bind for [\d.:\[\]]*:(?P<port>\d+)|:(?P<port2>\d+)\)?:? (?:bind: )?address already in use",),
        confidence=0.9,
        decide=("the host ports of the other tasks on the instance; the network mode",),
        fix=fx.PORT_CONFLICT,
    ),
)

RUNTIME: tuple[Signature, ...] = (
    Signature(
        id="runtime.agent-or-runtime",
        cause="agent-or-runtime-error",
        summary="The ECS agent or the container runtime failed",
        explanation="The agent could not inspect, start, stop or time the container through Docker/containerd. "
        "Usually transient or a sick instance (agent disconnected, runtime hung, resource pressure).",
        any_of=(
            "cannotinspectcontainer",
            "dockertimeouterror",
            "containerruntimetimeouterror",
            "containerruntimeerror",
            "cannotstopcontainer",
            "could not transition to",
            "agent disconnected",
            "agent is not connected",
            "doesn't have the agent connected",
            "does not have the agent connected",
            '"agent"',
            "reason: agent",
            "docker daemon",
            "containerd",
            "dockerclient",
        ),
        confidence=0.6,
        decide=("the instance's agentConnected and agent/Docker logs; whether it repeats on other instances",),
        fix=fx.AGENT,
    ),
)

GENERIC: tuple[Signature, ...] = (
    Signature(
        id="runtime.cannot-start",
        cause="agent-or-runtime-error",
        summary="The container could not be started; the message does not say why",
        explanation="CannotStartContainerError with no recognised detail. Check the rest of the message: an "
        "entrypoint, a port, memory or a volume is usually named.",
        any_of=(
            "cannotstartcontainer",
            "cannot start container",
            "failed to start container",
            "oci runtime",
            "cannotcreatecontainer",
        ),
        confidence=0.35,
        decide=("the full container reason", "the container's entryPoint/command, ports and memory"),
        fix=fx.AGENT,
    ),
)
