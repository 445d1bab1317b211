"""Embedding backends side by side: torch (today's default) vs ONNX vs ONNX int8, exported locally.

Nothing is fetched (HF_HUB_OFFLINE=1): every ONNX model is exported from the bundled all-MiniLM-L6-v2
weights into a temporary folder.
  onnx fp32 / int8       torch.onnx.export of the bundled BertModel, run by onnxruntime (already a
                         dependency through chromadb) with its tokenizer.json, mean pooling and
                         normalisation as in the model's sentence-transformers config; int8 by
                         onnxruntime's quantize_dynamic.
  st-onnx fp32 / int8    SentenceTransformer(path, backend="onnx") and export_dynamic_quantized_onnx_model,
                         only where `optimum.onnxruntime` imports: optimum-onnx needs transformers<4.58,
                         sentence-transformers 6 needs >=5, so this runs in a side virtualenv (README).
In one run, interleaved `--repeats` times: encode time of every chunk of the shipped corpus (batch 64,
length-sorted, normalised, as ingest does) and single-query latency. Retrieval quality per backend:
hit@5 and MRR@5 (ranx, evals/metrics.py) over the dev set's answerable items with dense retrieval
(exact cosine over the chunk vectors, near duplicates dropped as in app/retrieval.py).
Full runs also put the whole dev set through our pipeline with the fake LLM once per backend (torch,
onnx int8), each with its own freshly ingested store: multiple-choice accuracy, refusals and hybrid
retrieval do not involve the LLM, so they show the backend's effect on the product.
Writes benchmarks/out/embed-backends.png.
Usage: .venv/bin/python benchmarks/embed_backend_bench.py [--quick] [--repeats 3] [--no-pipeline]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import NOISE, ingest_corpus, make_work_settings, new_axes, p50_p95, save_figure, timed  # noqa: E402
from onnx_backends import BATCH, OnnxLangChainEmbeddings, SentenceTransformerBackend, load_manual  # noqa: E402

EQUAL = 0.01  # hit@5 and MRR@5 at most this much below torch count as equal quality (2 of ~200 items)


def corpus_chunks() -> tuple[list[str], list[dict]]:
    """Texts and metadata of every chunk of the shipped corpus, as `tutor ingest` stores them."""
    from app.store.chroma import get_all, open_collection

    work, _ = ingest_corpus("bench-onnx-store-")
    try:
        data = get_all(open_collection(make_work_settings(work)), ["documents", "metadatas"])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return data["documents"], data["metadatas"]


def load_st_onnx(folder: Path, models: dict) -> str:
    """sentence-transformers' own ONNX export and int8 export, when optimum is importable."""
    try:
        import optimum.onnxruntime  # noqa: F401
    except ImportError:
        return "st-onnx skipped: optimum-onnx is not installed here (it needs transformers<4.58)"
    from sentence_transformers import SentenceTransformer, export_dynamic_quantized_onnx_model

    kwargs = {"provider": "CPUExecutionProvider"}  # the first available provider may be Azure's
    export_s, onnx = timed(lambda: SentenceTransformer(str(folder), device="cpu", backend="onnx", model_kwargs=kwargs))
    onnx.save_pretrained(str(folder))
    models["st-onnx fp32"] = timed(lambda: SentenceTransformerBackend(SentenceTransformer(
        str(folder), device="cpu", backend="onnx", model_kwargs=kwargs)))[::-1]
    config = "avx512_vnni" if "avx512_vnni" in Path("/proc/cpuinfo").read_text() else "avx2"
    quant_s, _ = timed(lambda: export_dynamic_quantized_onnx_model(onnx, config, str(folder)))
    name = f"onnx/model_qint8_{config}.onnx"
    models[f"st-onnx int8 {config}"] = timed(lambda: SentenceTransformerBackend(SentenceTransformer(
        str(folder), device="cpu", backend="onnx", model_kwargs={**kwargs, "file_name": name})))[::-1]
    return f"st-onnx: export {export_s:.1f} s, int8 ({config}) {quant_s:.1f} s"


def load_backends(folder: Path) -> dict[str, tuple[object, float]]:
    """name -> (backend, seconds to load it); the bundled model is copied to `folder` first."""
    from sentence_transformers import SentenceTransformer

    from app.providers import bundled_embedding_path

    shutil.copytree(bundled_embedding_path(), folder)
    models = {"torch (default)": timed(lambda: SentenceTransformerBackend(
        SentenceTransformer(str(folder), device="cpu")))[::-1]}
    load_manual(folder, models)
    print(load_st_onnx(folder, models))
    return models


def measure_speed(models: dict, texts: list[str], queries: list[str], repeats: int) -> dict[str, dict]:
    """Encode seconds (every repeat) and single-query ms per backend, interleaved so load hits all alike."""
    for model, _ in models.values():
        model.encode(texts[:BATCH])  # warm-up
    speed = {name: {"encode": [], "query": []} for name in models}
    for _ in range(repeats):
        for name, (model, _) in models.items():
            speed[name]["encode"].append(timed(lambda: model.encode(texts))[0])
            for q in queries:
                speed[name]["query"].append(timed(lambda: model.encode([q]))[0] * 1000)
    return speed


