/** Payroll CSVs for engine tests: distinct employees, valid Kenyan numbers, amounts in whole shillings. */
export interface PayrollRow {
  employeeId: string;
  name: string;
  phone: string;
  amount: string;
}

export function payrollRows(count: number, options: { amount?: (i: number) => number; phone?: (i: number) => string } = {}): PayrollRow[] {
  return Array.from({ length: count }, (_, i) => ({
    employeeId: `EMP${String(i + 1).padStart(5, '0')}`,
    name: `Employee ${i + 1}`,
    // 2547 1x xxx xxx: well away from the sandbox's special 2547000004xx / 2547000009xx numbers.
    phone: options.phone?.(i) ?? `2547${String(10_000_000 + i).padStart(8, '0')}`,
    amount: String(options.amount?.(i) ?? 1000 + (i % 50) * 10),
  }));
}

const cell = (value: string): string => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

export function payrollCsv(rows: PayrollRow[]): string {
  const lines = rows.map((r) => [r.employeeId, r.name, r.phone, r.amount, 'Salary November'].map(cell).join(','));
  return ['employee_id,name,phone,amount,reason', ...lines].join('\n') + '\n';
}

export function sumMinor(rows: PayrollRow[]): number {
  return rows.reduce((s, r) => s + Math.round(Number(r.amount) * 100), 0);
}
