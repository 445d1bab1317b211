"""Retrieval latency at 1k, 10k and 100k chunks: hybrid (ours) vs dense-only vs the tutorial search.

The synthetic corpus recombines sentences of the shipped notes with random words, so texts vary like
real notes. To keep the run short, chunk vectors are real note embeddings plus small random noise
(normalised) instead of 100k encoder calls; queries are embedded for real, so query latency includes
the encoder. Prints p50/p95 in ms per size and system, and writes benchmarks/out/retrieval.png.
"""

from __future__ import annotations

import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "1000,10000,100000").split(",")]
QUERIES = ["Which SageMaker option fits payloads of 500 MB?", "How do I detect data drift in production?",
           "When should I use Kinesis Data Firehose?", "What does SHAP explain?",
           "How do Spot training checkpoints work?", "Which encoding suits many categories?",
           "How do I keep S3 traffic private?", "What is a shadow test?"] * 5


def synthetic(n: int, sentences: list[str], vectors: np.ndarray, rng: random.Random):
    """n (text, vector) pairs built from real sentences and vectors."""
    words = " ".join(sentences).split()
    texts, vecs = [], []
    for i in range(n):
        picked = rng.sample(sentences, 4) + [" ".join(rng.sample(words, 12))]
        texts.append(" ".join(picked))
        v = vectors[i % len(vectors)] + np.random.default_rng(i).normal(0, 0.05, vectors.shape[1])
        vecs.append(v / np.linalg.norm(v))
    return texts, np.vstack(vecs)


def build(settings, texts, vecs) -> None:
    """Fill the collection and the BM25 index directly (the encoder is not what we time)."""
    from app.store import Store

    store = Store(settings)
    collection = store.collection
    for start in range(0, len(texts), 5000):
        ids = [f"c{i}" for i in range(start, min(start + 5000, len(texts)))]
        collection.add(ids=ids, documents=texts[start:start + 5000], embeddings=vecs[start:start + 5000].tolist(),
                       metadatas=[{"source": f"synthetic/{i // 10}.md", "domain": "D1"} for i in range(start, start + len(ids))])
    store.rebuild_bm25()


def latencies(fn) -> tuple[float, float]:
    """p50 and p95 in ms over the query list (after one warm-up call)."""
    fn(QUERIES[0])
    times = []
    for q in QUERIES:
        start = time.perf_counter()
        fn(q)
        times.append((time.perf_counter() - start) * 1000)
    return float(np.percentile(times, 50)), float(np.percentile(times, 95))


def main() -> None:
    """Measure each size and print the table."""
    from app.config import get_settings
    from app.providers import make_embeddings
    from app.rag.retrieval import HybridRetriever
    from app.store import Store
    from app.rag.text import split_sentences

    rng = random.Random(0)
    sentences = [s for p in (ROOT / "corpus").rglob("*.md") for s in split_sentences(p.read_text())]
    base = get_settings()
    emb = make_embeddings(base)
    vectors = np.asarray(emb.embed_documents(sentences[:400]))
    rows = []
    for n in SIZES:
        work = Path(tempfile.mkdtemp(prefix=f"bench-{n}-"))
        settings = get_settings(store_path=work / "store")
        texts, vecs = synthetic(n, sentences, vectors, rng)
        build(settings, texts, vecs)
        retriever = HybridRetriever(store=Store(settings))
        hybrid = latencies(lambda q: retriever.search(q, 5))
        dense = latencies(lambda q: retriever.search(q, 5, mode="dense"))
        tutorial = latencies(lambda q: retriever.store.vectorstore.similarity_search(q, k=4))
        rows.append((n, hybrid, dense, tutorial))
        shutil.rmtree(work, ignore_errors=True)
    print(f"{'chunks':>8s} {'hybrid p50/p95 ms':>20s} {'dense p50/p95':>16s} {'tutorial p50/p95':>18s}  target (hybrid p95)")
    for n, h, d, t in rows:
        target = {10000: "<= 50 ms", 100000: "<= 200 ms"}.get(n, "")
        print(f"{n:8d} {h[0]:9.1f}/{h[1]:<9.1f} {d[0]:7.1f}/{d[1]:<8.1f} {t[0]:8.1f}/{t[1]:<9.1f}  {target}")
    plot(rows)


def plot(rows) -> None:
    """Latency (p95) against corpus size for the three systems."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = ROOT / "benchmarks" / "out"
    out.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    sizes = [r[0] for r in rows]
    for i, name in enumerate(["hybrid (ours)", "dense only", "tutorial"]):
        ax.plot(sizes, [r[i + 1][1] for r in rows], marker="o", label=name)
    ax.set_xscale("log")
    ax.set_xlabel("chunks")
    ax.set_ylabel("p95 latency (ms)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "retrieval.png", dpi=110)


if __name__ == "__main__":
    main()
