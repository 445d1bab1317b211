"""How rare each word is among a store's chunks (the answer card's sense of a question's topic)."""

from __future__ import annotations

import math
import re
from weakref import WeakKeyDictionary

from app.rag.text import stop_words
from app.store import Store


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
        """Inverse document frequency of a (singular, lower-case) content word; a hyphenated word
        ('built-in', 'mla-c01') is as common as its commonest part (the index splits it)."""
        parts = [p for p in re.split(r"[-.]", word) if p and p not in stop_words()] or [word]
        count = max(self.df.get(w, 0) for p in parts for w in (p, p + "s", p + "es"))
        return math.log((self.docs + 1) / (count + 1))


_RARITY: WeakKeyDictionary = WeakKeyDictionary()


def store_rarity(store: Store) -> Rarity:
    """The word rarity table of a store, read once per store object."""
    if store not in _RARITY:
        _RARITY[store] = Rarity.of_index(store.bm25.index)
    return _RARITY[store]
