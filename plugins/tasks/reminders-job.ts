/** The `remind` one-off job: one reminder alone (a retry) or a tick's due ones together. */
import type { OnceJobDef } from "../../worker/plugin-sdk";
import { deliverReminders } from "./reminders-deliver";

export const remindJob: OnceJobDef = {
  once: true,
  maxAttempts: 5,
  runMany: deliverReminders,
  run: async (ctx) => {
    const [out] = await deliverReminders(ctx, [ctx]);
    if (out instanceof Error) throw out;
    return out;
  },
};
