import { fileURLToPath } from 'node:url';

/** A committed fixture folder next to this file (`ceval`, `mmlu-original`): small stand-ins for real benchmark copies. */
export function fixtureRoot(name: string): string {
  return fileURLToPath(new URL(`./${name}`, import.meta.url));
}
