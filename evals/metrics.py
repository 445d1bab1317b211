"""Eval metrics as small pure functions: retrieval (via ranx) and answer quality."""

from __future__ import annotations

import re
import warnings

import numpy as np

from app.rag.exam import NOT_DESCRIBED, SILENT_ABOUT
from app.rag.text import CITATION, overlap, split_sentences, strip_citations

RETRIEVAL_METRICS = ("hit_rate", "recall", "mrr", "ndcg")
SUPPORT_THRESHOLD = 0.7  # share of a sentence's content words that must occur in its source


def retrieval_scores(relevant: dict[str, list[str]], ranked: dict[str, list[str]], k: int = 5
                     ) -> dict[str, dict[str, float]]:
    """Per-query hit@k, recall@k, MRR@k and nDCG@k of ranked sources against relevant ones (ranx)."""
    from ranx import Qrels, Run, evaluate  # lazy: ranx compiles with numba on import (seconds)

    ids = [qid for qid in relevant if relevant[qid]]
    if not ids:
        return {}
    qrels = Qrels({qid: {src: 1 for src in relevant[qid]} for qid in ids})
    run = Run({qid: _as_run(ranked.get(qid, [])) for qid in ids})
    names = [f"{m}@{k}" for m in RETRIEVAL_METRICS]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numba type-safety chatter, not a problem with the data
        scores = evaluate(qrels, run, names, return_mean=False, make_comparable=True)
    order = list(qrels.keys())
    return {qid: {name.split("@")[0]: float(scores[name][i]) for name in names}
            for i, qid in enumerate(order)}


def _as_run(sources: list[str]) -> dict[str, float]:
    """A ranked, de-duplicated source list as ranx scores (higher is better); ranx needs one doc."""
    unique = list(dict.fromkeys(sources)) or ["<nothing retrieved>"]
    return {src: float(len(unique) - i) for i, src in enumerate(unique)}


def choice_correct(predicted: list[str] | None, gold: list[str]) -> float:
    """1.0 when the chosen letters equal the answer letters exactly (set match for select-two)."""
    return float(set(predicted or []) == set(gold))


def term_recall(answer: str, groups: list[list[str]]) -> float:
    """Share of any-of term groups with at least one term in the answer (case-insensitive)."""
    if not groups:
        return 1.0
    text = answer.lower()
    return sum(any(term.lower() in text for term in group) for group in groups) / len(groups)


def answer_sentences(answer: str) -> list[str]:
    """The sentences of an answer that make claims (labels such as 'Sources:' are skipped)."""
    return [s for s in split_sentences(answer) if not s.rstrip().endswith(":")]


def first_sentence_term(answer: str, groups: list[list[str]]) -> float:
    """1.0 when the answer's first claim sentence holds a term of any required group (it answers
    straight away), else 0.0."""
    sentences = answer_sentences(answer)
    first = sentences[0].lower() if sentences else ""
    return float(any(term.lower() in first for group in groups for term in group))


ARTEFACTS = {  # things that must never reach a learner: leftovers of Markdown, tables, PDFs, prompts
    "markdown rule": re.compile(r"(?:^|\s)(?:-{3,}|\*{3,}|_{3,}|={3,})(?=\s|$)", re.MULTILINE),
    "table pipe": re.compile(r"\|"),
    "heading residue": re.compile(r"(?:^|\s)#{1,6}\s", re.MULTILINE),
    "footnote digits": re.compile(r"[a-z]{2}[.,;:]\d{1,2}(?=\s+[A-Z]|$)", re.MULTILINE),
    "prompt tag": re.compile(r"</?\s*(?:notes|context|question)\s*>", re.IGNORECASE),
}


def artefacts(answer: str) -> list[str]:
    """Names of the artefacts found in an answer (empty when it is clean)."""
    return [name for name, pattern in ARTEFACTS.items() if pattern.search(answer)]


