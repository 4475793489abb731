"""OpenAI-compatible wire models shared by every provider (providers extend them where their wire differs)."""

from ._base import RequestModel, WireModel
from .chat import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionMessage,
    ChatCompletionRequest,
    Choice,
    ChoiceDelta,
    ChoiceDeltaToolCall,
    ChunkChoice,
    CompletionTokensDetails,
    FunctionCall,
    PromptTokensDetails,
    ToolCall,
    Usage,
)
from .completions import Completion, CompletionChoice, CompletionRequest
from .embeddings import CreateEmbeddingResponse, Embedding, EmbeddingRequest, EmbeddingUsage
from .models import Model, ModelList

__all__ = [
    "ChatCompletion",
    "ChatCompletionChunk",
    "ChatCompletionMessage",
    "ChatCompletionRequest",
    "Choice",
    "ChoiceDelta",
    "ChoiceDeltaToolCall",
    "ChunkChoice",
    "Completion",
    "CompletionChoice",
    "CompletionRequest",
    "CompletionTokensDetails",
    "CreateEmbeddingResponse",
    "Embedding",
    "EmbeddingRequest",
    "EmbeddingUsage",
    "FunctionCall",
    "Model",
    "ModelList",
    "PromptTokensDetails",
    "RequestModel",
    "ToolCall",
    "Usage",
    "WireModel",
]
