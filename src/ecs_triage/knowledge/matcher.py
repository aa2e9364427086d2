"""`classify(text, kind, exit_code) -> Match`: the first catalog signature whose keywords and pattern match.

Cost per message: one whitespace normalisation and lowercase, then substring tests (the keyword pre-checks)
for each signature in order; regexes run only for signatures whose keywords are present, and the capture
extractors only for the winner. Patterns are compiled once, on first use.
"""

from __future__ import annotations

import re
from typing import Any

from ecs_triage.knowledge import exitcodes
from ecs_triage.knowledge.catalog import CATALOG
from ecs_triage.knowledge.model import Match, Signature

KINDS: tuple[str, ...] = ("stopped_reason", "container_reason", "service_event", "log", "api_error")
_ALIASES = {
    "log_tail": "log",
    "logs": "log",
    "log_line": "log",
    "stop_reason": "stopped_reason",
    "stoppedreason": "stopped_reason",
    "reason": "container_reason",
    "event": "service_event",
    "service": "service_event",
    "api": "api_error",
}
_KIND_CACHE: dict[str, str] = {}
MAX_SCAN = 65_536
# typographic quotes and dashes (the 2024 messages write "can’t"; pasted text gets “smart” quotes)
_ASCII_PUNCT = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"}
)  # longer texts: the head and the tail are read (the cause is at one end)

SIGNATURES: dict[str, Signature] = {s.id: s for s in CATALOG}
SIGNATURES.update(exitcodes.SIGNATURES)


class _lazy:
    """A regex compiled on first use, so importing the catalog stays cheap."""

    __slots__ = ("_args", "_rx")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._args = (pattern, flags)
        self._rx: re.Pattern[str] | None = None

    def _get(self) -> re.Pattern[str]:
        if self._rx is None:
            self._rx = re.compile(*self._args)
        return self._rx

    def search(self, text: str) -> re.Match[str] | None:
        return (self._rx or self._get()).search(text)

    def findall(self, text: str) -> list[Any]:
        return (self._rx or self._get()).findall(text)


_Compiled = tuple[
    Signature,
    frozenset[str],
    tuple[str, ...],
    frozenset[str],
    tuple[str, ...],
    tuple[str, ...],
    tuple[str, ...],
    "re.Pattern[str] | None",
    frozenset[str],
]
# Keyword pre-check: a keyword can only occur where a word of the text starts with its first word's first four
# characters, so the set of those word starts rules most signatures out with one set operation each.
_WORD_START = _lazy(r"(?<![a-z0-9])[a-z0-9]{1,4}")
_FIRST_WORD = _lazy(r"[a-z0-9]+")
_COMPILED: list[_Compiled] | None = None
_BY_KEY: dict[str, tuple[tuple[int, str], ...]] = {}  # pre-check key -> (signature index, keyword) pairs
_KEYSET: frozenset[str] = frozenset()
_EXTRACT: dict[str, tuple[re.Pattern[str], ...]] = {}

_IMAGE = _lazy(
    r"(?<![\w.-])(?P<image>(?P<registry>(?P<account_id>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?"
    r"|public\.ecr\.aws|(?:registry-1\.)?docker\.io|[a-z0-9-]+\.[a-z0-9.-]*[a-z](?::\d+)?)"
    r"/(?P<repository>[a-z0-9<>][a-z0-9._/<>-]*)(?::(?P<tag>\w[\w.-]{0,127})|@(?P<digest>sha256:[0-9a-f]{64}))?)",
    re.IGNORECASE,
)
_SECRET = _lazy(
    r"(?P<secret_arn>arn:aws[\w-]*:secretsmanager:(?P<region>[\w-]+):(?P<account_id>[\dx*]+):secret:"
    r"(?P<secret>[\w/+=.@!-]+))"
)
_PARAM = _lazy(r"(?P<parameter_arn>arn:aws[\w-]*:ssm:(?P<region>[\w-]+):[\dx*]+:parameter(?P<parameter>/[\w/.-]+))")
_KMS = _lazy(r"(?P<kms_key_arn>arn:aws[\w-]*:kms:[\w-]+:\d{12}:(?:key|alias)/[\w/-]+)")
_ROLE = _lazy(r"assumed-role/(?P<role_name>[\w+=,.@-]+)/")
_LOG_GROUP = _lazy(r"log-group:(?P<log_group>[\w/.#-]+)")
_SERVICE = _lazy(r"\(service (?P<service>[^)\s,]+)")
_SERVICE_BARE = _lazy(r"\bservice (?P<service>[\w.-]+) (?:was|is|has|\()")
_IMAGE_ECR = _lazy(
    r"(?P<image>(?P<registry>(?P<account_id>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?)"
    r"/(?P<repository>[a-z0-9<>][a-z0-9._/<>-]*)(?::(?P<tag>\w[\w.-]{0,127})|@(?P<digest>sha256:[0-9a-f]{64}))?)",
    re.IGNORECASE,
)
_CLUSTER = _lazy(r":cluster/(?P<cluster>[\w-]+)")
_EXECUTION_CAUSES = frozenset(
    {"image-pull-auth", "secrets-access-denied", "secrets-kms-denied", "log-config", "role-assume-failed"}
)