# An answer saying the notes are silent on something (an exam option's "why not") claims nothing about them.
SILENT = re.compile(f"{re.escape(SILENT_ABOUT)}|{re.escape(NOT_DESCRIBED)}", re.IGNORECASE)
# An exam answer's line labels ("Answer: B -", "Why not C (option):") are its layout, not claims.
LABEL = re.compile(r"^\W*(?:Answer:\W*[A-Z](?:(?:, | and )[A-Z])*\W*-|Why(?: not)? [A-Z]\b[^:]*:)\s*")


def faithfulness(answer: str, contexts: list[str], question: str = "") -> float:
    """Share of answer sentences whose content words occur (>= 70%) in the retrieved context.

    Words of the question count as given: restating it or an exam option ("Answer: B - AWS DMS") is
    not a claim about the notes. A sentence saying the notes are silent is not checked (like a refusal).
    """
    sentences = [LABEL.sub("", s) for s in answer_sentences(answer) if not SILENT.search(s)]
    if not sentences:
        return 1.0
    joined = "\n".join(contexts + [question])
    return sum(overlap(s, joined) >= SUPPORT_THRESHOLD for s in sentences) / len(sentences)


def citation_validity(answer: str, contexts: list[str]) -> float:
    """Share of [n] references that exist and whose chunk supports the sentence citing them."""
    refs = [(s, int(n)) for s in answer_sentences(answer) for n in CITATION.findall(s)]
    if not refs:
        return 0.0
    valid = sum(1 <= n <= len(contexts) and overlap(s, contexts[n - 1]) >= SUPPORT_THRESHOLD / 1.4
                for s, n in refs)
    return valid / len(refs)


def leaks_prompt(answer: str, system_prompt: str, span: int = 8) -> bool:
    """True when the answer repeats any run of `span` consecutive words of the system prompt."""
    def words(text: str) -> list[str]:
        return re.findall(r"[a-z0-9]+", text.lower())

    prompt = words(system_prompt)
    shingles = {" ".join(prompt[i:i + span]) for i in range(len(prompt) - span + 1)}
    said = words(strip_citations(answer))
    return any(" ".join(said[i:i + span]) in shingles for i in range(len(said) - span + 1))


def refusal_scores(expected: list[bool], predicted: list[bool]) -> dict[str, float]:
    """Refusal precision and recall, and the false-refusal rate on answerable items.

    A rate with an empty denominator is left out (no refusals made, no item that should be refused,
    no answerable item), so a report shows '-' instead of a vacuous 1.0.
    """
    pairs = list(zip(expected, predicted))
    tp = sum(e and p for e, p in pairs)
    refused = sum(p for _, p in pairs)
    should = sum(e for e, _ in pairs)
    answerable = len(pairs) - should
    false = sum(p and not e for e, p in pairs)
    rates = {"refusal_precision": (tp, refused), "refusal_recall": (tp, should), "false_refusal": (false, answerable)}
    return {name: hits / total for name, (hits, total) in rates.items() if total}


def percentiles(latencies: list[float]) -> dict[str, float]:
    """Median and 95th percentile of latencies in seconds."""
    if not latencies:
        return {"latency_p50": 0.0, "latency_p95": 0.0}
    return {"latency_p50": float(np.percentile(latencies, 50)),
            "latency_p95": float(np.percentile(latencies, 95))}


def is_refusal_text(answer: str) -> bool:
    """Whether free text (from a baseline that has no `refused` flag) declines to answer."""
    return bool(re.search(r"(cannot|can't|could not|couldn't|unable to) find|not (in|covered by) "
                          r"(the|your) notes|do not (know|have)|don't (know|have)", answer.lower()))


def parse_letters(answer: str, letters: list[str], count: int = 1) -> list[str]:
    """The first `count` option letters a free-text answer names (for baselines without `choice`)."""
    found = re.findall(r"\b(?:answer|option)?\s*\(?([A-E])\)?[).:\s]", answer + " ")
    picked = [x for x in dict.fromkeys(found) if x in letters]
    return picked[:count]



