"""Widgets of chapters 7 and 8 (generating, images): move through latent space, watch the decoder.

Every widget here shows :func:`vaebook.model.decode` of the latent point(s) set by its controls
(the latent-space geometry is in :mod:`vaebook.latent_space`), so a test can set the controls
and compare what is shown with ``decode``.

* :func:`latent_explorer`        2-D data: (z1, z2) -> decode(z), over the data and the decoded grid
* :func:`latent_sweep`           2-D data: one latent axis swept with the other fixed -> a path in data space
* :func:`interpolation_explorer` 2-D data: z moves on the segment between two encodings
* :func:`digit_explorer`         images: (z1, z2) -> the decoded 8x8 image, beside the latent scatter
* :func:`digit_interpolation`    images: the decoded image along the segment between two digits' encodings
"""
from __future__ import annotations

import matplotlib as mpl
import numpy as np
from matplotlib.patches import Circle

from .. import _checks, style
from ..data import mixture_log_density
from ..latent_space import decode_one, decoded_grid_lines, interpolate, representatives, sweep_path
from ..model import VAEConfig, decode
from .artists import Image, Line, Scatter, grey_levels, square_image_shape
from .controls import Choice, Slider
from .figure import InteractiveFigure, Part

#: Background points drawn in the widgets (an evenly spaced subsample).
MAX_BACKGROUND = 600
#: Grid steps of the controls, as fractions of ``lim`` (z sliders) or absolute (t sliders).
Z_STEPS, SWEEP_FIXED_STEPS = 15, 6
#: The moving point, in every widget.
POINT = dict(color=style.COLORS["model"], ls="none", marker="o", ms=9, mec="white")
RING = dict(color=style.COLORS["total"], ls="none", marker="o", ms=11, mfc="none", mew=2.5)
PATH = dict(color=style.COLORS["total"], lw=1.5)


def _check_model(params, config, latent_dim=2, data_dim=None):
    if not isinstance(config, VAEConfig):
        raise ValueError("config must be a VAEConfig")
    if config.latent_dim != latent_dim:
        raise ValueError(f"these widgets need latent_dim == {latent_dim}, got {config.latent_dim}")
    if data_dim is not None and config.data_dim != data_dim:
        raise ValueError(f"this widget needs data_dim == {data_dim}, got {config.data_dim}")
    _checks.params_match(params, config.param_shapes())


def _background(X, labels, columns=None):
    """At most MAX_BACKGROUND points of X (an evenly spaced subsample) and their labels."""
    X = _checks.finite_matrix(X, "X", columns)
    labels = np.asarray(labels)
    if labels.shape != (len(X),):
        raise ValueError(f"labels must have shape ({len(X)},), got {labels.shape}")
    keep = np.linspace(0, len(X) - 1, min(len(X), MAX_BACKGROUND)).astype(int)
    return X[keep], labels[keep]


def _z_slider(name, value, lim, steps):
    return Slider(name, -lim, lim, lim / steps, value)


def _circle(r):
    return Circle((0, 0), r, fill=False, color=style.COLORS["prior"], lw=1.0)


def _two_panels(fig, lim_z=None):
    """The latent panel (left) and the data panel (right) of the running-example widgets."""
    axz, axx = fig.subplots(1, 2)
    style.latent_axes(axz, *([lim_z] if lim_z else []))
    style.data_axes(axx)
    return axz, axx


def _scatter(ax, X, labels):
    ax.scatter(X[:, 0], X[:, 1], s=4, c=style.cluster_colors(labels), alpha=0.35)


def _endpoint_controls(kind: str, reps, start, end, t, step) -> dict:
    """'from' and 'to' drop-downs over the representatives, and the interpolation slider t."""
    for name, k in (("start", start), ("end", end)):
        if k not in reps:
            raise ValueError(f"{name} must be one of the labels {sorted(reps)}, got {k!r}")
    options = [(f"{kind} {k}", k) for k in sorted(reps)]
    return {"start": Choice("from", options, start), "end": Choice("to", options, end),
            "t": Slider("t", 0.0, 1.0, step, t)}


