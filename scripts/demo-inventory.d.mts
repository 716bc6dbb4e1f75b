/** Types of demo-inventory.mjs for the TypeScript callers (the worker test). */
import type { Call } from "./demo-sales.mjs";
export function seedDemoInventory(
  call: Call,
  options?: { manager?: string | null },
): Promise<{ warehouses: number; moves: number; low: number }>;
