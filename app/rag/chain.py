"""The answer pipeline: rewrite, retrieve, select evidence, then answer, check and cite.

Correctness comes from the pipeline, not the model: exam questions are decided by scoring options
against evidence, weak evidence leads to a plain "not in your notes", and every generated answer passes
the grounding check (app/rag/grounding.py) before the user sees it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from app.config import Settings
from app.providers import (ProviderError, check_llm, explain_llm_error, is_capable, llm_spec, make_llm,
                           model_name)
from app.rag.card import Card, build_card
from app.rag.evidence import Evidence, EvidenceSelector, SentenceIndex
from app.rag.exam import ExamQuestion, OptionScore, choose, explain, parse_exam
from app.rag.exam_llm import ask_model, combine
from app.rag.exam_scorer import OptionScorer, merge_hits, retrieve_options
from app.rag.followup import rewrite_query
from app.rag.grounding import Grounder
from app.rag.prompts import format_evidence, make_prompt
from app.rag.rarity import store_rarity
from app.rag.refusal import INJECTION_REPLY, is_injection, is_weak, refusal_text, store_scale
from app.rag.result import TutorAnswer, evidence_sentences, keep_used_citations, make_citations
from app.rag.search import Hit, HybridSearch
from app.store import Store

if TYPE_CHECKING:  # LangChain's runnables import its tracing stack: a second of every cold start
    from langchain_core.language_models import BaseChatModel
    from langchain_core.runnables import Runnable

    from app.rag.retrieval import HybridRetriever


class EmptyQuestion(ValueError):
    """The question has no text; str() is the one line shown to the user."""


def build_chain(llm: BaseChatModel) -> Runnable:
    """LCEL chain: tutor prompt -> LLM -> plain text."""
    from langchain_core.output_parsers import StrOutputParser

    return make_prompt() | llm | StrOutputParser()


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
    card: Card | None = None  # the answer card of an open question (app/rag/card.py)

    def result(self, answer: str, model: str, **flags) -> TutorAnswer:
        """The public result object (`tutor ask --json`): only the sources the answer cites stay in
        `citations`, renumbered by first use; the others go to `more_sources`."""
        fields = {"refused": self.refused, **flags}
        return keep_used_citations(TutorAnswer(
            answer=answer, citations=make_citations(self.hits), model=model, query=self.query,
            evidence=evidence_sentences(self.evidence), **fields))


@dataclass
class Tutor:
    """The loaded assistant: settings, retriever and chat model, with the pipeline built once."""

    settings: Settings
    retriever: HybridSearch | HybridRetriever  # the plain search, or LangChain's retriever over it
    llm: BaseChatModel | None = None  # None: built on first use (exam picks and refusals never need it)
    spec: str = "fake"

    def __post_init__(self):
        self.model = model_name(self.spec)
        self.capable = is_capable(self.spec, self.settings.llm_capable)  # the bundled model may not write
        index = SentenceIndex(self.store.embeddings, cache=self.store.vector_cache)
        self.evidence = EvidenceSelector(index)
        self.scorer = OptionScorer(index)
        self.grounder = Grounder(index)

    def chat_model(self) -> BaseChatModel:
        """The chat model, loaded on first use (loading llama.cpp costs a second or more)."""
        if self.llm is None:
            self.llm = make_llm(self.settings, self.spec)
        return self.llm

    @cached_property
    def chain(self) -> Runnable:
        """The LCEL answer chain, built once."""
        return build_chain(self.chat_model())

    def as_retriever(self) -> HybridRetriever:
        """The tutor's search as a LangChain retriever, for use in other chains."""
        from app.rag.retrieval import HybridRetriever  # lazy: LangChain's callbacks cost a second

        return HybridRetriever(store=self.store, k=self.settings.k)

    @property
    def store(self) -> Store:
        """The store the tutor answers from."""
        return self.retriever.store

    def prepare(self, question: str, k: int | None = None, domain: str | None = None,
                history: list[dict] | None = None) -> Prepared:
        """Rewrite, retrieve, select evidence and decide whether (and how) to answer."""
        if not question.strip():
            raise EmptyQuestion("the question is empty: type a question, or paste an exam question "
                                "with its lettered options")
        k = k or self.settings.k
        exam = parse_exam(question)
        stem = exam.stem if exam else question
        query = rewrite_query(stem, history, self.chat_model() if self.capable else None)
        search_text = f"{query} {' '.join(exam.options.values())}" if exam else query
        hits = self.retriever.search(search_text, k, domain)
        prepared = Prepared(question, query, hits, exam=exam, injection=is_injection(question))
        if prepared.injection and not exam:
            return prepared
        scale, words = store_scale(self.store, self.evidence.index), self.retriever.vocabulary()
        if exam:  # the exam path retrieves and scores its own evidence
            prepared.refused = is_weak(query, hits, words, exam=True, scale=scale)
            return prepared
        scored = self.evidence.score_sentences(query, hits)
        closest = max((e.cosine for e in scored), default=0.0)
        prepared.refused = is_weak(query, hits, words, statement_cosine=closest, scale=scale)
        if not prepared.refused:
            prepared.card = build_card(query, scored, store_rarity(self.store))
            prepared.evidence = prepared.card.evidence()
        return prepared

    def ask(self, question: str, k: int | None = None, domain: str | None = None,
            history: list[dict] | None = None) -> TutorAnswer:
        """Answer a question from the notes."""
        result = None
        for piece in self.stream(question, k, domain, history):
            result = piece if isinstance(piece, TutorAnswer) else result
        return result

    def stream(self, question: str, k: int | None = None, domain: str | None = None,
               history: list[dict] | None = None) -> Iterator[str | TutorAnswer]:
        """Yield answer text as it comes, then the finished (checked) result."""
        p = self.prepare(question, k, domain, history)
        if p.injection and not p.exam:
            yield INJECTION_REPLY
            yield p.result(INJECTION_REPLY, self.model, refused=True)
        elif p.refused:
            text = refusal_text(p.hits)
            yield text
            yield p.result(text, self.model)
        elif p.exam:
            yield from self._answer_exam(p)
        else:
            yield from self._generate(p)

    def _generate(self, p: Prepared) -> Iterator[str | TutorAnswer]:
        """The answer card; a capable model may rewrite its prose, and the grounding check decides.

        The card quotes the notes, so it needs no check. A rewrite keeps only the sentences the
        notes back; when too few survive, the learner gets the card instead (`fallback`).
        """
        card = p.card.text()
        # a scripted fake model stands in for a capable one, so tests reach the rewrite path
        if not (self.capable or self.spec.startswith("fake")):
            yield card
            yield p.result(card, self.model, grounded=True)
            return
        inputs = {"context": format_evidence(p.hits, p.evidence), "question": p.query}
        parts = []
        try:
            for token in self.chain.stream(inputs):
                parts.append(token)
                yield token
        except Exception as exc:  # any provider failure becomes one clear line for the user
            raise ProviderError(explain_llm_error(self.settings, self.spec, exc)) from None
        checked = self.grounder.check("".join(parts), p.hits, p.evidence)
        text = card if checked.fallback else checked.answer
        yield p.result(text, self.model, grounded=True, fallback=checked.fallback)

    def score_exam(self, p: Prepared) -> list[OptionScore]:
        """Retrieve evidence for every option, then score each option against its own evidence."""
        option_hits = retrieve_options(self.retriever, p.exam)
        p.hits = merge_hits(p.hits, option_hits)
        return self.scorer.score(p.exam, p.hits, option_hits, self.retriever.vocabulary())

    def _answer_exam(self, p: Prepared) -> Iterator[str | TutorAnswer]:
        """Choose the best-supported option(s), say how sure, and explain why each other option loses;
        a capable model is asked too, and the two picks are combined."""
        scores = self.score_exam(p)
        chosen = choose(scores, p.exam.picks)
        confidence, note = self.scorer.confidence(scores, p.exam.picks), ""
        if self.capable:
            try:
                picked = ask_model(self.chat_model(), p.exam, scores)
            except Exception as exc:  # any provider failure becomes one clear line for the user
                raise ProviderError(explain_llm_error(self.settings, self.spec, exc)) from None
            combined = combine(chosen, confidence, picked, len(scores), self.model)
            chosen, confidence, note = combined.chosen, combined.confidence, "\n" + combined.note
        p.evidence = [s.best for s in scores if s.best and s.letter in chosen]
        result = p.result(explain(p.exam, scores, chosen) + note, self.model, grounded=True, choice=chosen,
                          confidence=round(confidence, 3), confident=self.scorer.is_confident(confidence))
        yield result.answer  # citations already renumbered, so the streamed text is the final one
        yield result


def load_tutor(settings: Settings, spec: str | None = None) -> Tutor:
    """Open the store and build the retriever and chat model named by settings (or `spec`)."""
    spec = llm_spec(settings, spec)
    retriever = HybridSearch(Store(settings), k=settings.k)
    check_llm(settings, spec)  # a wrong setting fails now, though the model loads on first use
    return Tutor(settings, retriever, None, spec)