# ----------------------------------------------------------------------------------------------
# The running example (2-D data, 2-D latent)
# ----------------------------------------------------------------------------------------------
def latent_explorer(params, config, X, labels, *, z1: float = 0.0, z2: float = 0.0,
                    lim: float = 3.0) -> InteractiveFigure:
    """Sliders z1, z2; left: the latent plane (prior circles, current z); right: the data, the
    decoded latent grid (a warped mesh) and the decoded point x_hat = decode(z).

    ``shown``: z1, z2, x1, x2 (x_hat) and log p(x_hat) under the true mixture density.
    """
    _check_model(params, config, data_dim=2)
    lim = _checks.positive_float(lim, "lim")
    Xb, lb = _background(X, labels, 2)
    lines = decoded_grid_lines(params, config, lim)

    def point(z1, z2):
        x = decode_one(params, config, [z1, z2])
        return {"x1": float(x[0]), "x2": float(x[1]),
                "log_p_true": float(mixture_log_density(x[None])[0])}

    def build(fig):
        axz, axx = _two_panels(fig, lim + 0.5)
        for r in (1, 2, 3):
            axz.add_patch(_circle(r))
        axz.set_title("latent $z$ (circles: prior 1, 2, 3 sd)")
        _scatter(axx, Xb, lb)
        for line in lines:
            axx.plot(line[:, 0], line[:, 1], color=style.COLORS["total"], lw=0.6, alpha=0.5)
        axx.set_title(r"data space: $\hat x = $ decode$(z)$")
        return [axz, axx]

    controls = {"z1": _z_slider("z₁", z1, lim, Z_STEPS), "z2": _z_slider("z₂", z2, lim, Z_STEPS)}
    readout = [("z1", "z1", 2), ("z2", "z2", 2), ("x1", "x1", 4), ("x2", "x2", 4),
               ("log_p_true", "log_p_true", 3)]
    return InteractiveFigure(
        controls, [Part(("z1", "z2"), point)], build,
        [Line(0, "z1", "z2", **POINT).named("z"), Line(1, "x1", "x2", **POINT).named("x_hat")],
        readout,
        figsize=(7.0, 3.4), title="Latent explorer: z -> decode(z)",
        alt="Left: the latent plane with circles at 1, 2 and 3 prior standard deviations and the "
            "point z set by the sliders. Right: the data, the decoder's image of a square grid "
            "of latent points (a warped mesh) and the decoded point decode(z).")


