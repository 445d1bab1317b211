"""Embedding backends for the backend benchmark: sentence-transformers, and onnxruntime on a local export.

The ONNX model is exported from the bundled all-MiniLM-L6-v2 weights (torch.onnx.export, nothing
fetched) and quantized to int8 by onnxruntime's quantize_dynamic.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from pathlib import Path

import numpy as np

from bench_common import timed

from app.embeddings import OnnxEmbeddings as OnnxBackend  # the product's onnxruntime encoder
from app.embeddings import export_onnx  # the product's export (what `make install` ships)

BATCH = 64


class SentenceTransformerBackend:
    """A sentence-transformers model (torch, or ONNX through optimum) behind one `encode`."""

    def __init__(self, model):
        self.model = model

    def encode(self, texts: list[str]) -> np.ndarray:
        """Normalised embeddings, batch 64, as ingest computes them."""
        return self.model.encode(texts, batch_size=BATCH, normalize_embeddings=True, show_progress_bar=False)


class OnnxLangChainEmbeddings:
    """An OnnxBackend behind LangChain's Embeddings interface (what app/providers.py hands out)."""

    def __init__(self, backend: OnnxBackend):
        self.backend = backend

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Document vectors as lists."""
        return self.backend.encode(list(texts)).tolist() if texts else []

    def embed_query(self, text: str) -> list[float]:
        """One query vector as a list."""
        return self.backend.encode([text])[0].tolist()


@contextlib.contextmanager
def quiet_logs():
    """Silence Python warnings and log records below ERROR for the duration (export and quantization)."""
    logging.disable(logging.WARNING)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logging.disable(logging.NOTSET)


def quantize_onnx(source: Path, target: Path) -> Path:
    """Dynamic int8 quantization (per-channel int8 weights, uint8 activations) by onnxruntime."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with quiet_logs():  # "consider pre-processing": shape inference adds nothing for this model
        quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8, per_channel=True)
    return target


def load_manual(folder: Path, models: dict) -> None:
    """Export, quantize and load the onnxruntime backends (timings printed)."""
    with quiet_logs():  # the exporter's tracer warnings say nothing about this model
        export_s, fp32 = timed(lambda: export_onnx(folder, folder / "manual" / "model.onnx"))
    quant_s, int8 = timed(lambda: quantize_onnx(fp32, folder / "manual" / "model_int8.onnx"))
    print(f"torch.onnx export: {export_s:.1f} s; int8 quantization: {quant_s:.1f} s; "
          f"sizes fp32 {disk_mb(fp32.parent, 'model.onnx'):.0f} MB, int8 {disk_mb(int8.parent, 'model_int8.onnx'):.0f} MB")
    models["onnx fp32"] = timed(lambda: OnnxBackend(fp32, folder))[::-1]
    models["onnx int8"] = timed(lambda: OnnxBackend(int8, folder))[::-1]


def disk_mb(folder: Path, stem: str) -> float:
    """Size of an ONNX file plus its external-data file, in MB."""
    return sum(p.stat().st_size for p in folder.glob(stem + "*")) / 1e6
