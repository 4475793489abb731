"""The sandbox's tokenizer and log probabilities (pure functions, documented, not a real model's).

- A **token** is a word with the space before it: ``"Fast gpu cache."`` is ``["Fast", " gpu", " cache."]``, so
  the tokens of a text concatenate back to it exactly and their number is ``count_tokens(text)``.
- **Token ids**: id ``i`` is ``WORDS[i % len(WORDS)]`` (so a prompt given as token ids reads as those words);
  a token's id is its word's index in ``WORDS``, or a stable number from 1000 up for any other word.
- **Log probabilities** are deterministic: the same seed, position and token always get the same value in
  ``[-2.5, -0.0001]``; the chosen token is always the most likely, and its alternatives (other words of
  ``WORDS``, with the chosen token's leading space) are strictly less likely, most likely first.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable
from typing import Any

from .generate import WORDS

__all__ = ["chat_logprobs", "completion_logprobs", "decode_ids", "token_ids", "tokens_of"]

_INDEX = {word: i for i, word in enumerate(WORDS)}


def tokens_of(text: str) -> list[str]:
    """The tokens of ``text`` (see the module docstring); ``[]`` for a text without words."""
    if not text.split():
        return []
    words = text.split(" ")
    pieces = [w if i == 0 else " " + w for i, w in enumerate(words)]
    # Runs of spaces or a leading space stay attached to the next word, so nothing is lost or invented.
    out: list[str] = []
    carry = ""
    for piece in pieces:
        if piece.strip():
            out.append(carry + piece)
            carry = ""
        else:
            carry += piece
    if carry and out:
        out[-1] += carry
    return out


def _bare(token: str) -> str:
    return token.strip().strip(".,!?;:").lower()


def token_ids(tokens: Iterable[str]) -> list[int]:
    """Ids of ``tokens``: the word's index in ``WORDS``, else a stable id from 1000 up."""
    ids = []
    for token in tokens:
        word = _bare(token)
        if word in _INDEX:
            ids.append(_INDEX[word])
        else:
            ids.append(1000 + int.from_bytes(hashlib.sha256(word.encode()).digest()[:4], "big") % 99_000)
    return ids


def decode_ids(ids: Iterable[int]) -> str:
    """A prompt given as token ids, as text: id ``i`` is ``WORDS[i % len(WORDS)]``."""
    return " ".join(WORDS[abs(int(i)) % len(WORDS)] for i in ids)


def _logprob(seed: int, position: int, token: str) -> float:
    digest = hashlib.sha256(f"{seed}:{position}:{token}".encode()).digest()
    fraction = int.from_bytes(digest[:4], "big") / 2**32
    return -round(0.0001 + fraction * 2.4999, 4)


def _alternatives(seed: int, position: int, token: str, count: int) -> list[tuple[str, float]]:
    """``count`` other tokens for this position, each less likely than ``token`` (most likely first)."""
    chosen = _logprob(seed, position, token)
    rng = random.Random(f"{seed}:{position}")
    lead = token[: len(token) - len(token.lstrip())]
    others = [w for w in WORDS if w != _bare(token)]
    rng.shuffle(others)
    return [(lead + word, round(chosen - 0.35 * (k + 1), 4)) for k, word in enumerate(others[:count])]


def _entry(token: str, logprob: float) -> dict[str, Any]:
    return {"token": token, "logprob": logprob, "bytes": list(token.encode())}


def chat_logprobs(tokens: list[str], seed: int, top: int, start: int = 0) -> list[dict[str, Any]]:
    """Chat ``logprobs.content`` entries for ``tokens`` (positions from ``start``), each with ``top``
    ``top_logprobs`` (the chosen token first)."""
    out = []
    for offset, token in enumerate(tokens):
        position = start + offset
        value = _logprob(seed, position, token)
        ranked = [(token, value), *_alternatives(seed, position, token, top - 1)] if top > 0 else []
        out.append({**_entry(token, value), "top_logprobs": [_entry(t, lp) for t, lp in ranked]})
    return out


def completion_logprobs(tokens: list[str], seed: int, top: int, text_offset: int = 0, start: int = 0) -> dict[str, Any]:
    """A text completion's ``logprobs`` object for ``tokens`` (positions from ``start``): ``tokens``,
    ``token_logprobs``, ``top_logprobs`` (``top`` entries each, the chosen token included) and ``text_offset``
    (character offsets from ``text_offset``)."""
    values = [_logprob(seed, start + i, t) for i, t in enumerate(tokens)]
    offsets = []
    at = text_offset
    for token in tokens:
        offsets.append(at)
        at += len(token)
    tops = [
        dict([(t, v), *_alternatives(seed, start + i, t, top - 1)]) if top > 0 else {}
        for i, (t, v) in enumerate(zip(tokens, values, strict=True))
    ]
    return {"tokens": tokens, "token_logprobs": values, "top_logprobs": tops, "text_offset": offsets}
