"""Widgets of the generator chapter: move through latent space and watch the decoder.

Every widget here calls :func:`vaebook.model.decode` on the latent point(s) set by its sliders
and shows the result, so a test can set the sliders and compare what is shown with ``decode``.
All of them use ``clear=False``: the artists are built on the first frame and afterwards only
moved (``set_data`` / ``set_offsets`` / ``set_array``), which keeps an update well under 50 ms.

* :func:`latent_explorer`       2-D data: (z1, z2) -> decode(z), drawn over the data and the decoded grid
* :func:`latent_sweep`          2-D data: one latent axis swept with the other fixed -> a path in data space
* :func:`interpolation_explorer` 2-D data: z moves on the segment between two encodings
* :func:`digit_explorer`        images: (z1, z2) -> the decoded 8x8 image, beside the latent scatter
* :func:`digit_interpolation`   images: the decoded image along the segment between two digits' encodings
"""
from __future__ import annotations

import ipywidgets as W
import numpy as np
from matplotlib.artist import Artist

from .. import _checks, style
from ..data import CENTERS, mixture_log_density
from ..model import VAEConfig, decode, encode
from .base import InteractiveFigure, slider

#: Background points drawn in the widgets (a subsample keeps every redraw cheap).
MAX_BACKGROUND = 600


def _check_model(params, config, latent_dim=2, data_dim=None):
    if not isinstance(config, VAEConfig):
        raise ValueError("config must be a VAEConfig")
    if config.latent_dim != latent_dim:
        raise ValueError(f"these widgets need latent_dim == {latent_dim}, got {config.latent_dim}")
    if data_dim is not None and config.data_dim != data_dim:
        raise ValueError(f"this widget needs data_dim == {data_dim}, got {config.data_dim}")
    missing = set(config.param_shapes()) - set(params)
    if missing:
        raise ValueError(f"params do not match config: missing {sorted(missing)}")


def _fixed_layout(fig):
    """No layout engine: the style turns on constrained layout, which costs ~30 ms a frame.
    The widgets place their axes by hand instead. (With no engine at all, savefig also skips
    the extra layout pass it makes for any engine, even the "none" placeholder.)"""
    import matplotlib as mpl

    with mpl.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
        fig.set_layout_engine(None)


