"""OpenAI-style text completions (Cerebras' ``POST /v1/completions``): validation, choices, body and stream.

- ``prompt`` is a string, a list of strings, a list of token ids or a list of token-id lists (ids read through
  the sandbox's vocabulary, ``neocloud.sandbox.tokens``). Every prompt gets ``n`` choices; choice ``index`` is
  ``prompt_index * n + j`` (OpenAI's order).
- ``max_tokens`` bounds each choice; ``stop`` cuts it; ``echo`` puts the prompt in front of the text;
  ``logprobs`` (0-20) adds ``{tokens, token_logprobs, top_logprobs, text_offset}``; ``best_of`` (n-20) generates
  that many candidates per prompt and returns the ``n`` with the highest mean log probability (not streamable,
  as documented); ``return_raw_tokens`` answers token ids (``tokens``) instead of ``text``.
- The body and the last stream frame carry ``usage`` (every candidate generated is counted) and ``time_info``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from ..generate import count_tokens, generate_text, seed_for
from ..tokens import completion_logprobs, decode_ids, token_ids, tokens_of
from .chat_validation import MAX_N
from .openai_chat import time_info

__all__ = ["TextChoice", "plan_completions", "text_completion_frames", "text_completion_payload", "validate_completion"]


@dataclass
class TextChoice:
    """One choice of a text completion."""

    index: int
    text: str
    finish_reason: str
    echoed: int  # characters of ``text`` that are the echoed prompt
    seed: int


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def prompts_of(prompt: Any) -> list[str] | None:
    """The prompts as texts, or None when ``prompt`` is none of the four allowed shapes."""
    if isinstance(prompt, str):
        return [prompt]
    if not isinstance(prompt, list) or not prompt:
        return None
    if all(isinstance(p, str) for p in prompt):
        return list(prompt)
    if all(_is_int(p) for p in prompt):
        return [decode_ids(prompt)]
    if all(isinstance(p, list) and p and all(_is_int(i) for i in p) for p in prompt):
        return [decode_ids(p) for p in prompt]
    return None


def validate_completion(body: dict[str, Any], models: set[str]) -> tuple[int, str, str, str | None] | None:
    """``(status, message, param, code)`` for an invalid request, else None."""
    if prompts_of(body.get("prompt")) is None:
        return (
            400,
            "'prompt' must be a string, a list of strings, a list of token ids or a list of those",
            "prompt",
            None,
        )
    limits = {"max_tokens": (1, None), "n": (1, MAX_N), "logprobs": (0, 20), "best_of": (1, 20)}
    for name, (low, high) in limits.items():
        value = body.get(name)
        if value is not None and (not _is_int(value) or value < low or (high is not None and value > high)):
            span = f"from {low} to {high}" if high is not None else f"of at least {low}"
            return 400, f"'{name}' must be an integer {span}", name, None
    n, best_of = body.get("n") or 1, body.get("best_of")
    if best_of is not None and best_of < n:
        return 400, "'best_of' must be at least 'n'", "best_of", None
    if best_of is not None and best_of > n and body.get("stream"):
        return 400, "'best_of' results cannot be streamed", "best_of", None
    stop = body.get("stop")
    if (
        stop is not None
        and not isinstance(stop, str)
        and not (isinstance(stop, list) and len(stop) <= 4 and all(isinstance(s, str) for s in stop))
    ):
        return 400, "'stop' must be a string or a list of at most 4 strings", "stop", None
    if body.get("stream_options") is not None and not isinstance(body["stream_options"], dict):
        return 400, "'stream_options' must be an object", "stream_options", None
    for name in ("echo", "stream", "return_raw_tokens"):
        if body.get(name) is not None and not isinstance(body[name], bool):
            return 400, f"'{name}' must be true or false", name, None
    temperature = body.get("temperature")
    if temperature is not None and (isinstance(temperature, bool) or not isinstance(temperature, (int, float))
                                    or not 0 <= temperature <= 2):  # fmt: skip
        return 400, "'temperature' must be between 0 and 2", "temperature", None
    if not isinstance(body.get("model"), str) or body["model"] not in models:
        return 404, f"Model {body.get('model')} does not exist.", "model", "model_not_found"
    return None


def _mean_logprob(choice: TextChoice) -> float:
    values = completion_logprobs(tokens_of(choice.text[choice.echoed :]), choice.seed, 0)["token_logprobs"]
    return sum(values) / len(values) if values else 0.0


def plan_completions(body: dict[str, Any], seed: int) -> tuple[list[TextChoice], int, int]:
    """``(choices, prompt_tokens, completion_tokens)`` of a validated request."""
    prompts = prompts_of(body["prompt"]) or []
    n = body.get("n") or 1
    candidates = max(body.get("best_of") or n, n)
    choices: list[TextChoice] = []
    completion = 0
    for p_index, prompt in enumerate(prompts):
        # The first candidate keeps the prompt's own seed: asking for more never changes it.
        key: Any = body["prompt"] if len(prompts) == 1 and isinstance(body["prompt"], str) else prompt
        base = seed_for(seed, body["model"], key)
        drafts = []
        for j in range(candidates):
            s = base if j == 0 else seed_for(base, j)
            text, finish = generate_text(s, body.get("max_tokens"), body.get("stop"))
            completion += count_tokens(text)
            echoed = prompt if body.get("echo") else ""
            drafts.append(TextChoice(0, echoed + text, finish, len(echoed), s))
        if candidates > n:
            drafts = sorted(drafts, key=_mean_logprob, reverse=True)[:n]
        for j, draft in enumerate(drafts):
            draft.index = p_index * n + j
            choices.append(draft)
    return choices, sum(count_tokens(p) for p in prompts), completion


def _choice_json(
    body: dict[str, Any], choice: TextChoice, text: str, finish: str | None, offset: int = 0, start: int = 0
) -> dict[str, Any]:
    item: dict[str, Any] = {"index": choice.index, "finish_reason": finish}
    tokens = tokens_of(text)
    if body.get("return_raw_tokens"):
        item["tokens"] = token_ids(tokens)
    else:
        item["text"] = text
    top = body.get("logprobs")
    item["logprobs"] = None if top is None else completion_logprobs(tokens, choice.seed, top, offset, start)
    return item


def _usage(prompt: int, completion: int) -> dict[str, int]:
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _head(body: dict[str, Any], cid: str) -> dict[str, Any]:
    return {"id": cid, "object": "text_completion", "created": int(time.time()), "model": body["model"],
            "system_fingerprint": "fp_sandbox"}  # fmt: skip


def text_completion_payload(body: dict[str, Any], cid: str, seed: int) -> dict[str, Any]:
    """The ``text_completion`` body."""
    choices, prompt, completion = plan_completions(body, seed)
    return {**_head(body, cid), "choices": [_choice_json(body, c, c.text, c.finish_reason) for c in choices],
            "usage": _usage(prompt, completion), "time_info": time_info(prompt, completion)}  # fmt: skip


def text_completion_frames(body: dict[str, Any], cid: str, seed: int) -> list[dict[str, Any]]:
    """The stream frames: each choice's tokens in order (one per frame), its finish frame; ``usage`` and
    ``time_info`` on the last frame (unless ``stream_options.include_usage`` is false)."""
    choices, prompt, completion = plan_completions(body, seed)
    head = _head(body, cid)
    frames: list[dict[str, Any]] = []
    for choice in choices:
        offset = 0
        for position, piece in enumerate(tokens_of(choice.text) or [choice.text]):
            frames.append({**head, "choices": [_choice_json(body, choice, piece, None, offset, position)]})
            offset += len(piece)
        frames.append({**head, "choices": [_choice_json(body, choice, "", choice.finish_reason, offset)]})
    last = frames[-1]
    if ((body.get("stream_options") or {}).get("include_usage")) is not False:
        last["usage"] = _usage(prompt, completion)
    last["time_info"] = time_info(prompt, completion)
    return frames
