// Shared by the benchmarks: how a ratio against a peer is reported.

import os from 'node:os';
import { do_not_optimize, measure } from 'mitata';

/** One line naming the machine, printed at the top of every benchmark. */
export function machineLine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `machine: ${cpu} × ${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.arch()}`;
}

/**
 * Prints whether a measured value meets its target. Targets are reported, not asserted:
 * a slow shared machine should not turn the benchmark run into a flaky test.
 */
export function reportTarget(name: string, measured: number, target: string, met: boolean): void {
  console.log(`target ${met ? 'MET   ' : 'MISSED'} ${name}: ${measured.toFixed(2)} (${target})`);
}

/**
 * Median of per-round p50s (ns), rounds run in alternating order so load drift on a shared
 * machine falls on every path alike.
 */
export async function p50ByPath(
  paths: Record<string, () => unknown>,
  rounds = 6,
): Promise<Map<string, number>> {
  const samples = new Map<string, number[]>(Object.keys(paths).map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    const names = round % 2 === 0 ? Object.keys(paths) : Object.keys(paths).reverse();
    for (const name of names) {
      const stats = await measure(async () => do_not_optimize(await paths[name]!()));
      samples.get(name)!.push(stats.p50);
    }
  }
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
  return new Map([...samples].map(([name, v]) => [name, median(v)]));
}
