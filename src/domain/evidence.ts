/**
 * Evidence on a payout (PesaWay's transaction id, queries asked, last answers and errors): what an
 * operator chases PesaWay with. Holds no personal data; destinations are masked before they get here.
 */
export type Evidence = Record<string, unknown>;

/** Evidence as one readable line: `reason: no final answer before the settle deadline; queries: 48; …`. */
export function evidenceText(evidence: Evidence | null): string | null {
  if (!evidence) return null;
  const parts = Object.entries(evidence)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return parts.length === 0 ? null : parts.join('; ');
}
