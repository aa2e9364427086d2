"""Exit codes: what a container's exit code says when the text does not (0, 1, 126, 127, 137, 139, 143, 128+N)."""

from __future__ import annotations

from ecs_triage.knowledge import fixtemplates as fx
from ecs_triage.knowledge.model import Signature

SIGNALS: dict[int, str] = {
    1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE",
    9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM",
    16: "SIGSTKFLT", 17: "SIGCHLD", 18: "SIGCONT", 19: "SIGSTOP", 20: "SIGTSTP", 21: "SIGTTIN", 22: "SIGTTOU",
    23: "SIGURG", 24: "SIGXCPU", 25: "SIGXFSZ", 26: "SIGVTALRM", 27: "SIGPROF", 28: "SIGWINCH", 29: "SIGIO",
    30: "SIGPWR", 31: "SIGSYS",
}  # fmt: skip

SIGNATURES: dict[str, Signature] = {
    s.id: s
    for s in (
        Signature(
            id="exit.0",
            cause="app-exit-other",
            summary="An essential container exited with code 0: its process finished",
            explanation="Exit 0 is success: the main process ran to completion (a one-off command, a shell that "
            "returned, a server started in the background). A service's essential container must keep running.",
            confidence=0.5,
            decide=("the container's command: does it start a long-running foreground process?",),
            fix=fx.ENTRYPOINT,
        ),
        Signature(
            id="exit.error",
            cause="app-exit-other",
            summary="The application exited with an error (exit code {exit_code})",
            explanation="A non-zero exit from the application itself. The log tail says which: a missing setting "
            "(app-exit-missing-config), an unreachable dependency (app-exit-dependency-unreachable), or a crash.",
            confidence=0.35,
            decide=("the container's log tail: a missing variable, a refused connection, or an exception?",),
            fix=fx.APP_LOGS,
        ),
        Signature(
            id="exit.126",
            cause="entrypoint-not-found",
            summary="Exit 126: the command was found but cannot be executed (permission or format)",
            explanation="The shell returns 126 when the command is not executable: missing execute bit, a "
            "directory, or a binary it cannot run.",
            confidence=0.7,
            decide=("the entrypoint file's mode in the image (chmod +x)", "its format (shebang, architecture)"),
            fix=fx.ENTRYPOINT,
        ),
        Signature(
            id="exit.127",
            cause="entrypoint-not-found",
            summary="Exit 127: the command was not found",
            explanation="The shell returns 127 when the command (or the script's interpreter) is not in PATH.",
            confidence=0.8,
            decide=("the container's entryPoint/command vs the image's PATH",),
            fix=fx.ENTRYPOINT,
        ),
        Signature(
            id="exit.137",
            cause="oom-killed",
            summary="Exit 137 (SIGKILL): most often killed for memory, but the text alone cannot tell",
            explanation="SIGKILL comes from the OOM killer (memory limit), or from ECS when the container did not "
            "stop within stopTimeout after SIGTERM (a deployment, scale-in or failed health check stopped it).",
            confidence=0.45,
            decide=(
                "the container's reason: 'OutOfMemoryError: Container killed due to memory usage' confirms OOM",
                "the task's stoppedReason: a stop (health checks, scaling, user) before the kill means stop timeout",
                "the container's peak MemoryUtilization vs its memory limit",
            ),
            fix=fx.OOM,
        ),
        Signature(
            id="exit.139",
            cause="app-exit-other",
            summary="Exit 139 (SIGSEGV): the process crashed with a segmentation fault",
            explanation="A native crash: a bug in the program or a native library, or a binary built for another "
            "libc/CPU.",
            confidence=0.7,
            decide=("the container's log tail (the crash location)", "the image's architecture"),
            fix=fx.APP_LOGS,
        ),
        Signature(
            id="exit.143",
            cause="user-or-deployment-stop",
            summary="Exit 143 (SIGTERM): ECS asked the container to stop",
            explanation="The container exited on SIGTERM, which ECS sends when it stops a task: a deployment, "
            "scale-in, a user, or failed health checks. The task's stoppedReason tells which.",
            confidence=0.4,
            decide=("the task's stoppedReason: ELB or container health checks mean a failure, scaling a normal stop",),
            fix=fx.NORMAL_STOP,
        ),
        Signature(
            id="exit.signal",
            cause="app-exit-other",
            summary="The process died of signal {signal} (exit code {exit_code})",
            explanation="Exit codes above 128 mean the process was killed by signal N = code - 128.",
            confidence=0.5,
            decide=("the container's log tail", "who sent the signal (the app itself for SIGABRT)"),
            fix=fx.APP_LOGS,
        ),
    )
}


def signature_for(exit_code: int) -> tuple[Signature, dict[str, str]]:
    """The exit-code signature and its captures (exit_code, signal)."""
    caps = {"exit_code": str(exit_code)}
    if 128 < exit_code <= 128 + 31:
        caps["signal"] = SIGNALS[exit_code - 128]
    if exit_code in (0, 126, 127, 137, 139, 143):
        return SIGNATURES[f"exit.{exit_code}"], caps
    if "signal" in caps:
        return SIGNATURES["exit.signal"], caps
    return SIGNATURES["exit.error"], caps
