// The VAE of vaebook.model trained in JavaScript: forward pass, backward pass, SGD and Adam, and
// NumPy's default_rng(seed) stream (PCG64, standard_normal, permutation, integers), so that the
// browser trains the book's running example exactly as vaebook.train does.
//
// Everything is float64. Parameters live in one Float64Array laid out like vaebook's ParamDict
// (enc1_W, enc1_b, ..., enc_out_W, enc_out_b, dec1_W, ..., dec_out_b[, dec_log_sigma2]; every W
// row-major (n_in x n_out)), so SGD and Adam are the same element-wise updates on the flat
// vector that vaebook.optim applies. The decoder's forward pass adds up in the order of
// live.js's decode() (whose function the prior-draw view calls), so the two agree bit for bit.
// tests/test_playground.py holds all of this equal to NumPy.

import { decode } from "./live.js";

// ---------------------------------------------------------------------------------------------
// NumPy's random stream: SeedSequence -> PCG64 -> Generator methods
// ---------------------------------------------------------------------------------------------
const M32 = 0xffffffffn;
const TWO_M53 = 1.0 / 9007199254740992.0; // 2^-53

/** SeedSequence(seed).generate_state(4, uint64) of NumPy, for an integer seed 0 <= seed < 2^32. */
export function seedSequenceState(seed) {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new Error(`seed must be an integer in [0, 2^32), got ${seed}`);
  }
  const mul = (a, b) => Math.imul(a, b) >>> 0;
  let hashConst = 0x43b0d7e5;                       // INIT_A
  const hashmix = (value) => {
    value = (value ^ hashConst) >>> 0;
    hashConst = mul(hashConst, 0x931e8875);         // MULT_A
    value = mul(value, hashConst);
    return (value ^ (value >>> 16)) >>> 0;
  };
  const mix = (x, y) => {
    const r = (mul(0xca01f9dd, x) - mul(0x4973f715, y)) >>> 0;
    return (r ^ (r >>> 16)) >>> 0;
  };
  const entropy = [seed >>> 0];
  const pool = [0, 0, 0, 0];
  for (let i = 0; i < 4; i++) pool[i] = hashmix(i < entropy.length ? entropy[i] : 0);
  for (let src = 0; src < 4; src++) {
    for (let dst = 0; dst < 4; dst++) if (src !== dst) pool[dst] = mix(pool[dst], hashmix(pool[src]));
  }
  let hashB = 0x8b51f9dd;                           // INIT_B
  const words = [];
  for (let i = 0; i < 8; i++) {
    let v = (pool[i % 4] ^ hashB) >>> 0;
    hashB = mul(hashB, 0x58f38ded);                 // MULT_B
    v = mul(v, hashB);
    words.push((v ^ (v >>> 16)) >>> 0);
  }
  // little-endian pairs of 32-bit words -> four uint64
  return [0, 1, 2, 3].map((k) => (BigInt(words[2 * k + 1]) << 32n) | BigInt(words[2 * k]));
}

const PCG_MULT = (2549297995355413924n << 64n) | 4865540595714422341n;
const MASK128 = (1n << 128n) - 1n;

function limbs16(x) {
  const out = new Float64Array(8);
  for (let k = 0; k < 8; k++) out[k] = Number((x >> BigInt(16 * k)) & 0xffffn);
  return out;
}

// The ziggurat of NumPy's standard_normal (256 layers), built the way NumPy built its tables.
const ZIG_R = 3.6541528853610087963519472518;
const ZIG_INV_R = 0.27366123732975827203338247596;
const ZIG_V = 0.0049286732339746519;
const ZIG = (() => {
  const C = 256, scale = 2 ** 52;
  const pdf = (x) => Math.exp(-0.5 * x * x);
  const x = new Float64Array(C);
  x[0] = ZIG_R;
  for (let i = 1; i < C - 1; i++) x[i] = Math.sqrt(-2 * Math.log(pdf(x[i - 1]) + ZIG_V / x[i - 1]));
  x.reverse(); // x[0] = 0, x[255] = r
  const ki = new Float64Array(C), wi = new Float64Array(C), fi = new Float64Array(C);
  for (let i = 1; i < C; i++) ki[i] = Math.round((x[i - 1] / x[i]) * scale);
  ki[0] = Math.round(((ZIG_R * pdf(ZIG_R)) / ZIG_V) * scale);
  for (let i = 0; i < C; i++) { wi[i] = x[i] / scale; fi[i] = pdf(x[i]); }
  wi[0] = ZIG_V / pdf(ZIG_R) / scale;
  return { ki, wi, fi };
})();
export const ziggurat = ZIG;

