"""``make bench``: start the loopback server in its own process, then measure every variant in ONE process,
interleaved round-robin, and report medians as ratios to raw httpx from the same run (Markdown and JSON).

Measured so far: a non-streaming chat call and a streamed chunk (500-chunk reply), sync.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MESSAGES = [{"role": "user", "content": "Why is fast inference important?"}]
KEY = "csk-bench-key-not-secret"
ROUNDS, CALLS = 15, 40
STREAM_ROUNDS = 7


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "bench.server:app", "--port", str(port),
                             "--log-level", "warning", "--no-access-log"], cwd=ROOT)  # fmt: skip
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("the benchmark server did not start")


def variants(base: str) -> dict[str, tuple[Callable[[], Any], Callable[[], Any]]]:
    """name → (one non-streaming call, one streamed reply consumed whole)."""
    import httpx

    body = {"model": "llama3.1-8b", "messages": MESSAGES}
    raw = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {KEY}"})

    def raw_call() -> Any:
        return raw.post("/v1/chat/completions", json=body).json()

    def raw_stream() -> Any:
        with raw.stream("POST", "/v1/chat/completions", json={**body, "stream": True}) as r:
            return sum(1 for line in r.iter_lines() if line.startswith("data: {"))

    from neocloud.cerebras import Cerebras

    core = Cerebras(api_key=KEY, base_url=base)

    def core_call() -> Any:
        return core.chat.completions.create(model="llama3.1-8b", messages=MESSAGES)

    def core_stream() -> Any:
        return sum(1 for _ in core.chat.completions.create(model="llama3.1-8b", messages=MESSAGES, stream=True))

    import openai

    oa = openai.OpenAI(api_key=KEY, base_url=f"{base}/v1")

    from langchain_openai import ChatOpenAI

    from neocloud.langchain import ChatCerebras

    ours_lc = ChatCerebras(model="llama3.1-8b", api_key=KEY, base_url=base)
    lc_openai = ChatOpenAI(model="llama3.1-8b", api_key=KEY, base_url=f"{base}/v1")  # type: ignore[arg-type]

    from llama_index.core.base.llms.types import ChatMessage
    from llama_index.llms.openai_like import OpenAILike

    from neocloud.llamaindex import CerebrasLLM

    li_messages = [ChatMessage(role="user", content=MESSAGES[0]["content"])]
    ours_li = CerebrasLLM(model="llama3.1-8b", api_key=KEY, base_url=base)
    li_openai = OpenAILike(model="llama3.1-8b", api_key=KEY, api_base=f"{base}/v1", is_chat_model=True)

    found: dict[str, tuple[Callable[[], Any], Callable[[], Any]]] = {
        "raw httpx": (raw_call, raw_stream),
        "neocloud.cerebras (core client)": (core_call, core_stream),
        "openai SDK": (lambda: oa.chat.completions.create(model="llama3.1-8b", messages=MESSAGES),  # type: ignore[arg-type]
                       lambda: sum(1 for _ in oa.chat.completions.create(model="llama3.1-8b", messages=MESSAGES,  # type: ignore[arg-type]
                                                                         stream=True))),
        "neocloud ChatCerebras (LangChain)": (lambda: ours_lc.invoke(MESSAGES),
                                              lambda: sum(1 for _ in ours_lc.stream(MESSAGES))),
        "langchain-openai ChatOpenAI": (lambda: lc_openai.invoke(MESSAGES),
                                        lambda: sum(1 for _ in lc_openai.stream(MESSAGES))),
        "neocloud CerebrasLLM (LlamaIndex)": (lambda: ours_li.chat(li_messages),
                                              lambda: sum(1 for _ in ours_li.stream_chat(li_messages))),
        "llama-index OpenAILike": (lambda: li_openai.chat(li_messages),
                                   lambda: sum(1 for _ in li_openai.stream_chat(li_messages))),
    }  # fmt: skip
    try:
        from cerebras.cloud.sdk import Cerebras as Official

        official = Official(api_key=KEY, base_url=base, warm_tcp_connection=False)
        found["cerebras-cloud-sdk"] = (
            lambda: official.chat.completions.create(model="llama3.1-8b", messages=MESSAGES),  # type: ignore[arg-type]
            lambda: sum(1 for _ in official.chat.completions.create(model="llama3.1-8b", messages=MESSAGES,  # type: ignore[arg-type]
                                                                      stream=True)),
        )  # fmt: skip
    except ImportError:
        pass
    try:
        from langchain_cerebras import ChatCerebras as IncumbentChatCerebras

        inc = IncumbentChatCerebras(model="llama3.1-8b", api_key=KEY, base_url=f"{base}/v1")  # type: ignore[arg-type,call-arg]
        found["langchain-cerebras ChatCerebras"] = (lambda: inc.invoke(MESSAGES),
                                                    lambda: sum(1 for _ in inc.stream(MESSAGES)))  # fmt: skip
    except ImportError:
        pass
    return found


def measure(fns: dict[str, Callable[[], Any]], rounds: int, calls: int) -> dict[str, float]:
    """Median seconds per call, all variants interleaved round-robin (drift hits them alike)."""
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for fn in fns.values():  # warm every pool and import
        for _ in range(3):
            fn()
    for _ in range(rounds):
        for name, fn in fns.items():
            start = time.perf_counter()
            for _ in range(calls):
                fn()
            samples[name].append((time.perf_counter() - start) / calls)
    return {name: statistics.median(values) for name, values in samples.items()}


TARGETS = {
    ("call", "neocloud.cerebras (core client)"): 1.3,
    ("chunk", "neocloud.cerebras (core client)"): 1.5,
    ("call", "neocloud ChatCerebras (LangChain)"): 1.6,
    ("chunk", "neocloud ChatCerebras (LangChain)"): 2.5,
    ("call", "neocloud CerebrasLLM (LlamaIndex)"): 1.8,
    ("chunk", "neocloud CerebrasLLM (LlamaIndex)"): 3.0,
}


def main() -> int:
    warnings.filterwarnings("ignore")
    os.environ.setdefault("LANGCHAIN_TRACING_V2", "false")
    proc, base = start_server()
    try:
        found = variants(base)
        calls = measure({n: f[0] for n, f in found.items()}, ROUNDS, CALLS)
        chunks = {n: t / 500 for n, t in measure({n: f[1] for n, f in found.items()}, STREAM_ROUNDS, 2).items()}
    finally:
        proc.terminate()
    floor_call, floor_chunk = calls["raw httpx"], chunks["raw httpx"]
    lines = ["| variant | call (µs) | × raw httpx | streamed chunk (µs) | × raw httpx |", "|---|---|---|---|---|"]
    for name in found:
        lines.append(f"| {name} | {calls[name] * 1e6:.0f} | {calls[name] / floor_call:.2f} | "
                     f"{chunks[name] * 1e6:.1f} | {chunks[name] / floor_chunk:.2f} |")  # fmt: skip
    lines += ["", "| target | limit | measured | |", "|---|---|---|---|"]
    results = []
    for (metric, name), limit in TARGETS.items():
        ratio = (calls[name] / floor_call) if metric == "call" else (chunks[name] / floor_chunk)
        met = ratio <= limit
        results.append({"metric": metric, "variant": name, "limit": limit, "ratio": round(ratio, 3), "met": met})
        lines.append(f"| {name}, per {metric} | ≤ {limit}× | {ratio:.2f}× | {'met' if met else 'not met'} |")
    print("\n".join(lines))
    out = ROOT / "bench" / "results.json"
    out.write_text(json.dumps({"calls_s": calls, "chunks_s": chunks, "targets": results}, indent=2))
    print(f"\nJSON: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
