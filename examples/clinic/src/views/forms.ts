import type { FormErrors } from '../services/form-errors.js';
import { html, type SafeHtml } from './html.js';

/** One labelled input, with its hint and error tied to it for screen readers. */
export interface FieldOptions {
  name: string;
  label: string;
  type?: 'text' | 'email' | 'datetime-local' | 'number' | 'password';
  value?: string | undefined;
  error?: string | undefined;
  hint?: string | undefined;
  required?: boolean;
  autocomplete?: string;
  /** Extra attributes (`min`, `max`, `inputmode`, …), escaped. */
  attributes?: Record<string, string>;
}

const describedBy = (name: string, hint?: string, error?: string) =>
  [hint && `${name}-hint`, error && `${name}-error`].filter(Boolean).join(' ') || undefined;

/** A text-like input with its label, hint and error. */
export function field(o: FieldOptions): SafeHtml {
  const attrs = Object.entries(o.attributes ?? {}).map(([k, v]) => html` ${k}="${v}"`);
  const ids = describedBy(o.name, o.hint, o.error);
  return html`<label for="${o.name}">${o.label}</label>
${o.hint && html`<p class="hint" id="${o.name}-hint">${o.hint}</p>`}
${o.error && html`<p class="error" id="${o.name}-error">${o.error}</p>`}
<input id="${o.name}" name="${o.name}" type="${o.type ?? 'text'}" value="${o.value ?? ''}"${
    o.required ? html` required` : ''
  }${o.autocomplete ? html` autocomplete="${o.autocomplete}"` : ''}${
    ids ? html` aria-describedby="${ids}"` : ''
  }${o.error ? html` aria-invalid="true"` : ''}${attrs}>`;
}

/** A `<select>` with its label and error. */
export function select(o: {
  name: string;
  label: string;
  options: { value: string; label: string; disabled?: boolean }[];
  value?: string | undefined;
  error?: string | undefined;
  hint?: string | undefined;
}): SafeHtml {
  const ids = describedBy(o.name, o.hint, o.error);
  return html`<label for="${o.name}">${o.label}</label>
${o.hint && html`<p class="hint" id="${o.name}-hint">${o.hint}</p>`}
${o.error && html`<p class="error" id="${o.name}-error">${o.error}</p>`}
<select id="${o.name}" name="${o.name}"${ids ? html` aria-describedby="${ids}"` : ''}${
    o.error ? html` aria-invalid="true"` : ''
  }>
${o.options.map(
  (opt) =>
    html`<option value="${opt.value}"${opt.value === o.value ? html` selected` : ''}${
      opt.disabled ? html` disabled` : ''
    }>${opt.label}</option>`,
)}
</select>`;
}

/**
 * The list of a form's errors, announced (`role="alert"`), each linking to its field; errors
 * about the whole form (`form`) are listed without a link.
 */
export function errorSummary(errors: FormErrors | undefined): SafeHtml {
  const entries = Object.entries(errors ?? {});
  if (entries.length === 0) return html``;
  return html`<div class="errors" role="alert" aria-labelledby="error-summary-title">
<h2 id="error-summary-title">Please fix ${entries.length === 1 ? 'this' : 'these'}:</h2>
<ul>${entries.map(([name, message]) =>
    name === 'form' ? html`<li>${message}</li>` : html`<li><a href="#${name}">${message}</a></li>`,
  )}</ul>
</div>`;
}
