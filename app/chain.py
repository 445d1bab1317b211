"""The answer pipeline: rewrite, retrieve, select evidence, then answer, check and cite.

Correctness comes from the pipeline, not the model: exam questions are decided by scoring options
against evidence, weak evidence leads to a plain "not in your notes", and every generated answer passes
the grounding check (app/grounding.py) before the user sees it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.runnables import Runnable

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from app.config import Settings
from app.evidence import Evidence, SentenceIndex, query_coverage, select_evidence
from app.exam import ExamQuestion, choose, explain, parse_exam, score_options
from app.followup import rewrite_query
from app.grounding import check_answer
from app.prompts import format_evidence, make_prompt
from app.retrieval import Hit, Retriever, fuse

# Refusal thresholds, calibrated on the dev set's answerable and out-of-scope items (evals/README.md).
REFUSE_COSINE = 0.38    # best dense similarity below this: the notes are about something else
REFUSE_COVERAGE = 0.5   # fewer of the question's words than this in the retrieved notes
UNKNOWN_NAME_COSINE = 0.55  # a name the notes never use (Azure, Vertex) needs a strong match to answer
_NAME = re.compile(r"\b[A-Z][A-Za-z0-9]{2,}\b")
INJECTION = re.compile(r"(ignore|disregard|forget)\b.{0,40}\b(instructions|rules|prompt)|system prompt|"
                       r"(reveal|print|show|repeat|output)\b.{0,40}\b(prompt|instructions|text above)|"
                       r"you are now|developer mode|jailbreak", re.IGNORECASE)
INJECTION_REPLY = ("I can't share or change my instructions. I can help you study for the MLA-C01 "
                   "exam from your notes: ask me about a service, a concept or an exam question.")


def build_chain(llm: BaseChatModel) -> Runnable:
    """LCEL chain: tutor prompt -> LLM -> plain text."""
    return make_prompt() | llm | StrOutputParser()


def make_citations(hits: list[Hit]) -> list[dict]:
    """Numbered citations in the public `--json` shape."""
    return [{"n": n, "source": h.metadata.get("source", ""), "heading": h.metadata.get("heading", ""),
             "page": h.metadata.get("page"), "chunk_id": h.chunk_id, "score": round(h.score, 4)}
            for n, h in enumerate(hits, start=1)]


@dataclass
class Prepared:
    """Everything decided before the LLM runs."""

    question: str
    query: str
    hits: list[Hit]
    evidence: list[Evidence] = field(default_factory=list)
    exam: ExamQuestion | None = None
    refused: bool = False
    injection: bool = False

    def result(self, answer: str, model: str, **flags) -> dict:
        """The public result object (`tutor ask --json`)."""
        base = {"answer": answer, "citations": make_citations(self.hits), "model": model,
                "query": self.query, "grounded": False, "fallback": False, "refused": self.refused,
                "choice": None, "evidence": [e.public() for e in self.evidence]}
        return base | flags


@dataclass
class Tutor:
    """The loaded parts of the assistant: settings, retriever and chat model (built once)."""

    settings: Settings
    retriever: Retriever
    llm: BaseChatModel
    model: str
    capable: bool = False  # a hosted model may rewrite follow-ups; the bundled one may not
    spec: str = "fake"

    def __post_init__(self):
        self.index = SentenceIndex(self.retriever.vectorstore.embeddings)

    def prepare(self, question: str, k: int | None = None, domain: str | None = None,
                history: list[dict] | None = None) -> Prepared:
        """Rewrite, retrieve, select evidence and decide whether (and how) to answer."""
        k = k or self.settings.k
        exam = parse_exam(question)
        stem = exam.stem if exam else question
        query = rewrite_query(stem, history, self.llm if self.capable else None)
        search_text = f"{query} {' '.join(exam.options.values())}" if exam else query
        hits = self.retriever.search(search_text, k, domain)
        prepared = Prepared(question, query, hits, exam=exam, injection=bool(INJECTION.search(question)))
        if prepared.injection and not exam:
            return prepared
        prepared.refused = is_weak(query, hits, self.retriever.vocabulary(), exam=exam is not None)
        if not prepared.refused:
            prepared.evidence = select_evidence(self.index, query, hits)
        return prepared

    def ask(self, question: str, k: int | None = None, domain: str | None = None,
            history: list[dict] | None = None) -> dict:
        """Answer a question from the notes; see `Prepared.result` for the shape."""
        result = {}
        for piece in self.stream(question, k, domain, history):
            result = piece if isinstance(piece, dict) else result
        return result

    def stream(self, question: str, k: int | None = None, domain: str | None = None,
               history: list[dict] | None = None) -> Iterator[str | dict]:
        """Yield answer text as it comes, then the finished (checked) result dict."""
        p = self.prepare(question, k, domain, history)
        if p.injection and not p.exam:
            yield INJECTION_REPLY
            yield p.result(INJECTION_REPLY, self.model, refused=True)
        elif p.refused:
            text = refusal_text(p.hits)
            yield text
            yield p.result(text, self.model)
        elif p.exam:
            yield from self._answer_exam(p, k or self.settings.k)
        else:
            yield from self._generate(p)

    def _generate(self, p: Prepared) -> Iterator[str | dict]:
        """Stream the LLM's answer, then run the grounding check on the finished text."""
        inputs = {"context": format_evidence(p.hits, p.evidence), "question": p.query}
        parts = []
        try:
            for token in build_chain(self.llm).stream(inputs):
                parts.append(token)
                yield token
        except Exception as exc:  # any provider failure becomes one clear line for the user
            from app.providers import ProviderError, explain_llm_error

            raise ProviderError(explain_llm_error(self.settings, self.spec, exc)) from None
        checked = check_answer(self.index, "".join(parts), p.hits, p.evidence)
        yield p.result(checked.answer, self.model, grounded=checked.grounded, fallback=checked.fallback)

    def score_exam(self, p: Prepared) -> list:
        """Widen retrieval with each option, then score every option against the evidence."""
        exam = p.exam
        extra = [self.retriever.search(f"{exam.stem} {text}", 3) for text in exam.options.values()]
        extra += [self.retriever.search(text, 3) for text in exam.options.values()]
        seen = {x.chunk_id for x in p.hits}
        p.hits = p.hits + [h for h in fuse(extra) if h.chunk_id not in seen]
        return score_options(self.index, exam, p.hits)

    def _answer_exam(self, p: Prepared, k: int) -> Iterator[str | dict]:
        """Choose the best-supported option(s) and explain why each other option loses."""
        scores = self.score_exam(p)
        chosen = choose(scores, p.exam.picks)
        p.evidence = [s.best for s in scores if s.best and s.letter in chosen]
        text = explain(p.exam, scores, chosen)
        yield text
        yield p.result(text, self.model, grounded=True, choice=chosen)