/** Use NumPy's exact layer widths (vaebook.widgets.playground.ziggurat_widths(): the float64
 * recursion above is within about 1e-13 of them, not equal). */
export function useZigguratWidths(wi) {
  if (wi.length !== 256 || !Array.prototype.every.call(wi, (w) => w > 0 && Number.isFinite(w))) {
    throw new Error("the ziggurat needs 256 positive layer widths");
  }
  ZIG.wi.set(wi);
}

/** NumPy's Generator(PCG64(SeedSequence(seed))): the same numbers as np.random.default_rng(seed). */
export class Generator {
  constructor(seed) {
    const s = seedSequenceState(seed);
    const initstate = (s[0] << 64n) | s[1];
    const initseq = (s[2] << 64n) | s[3];
    const inc = ((initseq << 1n) | 1n) & MASK128;
    let state = 0n;
    state = (state * PCG_MULT + inc) & MASK128;
    state = (state + initstate) & MASK128;
    state = (state * PCG_MULT + inc) & MASK128;
    this.s = limbs16(state);           // the 128-bit LCG state, eight 16-bit limbs (low first)
    this.m = limbs16(PCG_MULT);
    this.c = limbs16(inc);
    this.hi = 0; this.lo = 0;          // the last 64-bit output, as two uint32
    this.hasU32 = false; this.u32 = 0; // NumPy's buffered half of a 64-bit output
  }

  /** The LCG state as a BigInt (for tests against bit_generator.state). */
  get state() {
    let v = 0n;
    for (let k = 7; k >= 0; k--) v = (v << 16n) | BigInt(this.s[k]);
    return v;
  }