def normalize_kind(kind: str | None) -> str | None:
    """The canonical kind name; raises ValueError for a kind this catalog does not know."""
    if kind is None or kind == "":
        return None
    if kind in KINDS:
        return kind
    known = _KIND_CACHE.get(kind)
    if known is not None:
        return known
    k = kind.strip().lower().replace("-", "_")
    k = _ALIASES.get(k, k)
    if k not in KINDS:
        raise ValueError(f"unknown kind {kind!r} (expected one of: {', '.join(KINDS)})")
    if len(_KIND_CACHE) < 256:
        _KIND_CACHE[kind] = k
    return k


def get_signature(signature_id: str) -> Signature | None:
    """The signature with this id, or None."""
    return SIGNATURES.get(signature_id)


def _compile() -> list[_Compiled]:
    global _COMPILED
    if _COMPILED is None:
        out: list[_Compiled] = []
        for sig in CATALOG:
            rx = re.compile(sig.regex, re.IGNORECASE) if sig.regex else None
            out.append(
                (
                    sig,
                    _keys(sig.any_of),
                    sig.any_of,
                    _keys(sig.context),
                    sig.context,
                    sig.all_of,
                    sig.none_of,
                    rx,
                    frozenset(sig.kinds),
                )
            )
            _EXTRACT[sig.id] = tuple(re.compile(p, re.IGNORECASE) for p in sig.extract)
        index: dict[str, list[tuple[int, str]]] = {}
        for i, c in enumerate(out):
            for kw in c[2] or ("",):
                index.setdefault(word_key(kw), []).append((i, kw))
        if "" in index:
            raise ValueError(f"signatures without a keyword: {sorted({CATALOG[i].id for i, _ in index['']})}")
        _BY_KEY.update({k: tuple(v) for k, v in index.items()})
        global _KEYSET
        _KEYSET = frozenset(_BY_KEY) - {""}
        _COMPILED = out
    return _COMPILED


_COMMON = frozenset(
    [
        "erro",
        "fail",
        "not",
        "to",
        "the",
        "in",
        "of",
        "is",
        "for",
        "on",
        "by",
        "a",
        "an",
        "be",
        "was",
        "has",
        "with",
        "cont",
        "task",
        "serv",
        "unab",
        "time",
        "at",
        "from",
        "and",
        "no",
        "or",
        "can",
        "coul",
        "must",
        "this",
        "that",
    ]
)


def word_key(keyword: str) -> str:
    """The pre-check key of a keyword: the first four characters of one of its words, the least common one.

    Keywords start at a word start of the text, so each of their words but a trailing one is a whole word of
    the text, and a trailing word of four characters or more starts one."""
    words = _FIRST_WORD.findall(keyword)
    if not words:
        return ""
    open_end = keyword[-1:].isalnum()
    usable = [w for i, w in enumerate(words) if i < len(words) - 1 or not open_end or len(w) >= 4]
    if not usable:
        return words[0][:4]
    rare = [w for w in usable if w[:4] not in _COMMON] or usable
    return max(rare, key=len)[:4]


def _keys(keywords: tuple[str, ...]) -> frozenset[str]:
    return frozenset(word_key(k) for k in keywords)


def _first(low: str, norm: str, kind: str | None) -> tuple[Signature, re.Match[str] | None] | None:
    compiled = _COMPILED or _compile()
    has = low.__contains__
    candidates: set[int] = set()
    for key in _KEYSET.intersection((_WORD_START._rx or _WORD_START._get()).findall(low)):
        for i, kw in _BY_KEY[key]:
            if i not in candidates and kw in low:
                candidates.add(i)
    for i in sorted(candidates):
        sig, _any_keys, _any_of, _ctx_keys, context, all_of, none_of, rx, kinds = compiled[i]
        if kinds and kind is not None and kind not in kinds:
            continue
        if context and not any(map(has, context)):
            continue
        if all_of and not all(map(has, all_of)):
            continue
        if none_of and any(map(has, none_of)):
            continue
        m = None
        if rx is not None:
            m = rx.search(norm)
            if m is None:
                continue
        return sig, m
    return None


def _groups(m: re.Match[str] | None, into: dict[str, str]) -> None:
    if m is None:
        return
    for name, value in m.groupdict().items():
        if value:
            key = name.rstrip("0123456789")
            into.setdefault(key, value)