def latent_sweep(params, config, X, labels, *, axis: int = 0, fixed: float = 0.0,
                 t: float = 0.0, lim: float = 3.0) -> InteractiveFigure:
    """Sweep one latent coordinate from -lim to lim with the other fixed: the decoded path in
    data space (coloured by the swept value), with the point at the swept value ``t`` marked.

    Controls: ``axis`` (0 sweeps z1, 1 sweeps z2), ``fixed`` (the other coordinate), ``t``.
    ``shown``: axis, fixed, t, x1, x2 (decode of the marked point), and the path length.
    """
    _check_model(params, config, data_dim=2)
    lim = _checks.positive_float(lim, "lim")
    Xb, lb = _background(X, labels, 2)
    if axis not in (0, 1):
        raise ValueError(f"axis must be 0 (z1) or 1 (z2), got {axis!r}")
    n_path = 61
    colors = mpl.colormaps[style.CMAP](np.linspace(0.0, 1.0, n_path))  # the swept value, -lim..lim

    def path(axis, fixed):
        z, xs = sweep_path(params, config, axis, fixed, lim, n_path)
        return {"zline": z[[0, -1]], "path": xs,
                "path_length": float(np.sum(np.linalg.norm(np.diff(xs, axis=0), axis=1)))}

    def point(axis, fixed, t):
        zt = [t, fixed] if axis == 0 else [fixed, t]
        x = decode_one(params, config, zt)
        return {"zt1": zt[0], "zt2": zt[1], "x1": float(x[0]), "x2": float(x[1])}

    def build(fig):
        axz, axx = _two_panels(fig, lim + 0.5)
        axz.add_patch(_circle(1.0))
        axz.add_patch(_circle(2.0))
        axz.set_title("latent: the swept line")
        _scatter(axx, Xb, lb)
        axx.set_title("data space: its image under the decoder")
        return [axz, axx]

    moving = [Line(0, xy="zline", color=style.COLORS["model"]).named("z_line"),
              Line(0, "zt1", "zt2", **dict(POINT, ms=8)).named("z"),
              Scatter(1, "path", colors, size=10.0).named("path"),
              Line(1, "x1", "x2", **POINT).named("x_hat")]
    controls = {"axis": Choice("axis", [("sweep z₁", 0), ("sweep z₂", 1)], axis),
                "fixed": _z_slider("other coordinate", fixed, lim, SWEEP_FIXED_STEPS),
                "t": _z_slider("swept value", t, lim, Z_STEPS)}
    readout = [("axis", "axis", None), ("fixed", "fixed", 2), ("t", "t", 2), ("x1", "x1", 4),
               ("x2", "x2", 4), ("path_length", "path_length", 4)]
    return InteractiveFigure(
        controls, [Part(("axis", "fixed"), path), Part(("axis", "fixed", "t"), point)], build,
        moving, readout, figsize=(7.0, 3.4), title="Latent sweep: one axis at a time",
        alt="Left: a line in the latent plane along which one coordinate is swept while the "
            "other is held fixed. Right: its image under the decoder, a path through data space "
            "coloured by the swept value, with the point at the chosen value marked.")


def interpolation_explorer(params, config, X, labels, *, start: int = 0, end: int = 3,
                           t: float = 0.0, n_path: int = 41) -> InteractiveFigure:
    """Linear interpolation in latent space between the encoder means of two data points.

    The points are one representative per cluster (``start`` / ``end`` are cluster labels):
    the point whose encoder mean is nearest the median mean of its cluster. The slider ``t``
    moves z = (1 - t) mu_start + t mu_end; the figure shows the segment in latent space, the
    decoded path in data space and decode(z). ``shown``: start, end, t, z1, z2, x1, x2 and
    log p(x_hat) under the true density (low where the path crosses between clusters).
    """
    _check_model(params, config, data_dim=2)
    n_path = _checks.positive_int(n_path, "n_path")
    X = _checks.finite_matrix(X, "X", 2)
    reps, mu = representatives(params, config, X, labels)
    controls = _endpoint_controls("cluster", reps, start, end, t, 0.05)
    Xb, lb = _background(X, labels)
    mub, _ = _background(mu, labels)
    ts = np.linspace(0.0, 1.0, n_path)

    def paths(start, end):
        zpath = interpolate(mu[reps[start]], mu[reps[end]], ts)
        xpath = decode(params, config, zpath)
        return {"zpath": zpath, "xpath": xpath, "zends": zpath[[0, -1]], "xends": xpath[[0, -1]]}

    def point(start, end, t):
        z = interpolate(mu[reps[start]], mu[reps[end]], t)
        x = decode_one(params, config, z)
        return {"z1": float(z[0]), "z2": float(z[1]), "x1": float(x[0]), "x2": float(x[1]),
                "log_p_true": float(mixture_log_density(x[None])[0])}

    def build(fig):
        axz, axx = _two_panels(fig)
        _scatter(axz, mub, lb)
        axz.set_title(r"latent: encoder means $\mu_\phi(x)$")
        _scatter(axx, Xb, lb)
        axx.set_title("data space: decoded path")
        return [axz, axx]

    moving = []
    for ax, (path, ends, p1, p2, point_name) in enumerate((("zpath", "zends", "z1", "z2", "z"),
                                                           ("xpath", "xends", "x1", "x2", "x_hat"))):
        moving += [Line(ax, xy=path, **PATH).named(path),
                   Line(ax, xy=ends, color=style.COLORS["total"], ls="none", marker="s", ms=7),
                   Line(ax, p1, p2, **POINT).named(point_name)]
    readout = [("start", "start", None), ("end", "end", None), ("t", "t", 2), ("z1", "z1", 3),
               ("z2", "z2", 3), ("x1", "x1", 4), ("x2", "x2", 4), ("log_p_true", "log_p_true", 3)]
    w = InteractiveFigure(
        controls, [Part(("start", "end"), paths), Part(("start", "end", "t"), point)], build,
        moving, readout, figsize=(7.0, 3.4), title="Interpolation between two encodings",
        alt="Left: the encoder means of the data and the straight segment between the encodings "
            "of two cluster representatives, with the point at t. Right: the decoded path "
            "through data space and the decoded point.")
    w.representatives, w.encoder_means = reps, mu
    return w