def dense_sources(chunk_vecs: np.ndarray, query_vecs: np.ndarray, texts: list[str], metas: list[dict],
                  k: int = 5) -> list[list[str]]:
    """Top-k sources per query by exact cosine, near-duplicate chunks dropped as the retriever does."""
    from app.rag.retrieval import Hit, dedupe

    out = []
    for scores in query_vecs @ chunk_vecs.T:
        top = np.argsort(-scores)[: max(k * 4, 20)]
        hits = dedupe([Hit(str(i), texts[i], metas[i], score=float(scores[i])) for i in top])[:k]
        out.append([h.metadata["source"] for h in hits])
    return out


def measure_quality(models: dict, texts: list[str], metas: list[dict], items: list) -> dict[str, dict]:
    """hit@5 and MRR@5 over the answerable items, top-5 agreement and chunk-vector cosine vs torch."""
    from evals.metrics import retrieval_scores
    from evals.run import norm_source

    relevant = {i.id: i.relevant_sources for i in items}
    quality, reference = {}, None
    for name, (model, _) in models.items():
        chunk_vecs, query_vecs = model.encode(texts), model.encode([i.prompt() for i in items])
        ranked = dense_sources(chunk_vecs, query_vecs, texts, metas)
        scores = retrieval_scores(relevant, {i.id: [norm_source(s) for s in r] for i, r in zip(items, ranked)})
        reference = reference or (chunk_vecs, ranked)
        quality[name] = {"hit": float(np.mean([s["hit_rate"] for s in scores.values()])),
                         "mrr": float(np.mean([s["mrr"] for s in scores.values()])),
                         "cos": float(np.mean(np.sum(chunk_vecs * reference[0], axis=1))),
                         "same_top5": float(np.mean([a == b for a, b in zip(ranked, reference[1])]))}
    return quality


def eval_pipeline(models: dict, items: list) -> dict[str, dict]:
    """The whole dev set through our pipeline with the fake LLM, per backend (store built with it).

    Multiple-choice answers, refusals and retrieval do not involve the LLM, so these numbers are the
    embedding backend's effect on the product; the LLM-dependent metrics are left out.
    """
    import app.providers as providers
    from evals.run import run_eval

    original, out = providers._cached_st_embeddings, {}
    try:
        for name in ("torch (default)", "onnx int8"):
            if name not in models:
                continue
            model = models[name][0]
            if name != "torch (default)":  # every make_embeddings() call now returns this backend
                providers._cached_st_embeddings = lambda path, m=model: OnnxLangChainEmbeddings(m)
            out[name] = eval_with_store(items, run_eval)
    finally:
        providers._cached_st_embeddings = original
    return out


def eval_with_store(items: list, run_eval) -> dict:
    """Ingest the corpus into a fresh store and run the eval there; (summary of ours, seconds)."""
    work, _ = ingest_corpus("bench-onnx-eval-")
    cwd = os.getcwd()
    os.chdir(work)
    try:
        seconds, run = timed(lambda: run_eval(make_work_settings(work), items, work / "eval-out", "fake",
                                              baselines=False, show_bar=False))
    finally:
        os.chdir(cwd)
        shutil.rmtree(work, ignore_errors=True)
    return {**run.summary["ours"], "dense_hit": run.summary["dense"]["hit_rate"],
            "dense_mrr": run.summary["dense"]["mrr"], "seconds": seconds}


def print_pipeline(pipe: dict, n_items: int) -> None:
    """Our pipeline's LLM-independent metrics per embedding backend."""
    print(f"\nwhole pipeline, fake LLM, {n_items} dev items, store ingested with each backend")
    cols = [("mc_accuracy", "MC acc"), ("hit_rate", "hybrid hit@5"), ("mrr", "hybrid MRR@5"),
            ("dense_hit", "dense hit@5"), ("dense_mrr", "dense MRR@5"), ("refusal_precision", "refusal P"),
            ("refusal_recall", "refusal R"), ("false_refusal", "false refusal"), ("seconds", "eval s")]
    print(f"{'backend':18s} " + " ".join(f"{label:>13s}" for _, label in cols))
    for name, summary in pipe.items():
        print(f"{name:18s} " + " ".join(f"{summary.get(key, float('nan')):13.3f}" for key, _ in cols))
    print(pipeline_verdict(pipe))