  /** Advance the 128-bit LCG and set (hi, lo) to its XSL-RR output. */
  next64() {
    // state <- state * MULT + inc (mod 2^128), in 16-bit limbs: every partial sum stays below 2^36
    const s = this.s, m = this.m, c = this.c;
    const s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3], s4 = s[4], s5 = s[5], s6 = s[6], s7 = s[7];
    const m0 = m[0], m1 = m[1], m2 = m[2], m3 = m[3], m4 = m[4], m5 = m[5], m6 = m[6], m7 = m[7];
    let acc, q;
    acc = c[0] + s0 * m0;
    q = Math.floor(acc / 65536); const t0 = acc - q * 65536;
    acc = q + c[1] + s0 * m1 + s1 * m0;
    q = Math.floor(acc / 65536); const t1 = acc - q * 65536;
    acc = q + c[2] + s0 * m2 + s1 * m1 + s2 * m0;
    q = Math.floor(acc / 65536); const t2 = acc - q * 65536;
    acc = q + c[3] + s0 * m3 + s1 * m2 + s2 * m1 + s3 * m0;
    q = Math.floor(acc / 65536); const t3 = acc - q * 65536;
    acc = q + c[4] + s0 * m4 + s1 * m3 + s2 * m2 + s3 * m1 + s4 * m0;
    q = Math.floor(acc / 65536); const t4 = acc - q * 65536;
    acc = q + c[5] + s0 * m5 + s1 * m4 + s2 * m3 + s3 * m2 + s4 * m1 + s5 * m0;
    q = Math.floor(acc / 65536); const t5 = acc - q * 65536;
    acc = q + c[6] + s0 * m6 + s1 * m5 + s2 * m4 + s3 * m3 + s4 * m2 + s5 * m1 + s6 * m0;
    q = Math.floor(acc / 65536); const t6 = acc - q * 65536;
    acc = q + c[7] + s0 * m7 + s1 * m6 + s2 * m5 + s3 * m4 + s4 * m3 + s5 * m2 + s6 * m1 + s7 * m0;
    q = Math.floor(acc / 65536); const t7 = acc - q * 65536;
    s[0] = t0; s[1] = t1; s[2] = t2; s[3] = t3; s[4] = t4; s[5] = t5; s[6] = t6; s[7] = t7;
    // XSL-RR: rotate (high 64 bits xor low 64 bits) right by the top 6 bits of the state
    let a = ((t7 * 65536 + t6) ^ (t3 * 65536 + t2)) >>> 0;   // high 32 bits of the xor
    let b = ((t5 * 65536 + t4) ^ (t1 * 65536 + t0)) >>> 0;   // low 32 bits
    let rot = t7 >>> 10;
    if (rot >= 32) { const tmp = a; a = b; b = tmp; rot -= 32; }
    if (rot > 0) {
      const na = ((a >>> rot) | (b << (32 - rot))) >>> 0;
      const nb = ((b >>> rot) | (a << (32 - rot))) >>> 0;
      a = na; b = nb;
    }
    this.hi = a; this.lo = b;
  }

  /** next_uint32: the low half of a fresh 64-bit output, then its high half. */
  nextU32() {
    if (this.hasU32) { this.hasU32 = false; return this.u32; }
    this.next64();
    this.hasU32 = true;
    this.u32 = this.hi;
    return this.lo;
  }

  /** next_double: (next_uint64 >> 11) * 2^-53. */
  nextDouble() {
    this.next64();
    return (this.hi * 2097152 + (this.lo >>> 11)) * TWO_M53;
  }

  /** One draw of Generator.standard_normal (NumPy's ziggurat). */
  standardNormal() {
    const { ki, wi, fi } = ZIG;
    for (;;) {
      this.next64();
      const lo = this.lo, hi = this.hi;
      const idx = lo & 0xff;
      const sign = (lo >>> 8) & 1;
      const rabs = (hi & 0x1fffffff) * 8388608 + (lo >>> 9);  // bits 9..60
      let x = rabs * wi[idx];
      if (sign) x = -x;
      if (rabs < ki[idx]) return x;
      if (idx === 0) {
        for (;;) {
          const xx = -ZIG_INV_R * Math.log1p(-this.nextDouble());
          const yy = -Math.log1p(-this.nextDouble());
          if (yy + yy > xx * xx) return ((rabs / 256) & 1) ? -(ZIG_R + xx) : ZIG_R + xx;
        }
      } else if ((fi[idx - 1] - fi[idx]) * this.nextDouble() + fi[idx] < Math.exp(-0.5 * x * x)) {
        return x;
      }
    }
  }

  /** n standard normals, in order (standard_normal(n) or, row by row, standard_normal((r, c))). */
  normals(n, out = new Float64Array(n)) {
    for (let i = 0; i < n; i++) out[i] = this.standardNormal();
    return out;
  }

  /** Generator.permutation(n): a shuffle of 0..n-1 (Fisher-Yates from the end, masked draws). */
  permutation(n, out = new Int32Array(n)) {
    for (let i = 0; i < n; i++) out[i] = i;
    for (let i = n - 1; i >= 1; i--) {
      let mask = i;
      mask |= mask >>> 1; mask |= mask >>> 2; mask |= mask >>> 4; mask |= mask >>> 8; mask |= mask >>> 16;
      let j;
      do { j = (this.nextU32() & mask) >>> 0; } while (j > i);
      const tmp = out[i]; out[i] = out[j]; out[j] = tmp;
    }
    return out;
  }

  /** Generator.integers(0, high, size=n) for 1 <= high <= 2^20 (Lemire's method on 32-bit draws). */
  integers(high, n) {
    if (!Number.isInteger(high) || high < 1 || high > 1 << 20) throw new Error("integers: high must be in [1, 2^20]");
    const out = new Int32Array(n);
    if (high === 1) return out;
    const threshold = (0x100000000 - high) % high;
    for (let i = 0; i < n; i++) {
      let m = this.nextU32() * high;
      let leftover = m % 0x100000000;
      if (leftover < high) {
        while (leftover < threshold) { m = this.nextU32() * high; leftover = m % 0x100000000; }
      }
      out[i] = Math.floor(m / 0x100000000);
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// The running example and the model's parameters
// ---------------------------------------------------------------------------------------------
export const CENTERS = [[-2, -2], [-2, 2], [2, -2], [2, 2]];
export const CLUSTER_STD = 0.5;

/** vaebook.make_mixture(n, rng): {X (n x 2, row-major), labels}. */
export function makeMixture(n, rng) {
  const labels = rng.integers(CENTERS.length, n);
  const noise = rng.normals(2 * n);
  const X = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < 2; d++) X[2 * i + d] = CENTERS[labels[i]][d] + CLUSTER_STD * noise[2 * i + d];
  }
  return { X, labels };
}

