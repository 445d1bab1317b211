"""The tutor answer card: a direct answer, the key facts and an exam tip, built from the notes alone.

No LLM is needed. The card is assembled from the scored units of the retrieved chunks
(app/rag/units.py, app/rag/evidence.py), each quoted as the notes say it and cited [n]:

1. the direct answer, shaped by the question: for "when should I use X instead of Y" what X is for
   and the facts that decide; for "difference between X and Y" one statement about each; for "why"
   a statement that gives a reason; otherwise the statement that best answers the question;
2. key facts: other statements on the question's topic, numbers and table rows first;
3. an exam tip when a trap, tip or gotcha line of the notes is on the topic.

A statement is on the topic when it (or the label or section heading it sits under) uses one of the
question's rarest words in this store (document frequency from the BM25 index), so a sentence about
early stopping stays out of an answer about network isolation even when both share a chunk.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

from app.rag.evidence import Evidence, word_in
from app.rag.text import content_words
from app.store import Store

FRAME_WORDS = frozenset(
    "difference differ different between use using used choose choosing chosen pick prefer instead "
    "rather over versus vs compare compared comparison when why what which how does do did should "
    "would could can team need needs mean means explain describe work works best better good way "
    "option options kind type types main purpose role happen happens user learner exam question "
    "tell give list name sagemaker amazon aws".split())
_TIP_HEADING = re.compile(r"\b(trap|traps|tip|tips|gotcha|gotchas|pitfall|pitfalls|remember|exam)\b", re.I)
_TIP_PREFIX = re.compile(r"^(exam (trap|tip)|tip|trap|gotcha|exam)\s*:\s*", re.I)
_TIP_TEXT = re.compile(_TIP_PREFIX.pattern + r"|exam says|\bon the exam\b", re.I)
_WHY_WORDS = re.compile(r"\b(because|so|since|therefore|which means|so that|reduces?|avoids?|prevents?|"
                        r"cheaper|faster|lower|less|fewer|only|without|->|=>)\b|->", re.I)
_USE_WORDS = re.compile(r"\b(choose|use|used|pick|fits?|best for|use when|when|for)\b", re.I)
_DIGIT = re.compile(r"\d")
SHAPES = [  # (kind, pattern with groups x and y); the first match wins
    ("choose", r"\b(?:use|choose|pick|prefer|select|want)\s+(?P<x>.+?)\s+(?:instead of|over|rather than)"
               r"\s+(?P<y>.+?)\??$"),
    ("choose", r"^why\s+(?:is\s+|are\s+)?(?P<x>.+?)\s+(?:over|instead of|rather than|better than)\s+(?P<y>.+?)\??$"),
    ("contrast", r"\bdifference(?:s)?\s+between\s+(?P<x>.+?)\s+and\s+(?P<y>.+?)\??$"),
    ("contrast", r"\bhow\s+(?:does|do|is|are)\s+(?P<x>.+?)\s+(?:differ|different)\s+from\s+(?P<y>.+?)\??$"),
    ("contrast", r"\bhow\s+do\s+(?P<x>.+?)\s+and\s+(?P<y>.+?)\s+differ\b"),
    ("contrast", r"\b(?:compare|comparing)\s+(?P<x>.+?)\s+(?:and|with|to)\s+(?P<y>.+?)\??$"),
    ("contrast", r"^(?:what|how)\s+(?:does|do|is)\s+(?P<x>.+?)\s+(?:\w+\s+)?compared?\s+(?:with|to)\s+(?P<y>.+?)\??$"),
    ("contrast", r"(?P<x>[\w/ -]+?)\s+(?:vs\.?|versus)\s+(?P<y>[\w/ -]+)"),
    ("why", r"^why\b"),
    ("when", r"^when\s+(?:should|would|do|does|is|are|can)\b"),
]
MAX_ANSWER, MAX_FACTS = 2, 3
LEAD_BONUS = 1.3   # a statement that opens with the question's subject is a definition or a use
_PRONOUNS = frozenset("it its this that these those they them there".split())
FACT_FLOOR = 0.6   # a key fact scores at least this share of the best on-topic statement
MIN_WORDS = 4      # shorter statements are labels or fragments, not facts


@dataclass
class Shape:
    """What kind of answer the question asks for, and the subjects it names."""

    kind: str = "what"
    x: str = ""
    y: str = ""


@dataclass
class Card:
    """The parts of an answer card, each an evidence statement with its citation number."""

    answer: list[Evidence] = field(default_factory=list)
    facts: list[Evidence] = field(default_factory=list)
    tip: Evidence | None = None

    def evidence(self) -> list[Evidence]:
        """Every statement the card quotes, in reading order."""
        return self.answer + self.facts + ([self.tip] if self.tip else [])

    def text(self) -> str:
        """The card as plain text: the direct answer, 'Key facts:' bullets and an 'Exam tip:' line."""
        parts = [" ".join(cite(e) for e in self.answer)]
        if self.facts:
            parts.append("Key facts:\n" + "\n".join(f"- {cite(e)}" for e in self.facts))
        if self.tip:
            parts.append(f"Exam tip: {cite(self.tip, tip=True)}")
        return "\n\n".join(p for p in parts if p)


class Rarity:
    """How rare each word is among a store's chunks: document frequencies from its BM25 index."""

    def __init__(self, df: dict[str, int], docs: int):
        self.df, self.docs = df, max(docs, 1)

    @classmethod
    def of_index(cls, index) -> "Rarity":
        """Read document frequencies from a bm25s index (an empty table when its layout is unknown)."""
        try:
            indptr, vocab = index.scores["indptr"], index.vocab_dict
            df = {w: int(indptr[i + 1] - indptr[i]) for w, i in vocab.items() if i + 1 < len(indptr)}
            return cls(df, int(index.scores["num_docs"]))
        except (AttributeError, KeyError, TypeError):
            return cls({}, 1)

    def idf(self, word: str) -> float:
        """Inverse document frequency of a (singular, lower-case) content word."""
        count = max(self.df.get(word, 0), self.df.get(word + "s", 0), self.df.get(word + "es", 0))
        return math.log((self.docs + 1) / (count + 1))