# ----------------------------------------------------------------------------------------------
# Images (8x8 digits, 2-D latent)
# ----------------------------------------------------------------------------------------------
def digit_scatter(ax, mu, labels, lim):
    """Encoder means coloured by digit label, each label written at its class's median."""
    cmap = mpl.colormaps["tab10"]
    ax.scatter(mu[:, 0], mu[:, 1], s=3, c=cmap(np.asarray(labels) % 10), alpha=0.5)
    for k in np.unique(labels):
        m = np.median(mu[labels == k], axis=0)
        ax.text(m[0], m[1], str(k), fontsize=11, fontweight="bold", ha="center", va="center",
                color="black", bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.7))
    style.latent_axes(ax, lim)




def _image_axes(ax, shape):
    """An image panel: no ticks, grid or spines, a thin grey frame, fixed limits."""
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    ax.set_xlim(-0.5, shape[1] - 0.5)
    ax.set_ylim(shape[0] - 0.5, -0.5)
    ax.set_aspect("equal")
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_color(style.COLORS["data"])
        spine.set_linewidth(0.8)


def digit_explorer(params, config, X, labels, *, z1: float = 0.0, z2: float = 0.0,
                   lim: float = 3.0) -> InteractiveFigure:
    """Sliders z1, z2 -> the decoded image decode(z) (pixel probabilities, shown as an image),
    beside the encoder means of the data coloured by label with the current z marked.

    ``shown``: z1, z2, and the mean pixel value of the decoded image.
    """
    _check_model(params, config)
    shape = square_image_shape(config.data_dim)
    lim = _checks.positive_float(lim, "lim")
    _, mu = representatives(params, config, X, labels)
    mub, lb = _background(mu, labels)

    def image(z1, z2):
        img = decode_one(params, config, [z1, z2]).reshape(shape)
        return {"grey": grey_levels(img), "mean_pixel": float(img.mean())}

    def build(fig):
        axz = fig.add_axes([0.08, 0.13, 0.5, 0.8])
        axi = fig.add_axes([0.64, 0.2, 0.34, 0.66])
        digit_scatter(axz, mub, lb, lim)
        axz.set_title(r"encoder means $\mu_\phi(x)$ by digit")
        _image_axes(axi, shape)
        axi.set_title("decode$(z)$")
        return [axz, axi]

    extra = lambda z1, z2: {"_img": decode_one(params, config, [z1, z2]).reshape(shape)}  # noqa: E731
    controls = {"z1": _z_slider("z₁", z1, lim, Z_STEPS),
                "z2": _z_slider("z₂", z2, lim, Z_STEPS)}
    readout = [("z1", "z1", 2), ("z2", "z2", 2), ("mean_pixel", "mean_pixel", 4)]
    return InteractiveFigure(
        controls, [Part(("z1", "z2"), image, {"grey": "u1"}, extra)], build,
        [Line(0, "z1", "z2", **RING).named("z"), Image(1, "_img", "grey").named("image")], readout, figsize=(6.4, 3.4),
        title="Digit explorer: z -> decode(z)",
        alt="Left: the encoder means of the digit images, coloured and labelled by digit, with "
            "the latent point z set by the sliders circled. Right: the decoded 8 by 8 image.")