def _freeze_background(fig, moving):
    """Render everything except the ``moving`` artists once, keep it as a picture behind the axes,
    and hide the static artists: afterwards a frame draws one image plus the moving artists.

    (Tick labels, titles and hundreds of scatter points cost most of a frame; they never change.)
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    moving = set(moving)
    for a in moving:
        a.set_visible(False)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    background = np.asarray(canvas.buffer_rgba()).copy()
    for ax in fig.axes:
        ax.set_axis_off()
        ax.title.set_visible(False)
        ax.patch.set_visible(False)
        for child in ax.get_children():
            if child not in moving and child is not ax.patch:
                child.set_visible(False)
    for a in moving:
        a.set_visible(True)
    fig.patch.set_visible(False)
    fig.add_artist(_Backdrop(background))


class _Backdrop(Artist):
    """A stored RGBA rendering of the figure, copied pixel for pixel under everything else."""

    def __init__(self, rgba):
        super().__init__()
        self.rgba = rgba[::-1].copy()  # Agg's draw_image puts row 0 at the bottom
        self.set_zorder(-100)

    def draw(self, renderer):
        if renderer.get_canvas_width_height() != self.rgba.shape[1::-1]:
            raise ValueError("the widget figure was resized or saved at another dpi; "
                             "its stored background no longer fits")
        gc = renderer.new_gc()
        renderer.draw_image(gc, 0, 0, self.rgba)
        gc.restore()


def _check_lim(lim):
    return _checks.positive_float(lim, "lim")


def _background(X, labels):
    """At most MAX_BACKGROUND points of X (an evenly spaced subsample) and their labels."""
    X = _checks.finite_matrix(X, "X")
    labels = np.asarray(labels)
    if labels.shape != (len(X),):
        raise ValueError(f"labels must have shape ({len(X)},), got {labels.shape}")
    keep = np.linspace(0, len(X) - 1, min(len(X), MAX_BACKGROUND)).astype(int)
    return X[keep], labels[keep]


def decode_one(params, config, z) -> np.ndarray:
    """decode() of a single latent point given as a sequence of length latent_dim (the widgets' decode path)."""
    return decode(params, config, np.asarray(z, dtype=float).reshape(1, -1))[0]


def decoded_grid_lines(params, config, lim: float = 3.0, n_lines: int = 9, n_points: int = 61):
    """The images under the decoder of the lines z1 = const and z2 = const of a latent grid.

    Returns an array of shape (2 * n_lines, n_points, data_dim): first the lines z1 = c (z2
    varies), then the lines z2 = c (z1 varies), for c in linspace(-lim, lim, n_lines).
    """
    lim = _check_lim(lim)
    n_lines = _checks.positive_int(n_lines, "n_lines")
    n_points = _checks.positive_int(n_points, "n_points")
    c = np.linspace(-lim, lim, n_lines)
    t = np.linspace(-lim, lim, n_points)
    z = np.empty((2, n_lines, n_points, 2))
    z[0, :, :, 0], z[0, :, :, 1] = c[:, None], t[None, :]
    z[1, :, :, 0], z[1, :, :, 1] = t[None, :], c[:, None]
    return decode(params, config, z.reshape(-1, 2)).reshape(2 * n_lines, n_points, -1)


def sweep_path(params, config, axis: int, fixed: float, lim: float = 3.0, n_points: int = 61):
    """(z, decode(z)) along the latent axis ``axis`` from -lim to lim, the other coordinate = ``fixed``."""
    if axis not in (0, 1):
        raise ValueError(f"axis must be 0 (z1) or 1 (z2), got {axis!r}")
    lim = _check_lim(lim)
    if not np.isfinite(fixed):
        raise ValueError(f"fixed must be finite, got {fixed}")
    n_points = _checks.positive_int(n_points, "n_points")
    z = np.full((n_points, 2), float(fixed))
    z[:, axis] = np.linspace(-lim, lim, n_points)
    return z, decode(params, config, z)


def interpolate(z_a, z_b, t):
    """The point (1 - t) z_a + t z_b of the segment between two latent codes (t may be an array)."""
    z_a, z_b = np.asarray(z_a, float), np.asarray(z_b, float)
    if z_a.shape != z_b.shape or z_a.ndim != 1:
        raise ValueError(f"z_a and z_b must be 1-D and of equal shape, got {z_a.shape} and {z_b.shape}")
    t = np.asarray(t, float)
    if not np.isfinite(t).all():
        raise ValueError("t must be finite")
    return (1.0 - t)[..., None] * z_a + t[..., None] * z_b


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
    lim = _check_lim(lim)
    Xb, lb = _background(X, labels)
    lines = decoded_grid_lines(params, config, lim)

    def draw(fig, z1, z2):
        x = decode_one(params, config, [z1, z2])
        _fixed_layout(fig)  # every frame: savefig restores the style's layout engine afterwards
        if not fig.axes:
            axz = fig.add_axes([0.07, 0.13, 0.42, 0.78])
            axx = fig.add_axes([0.56, 0.13, 0.42, 0.78])
            style.latent_axes(axz, lim + 0.5)
            for r in (1, 2, 3):
                axz.add_patch(_circle(r))
            axz.set_title("latent $z$ (circles: prior 1, 2, 3 sd)")
            style.data_axes(axx)
            axx.scatter(Xb[:, 0], Xb[:, 1], s=4, c=style.cluster_colors(lb), alpha=0.35)
            for line in lines:
                axx.plot(line[:, 0], line[:, 1], color=style.COLORS["total"], lw=0.6, alpha=0.5)
            axx.set_title(r"data space: $\hat x = $ decode$(z)$")
            axz.plot([], [], "o", ms=9, color=style.COLORS["model"], mec="white")
            axx.plot([], [], "o", ms=9, color=style.COLORS["model"], mec="white")
            _freeze_background(fig, [axz.lines[0], axx.lines[-1]])
        axz, axx = fig.axes
        axz.lines[0].set_data([z1], [z2])
        axx.lines[-1].set_data([x[0]], [x[1]])
        return {"z1": float(z1), "z2": float(z2), "x1": float(x[0]), "x2": float(x[1]),
                "log_p_true": float(mixture_log_density(x[None])[0])}

    controls = {"z1": slider("$z_1$", z1, -lim, lim, 0.05),
                "z2": slider("$z_2$", z2, -lim, lim, 0.05)}
    return InteractiveFigure(controls, draw, figsize=(7.0, 3.4), clear=False,
                             title="Latent explorer: z -> decode(z)")


def _circle(r):
    from matplotlib.patches import Circle
    return Circle((0, 0), r, fill=False, color=style.COLORS["prior"], lw=1.0)


def latent_sweep(params, config, X, labels, *, axis: int = 0, fixed: float = 0.0,
                 t: float = 0.0, lim: float = 3.0) -> InteractiveFigure:
    """Sweep one latent coordinate from -lim to lim with the other fixed: the decoded path in
    data space (coloured by the swept value), with the point at the swept value ``t`` marked.

    Controls: ``axis`` (0 sweeps z1, 1 sweeps z2), ``fixed`` (the other coordinate), ``t``.
    ``shown``: axis, fixed, t, x1, x2 (decode of the marked point), and the path length.
    """
    _check_model(params, config, data_dim=2)
    lim = _check_lim(lim)
    Xb, lb = _background(X, labels)

    def draw(fig, axis, fixed, t):
        z, path = sweep_path(params, config, axis, fixed, lim)
        zt = [t, fixed] if axis == 0 else [fixed, t]
        x = decode_one(params, config, zt)
        _fixed_layout(fig)  # every frame: savefig restores the style's layout engine afterwards
        if not fig.axes:
            axz = fig.add_axes([0.07, 0.13, 0.42, 0.78])
            axx = fig.add_axes([0.56, 0.13, 0.42, 0.78])
            style.latent_axes(axz, lim + 0.5)
            axz.add_patch(_circle(1.0))
            axz.add_patch(_circle(2.0))
            axz.set_title("latent: the swept line")
            style.data_axes(axx)
            axx.scatter(Xb[:, 0], Xb[:, 1], s=4, c=style.cluster_colors(lb), alpha=0.35)
            axx.set_title("data space: its image under the decoder")
            axz.plot([], [], color=style.COLORS["model"])
            axz.plot([], [], "o", ms=8, color=style.COLORS["model"], mec="white")
            axx.scatter(np.zeros(len(z)), np.zeros(len(z)), c=z[:, 0], cmap=style.CMAP, s=10,
                        vmin=-lim, vmax=lim)
            axx.plot([], [], "o", ms=9, color=style.COLORS["model"], mec="white")
            _freeze_background(fig, axz.lines[:2] + [axx.collections[-1], axx.lines[-1]])
        axz, axx = fig.axes
        axz.lines[0].set_data(z[:, 0], z[:, 1])
        axz.lines[1].set_data([zt[0]], [zt[1]])
        pts = axx.collections[-1]
        pts.set_offsets(path)
        pts.set_array(z[:, axis])
        axx.lines[-1].set_data([x[0]], [x[1]])
        length = float(np.sum(np.linalg.norm(np.diff(path, axis=0), axis=1)))
        return {"axis": int(axis), "fixed": float(fixed), "t": float(t), "x1": float(x[0]),
                "x2": float(x[1]), "path_length": length}

    if axis not in (0, 1):
        raise ValueError(f"axis must be 0 (z1) or 1 (z2), got {axis!r}")
    controls = {"axis": W.Dropdown(options=[("sweep z1", 0), ("sweep z2", 1)], value=axis,
                                   description="axis"),
                "fixed": slider("other coordinate", fixed, -lim, lim, 0.05),
                "t": slider("swept value", t, -lim, lim, 0.05)}
    return InteractiveFigure(controls, draw, figsize=(7.0, 3.4), clear=False,
                             title="Latent sweep: one axis at a time")


def _representatives(params, config, X, labels):
    """For each label, the index of the point whose encoder mean is nearest its label's median mean."""
    mu, _ = encode(params, config, X)
    reps = {}
    for k in np.unique(labels):
        idx = np.flatnonzero(labels == k)
        med = np.median(mu[idx], axis=0)
        reps[int(k)] = int(idx[np.argmin(((mu[idx] - med) ** 2).sum(axis=1))])
    return reps, mu


def _endpoint_representatives(params, config, X, labels, start, end):
    """Representatives and encoder means, with ``start`` and ``end`` checked to be labels."""
    reps, mu = _representatives(params, config, X, labels)
    for name, k in (("start", start), ("end", end)):
        if k not in reps:
            raise ValueError(f"{name} must be one of the labels {sorted(reps)}, got {k!r}")
    return reps, mu


def _interpolation_controls(kind: str, reps, start, end, t) -> dict:
    """'from' and 'to' dropdowns over the representatives, and the interpolation slider t."""
    options = [(f"{kind} {k}", k) for k in sorted(reps)]
    return {"start": W.Dropdown(options=options, value=start, description="from"),
            "end": W.Dropdown(options=options, value=end, description="to"),
            "t": slider("t", t, 0.0, 1.0, 0.02)}


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
    X = _checks.finite_matrix(X, "X", 2)
    labels = np.asarray(labels)
    reps, mu = _endpoint_representatives(params, config, X, labels, start, end)
    Xb, lb = _background(X, labels)
    mub, _ = _background(mu, labels)
    ts = np.linspace(0.0, 1.0, n_path)

    def draw(fig, start, end, t):
        za, zb = mu[reps[start]], mu[reps[end]]
        zpath = interpolate(za, zb, ts)
        xpath = decode(params, config, zpath)
        z = interpolate(za, zb, t)
        x = decode_one(params, config, z)
        _fixed_layout(fig)  # every frame: savefig restores the style's layout engine afterwards
        if not fig.axes:
            axz = fig.add_axes([0.07, 0.13, 0.42, 0.78])
            axx = fig.add_axes([0.56, 0.13, 0.42, 0.78])
            style.latent_axes(axz)
            axz.scatter(mub[:, 0], mub[:, 1], s=4, c=style.cluster_colors(lb), alpha=0.35)
            axz.set_title(r"latent: encoder means $\mu_\phi(x)$")
            style.data_axes(axx)
            axx.scatter(Xb[:, 0], Xb[:, 1], s=4, c=style.cluster_colors(lb), alpha=0.35)
            axx.set_title("data space: decoded path")
            for ax in (axz, axx):
                ax.plot([], [], color=style.COLORS["total"], lw=1.5)
                ax.plot([], [], "s", ms=7, color=style.COLORS["total"])
                ax.plot([], [], "o", ms=9, color=style.COLORS["model"], mec="white")
            _freeze_background(fig, list(axz.lines) + list(axx.lines))
        axz, axx = fig.axes
        for ax, path, point in ((axz, zpath, z), (axx, xpath, x)):
            ax.lines[0].set_data(path[:, 0], path[:, 1])
            ax.lines[1].set_data(path[[0, -1], 0], path[[0, -1], 1])
            ax.lines[2].set_data([point[0]], [point[1]])
        return {"start": int(start), "end": int(end), "t": float(t), "z1": float(z[0]),
                "z2": float(z[1]), "x1": float(x[0]), "x2": float(x[1]),
                "log_p_true": float(mixture_log_density(x[None])[0])}

    controls = _interpolation_controls("cluster", reps, start, end, t)
    w = InteractiveFigure(controls, draw, figsize=(7.0, 3.4), clear=False,
                          title="Interpolation between two encodings")
    w.representatives, w.encoder_means = reps, mu
    return w


# ----------------------------------------------------------------------------------------------
# Images (8x8 digits, 2-D latent)
# ----------------------------------------------------------------------------------------------
def _digit_scatter(ax, mu, labels, lim):
    import matplotlib as mpl
    cmap = mpl.colormaps["tab10"]
    ax.scatter(mu[:, 0], mu[:, 1], s=3, c=cmap(np.asarray(labels) % 10), alpha=0.5)
    for k in np.unique(labels):
        m = np.median(mu[labels == k], axis=0)
        ax.text(m[0], m[1], str(k), fontsize=11, fontweight="bold", ha="center", va="center",
                color="black", bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.7))
    style.latent_axes(ax, lim)


