const REDACTED = '[redacted]';

/**
 * A secret read from the export (a password digest, a TOTP secret). It prints, serialises and
 * inspects as `[redacted]`, so a record written to a log, a run file or an error report never
 * carries it; `reveal()` hands the value to the one call that needs it.
 */
export class SecretValue {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The secret itself, for the WorkOS call that imports it. */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `SecretValue(${REDACTED})`;
  }
}
