"""Practice questions from facts: three distractors of the answer's kind, then the quality checks.

Distractors come, in this order, from the wrong answers the source itself names, the same table,
the same note, the same exam domain, then any note (concepts only from their own note, where they
are comparable). A candidate is skipped when another note recommends it for the same need.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections import Counter
from dataclasses import dataclass, field

from app.rag.text import content_words
from app.study.bank import Question
from app.study.facts import Fact, section_name
from app.study.quality import mentions, question_problem
from app.study.terms import CONCEPT_HINTS, Vocabulary, base_name, clean, same_thing, unreadable

WIDE_KINDS = {"service", "algorithm", "metric", "format"}  # comparable across notes


@dataclass
class Term:
    """A name the notes use, with its kind and every note and domain it was found in."""

    name: str
    kind: str
    sources: set[str] = field(default_factory=set)
    domains: set[str] = field(default_factory=set)


class TermPool:
    """Every answer-like term of the notes by kind, and the needs each term is recommended for."""

    def __init__(self, facts: list[Fact], vocab: Vocabulary):
        self.vocab = vocab
        self.terms: dict[str, Term] = {}
        self.needs: dict[str, list[set[str]]] = {}
        self._words: dict[str, set[str]] = {}
        for fact in facts:
            hint = fact.answer_kind if fact.answer_kind in CONCEPT_HINTS else ""
            self.add(fact.answer, fact.answer_kind, fact)
            for member in fact.group:
                self.add(member, vocab.kind_of(member, hint), fact)
            self.needs.setdefault(base_name(fact.answer), []).append(set(content_words(fact.need)))

    def add(self, name: str, kind: str, fact: Fact) -> None:
        """Remember a term (its first sighting decides its name and kind) and the note it is in."""
        meta = fact.chunk.metadata
        term = self.terms.setdefault(base_name(name), Term(name, kind))
        term.sources.add(str(meta.get("source", "")))
        term.domains.add(str(meta.get("domain", "")))

    def words_of(self, name: str) -> set[str]:
        """A term's name words and the words of every need the notes recommend it for (cached)."""
        key = base_name(name)
        if key not in self._words:
            self._words[key] = set(content_words(key)).union(*self.needs.get(key, [set()]))
        return self._words[key]

    def recommended_for(self, name: str, need: str) -> bool:
        """Whether the notes recommend `name` for a need much like this one."""
        words = set(content_words(need))
        for other in self.needs.get(base_name(name), []):
            shared = len(words & other)
            if shared >= 2 and shared >= 0.5 * min(len(words), len(other)):
                return True
        return False

    def tiers(self, fact: Fact) -> list[list[str]]:
        """Candidate distractors, nearest first."""
        meta = fact.chunk.metadata
        same_kind = [t for t in self.terms.values() if t.kind == fact.answer_kind]
        # a table column holds one kind of thing; only products, algorithms, metrics and formats must match
        group = [g for g in fact.group if fact.answer_kind not in WIDE_KINDS
                 or self.vocab.kind_of(g, "") == fact.answer_kind]
        tiers = [fact.wrong, group, [t.name for t in same_kind if meta.get("source") in t.sources]]
        if fact.answer_kind in WIDE_KINDS:
            tiers += [[t.name for t in same_kind if meta.get("domain") in t.domains], [t.name for t in same_kind]]
        return tiers


def closeness(pool: TermPool, topic: set[str], name: str) -> int:
    """How near a candidate is to the question's topic: words its name and needs share with it."""
    return len(topic & pool.words_of(name))


def distractors_for(fact: Fact, pool: TermPool, rng: random.Random) -> list[str]:
    """Up to three distractors: same kind, readable, distinct, not right by this or another note."""
    show = pool.vocab.display
    answer = show(fact.answer)
    chosen: list[str] = []
    topic = set(content_words(f"{fact.answer} {fact.need} {fact.stem}"))
    for tier in pool.tiers(fact):
        ranked = sorted(tier, key=lambda n: (-closeness(pool, topic, n), abs(len(show(n)) - len(answer)), rng.random()))
        for name in ranked:
            option = show(name)
            taken = [answer, *chosen, *fact.also_right]
            if len(chosen) == 3 or unreadable(option) or any(same_thing(option, t) for t in taken):
                continue
            is_wrong = any(same_thing(name, w) for w in fact.wrong)
            if not is_wrong and (mentions(fact.evidence, name) or pool.recommended_for(name, fact.need)):
                continue
            chosen.append(option)
    return chosen


def question_id(fact: Fact) -> str:
    """Stable across re-ingests of unchanged text: the chunk's content hash, the fact and its answer."""
    key = f"{fact.chunk.metadata.get('content_hash', fact.chunk.id)}|{fact.stem}|{fact.answer}"
    return "gen-" + hashlib.sha1(key.encode()).hexdigest()[:12]


def note_task(meta: dict) -> str | None:
    """The first task statement a note lists ("3.1,3.2" -> "3.1")."""
    tasks = str(meta.get("tasks") or "").split(",")
    return tasks[0].strip() or None


def make_question(fact: Fact, answer: str, distractors: list[str]) -> Question:
    """The checked fact as a lettered question, options shuffled by a seed from its id."""
    qid = question_id(fact)
    options = [answer, *distractors]
    random.Random(qid).shuffle(options)
    letters = dict(zip("ABCD", options))
    meta = fact.chunk.metadata
    return Question(qid, str(meta.get("domain") or "notes"), fact.stem, letters,
                    ["ABCD"[options.index(answer)]], [str(meta.get("source", ""))],
                    f"The note says: {fact.evidence}", note_task(meta), fact.kind, fact.evidence,
                    str(meta.get("heading") or meta.get("title") or ""), str(fact.chunk.id or ""))


def in_note(evidence: str, chunk_text: str) -> bool:
    """Whether the cited sentence (or every cell of a cited table row) is in the chunk."""
    flat = re.sub(r"\s+", " ", clean(chunk_text.replace("|", " ; ")))
    parts = [p.split(": ", 1)[-1] for p in evidence.rstrip(".").split("; ")] if "; " in evidence else [evidence.rstrip(".")]
    return all(re.sub(r"\s+", " ", clean(p)) in flat for p in parts)


def build_questions(facts: list[Fact], vocab: Vocabulary) -> tuple[list[Question], Counter]:
    """Checked questions from facts, and how many facts were rejected for each reason."""
    pool, rejected, questions, seen = TermPool(facts, vocab), Counter(), [], set()
    for fact in facts:
        rng = random.Random(question_id(fact))
        answer, distractors = vocab.display(fact.answer), distractors_for(fact, pool, rng)
        reason = question_problem(fact.stem, answer, distractors, fact.evidence, fact.wrong,
                                  section_name(fact.chunk))
        if not reason and not in_note(fact.evidence, fact.chunk.page_content):
            reason = "source sentence not in the note"
        if not reason and (fact.stem, answer) in seen:
            reason = "duplicate question"
        if reason:
            rejected[reason] += 1
            continue
        seen.add((fact.stem, answer))
        questions.append(make_question(fact, answer, distractors))
    return questions, rejected