def _image_axes(ax):
    """An image panel: no ticks, grid or spines, a thin grey frame."""
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_color(style.COLORS["data"])
        spine.set_linewidth(0.8)


def _image_shape(config):
    side = int(round(np.sqrt(config.data_dim)))
    if side * side != config.data_dim:
        raise ValueError(f"data_dim must be a square number of pixels, got {config.data_dim}")
    return side, side


def digit_explorer(params, config, X, labels, *, z1: float = 0.0, z2: float = 0.0,
                   lim: float = 3.0) -> InteractiveFigure:
    """Sliders z1, z2 -> the decoded image decode(z) (pixel probabilities, shown as an image),
    beside the encoder means of the data coloured by label with the current z marked.

    ``shown``: z1, z2, and the mean pixel value of the decoded image.
    """
    _check_model(params, config)
    shape = _image_shape(config)
    lim = _check_lim(lim)
    X = _checks.finite_matrix(X, "X", config.data_dim)
    labels = np.asarray(labels)
    mu, _ = encode(params, config, X)
    mub, lb = _background(mu, labels)

    def draw(fig, z1, z2):
        img = decode_one(params, config, [z1, z2]).reshape(shape)
        _fixed_layout(fig)  # every frame: savefig restores the style's layout engine afterwards
        if not fig.axes:
            axz = fig.add_axes([0.08, 0.13, 0.5, 0.8])
            axi = fig.add_axes([0.64, 0.2, 0.34, 0.66])
            _digit_scatter(axz, mub, lb, lim)
            axz.set_title(r"encoder means $\mu_\phi(x)$ by digit")
            axz.plot([], [], "o", ms=11, color=style.COLORS["total"], mfc="none", mew=2.5)
            axi.imshow(img, cmap="gray_r", vmin=0.0, vmax=1.0, interpolation="nearest")
            _image_axes(axi)
            axi.set_title("decode$(z)$")
            _freeze_background(fig, [axz.lines[0], axi.images[0]])
        axz, axi = fig.axes
        axz.lines[0].set_data([z1], [z2])
        axi.images[0].set_data(img)
        return {"z1": float(z1), "z2": float(z2), "mean_pixel": float(img.mean())}

    controls = {"z1": slider("$z_1$", z1, -lim, lim, 0.05),
                "z2": slider("$z_2$", z2, -lim, lim, 0.05)}
    return InteractiveFigure(controls, draw, figsize=(6.4, 3.4), clear=False,
                             title="Digit explorer: z -> decode(z)")


