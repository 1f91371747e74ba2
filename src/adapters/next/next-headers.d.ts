// As next-navigation.d.ts: the adapter imports the bare name, which Next's bundlers map to the
// server build; NodeNext resolution finds only `next/headers.js`.
declare module 'next/headers' {
  export * from 'next/headers.js';
}
