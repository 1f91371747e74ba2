import { keyOf, type LogLine, type StepKind, type StepRef } from './log-lines.js';

/** What the log says about one WorkOS object. @internal */
export interface ObjectState {
  readonly ref: StepRef;
  /** The run was about to create it (or was deleting it) and no outcome was logged. */
  intent: boolean;
  done?: { id: string; created: boolean };
  undoIntent: boolean;
  /** Where in the log it was first announced, so undo can go in reverse order. */
  order: number;
}

/** The run log folded into what each object and record came to. @internal */
export interface LogState {
  readonly objects: Map<string, ObjectState>;
  /** The last outcome line of each Clerk user. */
  readonly records: Map<string, Extract<LogLine, { t: 'record' }>>;
  apply(line: LogLine): void;
  get(ref: StepRef): ObjectState | undefined;
}

/** @internal */
export function createLogState(lines: readonly LogLine[] = []): LogState {
  const objects = new Map<string, ObjectState>();
  const records = new Map<string, Extract<LogLine, { t: 'record' }>>();
  let order = 0;
  const entry = (ref: StepRef) => {
    const key = keyOf(ref);
    let state = objects.get(key);
    if (!state) {
      state = {
        ref: { step: ref.step, clerkUserId: ref.clerkUserId, org: ref.org },
        intent: false,
        undoIntent: false,
        order: order++,
      };
      objects.set(key, state);
    }
    return state;
  };
  const state: LogState = {
    objects,
    records,
    apply(line) {
      switch (line.t) {
        case 'intent':
          entry(line).intent = true;
          return;
        case 'done': {
          const e = entry(line);
          e.intent = false;
          e.done = { id: line.id, created: line.created };
          return;
        }
        case 'undo-intent':
          entry(line).undoIntent = true;
          return;
        case 'undo-done': {
          // The object is gone: a later run starts over for it.
          objects.delete(keyOf(line));
          if (line.clerkUserId) records.delete(line.clerkUserId);
          return;
        }
        case 'record':
          records.set(line.clerkUserId, line);
          return;
      }
    },
    get: (ref) => objects.get(keyOf(ref)),
  };
  for (const line of lines) state.apply(line);
  return state;
}

/** @internal */
export const isStep = (kind: StepKind) => (o: ObjectState) => o.ref.step === kind;
