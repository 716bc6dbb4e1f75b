import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            TOKEN_SECRET: "test-secret-of-at-least-thirty-two-bytes-long!!",
            // Tests run as production does, whatever a local .dev.vars says.
            DEV_SEED: "",
          },
        },
      }),
    ],
    test: {
      include: ["test/worker/**/*.test.ts", "worker/**/*.test.ts"],
      setupFiles: ["./test/worker/apply-migrations.ts"],
      testTimeout: 60_000,
    },
  };
});
