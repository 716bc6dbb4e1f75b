/** Types of demo-sales.mjs for the TypeScript callers (the worker test). */
export type Call = (method: string, path: string, body?: unknown) => Promise<unknown>;
export function seedDemoSales(
  call: Call,
  options?: { perStatus?: number; today?: Date; inventory?: boolean },
): Promise<{ quotes: number; orders: number }>;
