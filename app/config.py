"""One typed settings object for the whole app, read from TUTOR_* variables and `.env`."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything a user can change without touching code."""

    model_config = SettingsConfigDict(
        env_prefix="TUTOR_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    store_path: Path = Field(Path(".tutor/store"), description="ChromaDB + BM25 store directory")
    corpus_path: Path = Field(Path("corpus"), description="Notes ingested by default")
    notes_path: Path = Field(Path(".tutor/notes"), description="User uploads, kept outside corpus/")
    collection: str = Field("mla_tutor", description="Chroma collection name")
    embedding_model: str = Field(
        "", description="'' for the bundled all-MiniLM-L6-v2, a local sentence-transformers dir, "
        "or openai/<model> for an OpenAI-compatible embeddings endpoint"
    )
    llm: str = Field("", description="'' for the bundled SmolLM2 GGUF, or llamacpp/<path>, "
                     "openai/<model>, bedrock/<model id>, fake")
    llm_capable: bool | None = Field(None, description="Let the LLM write answers and vote on exam picks "
                                     "(default: hosted openai/ and bedrock/ models yes, llama.cpp GGUFs no)")
    k: int = Field(5, ge=1, le=50, description="Chunks retrieved per question")
    chunk_size: int = Field(1200, ge=200, description="Max characters per chunk")
    chunk_overlap: int = Field(150, ge=0, description="Characters shared by neighbouring chunks")
    max_file_mb: float = Field(60.0, gt=0, description="Files larger than this are refused")
    max_text_mb: float = Field(10.0, gt=0, description="Text files larger than this, or PDFs with "
                               "more text, are refused (each MB is ~1,000 chunks to embed)")
    llm_ctx: int = Field(4096, ge=512, description="llama.cpp context window (tokens)")
    llm_threads: int | None = Field(None, description="llama.cpp threads (None: all cores)")
    llm_max_tokens: int = Field(256, ge=16, description="Max tokens the LLM may generate")
    llm_temperature: float = Field(0.0, ge=0.0, le=2.0)
    llm_timeout: float = Field(60.0, gt=0, description="Seconds before a remote LLM call fails")
    openai_base_url: str | None = Field(None, description="OpenAI-compatible server URL")
    openai_api_key: SecretStr | None = Field(None, description="Falls back to OPENAI_API_KEY")
    chroma_host: str | None = Field(None, description="Use a Chroma server instead of the embedded store")
    chroma_port: int = Field(8000, description="Chroma server port")


def get_settings(**overrides) -> Settings:
    """Build settings from the environment and `.env`, with explicit overrides winning."""
    clean = {key: value for key, value in overrides.items() if value is not None}
    return Settings(**clean)