def is_weak(query: str, hits: list[Hit], vocabulary: frozenset[str], exam: bool = False) -> bool:
    """True when the notes do not seem to cover the question."""
    if not hits:
        return True
    best = max(h.score for h in hits)
    if best < REFUSE_COSINE or (unknown_names(query, vocabulary) and best < UNKNOWN_NAME_COSINE):
        return True
    # exam scenarios are full of story words (team, retailer) the notes never use: meaning only
    return not exam and query_coverage(query, hits) < REFUSE_COVERAGE


def unknown_names(query: str, vocabulary: frozenset[str]) -> list[str]:
    """Capitalised names in the question that no note ever uses (another cloud's product, say)."""
    if not vocabulary:
        return []
    names = [w for w in _NAME.findall(query) if w.lower() not in ENGLISH_STOP_WORDS]
    return [w for w in names if w.lower() not in vocabulary]


def refusal_text(hits: list[Hit]) -> str:
    """Say the notes do not cover it and name the closest topics they do cover."""
    titles = list(dict.fromkeys(str(h.metadata.get("title") or h.metadata.get("source")) for h in hits))
    closest = "; ".join(titles[:3]) or "nothing yet (the store is empty)"
    return (f"I cannot find this in your notes, so I won't guess. The closest topics they cover are: "
            f"{closest}.")


def load_tutor(settings: Settings, llm_spec: str | None = None) -> Tutor:
    """Build the retriever and chat model named by settings (or `llm_spec`)."""
    from app.providers import default_llm_spec, make_llm

    spec = llm_spec or settings.llm or default_llm_spec()
    model = spec.rsplit("/", 1)[-1] if spec.startswith("llamacpp/") else spec
    capable = spec.startswith(("openai/", "bedrock/"))
    return Tutor(settings, Retriever(settings), make_llm(settings, spec), model, capable, spec)
