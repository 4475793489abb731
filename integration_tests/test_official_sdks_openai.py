"""The official ``openai`` SDK, with strict response validation, against every OpenAI-compatible route the
providers document (Cerebras, Cluster Protocol, the Runcrate inference host, an InferenceKey workload).

The SDK's surface is OpenAI's whole platform; a method no provider here documents is listed in ``NOT_APPLICABLE``
with the reason, and every other method is driven, sync and async, on each provider that serves it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import inferencekey as ik
import openai
import pydantic
import pytest
from openai._resource import AsyncAPIResource, SyncAPIResource

from neocloud.sandbox import SANDBOX_KEYS, Sandbox, SandboxSettings

from .official_sdks import Driver, collect, done, missing_and_stale, public_methods, record_calls, run

USER = [{"role": "user", "content": "Why is fast inference important?"}]
WEATHER = {"type": "function", "function": {"name": "get_weather", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"], "additionalProperties": False},
    "strict": True}}  # fmt: skip
NONE_DOCUMENTS = "no provider emulated here documents this OpenAI API"
NOT_APPLICABLE = {
    **{f"{name}.": NONE_DOCUMENTS for name in (
        "admin", "batches", "beta", "containers", "content_provenance_checks", "conversations", "evals", "files",
        "moderations", "realtime", "responses", "skills", "uploads", "vector_stores")},
    "chat.completions.retrieve": "stored chat completions (store=true) are OpenAI's own; no provider stores them",
    "chat.completions.update": "stored chat completions (store=true) are OpenAI's own; no provider stores them",
    "chat.completions.list": "stored chat completions (store=true) are OpenAI's own; no provider stores them",
    "chat.completions.delete": "stored chat completions (store=true) are OpenAI's own; no provider stores them",
    "chat.completions.messages.": "stored chat completions (store=true) are OpenAI's own; no provider stores them",
    "models.delete": "no provider documents deleting a model",
    "images.edit": "Runcrate edits images through generations' `image` parameter; no /images/edits route",
    "images.create_variation": "no provider documents image variations",
    "audio.translations.": "Runcrate documents speech and transcriptions only",
    "fine_tuning.": "Cluster Protocol's fine-tuning takes its own body (base_model, training_file URL) on routes its "
                    "doc leaves unspecified; OpenAI's fine-tuning API is not it (its own SDK test drives it)",
    "videos.": "Runcrate's /v1/videos is its own job API (id, status, progress), not OpenAI's video objects; the "
               "runcrate SDK test drives it",
    "webhooks.": "verifies signatures locally; sends no request",
}  # fmt: skip


@dataclass
class Clients:
    """One OpenAI client per provider base URL."""

    cerebras: Any
    cluster: Any
    runcrate: Any
    inferencekey: Any

    def all(self) -> list[tuple[Any, str]]:
        return [(self.cerebras, "llama3.1-8b"), (self.cluster, "llama-3.1-8b"),
                (self.runcrate, "deepseek-ai/DeepSeek-V3"), (self.inferencekey, "embedder")]  # fmt: skip


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(settings=SandboxSettings(phase_s=0.02)) as sb:
        keys = SANDBOX_KEYS["inferencekey"]
        mgmt = ik.ManagementClient(base_url=sb.base_url("inferencekey"), sdk_token=keys["valid"], project="acme")
        mgmt.ensure(ik.WorkloadSpec(name="embedder", slug="embedder", model="BAAI/bge-small-en-v1.5",
                                    backend=ik.Backend.VLLM, task_type=ik.TaskType.EMBEDDING))  # fmt: skip
        mgmt.wait_until_ready("embedder", silent=True, timeout=30)
        yield sb


def make(sandbox: Sandbox, kind: str, strict: bool = True) -> Clients:
    cls = openai.OpenAI if kind == "sync" else openai.AsyncOpenAI

    def one(provider: str, path: str, key: str) -> Any:
        return cls(api_key=key, base_url=sandbox.base_url(provider) + path, max_retries=0,
                   _strict_response_validation=strict)  # fmt: skip

    return Clients(one("cerebras", "/v1", SANDBOX_KEYS["cerebras"]["valid"]),
                   one("clusterprotocol", "/v1", SANDBOX_KEYS["clusterprotocol"]["valid"]),
                   one("runcrate", "/v1", SANDBOX_KEYS["runcrate"]["valid"]),
                   one("inferencekey", "/endpoint/acme/embedder/v1", SANDBOX_KEYS["inferencekey"]["data"]))  # fmt: skip


def is_resource(value: Any) -> bool:
    return isinstance(value, (SyncAPIResource, AsyncAPIResource))


async def chat_create(c: Clients) -> None:
    for client, model in c.all():
        reply = await done(client.chat.completions.create(model=model, messages=USER, n=2, logprobs=True,
                                                          top_logprobs=2, max_completion_tokens=12))  # fmt: skip
        assert len(reply.choices) == 2 and reply.usage.total_tokens > 0
        assert "".join(t.token for t in reply.choices[0].logprobs.content) == reply.choices[0].message.content
        called = await done(client.chat.completions.create(model=model, messages=USER, tools=[WEATHER]))
        assert json.loads(called.choices[0].message.tool_calls[0].function.arguments)["city"]
        chunks = await collect(client.chat.completions.create(model=model, messages=USER, tools=[WEATHER], stream=True))
        pieces = [tc for ch in chunks if ch.choices for tc in ch.choices[0].delta.tool_calls or []]
        assert json.loads("".join(p.function.arguments or "" for p in pieces))["city"]


async def chat_stream(c: Clients) -> None:
    for client, model in c.all():
        manager = client.chat.completions.stream(model=model, messages=USER, tools=[WEATHER], logprobs=True)
        if hasattr(manager, "__aenter__"):
            async with manager as stream:
                events = [event async for event in stream]
                final = await stream.get_final_completion()
        else:
            with manager as stream:
                events = list(stream)
                final = stream.get_final_completion()
        call = final.choices[0].message.tool_calls[0]
        assert call.type == "function" and call.function.name == "get_weather"
        assert call.function.parsed_arguments == json.loads(call.function.arguments) and any(
            e.type == "tool_calls.function.arguments.done" for e in events)  # fmt: skip


class Film(pydantic.BaseModel):
    title: str
    year: int


async def chat_parse(c: Clients) -> None:
    for client, model in c.all():
        parsed = await done(client.chat.completions.parse(model=model, messages=USER, response_format=Film))
        assert isinstance(parsed.choices[0].message.parsed, Film)


async def completions(c: Clients) -> None:
    reply = await done(c.cerebras.completions.create(model="llama3.1-8b", prompt=[[1, 2], [3]], n=2, logprobs=2,
                                                     echo=True, max_tokens=5))  # fmt: skip
    assert [x.index for x in reply.choices] == [0, 1, 2, 3] and reply.choices[0].logprobs.text_offset[0] == 0


async def embeddings(c: Clients) -> None:
    for client, model, width in ((c.cluster, "bge-large-en-v1.5", 1024), (c.inferencekey, "embedder", 384)):
        floats = await done(client.embeddings.create(model=model, input=["GPUs", "racks"], encoding_format="float"))
        assert [len(e.embedding) for e in floats.data] == [width, width]
        tokens = await done(client.embeddings.create(model=model, input=[[1, 2], [3]], encoding_format="float",
                                                     dimensions=width, user="ada"))  # fmt: skip
        assert len(tokens.data) == 2 and tokens.usage.prompt_tokens == 3


async def embeddings_base64(c: Clients) -> None:
    # The SDK's default asks for base64 and decodes it after validation, so only a lenient client can read it.
    reply = await done(c.cluster.embeddings.create(model="bge-large-en-v1.5", input="GPUs"))
    assert len(reply.data[0].embedding) == 1024 and isinstance(reply.data[0].embedding[0], float)


async def completions_stream(c: Clients) -> None:
    # The SDK types a text completion's finish_reason as never null, which no stream's middle frame can be.
    frames = await collect(c.cerebras.completions.create(model="llama3.1-8b", prompt="Once", stream=True, logprobs=1))
    assert frames[-1].choices[0].finish_reason in ("stop", "length") and frames[-1].usage is not None


async def models_list(c: Clients) -> None:
    for client, model in ((c.cerebras, "llama3.1-8b"), (c.cluster, "llama-3.1-8b")):
        page = await done(client.models.list())
        assert model in [m.id for m in page.data]


async def models_retrieve(c: Clients) -> None:
    for client, model in ((c.cerebras, "llama3.1-8b"), (c.cluster, "llama-3.1-8b")):
        assert (await done(client.models.retrieve(model))).id == model
        with pytest.raises(openai.NotFoundError):
            await done(client.models.retrieve("no-such-model"))


async def images(c: Clients) -> None:
    made = await done(c.runcrate.images.generate(model="black-forest-labs/FLUX.1-schnell", prompt="A cat", n=1,
                                                 size="1024x1024", response_format="b64_json"))  # fmt: skip
    assert made.data[0].b64_json and made.created > 0


async def speech(c: Clients) -> None:
    audio = await done(c.runcrate.audio.speech.create(model="hexgrad/Kokoro-82M", input="Hello", voice="alloy",
                                                      response_format="wav", speed=1.0))  # fmt: skip
    assert (await done(audio.aread() if hasattr(audio, "aread") else audio.read())).startswith(b"ID3")


async def transcriptions(c: Clients) -> None:
    wav = ("a.wav", b"RIFF" + bytes(64))
    plain = await done(c.runcrate.audio.transcriptions.create(model="openai/whisper-1", file=wav, language="en"))
    verbose = await done(
        c.runcrate.audio.transcriptions.create(
            model="openai/whisper-1",
            file=wav,
            response_format="verbose_json",
            timestamp_granularities=["word", "segment"],
        )
    )
    assert verbose.text == plain.text and verbose.segments[0].end == verbose.duration
    assert [w.word for w in verbose.words] == plain.text.split()
    srt = await done(c.runcrate.audio.transcriptions.create(model="openai/whisper-1", file=wav, response_format="srt"))
    assert plain.text in srt


DRIVERS: dict[str, list[Driver]] = {
    "chat.completions.create": [chat_create],
    "chat.completions.stream": [chat_stream],
    "chat.completions.parse": [chat_parse],
    "completions.create": [completions],
    "embeddings.create": [embeddings],
    "models.list": [models_list],
    "models.retrieve": [models_retrieve],
    "images.generate": [images],
    "audio.speech.create": [speech],
    "audio.transcriptions.create": [transcriptions],
}
LENIENT: dict[str, list[Driver]] = {
    "embeddings.create": [embeddings_base64],
    "completions.create": [completions_stream],
}
CASES = [(kind, method, driver, strict) for kind in ("sync", "async")
         for table, strict in ((DRIVERS, True), (LENIENT, False)) for method, drivers in table.items()
         for driver in drivers]  # fmt: skip


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_every_public_method_is_driven_or_not_applicable(sandbox: Sandbox, kind: str) -> None:
    surface = public_methods(make(sandbox, kind).cerebras, is_resource)
    missing, stale = missing_and_stale(surface, DRIVERS, NOT_APPLICABLE)
    assert not missing, f"methods neither driven nor listed as not applicable: {sorted(missing)}"
    assert not stale, f"entries for methods the SDK does not have: {sorted(stale)}"


@pytest.mark.parametrize(("kind", "method", "driver", "strict"), CASES,
                         ids=[f"{k}-{d.__name__}" for k, _, d, _ in CASES])  # fmt: skip
def test_method_parses(sandbox: Sandbox, kind: str, method: str, driver: Driver, strict: bool) -> None:
    clients = make(sandbox, kind, strict)
    calls = [record_calls(client, method) for client, _ in clients.all()]
    run(driver, clients)
    assert any(method in log for log in calls)