_RARITY: WeakKeyDictionary = WeakKeyDictionary()


def store_rarity(store: Store) -> Rarity:
    """The word rarity table of a store, read once per store object."""
    if store not in _RARITY:
        _RARITY[store] = Rarity.of_index(store.bm25.index)
    return _RARITY[store]


def question_shape(question: str) -> Shape:
    """The kind of question (choose, contrast, why, when, what) and its subjects x and y."""
    last = _last_question(question)
    for kind, pattern in SHAPES:
        match = re.search(pattern, last, re.IGNORECASE)
        if match:
            groups = match.groupdict()
            return Shape(kind, _subject(groups.get("x") or ""), _subject(groups.get("y") or ""))
    return Shape()


def _last_question(text: str) -> str:
    """The last question of a follow-up query ('What is X? And how is it billed?' -> the second)."""
    parts = [p.strip() for p in re.split(r"(?<=\?)\s+", text.strip()) if p.strip()]
    return parts[-1] if parts else text


def _subject(text: str) -> str:
    """A subject without leading question words, articles or a trailing clause."""
    text = re.sub(r"^(?:what|how|does|do|is|are|the|a|an|sagemaker|amazon|aws)\s+", "", text.strip(), flags=re.I)
    text = re.sub(r"^(?:the|a|an)\s+", "", text, flags=re.I)
    return re.split(r"\s+(?:for|in|when|if|so|to|with|on)\s+", text, maxsplit=1)[0].strip(" ?.,")


def about(subject_words: set[str], ev: Evidence) -> float:
    """Share of a subject's words that a statement (with its label and section) uses."""
    if not subject_words:
        return 0.0
    words = statement_words(ev)
    return sum(word_in(w, words) for w in subject_words) / len(subject_words)


def statement_words(ev: Evidence) -> set[str]:
    """Content words of a statement, its label and the last part of its section heading."""
    section = ev.heading.rsplit(">", 1)[-1]
    return set(content_words(f"{section} {ev.label} {ev.sentence}"))


def core_words(text: str, seen: set[str], rarity: Rarity, keep: int = 2, spread: float = 1.0) -> set[str]:
    """The rarest topic words of `text` that the retrieved notes use (what 'on topic' means): at most
    `keep`, and none far commoner (idf more than `spread` lower) than the rarest."""
    topic = [w for w in dict.fromkeys(content_words(text)) if w not in FRAME_WORDS and word_in(w, seen)]
    ranked = sorted(topic, key=rarity.idf, reverse=True)[:keep]
    return {w for w in ranked if rarity.idf(w) >= rarity.idf(ranked[0]) - spread}


def topic_of(query: str, shape: Shape, scored: list[Evidence], rarity: Rarity) -> set[str]:
    """The words that make a statement on topic: the question's rarest, and each subject's rarest."""
    seen = set().union(*(statement_words(e) for e in scored)) if scored else set()
    core = core_words(query, seen, rarity)
    for subject in (shape.x, shape.y) if shape.kind in ("choose", "contrast") else ():
        core |= core_words(subject, seen, rarity, keep=1)
    return core


