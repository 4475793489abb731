"""The sandbox's tokenizer, log probabilities and embedding widths (pure functions, table-driven)."""

from __future__ import annotations

import pytest

from neocloud.sandbox.generate import WORDS
from neocloud.sandbox.providers.embeddings import check_embeddings, dimension_of, input_texts
from neocloud.sandbox.tokens import chat_logprobs, completion_logprobs, decode_ids, token_ids, tokens_of


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("Fast gpu cache.", ["Fast", " gpu", " cache."]),
        ("", []),
        ("   ", []),
        (" lead", [" lead"]),
        ("two  spaces", ["two", "  spaces"]),
        ("trail ", ["trail "]),
        ('{"city": "gpu"}', ['{"city":', ' "gpu"}']),
    ],
)
def test_tokens_rebuild_the_text(text: str, tokens: list[str]) -> None:
    assert tokens_of(text) == tokens and ("".join(tokens) == text or not text.strip())


@pytest.mark.parametrize(
    ("ids", "text"), [([0, 1], f"{WORDS[0]} {WORDS[1]}"), ([len(WORDS)], WORDS[0]), ([-1], WORDS[1]), ([], "")]
)
def test_token_ids_read_as_words(ids: list[int], text: str) -> None:
    assert decode_ids(ids) == text


def test_token_ids_round_trip_the_vocabulary() -> None:
    assert token_ids([" " + w for w in WORDS]) == list(range(len(WORDS)))
    assert token_ids(["Gpu."]) == [WORDS.index("gpu")] and token_ids(["zebra"])[0] >= 1000
    assert token_ids(["zebra"]) == token_ids([" zebra"])


def test_logprobs_are_deterministic_ranked_and_positional() -> None:
    tokens = tokens_of("Fast gpu cache.")
    first, again = chat_logprobs(tokens, 7, 3), chat_logprobs(tokens, 7, 3)
    assert first == again and first != chat_logprobs(tokens, 8, 3)
    assert chat_logprobs(tokens[1:], 7, 3, start=1) == first[1:]  # a stream frame's token gets its position's value
    for entry in first:
        ranked = [t["logprob"] for t in entry["top_logprobs"]]
        assert entry["top_logprobs"][0]["token"] == entry["token"] and ranked == sorted(ranked, reverse=True)
        assert all(t["token"].startswith(" ") == entry["token"].startswith(" ") for t in entry["top_logprobs"])
    assert chat_logprobs(tokens, 7, 0)[0]["top_logprobs"] == []
    text = completion_logprobs(tokens, 7, 2, text_offset=5)
    assert text["token_logprobs"] == [e["logprob"] for e in first] and text["text_offset"] == [5, 9, 13]
    assert (
        completion_logprobs(tokens[2:], 7, 2, text_offset=13, start=2)["token_logprobs"] == text["token_logprobs"][2:]
    )


@pytest.mark.parametrize(
    ("model", "width"),
    [
        ("bge-large-en-v1.5", 1024),
        ("BAAI/bge-large-en-v1.5", 1024),
        ("BAAI/BGE-Small-EN-v1.5", 384),
        ("sentence-transformers/all-MiniLM-L6-v2", 384),
        ("intfloat/e5-base-v2", 768),
        ("Qwen/Qwen3-Embedding-4B", 2560),
        ("text-embedding-3-large", 3072),
        ("org/model", 768),
    ],
)
def test_embedding_widths(model: str, width: int) -> None:
    assert dimension_of(model) == width


@pytest.mark.parametrize(
    ("body", "model", "expected"),
    [
        ({"input": "a"}, "bge-large-en-v1.5", (["a"], 1024, "float")),
        ({"input": [[0], [1, 2]], "encoding_format": "base64"}, "bge-large-en-v1.5",
         ([WORDS[0], f"{WORDS[1]} {WORDS[2]}"], 1024, "base64")),
        ({"input": "a", "dimensions": 1024}, "bge-large-en-v1.5", (["a"], 1024, "float")),
        ({"input": "a", "dimensions": 256}, "bge-large-en-v1.5", ("dimensions", "bge-large-en-v1.5 produces 1024-dimensional vectors only")),
        ({"input": "a", "dimensions": 256}, "text-embedding-3-small", (["a"], 256, "float")),
        ({"input": "a", "dimensions": 4096}, "text-embedding-3-small", ("dimensions", "'dimensions' must be an integer from 1 to 1536 for text-embedding-3-small")),
        ({"input": []}, "bge-large-en-v1.5", ("input", "'input' must be a string, a list of strings, a list of token ids or a list of those")),
        ({"input": "a", "encoding_format": "hex"}, "bge-large-en-v1.5", ("encoding_format", "'encoding_format' must be float or base64")),
    ],
)  # fmt: skip
def test_check_embeddings(body: dict[str, object], model: str, expected: tuple[object, ...]) -> None:
    assert check_embeddings(body, model) == expected


@pytest.mark.parametrize("value", [None, 5, [], [[]], [1, "a"], [True], {"a": 1}])
def test_input_shapes_refused(value: object) -> None:
    assert input_texts(value) is None
