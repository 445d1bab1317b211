"""Terms named in the notes: what kind of thing each is, how to show it, and whether it reads well.

Distractors must be of the same kind as the answer (services against services, metrics against
metrics), so every term gets a kind from a few rules: known algorithm, metric and format names, a
cloud product name (an "Amazon"/"AWS"/"SageMaker" prefix or a Title Case name), else a concept.
"""

from __future__ import annotations

import re
from functools import lru_cache

from app.rag.text import content_words

PREFIXES = ("Amazon SageMaker ", "Amazon ", "AWS ", "SageMaker ")
ALGORITHMS = {
    "xgboost", "linear learner", "k-means", "k-nn", "knn", "k-nearest neighbors", "factorization machines",
    "random cut forest", "principal component analysis", "pca", "ip insights", "blazingtext",
    "sequence-to-sequence", "latent dirichlet allocation", "lda", "neural topic model", "ntm", "object2vec",
    "image classification", "object detection", "semantic segmentation", "deepar", "lightgbm", "catboost",
    "tabtransformer", "autogluon-tabular"}
METRIC_WORDS = {
    "accuracy", "precision", "recall", "f1", "auc", "roc", "pr", "rmse", "mae", "mse", "r-squared", "r2",
    "log", "loss", "specificity", "sensitivity", "mape", "perplexity", "bleu", "rouge", "score", "error",
    "mean", "absolute", "squared", "root", "percentage", "rate", "true", "false", "positive", "negative",
    "curve", "area", "under", "the", "cross-entropy", "harmonic"}
METRIC_CORE = {"accuracy", "precision", "recall", "f1", "auc", "rmse", "mae", "mse", "r-squared", "r2",
               "loss", "specificity", "sensitivity", "mape", "perplexity", "bleu", "rouge", "error"}
FORMATS = {"parquet", "apache parquet", "orc", "apache orc", "avro", "apache avro", "csv", "json lines",
           "json", "recordio-protobuf", "recordio", "tfrecord"}
# Names whose kind the Title Case rule cannot tell apart from a product name
GENERIC_TITLES = {"how to decide", "exam traps", "comparison table", "what it is", "when to use it",
                  "overview", "summary", "key facts", "limits"}
ACRONYM = re.compile(r"^[A-Z0-9][A-Z0-9&/-]*[A-Z0-9]$")
_PAREN = re.compile(r"\s*\([^)]*\)")
_PRODUCT = re.compile(r"\b(Amazon SageMaker|Amazon|AWS|SageMaker) ((?:[A-Z][\w-]*)(?: [A-Z][\w-]*){0,3})")
CONCEPT_HINTS = {"technique", "strategy", "approach", "policy", "mode", "metric"}
_ABBR = re.compile(r"\(([A-Z][A-Za-z0-9]{1,7})\)")


@lru_cache(maxsize=65536)
def clean(text: str) -> str:
    """Markdown emphasis, code ticks and surrounding punctuation removed; spaces collapsed."""
    text = re.sub(r"[*`]+", "", text)
    return re.sub(r"\s+", " ", text).strip(" .:;,")


@lru_cache(maxsize=65536)
def base_name(name: str) -> str:
    """A term without vendor prefix, parenthetical or case: the key that finds duplicates."""
    text = _PAREN.sub("", clean(name))
    for prefix in PREFIXES:
        if text.startswith(prefix) and len(text) > len(prefix):
            text = text[len(prefix):]
            break
    return text.lower().strip()


def same_thing(a: str, b: str) -> bool:
    """Two names for one thing: equal bases, or one base ends the other ("Firehose", "Data Firehose")."""
    x, y = base_name(a), base_name(b)
    return x == y or x.endswith(" " + y) or y.endswith(" " + x)