def build_card(query: str, scored: list[Evidence], rarity: Rarity) -> Card:
    """The answer card for a question from its scored evidence statements (best first)."""
    shape = question_shape(query)
    core = topic_of(query, shape, scored, rarity)
    pool = [e for e in scored if len(e.sentence.split()) >= MIN_WORDS]
    on_topic = [e for e in pool if not core or about(core, e) > 0] or pool[:3]
    tips = [e for e in on_topic if is_tip(e)]
    plain = [e for e in on_topic if not is_tip(e)] or on_topic
    card = Card(answer=direct_answer(query, shape, plain, rarity))
    card.facts = key_facts(plain, card.answer)
    card.tip = tips[0] if tips and not any(tips[0] is e for e in card.answer) else None
    return card


def is_tip(ev: Evidence) -> bool:
    """A statement from an exam-trap or tip section, or one that says what the exam is after."""
    return bool(_TIP_HEADING.search(ev.heading.rsplit(">", 1)[-1] + " " + ev.label)
                or _TIP_TEXT.search(ev.sentence))


def lead_bonus(ev: Evidence, subject: set[str]) -> float:
    """Favour statements that open with their subject ('Pipe mode streams ...', a row named after it,
    a bullet under its label) and disfavour ones that open with a pronoun ('It ...')."""
    opening = set(content_words(" ".join(ev.sentence.split()[:4])))
    if subject and (any(word_in(w, opening) for w in subject) or any(word_in(w, set(content_words(ev.label)))
                                                                     for w in subject)):
        return LEAD_BONUS
    return 0.9 if ev.sentence.split()[0].lower() in _PRONOUNS else 1.0


def direct_answer(query: str, shape: Shape, plain: list[Evidence], rarity: Rarity) -> list[Evidence]:
    """The first sentences of the card, chosen for the kind of question."""
    if not plain:
        return []
    if shape.kind in ("choose", "contrast") and shape.x and shape.y:
        return _two_sides(shape, plain, rarity)
    pattern = {"why": _WHY_WORDS, "when": _USE_WORDS}.get(shape.kind)
    topic = core_words(shape.x or _last_question(query), set().union(*map(statement_words, plain)), rarity)
    ranked = sorted(plain, key=lambda e: e.score * lead_bonus(e, topic)
                    * (1.15 if pattern and pattern.search(e.sentence) else 1.0), reverse=True)
    first = ranked[0]
    second = next((e for e in ranked[1:] if _adds(e, [first]) and e.score >= FACT_FLOOR * first.score), None)
    return [first] + ([second] if second and MAX_ANSWER > 1 else [])


def _two_sides(shape: Shape, plain: list[Evidence], rarity: Rarity) -> list[Evidence]:
    """One statement about X (what it is for), one about Y, each not about the other side."""
    x_words, y_words = set(content_words(shape.x)), set(content_words(shape.y))
    x_own, y_own = (x_words - y_words) or x_words, (y_words - x_words) or y_words

    def side(own: set[str], other: set[str]) -> Evidence | None:
        fit = [e for e in plain if about(own, e) > 0]
        apart = [e for e in fit if about(other - own, e) == 0] or fit
        bonus = _USE_WORDS if shape.kind == "choose" else None
        return max(apart, key=lambda e: e.score * (1 + 0.5 * about(own, e)) * lead_bonus(e, own)
                   * (1.1 if bonus and bonus.search(e.sentence) else 1.0), default=None)

    first = side(x_own, y_own) or plain[0]
    second = side(y_own, x_own)
    return [first] + ([second] if second and second is not first else [])


def key_facts(plain: list[Evidence], used: list[Evidence], limit: int = MAX_FACTS) -> list[Evidence]:
    """Further on-topic statements, numbers and table rows first, without repeating the answer."""
    if not plain:
        return []
    best = max(e.score for e in plain)
    rest = [e for e in plain if e.score >= FACT_FLOOR * best and not any(e is u for u in used)]
    rest.sort(key=lambda e: e.score * (1.2 if e.row or _DIGIT.search(e.sentence) else 1.0), reverse=True)
    facts: list[Evidence] = []
    for ev in rest:
        if _adds(ev, used + facts):
            facts.append(ev)
        if len(facts) == limit:
            break
    return facts


def _adds(ev: Evidence, chosen: list[Evidence]) -> bool:
    """Whether a statement says something the chosen ones do not (most of its words are new)."""
    words = set(content_words(ev.sentence))
    if not words:
        return False
    return all(len(words & set(content_words(c.sentence))) / len(words) < 0.7 for c in chosen)


def cite(ev: Evidence, tip: bool = False) -> str:
    """A statement as a sentence: first letter capitalised, its [n] before the final stop."""
    text = _TIP_PREFIX.sub("", ev.sentence).strip() if tip else ev.sentence.strip()
    text = text.rstrip(" .;:,")
    first = text.split(" ", 1)[0]
    if first.isalpha() and first.islower():  # 'ml.inf2' or 'iam:PassRole' keep their case
        text = text[:1].upper() + text[1:]
    return f"{text} [{ev.n}]."
