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

import re
from dataclasses import dataclass, field

from app.rag.evidence import Evidence, word_in
from app.rag.question import Shape, last_question, question_shape
from app.rag.rarity import Rarity
from app.rag.text import FRAME_WORDS, content_words, readable

_TIP_HEADING = re.compile(r"\b(trap|traps|tip|tips|gotcha|gotchas|pitfall|pitfalls|remember|exam)\b", re.I)
_TIP_PREFIX = re.compile(r"^(exam (trap|tip)|tip|trap|gotcha|exam)\s*:\s*", re.I)
_TIP_TEXT = re.compile(_TIP_PREFIX.pattern + r"|exam says|\bon the exam\b", re.I)
_WHY_WORDS = re.compile(r"\b(because|so|since|therefore|which means|so that|reduces?|avoids?|prevents?|"
                        r"strength|benefit|advantage|helps?|ideal|"
                        r"cheaper|faster|lower|less|fewer|only|without|->|=>)\b|->", re.I)
_USE_WORDS = re.compile(r"\b(choose|use|used|pick|fits?|best for|use when|when|for)\b", re.I)
_DIGIT = re.compile(r"\d")
# a statement that points elsewhere ("See *Network security*", "... is covered in the note on X",
# "The exam expects you to know ...") names topics without saying anything about them
_SIGNPOST = re.compile(r"^(?:see|see also|refer to)\b|\b(?:is|are) covered in\b|\bexam expects you to\b", re.I)
MAX_FACTS, MAX_ITEMS = 3, 5
ON_TOPIC = 0.2     # on topic: at least this rarity-weighted share of the question's words ...
CLOSE = 0.9        # ... or at least this close in meaning as the closest statement
SPREAD = 1.0       # a subject's core words: at most this much commoner (in idf) than its rarest
FOCUS = 0.6        # weight of the last question's words when choosing the first sentence
SECTION_BONUS = 1.15  # ... and more when its section is named after the subject
BOTH_SHARE = 1.1   # a statement naming both sides opens a contrast when it scores this share of the best
CONCEPTS = {w: "cost" for w in "cost bill billed billing charge charged pay paid price pricing".split()}
LEAD_BONUS = 1.3   # a statement that opens with the question's subject is a definition or a use
_PRONOUNS = frozenset("it its this that these those they them there".split())
FACT_FLOOR = 0.6   # a key fact scores at least this share of the best on-topic statement
ROW_LEAD = 0.85    # a table row that only repeats the question's subject, as the first sentence
MIN_WORDS = 4      # shorter statements are labels or fragments, not facts


@dataclass
class Card:
    """The parts of an answer card, each an evidence statement with its citation number."""

    answer: list[Evidence] = field(default_factory=list)
    facts: list[Evidence] = field(default_factory=list)
    tip: Evidence | None = None
    contrast: bool = False  # the two answer statements are the two sides: one sentence, joined by ';'

    def evidence(self) -> list[Evidence]:
        """Every statement the card quotes, in reading order."""
        return self.answer + self.facts + ([self.tip] if self.tip else [])

    def text(self) -> str:
        """The card as plain text: the direct answer, 'Key facts:' bullets and an 'Exam tip:' line."""
        joiner = "; " if self.contrast else " "
        parts = [joiner.join(cite(e) for e in self.answer).replace(".; ", "; ")]
        if self.facts:
            parts.append("Key facts:\n" + "\n".join(f"- {cite(e)}" for e in self.facts))
        if self.tip:
            parts.append(f"Exam tip: {cite(self.tip, tip=True)}")
        return "\n\n".join(p for p in parts if p)


def concept_words(text: str) -> list[str]:
    """Content words with the words for one idea made one ('billed', 'charges', 'pay' -> 'cost')."""
    return [CONCEPTS.get(w, w) for w in content_words(text)]


def about(subject_words: set[str], ev: Evidence) -> float:
    """Share of a subject's words that a statement (with its label and section) uses."""
    if not subject_words:
        return 0.0
    words = statement_words(ev)
    return sum(word_in(w, words) for w in subject_words) / len(subject_words)


def mentions(subject: str, ev: Evidence) -> bool:
    """Whether a statement names a whole subject ('data parallelism', not only 'data')."""
    words = set(concept_words(subject))
    return bool(words) and about(words, ev) == 1.0


def names(subject_words: set[str], ev: Evidence) -> bool:
    """Whether the statement itself (not only its section) uses one of a subject's words."""
    words = set(concept_words(ev.sentence))
    return any(word_in(w, words) for w in subject_words)


def opens_other_subject(ev: Evidence, question: str) -> bool:
    """Whether a statement opens with another thing its section is named after ('Warm start ...' under
    'Early stopping and warm start', in an answer about early stopping)."""
    opening = concept_words(" ".join(ev.sentence.split()[:2]))
    section, asked = set(concept_words(section_of(ev))), set(concept_words(question))
    return any(word_in(w, section) and not word_in(w, asked) for w in opening)