def digit_interpolation(params, config, X, labels, *, start: int = 0, end: int = 1,
                        t: float = 0.0, lim: float = 3.0, n_strip: int = 9) -> InteractiveFigure:
    """Interpolate between the encodings of two digits (one representative image per label,
    chosen as in :func:`interpolation_explorer`). Shows the segment on the latent scatter, a
    strip of ``n_strip`` decoded images along it, and the decoded image at ``t``.

    ``shown``: start, end, t, z1, z2 and the mean pixel value of the decoded image.
    """
    _check_model(params, config)
    shape = square_image_shape(config.data_dim)
    lim = _checks.positive_float(lim, "lim")
    n_strip = _checks.positive_int(n_strip, "n_strip")
    reps, mu = representatives(params, config, X, labels)
    controls = _endpoint_controls("digit", reps, start, end, t, 0.125)
    mub, lb = _background(mu, labels)
    ts = np.linspace(0.0, 1.0, n_strip)

    def strip_of(start, end):
        imgs = decode(params, config, interpolate(mu[reps[start]], mu[reps[end]], ts))
        return np.concatenate(list(imgs.reshape(n_strip, *shape)), axis=1)

    def segment(start, end):
        return {"seg": np.array([mu[reps[start]], mu[reps[end]]]),
                "strip_grey": grey_levels(strip_of(start, end))}

    def image_of(start, end, t):
        return decode_one(params, config, interpolate(mu[reps[start]], mu[reps[end]], t)).reshape(shape)

    def point(start, end, t):
        z = interpolate(mu[reps[start]], mu[reps[end]], t)
        img = image_of(start, end, t)
        return {"z1": float(z[0]), "z2": float(z[1]), "grey": grey_levels(img),
                "mean_pixel": float(img.mean())}

    def build(fig):
        axz = fig.add_axes([0.08, 0.3, 0.45, 0.62])
        axi = fig.add_axes([0.62, 0.34, 0.34, 0.55])
        axs = fig.add_axes([0.05, 0.02, 0.9, 0.14])
        digit_scatter(axz, mub, lb, lim)
        axz.set_title("latent segment")
        _image_axes(axi, shape)
        _image_axes(axs, (shape[0], shape[1] * n_strip))
        axi.set_title("decode$(z_t)$")
        return [axz, axi, axs]

    parts = [Part(("start", "end"), segment, {"strip_grey": "u1"},
                  lambda start, end: {"_strip": strip_of(start, end)}),
             Part(("start", "end", "t"), point, {"grey": "u1"},
                  lambda start, end, t: {"_img": image_of(start, end, t)})]
    moving = [Line(0, xy="seg", **PATH).named("segment"), Line(0, "z1", "z2", **RING).named("z"),
              Image(1, "_img", "grey").named("image"), Image(2, "_strip", "strip_grey").named("strip")]
    readout = [("start", "start", None), ("end", "end", None), ("t", "t", 2), ("z1", "z1", 3),
               ("z2", "z2", 3), ("mean_pixel", "mean_pixel", 4)]
    w = InteractiveFigure(
        controls, parts, build, moving, readout, figsize=(6.4, 4.0),
        title="Interpolation between two digits",
        alt="Top left: the encoder means of the digit images with the segment between the "
            "encodings of two chosen digits and the point at t. Top right: the decoded image at "
            "t. Bottom: decoded images at evenly spaced points along the segment.")
    w.representatives, w.encoder_means = reps, mu
    return w