/**
 * The model's sizes: {D, J, encHidden: [..], decHidden: [..], sigma2: number | "learned",
 * initScale: number | null}, and the layout of its flat parameter vector.
 */
export function makeConfig({ D = 2, J = 2, encHidden = [32], decHidden = [32], sigma2 = 0.5,
                             initScale = 0.1 } = {}) {
  for (const [name, v] of [["D", D], ["J", J], ...encHidden.map((h) => ["a hidden width", h]),
                           ...decHidden.map((h) => ["a hidden width", h])]) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer, got ${v}`);
  }
  const learned = sigma2 === "learned";
  if (!learned && !(sigma2 > 0 && Number.isFinite(sigma2))) {
    throw new Error(`sigma2 must be a positive number or "learned", got ${sigma2}`);
  }
  const layers = (prefix, widths) => widths.slice(0, -1).map((n_in, k) => ({
    name: k === widths.length - 2 ? `${prefix}_out` : `${prefix}${k + 1}`, n_in, n_out: widths[k + 1] }));
  const enc = layers("enc", [D, ...encHidden, 2 * J]);
  const dec = layers("dec", [J, ...decHidden, D]);
  let offset = 0;
  for (const l of [...enc, ...dec]) {
    l.W = offset; offset += l.n_in * l.n_out;
    l.b = offset; offset += l.n_out;
  }
  const logS2 = learned ? offset : -1;
  if (learned) offset += D;
  return { D, J, encHidden, decHidden, sigma2, learned, initScale, enc, dec, logS2, size: offset };
}

/** vaebook.init_params: W ~ N(0, scale^2) in storage order (scale: initScale, or He's sqrt(2/n_in)). */
export function initParams(config, rng) {
  const p = new Float64Array(config.size);
  for (const l of [...config.enc, ...config.dec]) {
    const scale = config.initScale !== null ? config.initScale : Math.sqrt(2.0 / l.n_in);
    for (let k = 0; k < l.n_in * l.n_out; k++) p[l.W + k] = scale * rng.standardNormal();
  }
  return p;
}

/** The decoder's layers in live.js's format ({W, b, n_in, n_out}, views of the parameters). */
export function decoderLayers(config, params) {
  return config.dec.map((l) => ({ W: params.subarray(l.W, l.W + l.n_in * l.n_out),
                                  b: params.subarray(l.b, l.b + l.n_out), n_in: l.n_in, n_out: l.n_out }));
}

// ---------------------------------------------------------------------------------------------
// Forward and backward pass
// ---------------------------------------------------------------------------------------------
const LOG_2PI = Math.log(2.0 * Math.PI);

// The three loops below add up chains of products. A chain is as slow as its additions one after
// another, so each loop runs four independent chains side by side (four outputs, four weights,
// four inputs), each still added up in its own order.

/** out[p, :] = a[p, :] @ W + b for m points (points are rows), then max(0, .) if relu. Each
 * output adds up a[0] W[0, j], a[1] W[1, j], ..., then b[j]: the order of live.js's decode. */
function denseForward(a, nIn, P, wOff, bOff, nOut, out, m, relu) {
  const n4 = nOut - (nOut % 4);
  for (let p = 0; p < m; p++) {
    const ai = p * nIn, oi = p * nOut;
    let j = 0;
    for (; j < n4; j += 4) {
      let s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
      for (let i = 0, w = wOff + j; i < nIn; i++, w += nOut) {
        const v = a[ai + i];
        s0 += v * P[w]; s1 += v * P[w + 1]; s2 += v * P[w + 2]; s3 += v * P[w + 3];
      }
      s0 += P[bOff + j]; s1 += P[bOff + j + 1]; s2 += P[bOff + j + 2]; s3 += P[bOff + j + 3];
      out[oi + j] = relu && !(s0 > 0.0) ? 0.0 : s0;
      out[oi + j + 1] = relu && !(s1 > 0.0) ? 0.0 : s1;
      out[oi + j + 2] = relu && !(s2 > 0.0) ? 0.0 : s2;
      out[oi + j + 3] = relu && !(s3 > 0.0) ? 0.0 : s3;
    }
  }
  for (let j = n4; j < nOut; j++) {  // the last outputs, two points at a time
    let p = 0;
    for (; p + 1 < m; p += 2) {
      const a0 = p * nIn, a1 = a0 + nIn;
      let s0 = 0.0, s1 = 0.0;
      for (let i = 0, w = wOff + j; i < nIn; i++, w += nOut) { s0 += a[a0 + i] * P[w]; s1 += a[a1 + i] * P[w]; }
      s0 += P[bOff + j]; s1 += P[bOff + j];
      out[p * nOut + j] = relu && !(s0 > 0.0) ? 0.0 : s0;
      out[(p + 1) * nOut + j] = relu && !(s1 > 0.0) ? 0.0 : s1;
    }
    for (; p < m; p++) {
      let s = 0.0;
      for (let i = 0, w = wOff + j; i < nIn; i++, w += nOut) s += a[p * nIn + i] * P[w];
      s += P[bOff + j];
      out[p * nOut + j] = relu && !(s > 0.0) ? 0.0 : s;
    }
  }
}

/** Sum over p < m of x[start + p * stride] (y[...] times it, if y): four partial sums. */
function sumStrided(x, xs, xStride, y, ys, yStride, m) {
  let s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0, p = 0;
  if (y) {
    for (; p + 3 < m; p += 4, xs += 4 * xStride, ys += 4 * yStride) {
      s0 += x[xs] * y[ys]; s1 += x[xs + xStride] * y[ys + yStride];
      s2 += x[xs + 2 * xStride] * y[ys + 2 * yStride]; s3 += x[xs + 3 * xStride] * y[ys + 3 * yStride];
    }
    for (; p < m; p++, xs += xStride, ys += yStride) s0 += x[xs] * y[ys];
  } else {
    for (; p + 3 < m; p += 4, xs += 4 * xStride) {
      s0 += x[xs]; s1 += x[xs + xStride]; s2 += x[xs + 2 * xStride]; s3 += x[xs + 3 * xStride];
    }
    for (; p < m; p++, xs += xStride) s0 += x[xs];
  }
  return (s0 + s1) + (s2 + s3);
}

/** Gradients of a dense layer from d loss / d out (m x nOut): dW = a^T dout, db = sum dout, and,
 * if dx is given, dx = dout W^T, times (a > 0) when a is a ReLU output. */
function denseBackward(a, nIn, P, G, wOff, bOff, nOut, dout, dx, m, reluInput) {
  const n4 = nOut - (nOut % 4);
  for (let i = 0; i < nIn; i++) {
    const row = wOff + i * nOut;
    let j = 0;
    for (; j < n4; j += 4) {
      let s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
      for (let p = 0, ai = i, di = j; p < m; p++, ai += nIn, di += nOut) {
        const v = a[ai];
        s0 += v * dout[di]; s1 += v * dout[di + 1]; s2 += v * dout[di + 2]; s3 += v * dout[di + 3];
      }
      G[row + j] = s0; G[row + j + 1] = s1; G[row + j + 2] = s2; G[row + j + 3] = s3;
    }
    for (; j < nOut; j++) G[row + j] = sumStrided(a, i, nIn, dout, j, nOut, m);
  }
  for (let j = 0; j < nOut; j++) G[bOff + j] = sumStrided(dout, j, nOut, null, 0, 0, m);
  if (!dx) return;
  const i4 = nIn - (nIn % 4);
  for (let p = 0; p < m; p++) {
    const ai = p * nIn, di = p * nOut;
    let i = 0;
    for (; i < i4; i += 4) {
      let s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
      const w0 = wOff + i * nOut, w1 = w0 + nOut, w2 = w1 + nOut, w3 = w2 + nOut;
      for (let j = 0; j < nOut; j++) {
        const d = dout[di + j];
        s0 += P[w0 + j] * d; s1 += P[w1 + j] * d; s2 += P[w2 + j] * d; s3 += P[w3 + j] * d;
      }
      dx[ai + i] = reluInput && !(a[ai + i] > 0.0) ? 0.0 : s0;
      dx[ai + i + 1] = reluInput && !(a[ai + i + 1] > 0.0) ? 0.0 : s1;
      dx[ai + i + 2] = reluInput && !(a[ai + i + 2] > 0.0) ? 0.0 : s2;
      dx[ai + i + 3] = reluInput && !(a[ai + i + 3] > 0.0) ? 0.0 : s3;
    }
    for (; i < nIn; i++) {
      const s = sumStrided(P, wOff + i * nOut, 1, dout, di, 1, nOut);
      dx[ai + i] = reluInput && !(a[ai + i] > 0.0) ? 0.0 : s;
    }
  }
}

/**
 * The training engine: gradients of the batch-mean negative ELBO of vaebook.model, written into
 * this.grads, and each batch's loss terms at the parameters its step started from.
 */
export class Trainer {
  constructor(config, params) {
    if (!(params instanceof Float64Array) || params.length !== config.size) {
      throw new Error(`params must be a Float64Array of ${config.size} numbers`);
    }
    this.config = config;
    this.params = params;
    this.grads = new Float64Array(config.size);
    this._m = 0;
  }

  _buffers(m) {
    if (this._m === m) return;
    const c = this.config, J = c.J, D = c.D;
    const acts = (layers) => layers.map((l) => new Float64Array(m * l.n_out));
    this.encActs = acts(c.enc);                         // hidden outputs, then the head (mu, log var)
    this.decActs = acts(c.dec);                         // hidden outputs, then x_hat
    this.encD = acts(c.enc);
    this.decD = acts(c.dec);
    this.z = new Float64Array(m * J);
    this.dz = new Float64Array(m * J);
    this.sigma = new Float64Array(m * J);
    this.se = new Float64Array(m * J);
    this.dummy = null;
    this._m = m;
    void D;
  }

  /**
   * One batch: x (m x D rows), eps (m x J rows), starting at row `start` of each. Writes the
   * gradients of the batch mean into this.grads; returns the sums over the batch of
   * -log p(x|z) and of KL, and adds each dimension's KL sum into klDims (length J) if given.
   */
  gradients(x, eps, start, m, beta, klDims = null) {
    const c = this.config, P = this.params, G = this.grads, J = c.J, D = c.D;
    this._buffers(m);
    const xo = start * D, eo = start * J;
    const xb = x.subarray(xo, xo + m * D), eb = eps.subarray(eo, eo + m * J);

    // ---- encoder
    let a = xb, nIn = D;
    for (let k = 0; k < c.enc.length; k++) {
      const l = c.enc[k];
      denseForward(a, nIn, P, l.W, l.b, l.n_out, this.encActs[k], m, k < c.enc.length - 1);
      a = this.encActs[k]; nIn = l.n_out;
    }
    const head = a; // (m, 2J): mu, then log sigma^2
    // ---- z = mu + sigma * eps
    const z = this.z, sigma = this.sigma, se = this.se;
    let klSum = 0.0;
    for (let p = 0; p < m; p++) {
      for (let j = 0; j < J; j++) {
        const mu = head[p * 2 * J + j], lv = head[p * 2 * J + J + j];
        const s = Math.exp(lv * 0.5);
        sigma[p * J + j] = s;
        se[p * J + j] = s * eb[p * J + j];
        z[p * J + j] = mu + se[p * J + j];
        const kl = 0.5 * (mu * mu + Math.exp(lv) - 1.0 - lv);
        klSum += kl;
        if (klDims) klDims[j] += kl;
      }
    }
    // ---- decoder
    a = z; nIn = J;
    for (let k = 0; k < c.dec.length; k++) {
      const l = c.dec[k];
      denseForward(a, nIn, P, l.W, l.b, l.n_out, this.decActs[k], m, k < c.dec.length - 1);
      a = this.decActs[k]; nIn = l.n_out;
    }
    const out = a;
    // ---- -log p(x|z) and d loss / d out (of the batch mean)
    const dout = this.decD[c.dec.length - 1];
    let reconSum = 0.0;
    if (c.learned) {
      for (let d = 0; d < D; d++) {
        const logS2 = P[c.logS2 + d], var_ = Math.exp(logS2), invS2 = Math.exp(-logS2);
        let sq = 0.0;
        for (let p = 0; p < m; p++) {
          const r = out[p * D + d] - xb[p * D + d];
          sq += r * r;
          reconSum += 0.5 * (LOG_2PI + Math.log(var_) + (r * r) / var_);
          dout[p * D + d] = r * (invS2 / m);
        }
        G[c.logS2 + d] = 0.5 * (1.0 - (sq * invS2) / m);
      }
    } else {
      const var_ = c.sigma2, k = 1.0 / (var_ * m), logVar = Math.log(var_);
      for (let q = 0; q < m * D; q++) {
        const r = out[q] - xb[q];
        reconSum += 0.5 * (LOG_2PI + logVar + (r * r) / var_);
        dout[q] = r * k;
      }
    }
    // ---- backward through the decoder to z
    for (let k = c.dec.length - 1; k >= 0; k--) {
      const l = c.dec[k];
      const input = k > 0 ? this.decActs[k - 1] : z;
      const dx = k > 0 ? this.decD[k - 1] : this.dz;
      denseBackward(input, l.n_in, P, G, l.W, l.b, l.n_out, this.decD[k], dx, m, k > 0);
    }
    // ---- through z = mu + sigma eps and the KL term, into d loss / d head
    const dhead = this.encD[c.enc.length - 1], dz = this.dz, kb = beta / m;
    for (let p = 0; p < m; p++) {
      for (let j = 0; j < J; j++) {
        const q = p * J + j, h = p * 2 * J;
        const g = dz[q];
        dhead[h + j] = g + kb * head[h + j];
        const s = sigma[q];
        dhead[h + J + j] = 0.5 * (g * se[q] + kb * (s * s - 1.0));
      }
    }
    // ---- backward through the encoder
    for (let k = c.enc.length - 1; k >= 0; k--) {
      const l = c.enc[k];
      const input = k > 0 ? this.encActs[k - 1] : xb;
      const dx = k > 0 ? this.encD[k - 1] : null;
      denseBackward(input, l.n_in, P, G, l.W, l.b, l.n_out, this.encD[k], dx, m, k > 0);
    }
    return { recon: reconSum, kl: klSum };
  }

  /** The encoder's means mu(x) for n points (n x J, row-major). */
  encodeMeans(x, n) {
    const c = this.config, P = this.params, J = c.J;
    let a = x, nIn = c.D;
    for (let k = 0; k < c.enc.length; k++) {
      const l = c.enc[k], o = new Float64Array(n * l.n_out);
      denseForward(a, nIn, P, l.W, l.b, l.n_out, o, n, k < c.enc.length - 1);
      a = o; nIn = l.n_out;
    }
    const mu = new Float64Array(n * J);
    for (let p = 0; p < n; p++) for (let j = 0; j < J; j++) mu[p * J + j] = a[p * 2 * J + j];
    return mu;
  }

  /** The decoder's means for n latent points (n x D): the training pass's decoder forward. */
  decodeBatch(z, n) {
    const c = this.config, P = this.params;
    let a = z, nIn = c.J;
    for (let k = 0; k < c.dec.length; k++) {
      const l = c.dec[k], o = new Float64Array(n * l.n_out);
      denseForward(a, nIn, P, l.W, l.b, l.n_out, o, n, k < c.dec.length - 1);
      a = o; nIn = l.n_out;
    }
    return a;
  }
}

// ---------------------------------------------------------------------------------------------
// Optimisers: the updates of vaebook.optim on the flat vectors
// ---------------------------------------------------------------------------------------------
export class SGD {
  constructor(lr = 0.01) {
    if (!(lr > 0 && Number.isFinite(lr))) throw new Error(`lr must be a positive number, got ${lr}`);
    this.lr = lr;
  }

  step(p, g) {
    const lr = this.lr;
    for (let i = 0; i < p.length; i++) p[i] -= lr * g[i];
  }
}

export class Adam {
  constructor(lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8) {
    if (!(lr > 0 && Number.isFinite(lr))) throw new Error(`lr must be a positive number, got ${lr}`);
    Object.assign(this, { lr, beta1, beta2, eps, t: 0, m: null, v: null });
  }

  step(p, g) {
    if (this.m === null) { this.m = new Float64Array(p.length); this.v = new Float64Array(p.length); }
    this.t += 1;
    const { beta1: b1, beta2: b2, m, v } = this;
    const c2 = Math.sqrt(1.0 - b2 ** this.t);
    const lrT = (this.lr * c2) / (1.0 - b1 ** this.t);
    const epsT = this.eps * c2, a1 = 1.0 - b1, a2 = 1.0 - b2;
    for (let i = 0; i < p.length; i++) {
      const gi = g[i];
      m[i] = m[i] * b1 + a1 * gi;
      v[i] = v[i] * b2 + gi * gi * a2;
      p[i] -= (m[i] / (Math.sqrt(v[i]) + epsT)) * lrT;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// A training run: vaebook.train, one batch at a time
// ---------------------------------------------------------------------------------------------
/**
 * vaebook.train(params, config, X, epochs, batch_size, optimizer, rng, beta) as a state machine
 * that can stop after any batch: each epoch draws rng.permutation(n), then the (n x J) noise,
 * and steps once per batch of the shuffled data (the last batch may be smaller). The per-epoch
 * history holds recon, kl and total averaged over the points, and each dimension's KL.
 * `noiseSource(epoch)` may replace the generator: it returns {order, eps} (for tests).
 */
export class Run {
  constructor({ config, params, X, n, batchSize = 64, optimizer, rng = null, beta = 1.0,
                noiseSource = null }) {
    if (!(beta >= 0 && Number.isFinite(beta))) throw new Error(`beta must be a number >= 0, got ${beta}`);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batch size must be a positive integer, got ${batchSize}`);
    Object.assign(this, { config, params, X, n, batchSize, optimizer, rng, beta, noiseSource });
    this.trainer = new Trainer(config, params);
    this.epoch = 0;             // epochs completed
    this.history = { recon: [], kl: [], total: [], klDims: [] };
    this.xs = new Float64Array(n * config.D);
    this.order = new Int32Array(n);
    this.eps = new Float64Array(n * config.J);
    this.batch = -1;            // the next batch of the current epoch, -1: between epochs
    this.diverged = false;
  }

  _begin() {
    const n = this.n, D = this.config.D;
    if (this.noiseSource) {
      const { order, eps } = this.noiseSource(this.epoch);
      this.order.set(order); this.eps.set(eps);
    } else {
      this.rng.permutation(n, this.order);
      this.rng.normals(n * this.config.J, this.eps);
    }
    for (let i = 0; i < n; i++) {
      const r = this.order[i];
      for (let d = 0; d < D; d++) this.xs[i * D + d] = this.X[r * D + d];
    }
    this.batch = 0;
    this.sums = { recon: 0.0, kl: 0.0, klDims: new Float64Array(this.config.J) };
  }

  /** One optimiser step (starting a new epoch first if needed); true if it ended an epoch. */
  stepBatch() {
    if (this.diverged) return false;
    if (this.batch < 0) this._begin();
    const start = this.batch * this.batchSize, m = Math.min(this.batchSize, this.n - start);
    const t = this.trainer.gradients(this.xs, this.eps, start, m, this.beta, this.sums.klDims);
    this.sums.recon += t.recon; this.sums.kl += t.kl;
    this.optimizer.step(this.params, this.trainer.grads);
    this.batch += 1;
    if (this.batch * this.batchSize < this.n) return false;
    const h = this.history, n = this.n;
    h.recon.push(this.sums.recon / n);
    h.kl.push(this.sums.kl / n);
    h.total.push((this.sums.recon + this.beta * this.sums.kl) / n);
    h.klDims.push(Array.from(this.sums.klDims, (v) => v / n));
    this.epoch += 1;
    this.batch = -1;
    if (!this.params.every(Number.isFinite)) this.diverged = true;
    return true;
  }

  /** Train whole epochs. */
  epochs(count) {
    for (let e = 0; e < count && !this.diverged; e++) while (!this.stepBatch()) { /* next batch */ }
  }
}