def pipeline_verdict(pipe: dict) -> str:
    """Whether int8 matches torch on the product: no MC item lost, no answerable question refused."""
    ref, alt = pipe.get("torch (default)"), pipe.get("onnx int8")
    if not (ref and alt):
        return "pipeline verdict: not measured"
    same = (alt["mc_accuracy"] >= ref["mc_accuracy"] - 1e-9
            and alt.get("false_refusal", 0.0) <= ref.get("false_refusal", 0.0) + 1e-9)
    return ("pipeline verdict: onnx int8 matches torch; it can be the default" if same else
            f"pipeline verdict: onnx int8 is worse on the product (MC {alt['mc_accuracy']:.3f} vs "
            f"{ref['mc_accuracy']:.3f}, false refusals {alt.get('false_refusal', 0.0):.3f} vs "
            f"{ref.get('false_refusal', 0.0):.3f}); torch stays the default")


def print_table(models: dict, speed: dict, quality: dict, n_chunks: int, n_items: int) -> None:
    """One row per backend: load, encode, ratio, query latency, quality and agreement with torch."""
    base = np.median(speed["torch (default)"]["encode"])
    repeats = len(next(iter(speed.values()))["encode"])
    print(f"\nembedding backends: {n_chunks} corpus chunks encoded, {repeats} repeat(s) interleaved; quality over "
          f"{n_items} answerable dev items (dense retrieval, k=5)")
    print(f"{'backend':24s} {'load s':>7s} {'encode s (median)':>18s} {'/ torch':>8s} {'query p50/p95 ms':>17s} "
          f"{'hit@5':>6s} {'MRR@5':>6s} {'cos vs torch':>13s} {'same top-5':>10s}")
    for name, (_, load_s) in models.items():
        s, q = speed[name], quality[name]
        enc, qp = np.median(s["encode"]), p50_p95(s["query"])
        print(f"{name:24s} {load_s:7.2f} {enc:18.2f} {enc / base:8.2f} {qp[0]:8.1f}/{qp[1]:<8.1f} "
              f"{q['hit']:6.3f} {q['mrr']:6.3f} {q['cos']:13.4f} {q['same_top5']:10.2f}")
    print(f"(torch threads: {torch_threads()}; onnxruntime: its default intra-op threads; equal quality = "
          f"hit@5 and MRR@5 no more than {EQUAL} below torch)")
    print(recommend(speed, quality, base))


def torch_threads() -> int:
    """Threads torch uses for inference."""
    import torch

    return torch.get_num_threads()


def recommend(speed: dict, quality: dict, base: float) -> str:
    """The fastest backend whose quality equals torch's, in one line."""
    ref = quality["torch (default)"]
    equal = [n for n, q in quality.items() if q["hit"] >= ref["hit"] - EQUAL and q["mrr"] >= ref["mrr"] - EQUAL]
    best = min(equal, key=lambda n: np.median(speed[n]["encode"]))
    ratio = np.median(speed[best]["encode"]) / base
    if best == "torch (default)" or ratio > 0.9:
        return f"retrieval verdict: no equal-quality backend is clearly faster (best: {best}, {ratio:.2f} x torch's time)"
    return (f"retrieval verdict: {best} encodes in {ratio:.2f} x torch's time at equal retrieval quality; "
            "a new default also needs the whole-pipeline check (full run) to match torch")


def plot_speed(speed: dict) -> Path:
    """Encode seconds per backend (every repeat as a dot, the median as a bar)."""
    fig, ax = new_axes(6.5, 3.4)
    names = list(speed)
    ax.bar(range(len(names)), [np.median(speed[n]["encode"]) for n in names], color="C0", alpha=0.6)
    for i, n in enumerate(names):
        ax.scatter([i] * len(speed[n]["encode"]), speed[n]["encode"], color="black", s=10)
    ax.set_xticks(range(len(names)), names, fontsize=8, rotation=15)
    ax.set_ylabel("seconds to encode the corpus")
    return save_figure(fig, "embed-backends.png")


def main() -> None:
    """Export, measure speed and quality, print the table."""
    from evals.datasets import DEV_SET, load_items

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one repeat, a third of the dev items")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-pipeline", action="store_true", help="skip the whole-pipeline eval per backend")
    args = parser.parse_args()
    every = load_items(DEV_SET)
    items = [i for i in every if i.relevant_sources and i.expect == "answer"]
    items = items[::3] if args.quick else items
    texts, metas = corpus_chunks()
    folder = Path(tempfile.mkdtemp(prefix="bench-onnx-")) / "all-MiniLM-L6-v2"
    try:
        models = load_backends(folder)
        speed = measure_speed(models, texts, [i.question for i in items[:40]], 1 if args.quick else args.repeats)
        quality = measure_quality(models, texts, metas, items)
        pipe = {} if args.no_pipeline or args.quick else eval_pipeline(models, every)
    finally:
        shutil.rmtree(folder.parent, ignore_errors=True)
    print(f"({NOISE})")
    print_table(models, speed, quality, len(texts), len(items))
    if pipe:
        print_pipeline(pipe, len(every))
    print(f"plot: {plot_speed(speed)}")


if __name__ == "__main__":
    main()
