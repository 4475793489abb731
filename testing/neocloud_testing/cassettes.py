"""Readable, secret-free cassettes: the YAML serializer, request/response scrubbing and the scanner.

Cassettes are YAML, one per test, under the top-level ``cassettes/``. JSON bodies are stored parsed
(``parsed_body``) and event streams as literal blocks, so a diff reads like the API exchange it records; long
lists of numbers (embeddings) are flow sequences, a few dozen numbers per line.
Only allowlisted headers survive; volatile fields (``created``, ``time_info`` timings) are normalised;
provider hosts (real ones or the sandbox's random loopback port) become ``http://sandbox.invalid/<provider>``
so the same cassette replays whether it was recorded against the sandbox or the real provider.
"""

from __future__ import annotations

import base64
import contextlib
import inspect
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "CANONICAL_HOST",
    "REAL_BASE_URLS",
    "canonical_uri",
    "dedent_tool_descriptions",
    "scan_cassettes",
    "scrub_request",
    "scrub_response",
    "serializer",
]

CANONICAL_HOST = "http://sandbox.invalid"
# Real provider roots → the sandbox prefix that emulates them (extend when a provider is added).
REAL_BASE_URLS = {
    "https://api.cerebras.ai": "/cerebras",
    "https://api.clusterprotocol.ai": "/clusterprotocol",
    "https://api.metalcloud.space": "/metalcloud",
    "https://runcrate.ai": "/runcrate",
    "https://api.runcrate.ai": "/runcrate",
    "https://api.inferencekey.com": "/inferencekey",
}
_LOOPBACK = re.compile(r"^http://(?:127\.0\.0\.1|localhost|\[::1\]):\d+")
REQUEST_HEADERS = ("content-type", "accept", "idempotency-key", "x-retry-count")
RESPONSE_HEADERS = ("content-type", "retry-after", "retry-after-ms", "x-should-retry", "x-request-id", "location")
_FIXED_CREATED = 1_700_000_000
_FIXED_ISO = "2023-11-14T22:13:20Z"  # the same instant as _FIXED_CREATED
# Server-stamped times (never ones a request chose, such as a schedule's run_at).
_STAMPS = frozenset({"created", "created_at", "updated_at", "createdAt", "updatedAt", "deployed_at", "started_at",
                     "ended_at", "last_run_at", "at", "ts"})  # fmt: skip
_ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")
_TIME_FIELDS = ("queue_time", "prompt_time", "completion_time", "total_time")


def canonical_uri(uri: str) -> str:
    """Map a loopback sandbox URL or a real provider URL onto the canonical sandbox host."""
    uri = _LOOPBACK.sub(CANONICAL_HOST, uri)
    for real, prefix in REAL_BASE_URLS.items():
        if uri.startswith(real):
            return CANONICAL_HOST + prefix + uri[len(real) :]
    return uri


def scrub_request(request: Any) -> Any:
    """``before_record_request``: drop control-plane calls, keep allowlisted headers, canonical URI."""
    if "/_sandbox/" in request.uri:
        return None  # sandbox scripting is visible in the test itself; not part of the provider exchange
    request.uri = canonical_uri(request.uri)
    kept = {k: v for k, v in request.headers.items() if k.lower() in REQUEST_HEADERS}
    for name in [k for k in kept if k.lower() == "idempotency-key"]:
        if str(kept[name]).startswith("neocloud-"):
            kept[name] = "neocloud-<generated>"  # random per call: keep cassettes stable
    request.headers.clear()
    request.headers.update(kept)
    _fix_boundary(request)
    _fix_uuids(request)
    _fix_loopback(request)
    _fix_descriptions(request)
    return request


def dedent_tool_descriptions(body: Any) -> Any:
    """Tool descriptions taken from docstrings, cleaned as ``inspect.cleandoc`` does.

    Python 3.13 strips docstrings' common indentation when it compiles them, earlier versions do not, so the
    same tool sends a differently indented description on each. Both sides of a match (the live request and the
    recorded one) are cleaned, so one cassette replays on every Python.
    """
    if isinstance(body, dict) and isinstance(body.get("tools"), list):
        for tool in body["tools"]:
            function = tool.get("function") if isinstance(tool, dict) else None
            if isinstance(function, dict) and isinstance(function.get("description"), str):
                function["description"] = inspect.cleandoc(function["description"])
    return body


def _fix_descriptions(request: Any) -> None:
    body = request.body
    if isinstance(body, str):
        body = body.encode()
    if not isinstance(body, bytes) or b'"tools"' not in body:
        return
    try:
        parsed = json.loads(body)
    except ValueError:
        return
    request.body = json.dumps(dedent_tool_descriptions(parsed)).encode()


