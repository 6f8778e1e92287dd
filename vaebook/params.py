"""Named parameter arrays that live in one flat vector.

A :class:`ParamDict` behaves like an ordinary ``dict`` of NumPy arrays (``params["dec_out_W"]``),
but every array is a *view* into a single contiguous vector ``params.vector``. That lets an
optimiser update all parameters with one fused NumPy operation on the vector, while the model
code reads and writes the named arrays. Assigning to a key copies into the view, so the link
between the names and the vector can never be broken by accident.
"""
from __future__ import annotations

from math import prod

import numpy as np


class ParamDict(dict):
    """A dict of named float arrays, all views into one flat vector ``self.vector``."""

    def __init__(self, shapes: dict[str, tuple[int, ...]], vector: np.ndarray | None = None):
        super().__init__()
        self.shapes = {name: tuple(int(s) for s in shape) for name, shape in shapes.items()}
        size = sum(prod(shape) for shape in self.shapes.values())
        if vector is None:
            vector = np.zeros(size, dtype=np.float64)
        if vector.shape != (size,):
            raise ValueError(f"vector must have shape ({size},), got {vector.shape}")
        self.vector = vector
        self.offsets = {}
        offset = 0
        for name, shape in self.shapes.items():
            n = prod(shape)
            dict.__setitem__(self, name, vector[offset:offset + n].reshape(shape))
            self.offsets[name] = offset
            offset += n

    def __setitem__(self, name, value):
        if name not in self:
            raise KeyError(f"unknown parameter {name!r}; known: {sorted(self)}")
        view = dict.__getitem__(self, name)
        value = np.asarray(value, dtype=np.float64)
        if value.shape != view.shape:
            raise ValueError(f"{name} must have shape {view.shape}, got {value.shape}")
        view[...] = value

    def zeros_like(self) -> "ParamDict":
        """A new ParamDict with the same names and shapes, filled with zeros."""
        new = ParamDict(self.shapes)
        new.shapes = self.shapes  # share the layout object: optimisers compare it by identity first
        return new

    def copy(self) -> "ParamDict":
        """A deep copy: a new vector, new views."""
        return ParamDict(self.shapes, self.vector.copy())

    def __repr__(self) -> str:  # a short, address-free repr (notebook outputs are compared)
        body = ", ".join(f"{k}: {v}" for k, v in self.shapes.items())
        return f"ParamDict({self.vector.size} numbers; {body})"
