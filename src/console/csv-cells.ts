/**
 * Reads the chosen CSV in the browser (it never leaves it for this), only to show an invalid row's cells
 * beside the API's findings with the bad cell highlighted. The API's parser decides what is valid; this one
 * just has to find the same records: quotes, doubled quotes, line breaks inside quotes, `,` `;` or tab.
 */
export interface CsvCells {
  header: string[];
  /** Records by the physical line they start on (1 = the header), as the API's findings number them. */
  byLine: Map<number, string[]>;
}

function delimiterOf(firstLine: string): string {
  const counts = [',', ';', '\t', '|'].map((d) => [d, firstLine.split(d).length] as const);
  return counts.reduce((best, c) => (c[1] > best[1] ? c : best))[0];
}

export function parseCsvCells(text: string, wantedLines: ReadonlySet<number>): CsvCells {
  const body = text.replace(/^\uFEFF/, '');
  const d = delimiterOf(body.slice(0, body.search(/\r?\n|$/)));
  const byLine = new Map<number, string[]>();
  let header: string[] = [];
  let line = 1;
  let start = 1;
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  const endRecord = () => {
    cells.push(cell);
    if (start === 1) header = cells;
    else if (wantedLines.has(start)) byLine.set(start, cells);
    cells = [];
    cell = '';
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        cell += c;
      }
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === d) {
      cells.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && body[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else cell += c;
  }
  if (cell !== '' || cells.length > 0) endRecord();
  return { header, byLine };
}