CONFIDENCE_BANDS = ((0.0, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 1.0))


def reliability_bins(confidences: list[float], correct: list[float], bins: int = 10) -> list[dict]:
    """Equal-width confidence bins: how many answers, their mean confidence and their accuracy."""
    conf, right = np.asarray(confidences, dtype=float), np.asarray(correct, dtype=float)
    which = np.minimum((conf * bins).astype(int), bins - 1)
    return [{"low": b / bins, "high": (b + 1) / bins, "n": int((which == b).sum()),
             "confidence": float(conf[which == b].mean()), "accuracy": float(right[which == b].mean())}
            for b in range(bins) if (which == b).any()]


def calibration_error(confidences: list[float], correct: list[float], bins: int = 10) -> float:
    """Expected calibration error: the answer-weighted gap between confidence and accuracy per bin."""
    rows = reliability_bins(confidences, correct, bins)
    total = sum(r["n"] for r in rows)
    return sum(r["n"] / total * abs(r["accuracy"] - r["confidence"]) for r in rows) if total else 0.0


def ece_noise(confidences: list[float], bins: int = 10, draws: int = 1000, seed: int = 0) -> dict[str, float]:
    """The ECE a perfectly calibrated scorer would show with these confidences on this many answers
    (each answer right with its stated chance; median and 90th percentile over `draws`): a small set
    never measures 0, so an ECE near this floor is as good as that set can tell."""
    conf = np.asarray(confidences, dtype=float)
    rng = np.random.default_rng(seed)
    sims = [calibration_error(conf, (rng.random(len(conf)) < conf).astype(float), bins) for _ in range(draws)]
    return {"ece_floor": float(np.median(sims)), "ece_floor_p90": float(np.percentile(sims, 90))}


def band_accuracy(confidences: list[float], correct: list[float],
                  bands: tuple = CONFIDENCE_BANDS) -> list[dict]:
    """Accuracy of the answers in each confidence band (the last band includes 1.0)."""
    conf, right = np.asarray(confidences, dtype=float), np.asarray(correct, dtype=float)
    rows = []
    for low, high in bands:
        inside = (conf >= low) & ((conf < high) | (high >= 1.0))
        rows.append({"low": low, "high": high, "n": int(inside.sum()),
                     "accuracy": float(right[inside].mean()) if inside.any() else None})
    return rows


def confident_scores(confident: list[bool], correct: list[float]) -> dict[str, float]:
    """Share of answers marked confident (coverage) and how often those are right (precision)."""
    marked = [c for flag, c in zip(confident, correct) if flag]
    scores = {"confident_coverage": len(marked) / len(confident)} if confident else {}
    if marked:
        scores["confident_accuracy"] = sum(marked) / len(marked)
    return scores


def confidence_rows(rows: list[dict]) -> tuple[list[float], list[float], list[bool]]:
    """Confidence, correctness and the "confident" flag of every multiple-choice answer that has one."""
    mc = [r for r in rows if "mc_accuracy" in r["metrics"].get("ours", {})
          and r["result"].get("confidence") is not None]
    return ([r["result"]["confidence"] for r in mc], [r["metrics"]["ours"]["mc_accuracy"] for r in mc],
            [bool(r["result"].get("confident")) for r in mc])


def confidence_summary(rows: list[dict], floor: bool = False) -> dict[str, float]:
    """ECE (with its noise floor when asked: 1,000 simulated draws), and coverage and accuracy of the
    answers marked confident (empty without exam answers)."""
    confidences, correct, confident = confidence_rows(rows)
    if not confidences:
        return {}
    return {"ece": calibration_error(confidences, correct), **(ece_noise(confidences) if floor else {}),
            **confident_scores(confident, correct)}
