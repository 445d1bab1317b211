"""Run a dataset through the tutor and the baselines, score every item, write results and report."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from app.config import Settings
from app.rag.chain import Tutor, load_tutor
from app.rag.prompts import SYSTEM_PROMPT
from evals import metrics as m
from evals.baselines import TutorialPipeline, dense_sources, sparse_sources
from evals.datasets import Item
from evals.report import write_report
from evals.summary import SYSTEMS, summarize

@dataclass
class EvalRun:
    """Rows of one eval run and their summary per system."""

    rows: list[dict] = field(default_factory=list)
    summary: dict[str, dict[str, float]] = field(default_factory=dict)
    seconds: float = 0.0
    gate_section: str | None = None  # the table of evals/gates.toml these items are checked against


ROOT = Path(__file__).resolve().parents[1]


def norm_source(source: str) -> str:
    """A stored source path in the dataset's form ('corpus/...', 'evals/fixtures/...'): relative to the
    repository when it lies inside it, else from its 'corpus/' folder on, else as stored."""
    root = ROOT.as_posix() + "/"
    if source.startswith(root):
        return source[len(root):]
    marker = source.find("corpus/")
    return source[marker:] if marker >= 0 else source


def score_answer(item: Item, answer: str, contexts: list[str], refused: bool,
                 choice: list[str] | None) -> dict[str, float]:
    """Answer metrics that apply to this item's kind."""
    scores: dict[str, float] = {}
    if item.kind == "mc":
        scores["mc_accuracy"] = m.choice_correct(choice, item.answer or [])
    if item.required_terms and item.kind in ("open", "followup"):
        scores["term_recall"] = m.term_recall(answer, item.required_terms)
        scores["first_sentence"] = m.first_sentence_term(answer, item.required_terms)
    scores["artefacts"] = float(bool(m.artefacts(answer)))
    if item.expect == "answer" and not refused:
        scores["faithfulness"] = m.faithfulness(answer, contexts, item.prompt())
        scores["citation_validity"] = m.citation_validity(answer, contexts)
    if item.expect == "no_leak":
        scores["leaks"] = float(m.leaks_prompt(answer, SYSTEM_PROMPT))
    return scores


def ask_ours(tutor: Tutor, item: Item) -> dict:
    """Our answer for one item, its latency and the texts of the chunks it cites."""
    history = [turn.model_dump() for turn in item.history or []]
    start = time.perf_counter()
    answer = tutor.ask(item.prompt(), history=history)
    latency = time.perf_counter() - start
    ids = [c.chunk_id for c in answer.citations]
    by_id = tutor.store.texts(ids)
    return {"result": answer.model_dump(), "latency_s": round(latency, 3),
            "contexts": [by_id.get(i, "") for i in ids]}


def retrieved_order(result: dict) -> list[dict]:
    """Every retrieved source of an answer in retrieval order: the cited ones (`citations`, numbered by
    first use) and the rest (`more_sources`), sorted back by their retrieval rank."""
    sources = result["citations"] + result.get("more_sources", [])
    return sorted(sources, key=lambda c: c.get("rank") or c["n"])


def run_item(tutor: Tutor, item: Item, tutorial: TutorialPipeline | None, k: int) -> dict:
    """One results row: our full answer object, retrieved ids, every metric, and the baselines."""
    ours = ask_ours(tutor, item)
    result = ours["result"]
    row = {"id": item.id, "domain": item.domain, "kind": item.kind, "expect": item.expect,
           "style": item.style or "-",
           "result": result, "retrieved": [c["chunk_id"] for c in retrieved_order(result)],
           "latency_s": ours["latency_s"], "relevant": item.relevant_sources or []}
    row["sources"] = {"ours": [norm_source(c["source"]) for c in retrieved_order(result)[:k]]}
    row["metrics"] = {"ours": score_answer(item, result["answer"], ours["contexts"], result["refused"],
                                           result.get("choice"))}
    query = item.prompt()
    row["sources"]["bm25"] = [norm_source(s) for s in sparse_sources(tutor.retriever, query, k)[0]]
    row["sources"]["dense"] = [norm_source(s) for s in dense_sources(tutor.retriever, query, k)[0]]
    if tutorial is not None:
        row.update(run_tutorial(tutorial, item, row))
    return row


def run_tutorial(tutorial: TutorialPipeline, item: Item, row: dict) -> dict:
    """The tutorial pipeline's answer and scores for one item (merged into the row)."""
    sources, texts = tutorial.retrieve(item.prompt())
    row["sources"]["tutorial"] = [norm_source(s) for s in sources]
    answer = tutorial.answer(item.prompt(), texts) if tutorial.chain is not None else ""
    picks = len(item.answer or []) or 1
    choice = m.parse_letters(answer, list(item.choices or {}), picks) if item.choices else None
    refused = m.is_refusal_text(answer)
    row["metrics"]["tutorial"] = score_answer(item, answer, texts, refused, choice)
    return {"tutorial_answer": answer, "tutorial_refused": refused}


def add_retrieval(rows: list[dict], k: int) -> None:
    """Retrieval metrics per row and system, computed with ranx on the ranked sources."""
    answerable = [r for r in rows if r["relevant"]]
    relevant = {r["id"]: r["relevant"] for r in answerable}
    for system in SYSTEMS:
        ranked = {r["id"]: r["sources"][system] for r in answerable if system in r["sources"]}
        if not ranked:
            continue
        scores = m.retrieval_scores(relevant, ranked, k)
        for r in answerable:
            if system in r["sources"]:
                r["metrics"].setdefault(system, {}).update(scores.get(r["id"], {}))


def run_eval(settings: Settings, items: list[Item], out: Path, provider: str | None = None,
             baselines: bool = True, tutorial_answers: bool = True, show_bar: bool = True,
             progress=None, gate_section: str | None = None) -> EvalRun:
    """Score `items` with our pipeline and the baselines; write results.jsonl and the report."""
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    tutor = load_tutor(settings, provider)
    tutorial = None
    if baselines:
        llm = tutor.llm if tutorial_answers else None
        tutorial = TutorialPipeline(settings.corpus_path, out / "tutorial-store",
                                    tutor.store.embeddings, llm)
    rows = []
    for item in tqdm(items, desc="eval", unit="item", disable=not show_bar):
        rows.append(run_item(tutor, item, tutorial, settings.k))
        if progress:
            progress(len(rows), len(items))
    add_retrieval(rows, settings.k)
    summaries = {s: summarize(rows, s, floor=True) for s in SYSTEMS if any(s in r["metrics"] for r in rows)}
    run = EvalRun(rows, summaries, time.perf_counter() - start, gate_section)
    with (out / "results.jsonl").open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    (out / "summary.json").write_text(json.dumps({"model": tutor.model, "items": len(rows),
                                                  "seconds": run.seconds, "summary": run.summary}, indent=1))
    write_report(run, out, model=tutor.model)
    return run
