import type { Pool } from '../../../src/db/pool.js';

/** The harness smoke test's only side effect: one row in PostgreSQL. */
export function createSmokeActivities(pool: Pool) {
  return {
    async recordGreeting(name: string): Promise<number> {
      const { rows } = await pool.query<{ id: number }>('INSERT INTO smoke_greetings (name) VALUES ($1) RETURNING id', [name]);
      return rows[0]!.id;
    },
  };
}

export type SmokeActivities = ReturnType<typeof createSmokeActivities>;