def statement_words(ev: Evidence) -> set[str]:
    """Content words of a statement, its label and the last part of its section heading."""
    return set(concept_words(f"{section_of(ev)} {ev.label} {ev.sentence}"))


def section_of(ev: Evidence) -> str:
    """The last part of a statement's heading path (its own section)."""
    return ev.heading.rsplit(">", 1)[-1]


def topic_words(text: str, seen: set[str], rarity: Rarity) -> dict[str, float]:
    """The topic words of `text` that the retrieved notes use, each weighted by its rarity in the store."""
    words = [w for w in dict.fromkeys(concept_words(text)) if w not in FRAME_WORDS and word_in(w, seen)]
    return {w: rarity.idf(w) for w in words}


def coverage(topic: dict[str, float], ev: Evidence) -> float:
    """Rarity-weighted share of the topic words a statement (with its label and section) uses."""
    total = sum(topic.values())
    if not total:
        return 0.0
    words = statement_words(ev)
    return sum(weight for w, weight in topic.items() if word_in(w, words)) / total


def core_words(text: str, seen: set[str], rarity: Rarity) -> set[str]:
    """The rarest topic word of `text` (a subject's name, say) and any nearly as rare."""
    topic = topic_words(text, seen, rarity)
    top = max(topic.values(), default=0.0)
    return {w for w, weight in topic.items() if weight >= top - SPREAD}


def on_topic(ev: Evidence, topic: dict[str, float], sides: set[str], closest: float) -> bool:
    """A statement about the question: enough of its rare words, a subject's name, or a meaning as
    close as the closest statement's."""
    return (not topic or coverage(topic, ev) >= ON_TOPIC or about(sides, ev) > 0
            or 0 < CLOSE * closest <= ev.cosine)


def build_card(query: str, scored: list[Evidence], rarity: Rarity) -> Card:
    """The answer card for a question from its scored evidence statements (best first)."""
    shape = question_shape(query)
    seen = set().union(*(statement_words(e) for e in scored)) if scored else set()
    topic = topic_words(query, seen, rarity)
    sides = set() if shape.kind not in ("choose", "contrast") else (
        core_words(shape.x, seen, rarity) | core_words(shape.y, seen, rarity))
    pool = [e for e in scored if len(e.sentence.split()) >= MIN_WORDS and not _SIGNPOST.search(e.sentence)]
    closest = max((e.cosine for e in pool), default=0.0)
    kept = [e for e in pool if on_topic(e, topic, sides, closest)] or pool[:3]
    tips = [e for e in kept if is_tip(e)]
    plain = [e for e in kept if not is_tip(e)] or kept
    card = Card(answer=direct_answer(query, shape, plain, rarity), contrast=shape.kind == "contrast")
    items = list_items(card.answer[0], scored) if card.answer else []
    # the first sentence's own passage is about the answer, even where it shares few of the question's
    # words (a long situation asks in its own words; the note answers in the service's)
    passage = [e for e in pool if card.answer and e.chunk_id == card.answer[0].chunk_id
               and not is_tip(e) and not any(e is p for p in plain)]
    card.facts = (items + key_facts(plain + passage, card.answer + items))[:max(MAX_FACTS, len(items))]
    # a tip is an extra: it must name the question's rarest subject word, not only share common ones
    core = core_words(query, seen, rarity)
    tips = [e for e in tips if about(core, e) > 0 and not any(e is a for a in card.answer)]
    card.tip = tips[0] if tips else None
    return card


def list_items(lead: Evidence, scored: list[Evidence], limit: int = MAX_ITEMS) -> list[Evidence]:
    """The list items a lead-in statement ('Model Monitor offers four kinds of monitoring:') opens."""
    if not lead.sentence.rstrip().endswith(":"):
        return []
    label = lead.sentence.rstrip().rstrip(":").strip()
    items = [e for e in scored if e.chunk_id == lead.chunk_id and e.label == label and e is not lead]
    return sorted(items, key=lambda e: e.position)[:limit]


def is_tip(ev: Evidence) -> bool:
    """A statement from an exam-trap or tip section, or one that says what the exam is after."""
    return bool(_TIP_HEADING.search(ev.heading.rsplit(">", 1)[-1] + " " + ev.label)
                or _TIP_TEXT.search(ev.sentence))


def lead_bonus(ev: Evidence, subject: set[str]) -> float:
    """Favour statements that open with their subject ('Pipe mode streams ...', a row named after it,
    a bullet under its label) and disfavour ones that open with a pronoun ('It ...')."""
    opening = set(concept_words(" ".join(ev.sentence.split()[:4])))
    label, section = set(concept_words(ev.label)), set(concept_words(section_of(ev)))
    if subject and any(word_in(w, opening) or word_in(w, label) for w in subject):
        # the section named after the subject holds its definition
        return LEAD_BONUS * (SECTION_BONUS if section and all(word_in(w, subject) for w in section) else 1.0)
    return 0.9 if ev.sentence.split()[0].lower() in _PRONOUNS else 1.0