_SERVER_TIME = re.compile(rb"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")
_LOOPBACK_ANYWHERE = re.compile(rb"http://(?:127\.0\.0\.1|localhost|\[::1\]):\d+")


def _fix_loopback(request: Any) -> None:
    """A sandbox URL quoted inside a body (an endpoint a tool returned, sent back to the model) becomes the
    canonical host, as in URIs, so the request matches whichever port the sandbox had while recording."""
    body = request.body.encode() if isinstance(request.body, str) else request.body
    if isinstance(body, bytes) and _LOOPBACK_ANYWHERE.search(body):
        body = request.body = _LOOPBACK_ANYWHERE.sub(CANONICAL_HOST.encode(), body)
    # A server's timestamp echoed back inside a body (a tool result quoted to the model) was normalised in the
    # recorded response, so it is normalised here too; times a caller chose (milliseconds at most) are kept.
    if isinstance(body, bytes) and _SERVER_TIME.search(body):
        request.body = _SERVER_TIME.sub(_FIXED_ISO.encode(), body)


_UUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _fix_uuids(request: Any) -> None:
    """Random UUIDs a framework puts in a body (tool-call ids of few-shot examples) become ``uuid-<n>`` in
    order of appearance, so the same request matches its recording."""
    body = request.body
    if isinstance(body, str):
        body = body.encode()
    if not isinstance(body, bytes) or not _UUID.search(body):
        return
    seen: dict[bytes, bytes] = {}
    request.body = _UUID.sub(lambda m: seen.setdefault(m.group(0), b"uuid-%d" % len(seen)), body)


def _fix_boundary(request: Any) -> None:
    """Multipart boundaries are random per request: make them one constant so bodies match on replay."""
    ctype = next((str(v) for k, v in request.headers.items() if k.lower() == "content-type"), "")
    match = re.search(r"boundary=([^;\s]+)", ctype)
    if not match or not isinstance(request.body, bytes):
        return
    fixed = "neocloud-multipart-boundary"
    request.body = request.body.replace(match.group(1).encode(), fixed.encode())
    for key in [k for k in request.headers if k.lower() == "content-type"]:
        request.headers[key] = ctype.replace(match.group(1), fixed)


def _normalise(obj: Any) -> Any:
    if isinstance(obj, dict):
        out = {}
        for key, value in obj.items():
            stamp = key in _STAMPS  # wall-clock timestamps differ in every recording
            if stamp and isinstance(value, (int, float)) and not isinstance(value, bool):
                out[key] = _FIXED_CREATED
            elif stamp and isinstance(value, str) and _ISO_RE.match(value):
                out[key] = _FIXED_ISO
            elif key == "time_info" and isinstance(value, dict):
                out[key] = {k: (0.001 if k in _TIME_FIELDS else _FIXED_CREATED) for k in value}
            else:
                out[key] = _normalise(value)
        return out
    if isinstance(obj, list):
        return [_normalise(v) for v in obj]
    return obj


def _normalise_body(text: str, content_type: str) -> str:
    if "json" in content_type:
        try:
            return json.dumps(_normalise(json.loads(text)))
        except ValueError:
            return text
    if "event-stream" in content_type:
        lines = []
        for line in text.split("\n"):
            if line.startswith("data: ") and line[6:].startswith("{"):
                with contextlib.suppress(ValueError):
                    line = "data: " + json.dumps(_normalise(json.loads(line[6:])))
            lines.append(line)
        return "\n".join(lines)
    return text


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """``before_record_response``: allowlisted headers only, volatile body fields normalised."""
    headers = {k: v for k, v in response["headers"].items() if k.lower() in RESPONSE_HEADERS}
    for name in [k for k in headers if k.lower() == "location"]:  # redirects point at the canonical host too
        values = headers[name] if isinstance(headers[name], list) else [headers[name]]
        headers[name] = [canonical_uri(str(v)) for v in values]
    response["headers"] = headers
    ctype = next((v[0] if isinstance(v, list) else v for k, v in headers.items() if k.lower() == "content-type"), "")
    body = response.get("body", {}).get("string")
    if isinstance(body, bytes):
        # Keep the type: httpx's replay stub needs bytes (vcrpy may run this hook on loaded cassettes too).
        try:
            response["body"]["string"] = _normalise_body(body.decode("utf-8"), ctype).encode("utf-8")
        except UnicodeDecodeError:
            return response
    elif isinstance(body, str):
        response["body"]["string"] = _normalise_body(body, ctype)
    return response


# ------------------------------------------------------------------------------------------------------
# The serializer
# ------------------------------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    pass


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value and not any(line.endswith(" ") for line in value.split("\n")) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _list_representer(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.SequenceNode:
    # A long run of numbers (an embedding: hundreds or thousands of floats) is written as one flow sequence,
    # wrapped at the line width, instead of one line per number; it reads back as the same list.
    numbers = len(value) >= _FLOW_MIN and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=numbers or None)


