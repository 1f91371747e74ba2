// Shared by the benchmarks: how a ratio against a peer is reported.
import os from 'node:os';

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
