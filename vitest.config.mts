import { mkdirSync } from "node:fs";
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

// wrangler.toml serves dist/web as static assets and miniflare refuses a missing directory; the
// worker tests never read it, so an empty one is enough when the web app has not been built.
mkdirSync(path.join(import.meta.dirname, "dist", "web"), { recursive: true });

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  return {
    test: {
      projects: [
        {
          // Inside workerd against a real D1, one isolated storage per test file.
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  TOKEN_SECRET: "test-secret-of-at-least-thirty-two-bytes-long!!",
                  // Tests run as production does, whatever a local .dev.vars says.
                  DEV_SEED: "",
                  // The webhook tests' receiver is a local http server (test/worker/webhook-receiver.ts).
                  WEBHOOK_ALLOW_LOCAL: "1",
                },
              },
            }),
          ],
          test: {
            name: "worker",
            // Pure logic of the web components (no DOM) and of lib/ runs here too.
            include: [
              "test/worker/**/*.test.ts",
              "worker/**/*.test.ts",
              "web-components/**/*.test.ts",
              "lib/**/*.test.ts",
            ],
            setupFiles: ["./test/worker/apply-migrations.ts"],
            // A real HTTP receiver (Node) for the webhook delivery tests; its address via inject().
            globalSetup: ["./test/worker/webhook-receiver.ts"],
            testTimeout: 60_000,
            sequence: { groupOrder: 0 },
          },
        },
        {
          // Real Chromium against `wrangler dev`, after the worker tests, one file at a time (they
          // share one running app, started once by the global setup).
          test: {
            name: "browser",
            include: ["test/browser/**/*.test.ts"],
            environment: "node",
            globalSetup: ["./test/browser/global-setup.ts"],
            fileParallelism: false,
            testTimeout: 120_000,
            hookTimeout: 180_000,
            sequence: { groupOrder: 1 },
          },
        },
        {
          // `npm start` itself (scripts/start.mjs with real wrangler and workerd), after the browser
          // tests so its rebuild of dist/web never lands under them; one file at a time.
          test: {
            name: "scripts",
            include: ["test/scripts/**/*.test.ts"],
            environment: "node",
            fileParallelism: false,
            testTimeout: 240_000,
            hookTimeout: 60_000,
            sequence: { groupOrder: 2 },
          },
        },
      ],
    },
  };
});
