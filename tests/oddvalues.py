"""Values and data keys that behave oddly, shared by the tests that feed them."""

from __future__ import annotations


class NumpyLikeFloat(float):
    """A float whose repr is not a number, as numpy's are (``np.float64(1.5)``)."""

    def __repr__(self) -> str:
        return f"np.float64({float(self)!r})"
