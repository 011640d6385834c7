// A process's resident memory, read from /proc (Linux), for the bench scripts' memory figures.
import { readFileSync } from 'node:fs';

/** `pid`'s RSS in MB; null once the process is gone. */
export function rssMb(pid: number): number | null {
  try {
    return Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);
  } catch {
    return null;
  }
}

/** Samples `pid`'s RSS every `everyMs` until the returned function is called; it gives the peak in MB (null if never read). */
export function peakRss(pid: number, everyMs = 250): () => number | null {
  let peak: number | null = null;
  const sample = () => {
    const now = rssMb(pid);
    if (now !== null) peak = Math.max(peak ?? 0, now);
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return () => {
    clearInterval(timer);
    return peak;
  };
}
