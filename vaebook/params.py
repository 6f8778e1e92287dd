"""Named parameter arrays that live in one flat vector.

A :class:`ParamDict` behaves like an ordinary ``dict`` of NumPy arrays (``params["dec_out_W"]``),
but every array is a *view* into a single contiguous vector ``params.vector``. That lets an
optimiser update all parameters with one fused NumPy operation on the vector, while the model
code reads and writes the named arrays. Assigning to a key (also through ``update``) copies into
the view, and the set of keys and the vector are fixed, so no method can break the link between
the names and the vector.
"""
from __future__ import annotations

from math import prod

import numpy as np


class ParamDict(dict):
    """A dict of named float arrays, all views into one flat vector ``self.vector``."""

    def __init__(self, shapes: dict[str, tuple[int, ...]], vector: np.ndarray | None = None):
        super().__init__()
        self._shapes = {name: tuple(int(s) for s in shape) for name, shape in shapes.items()}
        size = sum(prod(shape) for shape in self._shapes.values())
        if vector is None:
            vector = np.zeros(size, dtype=np.float64)
        if not isinstance(vector, np.ndarray) or vector.dtype != np.float64 or vector.shape != (size,):
            raise ValueError(f"vector must be a float64 array of shape ({size},), got "
                             f"{getattr(vector, 'dtype', type(vector).__name__)} {np.shape(vector)}")
        if not vector.flags.c_contiguous:
            raise ValueError("vector must be contiguous")
        self._vector = vector
        self._offsets = {}
        offset = 0
        for name, shape in self._shapes.items():
            n = prod(shape)
            dict.__setitem__(self, name, vector[offset:offset + n].reshape(shape))
            self._offsets[name] = offset
            offset += n

    @property
    def vector(self) -> np.ndarray:
        """The flat vector every named array views. Assigning to it copies into it (so
        ``params.vector *= 0.5`` works), it never replaces it."""
        return self._vector

    @vector.setter
    def vector(self, value) -> None:
        if value is self._vector:                  # after an in-place operation such as *=
            return
        value = np.asarray(value, dtype=np.float64)
        if value.shape != self._vector.shape:
            raise ValueError(f"vector must have shape {self._vector.shape}, got {value.shape}")
        self._vector[...] = value

    # the layout is fixed: read-only attributes
    shapes = property(lambda self: self._shapes, doc="Each name's shape, in storage order.")
    offsets = property(lambda self: self._offsets, doc="Each name's start in the vector.")

    def __setitem__(self, name, value):
        if name not in self:
            raise KeyError(f"unknown parameter {name!r}; known: {sorted(self)}")
        view = dict.__getitem__(self, name)
        value = np.asarray(value, dtype=np.float64)
        if value.shape != view.shape:
            raise ValueError(f"{name} must have shape {view.shape}, got {value.shape}")
        view[...] = value

    def update(self, *args, **kwargs) -> None:
        """Copy new values into existing parameters (each through ``self[name] = value``)."""
        for name, value in dict(*args, **kwargs).items():
            self[name] = value

    def __ior__(self, other):
        self.update(other)
        return self

    def setdefault(self, name, default=None):
        """The array of an existing parameter (its default is never used); unknown names are refused."""
        if name not in self:
            raise KeyError(f"unknown parameter {name!r}; a ParamDict's names are fixed")
        return self[name]

    def _fixed(self, *args, **kwargs):
        raise TypeError("a ParamDict's names are fixed: parameters cannot be removed "
                        "(make a new ParamDict for another layout)")

    __delitem__ = pop = popitem = clear = _fixed

    def __or__(self, other):
        raise TypeError("p | {...} would return a plain dict that does not share the vector: "
                        "use p |= {...} or p.update(...) to write into the parameters")

    __ror__ = __or__

    @classmethod
    def fromkeys(cls, *args, **kwargs):
        raise TypeError("a ParamDict is made from a layout: ParamDict({name: shape, ...})")

    def zeros_like(self) -> "ParamDict":
        """A new ParamDict with the same names and shapes, filled with zeros."""
        return ParamDict(self._shapes)

    def copy(self) -> "ParamDict":
        """A deep copy: a new vector, new views."""
        return ParamDict(self._shapes, self._vector.copy())

    __copy__ = copy

    def __deepcopy__(self, memo) -> "ParamDict":
        return self.copy()

    def __reduce__(self):
        return ParamDict, (self._shapes, self._vector.copy())

    def __repr__(self) -> str:  # a short, address-free repr (notebook outputs are compared)
        body = ", ".join(f"{k}: {v}" for k, v in self._shapes.items())
        return f"ParamDict({self._vector.size} numbers; {body})"
