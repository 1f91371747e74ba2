// `next` has no exports map, so NodeNext resolution finds only `next/navigation.js`. The adapter
// imports the bare name because Next's bundlers map that one to the server build; see index.ts.
declare module 'next/navigation' {
  export * from 'next/navigation.js';
}