def shape_bonus(ev: Evidence, shape: Shape, question: str) -> float:
    """How well a statement has the form the question asks for: a reason, a use, a number."""
    why = shape.kind == "why" or (shape.kind == "choose" and question.lower().startswith("why"))
    bonus = 1.15 if why and _WHY_WORDS.search(ev.sentence) else 1.0
    if shape.kind in ("when", "choose") and _USE_WORDS.search(ev.sentence):
        bonus *= 1.1
    if shape.kind == "amount" and (_DIGIT.search(ev.sentence) or ev.row):
        bonus *= 1.3
    if shape.kind in ("how", "why", "what", "define") and echoes_question(ev, question):
        bonus *= ROW_LEAD  # the row only names what the question already names; the prose explains it
    return bonus


def echoes_question(ev: Evidence, question: str) -> bool:
    """Whether a table row's last value ('... - choose: Ground Truth automated labeling') adds no word
    to the question."""
    value = set(content_words(ev.sentence.rsplit(":", 1)[-1])) if ev.row and ":" in ev.sentence else set()
    return bool(value) and value <= set(content_words(question))


def direct_answer(query: str, shape: Shape, plain: list[Evidence], rarity: Rarity) -> list[Evidence]:
    """The first sentences of the card, chosen for the kind of question."""
    if not plain:
        return []
    question = last_question(query)
    if shape.kind in ("choose", "contrast") and shape.x and shape.y:
        return _two_sides(shape, question, plain, rarity)
    seen = set().union(*map(statement_words, plain))
    focus = topic_words(question, seen, rarity)  # the last question's words: a follow-up's new aspect
    # a definition, or how a named thing works, opens with its subject ("Early stopping ...", not
    # "Warm start ..." from the same section)
    subject = core_words(question if shape.kind == "define" else shape.x, seen, rarity) if (
        shape.kind == "define" or shape.x) else set()
    ranked = sorted(plain, key=lambda e: e.score * (1 + FOCUS * coverage(focus, e)) * lead_bonus(e, subject)
                    * shape_bonus(e, shape, question), reverse=True)
    first = ranked[0]
    if first.sentence.rstrip().endswith(":"):
        return [first]  # a lead-in: its list items follow as the key facts
    # "X is ... [1]. It also ..." : the next statement that continues the first's subject comes along
    # a "how" question's answer goes on in the next sentence of the same passage, whatever its first word
    follow = next((e for e in plain if e.chunk_id == first.chunk_id and e.position == first.position + 1
                   and (e.sentence.split()[0].lower() in _PRONOUNS
                        or shape.kind == "how" and not opens_other_subject(e, question))), None)
    second = follow or next((e for e in ranked[1:] if _adds(e, [first]) and not e.sentence.rstrip().endswith(":")
                             and e.score >= FACT_FLOOR * first.score
                             and (shape.kind != "how" or not subject or names(subject, e))), None)
    return [first] + ([second] if second else [])


def _two_sides(shape: Shape, question: str, plain: list[Evidence], rarity: Rarity) -> list[Evidence]:
    """One statement about X (what it is for), one about Y, each not about the other side."""
    x_words, y_words = set(content_words(shape.x)), set(content_words(shape.y))
    x_own, y_own = (x_words - y_words) or x_words, (y_words - x_words) or y_words

    def rank(e: Evidence, own: set[str]) -> float:
        return e.score * (1 + 0.5 * about(own, e)) * lead_bonus(e, own) * shape_bonus(e, shape, question)

    def side(name: str, own: set[str], other: str) -> Evidence | None:
        fit = [e for e in plain if not e.sentence.rstrip().endswith(":")]
        fit = [e for e in fit if mentions(name, e)] or [e for e in fit if about(own, e) > 0]
        apart = [e for e in fit if not mentions(other, e)] or fit
        return max(apart, key=lambda e: rank(e, own), default=None)

    first = side(shape.x, x_own, shape.y) or plain[0]
    second = side(shape.y, y_own, shape.x)
    sides = [first] + ([second] if second and second is not first else [])
    both = [e for e in plain if mentions(shape.x, e) and mentions(shape.y, e)] if shape.kind == "contrast" else []
    best = max(both, key=lambda e: rank(e, x_own | y_own), default=None)
    if best and best.score >= BOTH_SHARE * first.score:  # one statement that contrasts the two
        return [best] + [e for e in sides if _adds(e, [best])][:1]
    return sides


def key_facts(plain: list[Evidence], used: list[Evidence], limit: int = MAX_FACTS) -> list[Evidence]:
    """Further on-topic statements, numbers and table rows first, without repeating the answer."""
    if not plain:
        return []
    best = max(e.score for e in plain)
    rest = [e for e in plain if e.score >= FACT_FLOOR * best and not any(e is u for u in used)
            and not e.sentence.rstrip().endswith(":")]
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
    text = readable(_TIP_PREFIX.sub("", ev.sentence) if tip else ev.sentence).strip()
    text = text.rstrip(" .;:,")
    first = text.split(" ", 1)[0]
    if first.isalpha() and first.islower():  # 'ml.inf2' or 'iam:PassRole' keep their case
        text = text[:1].upper() + text[1:]
    return f"{text} [{ev.n}]."