_FLOW_MIN = 8
_Dumper.add_representer(str, _str_representer)
_Dumper.add_representer(list, _list_representer)


def _content_type(headers: dict[str, Any]) -> str:
    for key, value in headers.items():
        if key.lower() == "content-type":
            return str(value[0] if isinstance(value, list) else value)
    return ""


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _to_text(body: Any) -> str | None:
    if body is None:
        return None
    if isinstance(body, bytes):
        return body.decode("utf-8")
    return str(body)


class _Serializer:
    """vcrpy serializer: JSON bodies stored parsed, everything else as text."""

    @staticmethod
    def serialize(cassette: dict[str, Any]) -> str:
        out = []
        for interaction in cassette["interactions"]:
            req = dict(interaction["request"])
            res = dict(interaction["response"])
            raw_request = req.pop("body", None)
            text = None if isinstance(raw_request, bytes) and not _is_utf8(raw_request) else _to_text(raw_request)
            if isinstance(raw_request, bytes) and text is None:
                req["body_base64"] = base64.b64encode(raw_request).decode()  # uploads of binary files
            elif text:
                try:
                    req["parsed_body"] = json.loads(text)
                except ValueError:
                    req["body"] = text
            raw_body = res.get("body", {}).get("string")
            res.pop("body", None)
            if isinstance(raw_body, bytes) and not _is_utf8(raw_body):
                # Media (video, audio) is stored base64-encoded; everything else stays readable text.
                res["body_base64"] = base64.b64encode(raw_body).decode()
                out.append({"request": req, "response": res})
                continue
            body = _to_text(raw_body)
            if body and "json" in _content_type(res.get("headers", {})):
                try:
                    res["parsed_body"] = json.loads(body)
                except ValueError:
                    res["body"] = body
            else:
                res["body"] = body or ""
            out.append({"request": req, "response": res})
        return yaml.dump(
            {"interactions": out, "version": cassette.get("version", 1)},
            Dumper=_Dumper,
            sort_keys=False,
            allow_unicode=True,
            width=120,
        )

    @staticmethod
    def deserialize(text: str) -> dict[str, Any]:
        data = yaml.safe_load(text) or {}
        interactions = []
        for interaction in data.get("interactions", []):
            req = dict(interaction["request"])
            res = dict(interaction["response"])
            if "parsed_body" in req:
                req["body"] = json.dumps(dedent_tool_descriptions(req.pop("parsed_body")))
            elif "body_base64" in req:
                req["body"] = base64.b64decode(req.pop("body_base64"))
            else:
                req.setdefault("body", "")
            if "body_base64" in res:
                body: Any = base64.b64decode(res.pop("body_base64"))
            elif "parsed_body" in res:
                body = json.dumps(res.pop("parsed_body"))
            else:
                body = res.pop("body", "")
            # httpx's replay stub wants bytes, as vcrpy's own serializers produce.
            res["body"] = {"string": body.encode("utf-8") if isinstance(body, str) else body}
            interactions.append({"request": req, "response": res})
        return {"interactions": interactions, "version": data.get("version", 1)}


serializer = _Serializer()


# ------------------------------------------------------------------------------------------------------
# The scanner
# ------------------------------------------------------------------------------------------------------

# A provider key prefix followed by a long run of key characters (sandbox keys are hyphenated words).
_KEY_RE = re.compile(r"(?<![A-Za-z0-9])(mc_|sk-|cp_|rc_live_|ik_sdk_|ik_live_|csk-)[A-Za-z0-9]{12,}")
_BEARER_RE = re.compile(r"Bearer\s+(?!<REDACTED>)[A-Za-z0-9._\-]{16,}")
_FORBIDDEN_HEADERS = re.compile(
    r"^[\s\-]*['\"]?(authorization|api-key|x-api-key|cookie|set-cookie)['\"]?:", re.IGNORECASE | re.M
)


def scan_cassettes(paths: Iterable[Path], secrets: Iterable[str] = ()) -> list[str]:
    """Problems found in cassette files: ``file:line: kind`` (never the matched value itself)."""
    problems: list[str] = []
    known = [s for s in secrets if s and len(s) >= 8]
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            kinds = []
            if _KEY_RE.search(line):
                kinds.append("provider-key-shaped value")
            if _BEARER_RE.search(line):
                kinds.append("bearer token")
            if _FORBIDDEN_HEADERS.search(line):
                kinds.append("credential header")
            if any(secret in line for secret in known):
                kinds.append("value of a secret environment variable")
            problems.extend(f"{path}:{number}: {kind}" for kind in kinds)
    return problems
