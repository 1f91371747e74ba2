import type { ReactNode } from 'react';

/** Field name → message; `form` for an error about the whole form. */
export type FormErrors = Record<string, string>;

const describedBy = (name: string, hint?: string, error?: string) =>
  [hint && `${name}-hint`, error && `${name}-error`].filter(Boolean).join(' ') || undefined;

interface FieldProps {
  name: string;
  label: string;
  type?: 'text' | 'email' | 'datetime-local' | 'number';
  defaultValue?: string | undefined;
  error?: string | undefined;
  hint?: string | undefined;
  required?: boolean;
  autoComplete?: string;
  inputMode?: 'numeric';
  min?: number;
  max?: number;
}

/** A labelled input whose hint and error are tied to it for screen readers. */
export function Field(p: FieldProps) {
  return (
    <>
      <label htmlFor={p.name}>{p.label}</label>
      {p.hint && (
        <p className="hint" id={`${p.name}-hint`}>
          {p.hint}
        </p>
      )}
      {p.error && (
        <p className="error" id={`${p.name}-error`}>
          {p.error}
        </p>
      )}
      <input
        id={p.name}
        name={p.name}
        type={p.type ?? 'text'}
        defaultValue={p.defaultValue ?? ''}
        required={p.required}
        autoComplete={p.autoComplete}
        inputMode={p.inputMode}
        min={p.min}
        max={p.max}
        aria-describedby={describedBy(p.name, p.hint, p.error)}
        aria-invalid={p.error ? true : undefined}
      />
    </>
  );
}

/** A labelled `<select>` with its error. */
export function Select(p: {
  name: string;
  label: string;
  options: { value: string; label: string }[];
  defaultValue?: string | undefined;
  error?: string | undefined;
}) {
  return (
    <>
      <label htmlFor={p.name}>{p.label}</label>
      {p.error && (
        <p className="error" id={`${p.name}-error`}>
          {p.error}
        </p>
      )}
      <select
        id={p.name}
        name={p.name}
        defaultValue={p.defaultValue ?? ''}
        aria-describedby={describedBy(p.name, undefined, p.error)}
        aria-invalid={p.error ? true : undefined}
      >
        {p.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </>
  );
}

/** The form's errors, announced, each linking to its field. */
export function ErrorSummary({ errors }: { errors: FormErrors | undefined }) {
  const entries = Object.entries(errors ?? {});
  if (entries.length === 0) return null;
  return (
    <div className="errors" role="alert" aria-labelledby="error-summary-title">
      <h2 id="error-summary-title">Please fix {entries.length === 1 ? 'this' : 'these'}:</h2>
      <ul>
        {entries.map(([name, message]) => (
          <li key={name}>{name === 'form' ? message : <a href={`#${name}`}>{message}</a>}</li>
        ))}
      </ul>
    </div>
  );
}

/** A notice announced politely to screen readers. */
export function Notice({ children, id }: { children: ReactNode; id?: string }) {
  return (
    <p className="notice" role="status" id={id}>
      {children}
    </p>
  );
}

/** `2026-12-01 09:30 UTC`: the clinic keeps times in UTC. */
export const dateTime = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
