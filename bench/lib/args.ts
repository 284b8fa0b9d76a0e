/** Command-line options of the benchmark scripts (`--name value`), and their progress log on stderr. */
export function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 || process.argv[i + 1] === undefined ? fallback : process.argv[i + 1]!;
}

export function numberOption(name: string, fallback: number): number {
  const value = Number(option(name, String(fallback)));
  if (!Number.isFinite(value)) throw new Error(`--${name} must be a number`);
  return value;
}

export const progressLog =
  (tag: string) =>
  (line: string): void =>
    void process.stderr.write(`[${tag}] ${line}\n`);
