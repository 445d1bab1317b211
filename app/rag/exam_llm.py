"""A capable model's opinion on an exam question, given each option's evidence, and how it combines
with the scorer's pick.

Only hosted models (openai/..., bedrock/...; providers.is_capable) are asked. The model answers in a
structured form (letters and one sentence); its pick and the scorer's are combined by Bayes' rule,
treating the model as right MODEL_ACCURACY of the time independently of the scorer. That figure is
an assumption, not a measurement (no hosted model was run in this project's evals).
"""

from __future__ import annotations

from dataclasses import dataclass
from math import comb
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from app.rag.exam import ExamQuestion, OptionScore

if TYPE_CHECKING:  # LangChain's model classes import its tracing stack (a second at start-up)
    from langchain_core.language_models import BaseChatModel

MODEL_ACCURACY = 0.85  # assumed chance a capable model's pick is right (see the module docstring)

EXAM_SYSTEM = (
    "You are a tutor for the AWS Certified Machine Learning Engineer - Associate exam. Choose the "
    "correct option(s) of the exam question. Under each option you get what the learner's notes say "
    "about it; use the notes and the scenario's constraints. Reply with the letters only from the "
    "options given, exactly as many as the question asks for, and one short sentence why.")
EXAM_HUMAN = "{question}\n\nChoose {picks} option(s).\n\n{options}"


class ModelPick(BaseModel):
    """The model's structured answer."""

    letters: list[str] = Field(description="the chosen option letter(s), e.g. [\"B\"]")
    reason: str = Field(description="one short sentence why")


@dataclass
class Combined:
    """The final pick after hearing the model, its confidence, and a line when the two disagree."""

    chosen: list[str]
    confidence: float
    note: str


def option_block(exam: ExamQuestion, scores: list[OptionScore]) -> str:
    """Each option with the notes' sentence about it (or that the notes say nothing about it)."""
    by_letter = {s.letter: s for s in scores}
    lines = []
    for letter, text in exam.options.items():
        best = by_letter[letter].best
        lines.append(f"{letter}) {text}\n   notes: {best.sentence if best else 'nothing about this option'}")
    return "\n".join(lines)


def ask_model(llm: BaseChatModel, exam: ExamQuestion, scores: list[OptionScore]) -> list[str] | None:
    """The model's letters, or None when its reply names no valid set of the asked size."""
    from langchain_core.prompts import ChatPromptTemplate  # lazy: only a capable model is asked

    prompt = ChatPromptTemplate.from_messages([("system", EXAM_SYSTEM), ("human", EXAM_HUMAN)])
    reply = (prompt | llm.with_structured_output(ModelPick)).invoke(
        {"question": exam.stem, "picks": exam.picks, "options": option_block(exam, scores)})
    letters = sorted({str(l).strip().upper().strip("()") for l in (reply.letters if reply else [])})
    if len(letters) != exam.picks or not set(letters) <= set(exam.options):
        return None
    return letters


def combine(chosen: list[str], confidence: float, model_pick: list[str] | None, n_options: int,
            model: str, accuracy: float = MODEL_ACCURACY) -> Combined:
    """Bayes' rule over "the scorer is right" and "the model is right" (independent; a wrong pick is
    any of the other sets of the same size with equal chance)."""
    if model_pick is None:
        return Combined(chosen, confidence, f"({model} gave no usable pick; the scorer's choice stands.)")
    others = max(comb(n_options, len(chosen)) - 1, 1)
    if model_pick == chosen:
        agree = confidence * accuracy
        return Combined(chosen, agree / (agree + (1 - confidence) * (1 - accuracy) / others),
                        f"({model} agrees.)")
    scorer_right, model_right = confidence * (1 - accuracy), (1 - confidence) * accuracy
    neither = (1 - confidence) * (1 - accuracy) * max(others - 1, 0) / others
    total = scorer_right + model_right + neither
    winner = model_pick if model_right > scorer_right else chosen
    note = (f"The model ({model}) and the notes-based scorer disagree: the model chose "
            f"{' and '.join(model_pick)}, the scorer {' and '.join(chosen)}; shown: {' and '.join(winner)}.")
    return Combined(winner, max(model_right, scorer_right) / total, note)
