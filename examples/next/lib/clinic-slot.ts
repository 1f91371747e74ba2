/**
 * Where server.ts leaves the started clinic for the app's routes. A registered symbol: Next
 * loads pages, actions and route handlers as separate bundles, and the server itself is plain
 * Node, yet all of them see the same `globalThis`.
 */
export const CLINIC_SLOT = Symbol.for('orgkit-examples.next.clinic');