def _captures(sig: Signature, m: re.Match[str] | None, norm: str, low: str) -> dict[str, str]:
    caps: dict[str, str] = {}
    _groups(m, caps)
    for rx in _EXTRACT.get(sig.id, ()):
        _groups(rx.search(norm), caps)
    if "arn:" in low:
        if "secretsmanager" in low:
            _groups(_SECRET.search(norm), caps)
        if ":ssm:" in low:
            _groups(_PARAM.search(norm), caps)
        if ":kms:" in low:
            _groups(_KMS.search(norm), caps)
        if ":cluster/" in low:
            _groups(_CLUSTER.search(norm), caps)
        if "log-group:" in low and "log_group" not in caps:
            _groups(_LOG_GROUP.search(norm), caps)
    if "assumed-role/" in low:
        _groups(_ROLE.search(norm), caps)
    if "/" in norm and (sig.cause.startswith("image") or sig.cause == "registry-rate-limit"):
        im = _IMAGE_ECR.search(norm) if ".dkr.ecr." in low else None
        if im is None:
            im = _IMAGE.search(norm)
        if im is not None:
            _image(im, caps)
    if "(service " in low:
        _groups(_SERVICE.search(norm), caps)
    elif "service " in low:
        _groups(_SERVICE_BARE.search(norm), caps)
    if caps.get("target_group", "").startswith("arn:"):
        caps.setdefault("target_group_arn", caps["target_group"])
    if "role_arn" in caps:
        caps.setdefault("role_name", caps["role_arn"].rsplit("/", 1)[-1])
    if "role_name" in caps and sig.cause in _EXECUTION_CAUSES:
        caps.setdefault("execution_role_name", caps["role_name"])
    if "secret_arn" not in caps and "parameter_arn" in caps:
        caps["secret_arn"] = caps["parameter_arn"]
    if "secret" not in caps and "parameter" in caps:
        caps["secret"] = caps["parameter"]
    return caps


def _image(im: re.Match[str], caps: dict[str, str]) -> None:
    repo = im.group("repository").rstrip("./-")
    if repo.lower().startswith("v2/"):
        repo = re.split(r"/(?:manifests|blobs|tags)(?:/|$)", repo[3:], maxsplit=1)[0]
        caps.setdefault("repository", repo)
        registry = im.group("registry")
        caps.setdefault("image", ("docker.io" if registry.endswith("docker.io") else registry) + "/" + repo)
    else:
        caps.setdefault("image", im.group("image").rstrip(".-"))
        caps.setdefault("repository", repo)
        if im.group("tag"):
            caps.setdefault("tag", im.group("tag").rstrip("."))
    for key in ("digest", "region", "account_id"):
        if im.group(key):
            caps.setdefault(key, im.group(key))
    if im.group("account_id") and im.group("region"):
        caps.setdefault(
            "repository_arn", f"arn:aws:ecr:{im.group('region')}:{im.group('account_id')}:repository/{repo}"
        )


def _from_signature(sig: Signature, caps: dict[str, str], confidence: float | None = None) -> Match:
    summary = sig.summary
    if "{" in summary:
        summary = summary.format_map(_Keep(caps))
    return Match(
        signature=sig.id,
        cause=sig.cause,
        confidence=sig.confidence if confidence is None else confidence,
        summary=summary,
        explanation=sig.explanation,
        decide=sig.decide,
        captures=caps,
        fix=sig.fix,
    )


class _Keep(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return "?"


UNKNOWN_DECIDE = (
    "the task's stopCode and stoppedReason",
    "each container's reason and exitCode",
    "the stopped container's log tail",
    "the service's recent events",
)


def classify(text: Any, kind: str | None = None, exit_code: int | None = None) -> Match:
    """Classify one ECS failure message (a stoppedReason, container reason, service event, log line/tail or
    API error). `kind` narrows which signatures apply (None: all); `exit_code` is the container's exit code,
    used when the text alone does not decide. Never raises for odd text: no match gives cause `unknown`.
    Raises ValueError for an unknown `kind`."""
    k = normalize_kind(kind)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    elif not isinstance(text, str):
        text = "" if text is None else str(text)
    if len(text) > MAX_SCAN:
        half = MAX_SCAN // 2
        text = text[:half] + "\n" + text[-half:]
    norm = " ".join(text.split())
    if not norm.isascii():
        norm = norm.translate(_ASCII_PUNCT)
    low = norm.lower()
    if exit_code is not None and (isinstance(exit_code, bool) or not isinstance(exit_code, int)):
        raise ValueError(f"exit_code must be an integer, not {exit_code!r}")

    found = _first(low, norm, k) if low else None
    if found is not None:
        sig, m = found
        caps = _captures(sig, m, norm, low)
        code = exit_code
        if code is None and sig.generic and caps.get("exit_code", "").isdigit():
            code = int(caps["exit_code"])
        if code is not None and sig.generic:
            esig, ecaps = exitcodes.signature_for(code)
            caps.update(ecaps)
            return _from_signature(esig, caps)
        confidence = sig.confidence
        if code is not None:
            caps.update(exitcodes.signature_for(code)[1])
            if sig.cause == "oom-killed" and code == 137:
                confidence = max(confidence, 0.97)
        return _from_signature(sig, caps, confidence)
    if exit_code is not None:
        esig, ecaps = exitcodes.signature_for(exit_code)
        return _from_signature(esig, ecaps)
    return Match(
        signature="",
        cause="unknown",
        confidence=0.0,
        summary="No known ECS failure signature matches this text" if low else "Empty text: nothing to classify",
        explanation="",
        decide=UNKNOWN_DECIDE,
        captures={},
        fix=None,
    )