def digit_interpolation(params, config, X, labels, *, start: int = 0, end: int = 1,
                        t: float = 0.0, lim: float = 3.0, n_strip: int = 9) -> InteractiveFigure:
    """Interpolate between the encodings of two digits (one representative image per label,
    chosen as in :func:`interpolation_explorer`). Shows the segment on the latent scatter, a
    strip of ``n_strip`` decoded images along it, and the decoded image at ``t``.

    ``shown``: start, end, t, z1, z2 and the mean pixel value of the decoded image.
    """
    _check_model(params, config)
    shape = _image_shape(config)
    lim = _check_lim(lim)
    n_strip = _checks.positive_int(n_strip, "n_strip")
    X = _checks.finite_matrix(X, "X", config.data_dim)
    labels = np.asarray(labels)
    reps, mu = _endpoint_representatives(params, config, X, labels, start, end)
    mub, lb = _background(mu, labels)
    ts = np.linspace(0.0, 1.0, n_strip)

    def draw(fig, start, end, t):
        za, zb = mu[reps[start]], mu[reps[end]]
        z = interpolate(za, zb, t)
        img = decode_one(params, config, z).reshape(shape)
        strip = decode(params, config, interpolate(za, zb, ts)).reshape(n_strip, *shape)
        strip = np.concatenate(list(strip), axis=1)
        _fixed_layout(fig)  # every frame: savefig restores the style's layout engine afterwards
        if not fig.axes:
            axz = fig.add_axes([0.08, 0.3, 0.45, 0.62])
            axi = fig.add_axes([0.62, 0.34, 0.34, 0.55])
            axs = fig.add_axes([0.05, 0.02, 0.9, 0.14])
            _digit_scatter(axz, mub, lb, lim)
            axz.set_title("latent segment")
            axz.plot([], [], color=style.COLORS["total"], lw=1.5)
            axz.plot([], [], "o", ms=11, color=style.COLORS["total"], mfc="none", mew=2.5)
            for ax, im in ((axi, img), (axs, strip)):
                ax.imshow(im, cmap="gray_r", vmin=0.0, vmax=1.0, interpolation="nearest")
                _image_axes(ax)
            axi.set_title("decode$(z_t)$")
            _freeze_background(fig, list(axz.lines) + [axi.images[0], axs.images[0]])
        axz, axi, axs = fig.axes
        axz.lines[0].set_data([za[0], zb[0]], [za[1], zb[1]])
        axz.lines[1].set_data([z[0]], [z[1]])
        axi.images[0].set_data(img)
        axs.images[0].set_data(strip)
        return {"start": int(start), "end": int(end), "t": float(t), "z1": float(z[0]),
                "z2": float(z[1]), "mean_pixel": float(img.mean())}

    controls = _interpolation_controls("digit", reps, start, end, t)
    w = InteractiveFigure(controls, draw, figsize=(6.4, 4.0), clear=False,
                          title="Interpolation between two digits")
    w.representatives, w.encoder_means = reps, mu
    return w