class Vocabulary:
    """What the notes as a whole say about names: which are products, their full names, acronyms."""

    def __init__(self, texts: list[str]):
        self.full_names: dict[str, str] = {}
        plain_words = {w for text in texts for w in re.findall(r"(?<![\w-])[a-z][a-z-]+(?![\w-])", text)}
        for text in texts:
            for match in _PRODUCT.finditer(text):
                if " " in match[2] or match[2].lower() not in plain_words:  # "SageMaker Random search"
                    self.full_names.setdefault(match[2], f"{match[1]} {match[2]}")
        self.long_forms = acronyms(texts)
        self._shown: dict[str, str] = {}

    def kind_of(self, name: str, hint: str = "") -> str:
        """service, algorithm, metric, format or concept (a table header `hint` names concepts better)."""
        base = base_name(name)
        words = base.split()
        if base in ALGORITHMS:
            return "algorithm"
        if base in FORMATS:
            return "format"
        if words and set(words) <= METRIC_WORDS and set(words) & METRIC_CORE:
            return "metric"
        if self.is_product(name):
            return "service"
        return hint if hint in CONCEPT_HINTS else "concept"

    def is_product(self, name: str) -> bool:
        """A cloud product or feature: a vendor prefix, a name the notes prefix, or a Title Case name."""
        text = _PAREN.sub("", clean(name))
        if text.startswith(PREFIXES) or text in self.full_names:
            return True
        words = text.split()
        if len(words) == 1:
            return bool(re.match(r"^[A-Z][a-z]+[A-Z]", text))  # DataBrew, BlazingText, JumpStart
        return (len(words) <= 4 and text.lower() not in GENERIC_TITLES
                and all(w[0].isupper() or w[0].isdigit() for w in words))

    def display(self, name: str) -> str:
        """How an option is shown: a bare abbreviation spelled out, the vendor prefix the notes use."""
        if name not in self._shown:
            self._shown[name] = self._display(name)
        return self._shown[name]

    def _display(self, name: str) -> str:
        """display() without the cache."""
        text = clean(name)
        if ACRONYM.match(text) and text in self.long_forms:
            long_form = self.long_forms[text]
            text = f"{long_form[0].upper()}{long_form[1:]} ({text})"
        return self.full_names.get(text, text)


def header_kind(header: str) -> str:
    """A table column header as a kind hint ("Metric" -> "metric", "Typical choice" -> "")."""
    word = clean(header).lower().rstrip("s")
    return word if word in {"technique", "strategy", "approach", "policy", "mode", "metric", "service",
                            "algorithm", "format"} else ""


def acronyms(texts: list[str]) -> dict[str, str]:
    """ABBR -> long form, from "Long form (ABBR)" in the notes (initials must match the letters)."""
    found: dict[str, str] = {}
    for text in texts:
        for match in _ABBR.finditer(text):
            words = re.findall(r"[A-Za-z][\w-]*", text[max(0, match.start() - 120):match.start()])[-7:]
            long_form = expansion(words, match[1])
            if long_form and match[1] not in found:
                found[match[1]] = long_form
    return found


def expansion(words: list[str], abbr: str) -> str | None:
    """The shortest run of trailing words whose initials spell the abbreviation, if any."""
    letters = [c.lower() for c in abbr if c.isalpha()]
    for start in range(len(words) - 1, -1, -1):
        tail = words[start:]
        initials = [p[0].lower() for w in tail for p in re.split(r"-", w) if p]
        if initials == letters or [w[0].lower() for w in tail] == letters:
            return " ".join(tail)
    return None


def is_abbreviation(option: str) -> bool:
    """Only acronyms (besides a vendor prefix): unreadable as an answer without the notes."""
    text = _PAREN.sub("", clean(option))
    for prefix in PREFIXES:
        if text.startswith(prefix):
            return False  # "Amazon EMR", "AWS KMS" are the products' real names
    words = re.findall(r"[A-Za-z0-9][\w-]*", text)
    return bool(words) and all(ACRONYM.match(w) or len(w) <= 2 for w in words)


def unreadable(option: str) -> str | None:
    """Why an option cannot be shown as it is (a raw table cell, a list, markup, too long), or None."""
    text = clean(option)
    if not text or "|" in option or text.endswith(":"):
        return "raw cell"
    if re.search(r"[,;]", text) or re.search(r" or | and |/ ", _PAREN.sub("", text)) or text.count("(") != text.count(")"):
        return "raw cell"  # a list of several things is a table cell, not one answer
    if len(text) > 80 or len(text.split()) > 12:
        return "option too long"
    if is_abbreviation(text):
        return "abbreviation"
    if not content_words(text):
        return "raw cell"
    return None
