// What the book's widget front ends share (figure.js, live.js): the state codec's browser side,
// the one number format, and the DOM scaffolding of a widget (a titled group of labelled controls).
// In Node the files import this one natively; for the browser vaebook.widgets.frontend inlines it
// into each widget's single ES module.

export const MINUS = "\u2212";

/** base64 -> Uint8Array (browser and Node): the bytes vaebook.widgets.state.encode_array wrote. */
export function bytesOf(b64) {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** base64 of little-endian float64 -> Float64Array; an array of numbers passes through. */
export function float64Of(v) {
  if (typeof v !== "string") return v;
  const bytes = bytesOf(v);
  return new Float64Array(bytes.buffer, bytes.byteOffset, bytes.length / 8);
}

/** A number as Python's vaebook.widgets.controls.format_number writes it: ``decimals`` fixed
 *  decimals, a real minus sign but never on a zero ("0.000"), integers for ``decimals`` null. */
export function formatNumber(v, decimals) {
  if (decimals === null || decimals === undefined) {
    return (v < 0 ? MINUS : "") + String(Math.abs(Math.trunc(v)));
  }
  const s = Math.abs(v).toFixed(decimals);
  return (v < 0 && /[1-9]/.test(s) ? MINUS : "") + s;
}

/** The widget's root element (class ``rootClass``) with a bold title line if there is one. */
export function widgetRoot(rootClass, titleClass, title) {
  const root = document.createElement("div");
  root.className = rootClass;
  if (title) {
    const t = document.createElement("div");
    t.className = titleClass;
    t.textContent = title;
    root.appendChild(t);
  }
  return root;
}

/** A row ``<label class=rowClass><span>text</span> input [<span class=valueClass>]</label>``;
 *  returns the row and its value span (null without ``valueClass``). */
export function controlRow(rowClass, text, input, ariaLabel, valueClass) {
  const row = document.createElement("label");
  row.className = rowClass;
  const name = document.createElement("span");
  name.textContent = text;
  input.setAttribute("aria-label", ariaLabel);
  // JupyterLab's notebook takes arrow keys from focused elements unless they carry this
  input.setAttribute("data-lm-suppress-shortcuts", "true");
  row.append(name, input);
  let value = null;
  if (valueClass) {
    value = document.createElement("span");
    value.className = valueClass;
    row.appendChild(value);
  }
  return { row, value };
}
