"""The widget state's codec: arrays as base64, frames read back from a saved state, the readout.

One codec per side: Python writes (and reads back) arrays with :func:`encode_array` /
:func:`decode_array`; the browser reads them with ``common.js`` (``bytesOf``, ``float64Of``).
``tests/test_widgets.py`` holds the two sides equal in Node, bit for bit.

* :func:`frame_from_state` reads a frame of an :class:`~vaebook.widgets.figure.InteractiveFigure`
  from its saved tables the way figure.js's ``lookup`` does (for tests and benchmarks that
  start from a built page);
* :func:`readout_line` writes the readout text the way figure.js's ``readoutText`` does.
"""
from __future__ import annotations

import base64

import numpy as np

from .controls import format_number

#: The two array encodings of the state: little-endian float64, and uint8 (grey levels).
DTYPES = {"f8": "<f8", "u1": "u1"}


def _dtype(dtype: str) -> str:
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {sorted(DTYPES)}, got {dtype!r}")
    return DTYPES[dtype]


def encode_array(arr, dtype: str = "f8") -> str:
    """``arr`` as base64 of its bytes, row-major, as ``dtype`` ("f8" or "u1")."""
    return base64.b64encode(np.ascontiguousarray(arr, dtype=_dtype(dtype)).tobytes()).decode("ascii")


def decode_array(data: str, dtype: str = "f8") -> np.ndarray:
    """The flat array that :func:`encode_array` wrote (read-only, no copy)."""
    return np.frombuffer(base64.b64decode(data), _dtype(dtype))


def encode_table_key(arr: np.ndarray, dtype: str) -> dict:
    """One tabulated key: the values at every grid point, stacked along the first axis."""
    arr = np.asarray(arr)
    return {"dtype": dtype, "shape": list(arr.shape[1:]), "data": encode_array(arr, dtype)}


def frame_from_state(state: dict, values: dict) -> dict | None:
    """The frame a saved widget state holds for ``values`` ({control: grid value}), read the way
    figure.js reads it (``None`` if a value is off its grid)."""
    grids = {c["name"]: c["grid"] for c in state["control_specs"]}
    frame = {}
    for tab in state["tables"]:
        flat = 0
        for name, size in zip(tab["controls"], tab["sizes"]):
            if values[name] not in grids[name]:
                return None
            flat = flat * size + grids[name].index(values[name])
        for key, enc in tab["keys"].items():
            arr = decode_array(enc["data"], enc["dtype"]).reshape(-1, *enc["shape"])[flat]
            frame[key] = arr.item() if arr.ndim == 0 else arr
    frame.update(values)
    return frame


def readout_line(spec, numbers: dict) -> str:
    """The readout text: ``name = value`` for every ``(name, key, decimals)`` of ``spec``, the
    value ``numbers[key]`` written by :func:`format_number`, joined by three spaces."""
    return "   ".join(f"{name} = {format_number(numbers[key], d)}" for name, key, d in spec)


def readout_from_state(state: dict, frame: dict) -> str:
    """The readout text figure.js writes for ``frame`` of a saved state."""
    return readout_line(state["readout_spec"], frame)
