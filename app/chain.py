"""The answer chain: retrieve, prompt the LLM under the tutor prompt, return the public JSON shape."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.runnables import Runnable

from app.config import Settings
from app.prompts import format_context, make_prompt
from app.retrieval import Hit, Retriever


def build_chain(llm: BaseChatModel) -> Runnable:
    """LCEL chain: tutor prompt -> LLM -> plain text."""
    return make_prompt() | llm | StrOutputParser()


def make_citations(hits: list[Hit]) -> list[dict]:
    """Numbered citations in the public `--json` shape."""
    return [{"n": n, "source": h.metadata.get("source", ""), "heading": h.metadata.get("heading", ""),
             "page": h.metadata.get("page"), "chunk_id": h.chunk_id, "score": round(h.score, 4)}
            for n, h in enumerate(hits, start=1)]


@dataclass
class Tutor:
    """The loaded parts of the assistant: settings, retriever and chat model (built once)."""

    settings: Settings
    retriever: Retriever
    llm: BaseChatModel
    model: str

    def prepare(self, question: str, k: int | None = None, domain: str | None = None) -> dict:
        """Retrieve for a question; returns the chain inputs and the citations."""
        hits = self.retriever.search(question, k or self.settings.k, domain)
        inputs = {"context": format_context([h.text for h in hits]), "question": question}
        return {"hits": hits, "inputs": inputs, "citations": make_citations(hits)}

    def ask(self, question: str, k: int | None = None, domain: str | None = None) -> dict:
        """Answer a question from the notes: {"answer", "citations", "model"}."""
        prepared = self.prepare(question, k, domain)
        answer = build_chain(self.llm).invoke(prepared["inputs"]).strip()
        return {"answer": answer, "citations": prepared["citations"], "model": self.model}

    def stream(self, question: str, k: int | None = None, domain: str | None = None
               ) -> Iterator[str | dict]:
        """Yield answer tokens as they come, then the finished result dict."""
        prepared = self.prepare(question, k, domain)
        parts = []
        for token in build_chain(self.llm).stream(prepared["inputs"]):
            parts.append(token)
            yield token
        yield {"answer": "".join(parts).strip(), "citations": prepared["citations"], "model": self.model}


def load_tutor(settings: Settings, llm_spec: str | None = None) -> Tutor:
    """Build the retriever and chat model named by settings (or `llm_spec`)."""
    from app.providers import default_llm_spec, make_llm

    spec = llm_spec or settings.llm or default_llm_spec()
    model = spec.rsplit("/", 1)[-1] if spec.startswith("llamacpp/") else spec
    return Tutor(settings, Retriever(settings), make_llm(settings, spec), model)
