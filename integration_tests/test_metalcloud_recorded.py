"""The MetalCloud client, every operation, replayed from cassettes recorded against the sandbox."""

from __future__ import annotations

import pytest
from neocloud_testing.targets import Target

from neocloud.metalcloud import AsyncClient, Client
from neocloud.metalcloud.exceptions import JobNotFoundError, ModelNotFoundError

pytestmark = pytest.mark.vcr
MODEL = "meta-llama/Llama-3.3-70B"


def test_inference_jobs_and_models(metalcloud_target: Target) -> None:
    c = Client(**metalcloud_target.client_kwargs(), max_retries=0)
    reply = c.inference(model=MODEL, prompt="Explain quantum computing", max_tokens=500)
    assert reply.text and reply.id.startswith("job_") and reply.usage is not None
    chat = c.inference(
        model=MODEL, messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello!"}]
    )
    streamed = list(c.inference(model=MODEL, prompt="Explain quantum computing", max_tokens=500, stream=True))
    assert "".join(ch.text for ch in streamed) == reply.text and streamed[-1].usage == reply.usage
    job = c.get_job(job_id=reply.id)
    assert job.status == "completed" and job.result is not None and job.result.text == reply.text
    jobs = c.list_jobs(limit=2, status="completed")
    assert [j.id for j in jobs] == [streamed[0].id, chat.id] and jobs.has_more
    assert [j.id for j in c.iter_jobs(page_size=2)] == [streamed[0].id, chat.id, reply.id]
    assert {m.id: m.parameters for m in c.list_models()}[MODEL] == 70
    with pytest.raises(ModelNotFoundError):
        c.inference(model="meta-llama/Nope", prompt="x")
    with pytest.raises(JobNotFoundError):
        c.get_job("job_missing")


async def test_async_client(metalcloud_target: Target) -> None:
    c = AsyncClient(**metalcloud_target.client_kwargs(), max_retries=0)
    reply = await c.inference(model=MODEL, prompt="Write a story", max_tokens=20)
    stream = await c.inference(model=MODEL, prompt="Write a story", max_tokens=20, stream=True)
    assert "".join([ch.text async for ch in stream]) == reply.text
    assert (await c.get_job(reply.id)).status == "completed"
    assert len(await c.list_models()) == 3
