"""Measurements that need a fresh interpreter each time: cold import and peak memory.

Each sample is its own ``python -c`` process (nothing cached in ``sys.modules``); the variants are still
interleaved round-robin so that machine drift hits them alike. Only the import (or the work) is timed, not
interpreter start-up. Bytecode is cached (in a private directory, after one discarded warm-up round) as it
is for an installed package: otherwise every sample would time the compiler, not the import.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

_PYC = Path(tempfile.gettempdir()) / "neocloud-bench-pycache"


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(_PYC)
    return env


# name → the import statement; the floors (httpx2, httpx, langchain-core's chat model module, llama-index core) first.
IMPORTS = {
    "httpx2": "import httpx2",
    "httpx": "import httpx",
    "neocloud.cerebras Cerebras": "from neocloud.cerebras import Cerebras",
    "langchain_core chat_models": "import langchain_core.language_models.chat_models",
    "neocloud.langchain ChatCerebras": "from neocloud.langchain import ChatCerebras",
    "llama_index.core LLM": "from llama_index.core.llms import LLM",
    "neocloud.llamaindex CerebrasLLM": "from neocloud.llamaindex import CerebrasLLM",
    "openai": "import openai",
    "cerebras.cloud.sdk": "import cerebras.cloud.sdk",
    "langchain_openai ChatOpenAI": "from langchain_openai import ChatOpenAI",
    "langchain_cerebras ChatCerebras": "from langchain_cerebras import ChatCerebras",
    "llama_index OpenAILike": "from llama_index.llms.openai_like import OpenAILike",
}

_TIMED = "import time; t = time.perf_counter(); {stmt}; print(time.perf_counter() - t)"


def _run(code: str, *args: str) -> str | None:
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=False, env=_env())
    return done.stdout.strip().splitlines()[-1] if done.returncode == 0 and done.stdout.strip() else None


def cold_imports(rounds: int = 7) -> dict[str, float]:
    """Median seconds to import each module in a fresh process (modules that are not installed are left out)."""
    samples: dict[str, list[float]] = {name: [] for name in IMPORTS}
    for round_ in range(rounds + 1):
        for name, stmt in IMPORTS.items():
            out = _run(_TIMED.format(stmt=stmt))
            if out is not None and round_:  # round 0 only fills the bytecode cache
                samples[name].append(float(out))
    return {name: statistics.median(v) for name, v in samples.items() if v}


# name → code that does a representative session's work: import, construct, 20 calls and one streamed reply.
_MEMORY = """
import re, sys
base = sys.argv[1]
{setup}
for _ in range(20):
    call()
for _ in stream():
    pass
# VmHWM (peak resident set of this process image); ru_maxrss would carry the parent's peak over fork + exec.
status = open("/proc/self/status").read()
print(int(re.search(r"VmHWM:\\s+(\\d+)", status).group(1)) / 1024)
"""
_RAW = """
import {module}
c = {module}.Client(base_url=base, headers={{"Authorization": "Bearer k"}})
body = {{"model": "llama3.1-8b", "messages": [{{"role": "user", "content": "hi"}}]}}
call = lambda: c.post("/v1/chat/completions", json=body).json()
def stream():
    with c.stream("POST", "/v1/chat/completions", json={{**body, "stream": True}}) as r:
        yield from r.iter_lines()
"""
MEMORY = {
    "raw httpx2": _RAW.format(module="httpx2"),
    "raw httpx": _RAW.format(module="httpx"),
    "neocloud.cerebras (core client)": """
from neocloud.cerebras import Cerebras
c = Cerebras(api_key="k", base_url=base)
m = [{"role": "user", "content": "hi"}]
call = lambda: c.chat.completions.create(model="llama3.1-8b", messages=m)
stream = lambda: c.chat.completions.create(model="llama3.1-8b", messages=m, stream=True)
""",
    "openai SDK": """
from openai import OpenAI
c = OpenAI(api_key="k", base_url=base + "/v1")
m = [{"role": "user", "content": "hi"}]
call = lambda: c.chat.completions.create(model="llama3.1-8b", messages=m)
stream = lambda: c.chat.completions.create(model="llama3.1-8b", messages=m, stream=True)
""",
    "neocloud ChatCerebras (LangChain)": """
from neocloud.langchain import ChatCerebras
c = ChatCerebras(model="llama3.1-8b", api_key="k", base_url=base)
call = lambda: c.invoke("hi")
stream = lambda: c.stream("hi")
""",
    "langchain-openai ChatOpenAI": """
from langchain_openai import ChatOpenAI
c = ChatOpenAI(model="llama3.1-8b", api_key="k", base_url=base + "/v1")
call = lambda: c.invoke("hi")
stream = lambda: c.stream("hi")
""",
    "neocloud CerebrasLLM (LlamaIndex)": """
from llama_index.core.base.llms.types import ChatMessage
from neocloud.llamaindex import CerebrasLLM
c = CerebrasLLM(model="llama3.1-8b", api_key="k", base_url=base)
m = [ChatMessage(role="user", content="hi")]
call = lambda: c.chat(m)
stream = lambda: c.stream_chat(m)
""",
    "llama-index OpenAILike": """
from llama_index.core.base.llms.types import ChatMessage
from llama_index.llms.openai_like import OpenAILike
c = OpenAILike(model="llama3.1-8b", api_key="k", api_base=base + "/v1", is_chat_model=True)
m = [ChatMessage(role="user", content="hi")]
call = lambda: c.chat(m)
stream = lambda: c.stream_chat(m)
""",
}


def peak_memory(base: str, rounds: int = 3) -> dict[str, float]:
    """Median peak resident memory (MiB) of a fresh process doing one representative session per variant."""
    samples: dict[str, list[float]] = {name: [] for name in MEMORY}
    for _ in range(rounds):
        for name, setup in MEMORY.items():
            out = _run(_MEMORY.format(setup=setup), base)
            if out is not None:
                samples[name].append(float(out))
    return {name: statistics.median(v) for name, v in samples.items() if v}
