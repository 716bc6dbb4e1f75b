import { Hono } from "hono";
import type { AppEnv, Env } from "./env";
import { renderProblem } from "./http/problem";
import { requestId, limitBody, corsFromEnv, requireAuth } from "./http/middleware";
import { limitClients, limitUsers } from "./http/rate-limit";
import { secureHeaders } from "hono/secure-headers";
import { health } from "./http/health";
import { auth, authOpen } from "./http/auth";
import { oidc } from "./http/oidc";
import { meta } from "./http/meta";
import { views } from "./http/views";
import { calendar } from "./http/calendar";
import { records } from "./http/records";
import { admin } from "./http/admin";
import { openapi } from "./http/openapi";
import { dev } from "./http/dev";
import { embed } from "./http/embed";
import { config } from "./http/config";
import { actions } from "./http/actions";
import { directory } from "./http/directory";
import { notifications } from "./http/notifications";
import { webhook } from "./http/webhooks";
import { feeds, feedsOpen } from "./http/feeds";
import { cronTick } from "./cron";
import { AppError } from "./errors";
import { useBundledPlugins } from "./plugins/catalog";
import type { BundledPlugin } from "./plugins/types";

const app = new Hono<AppEnv>();

app.use("*", requestId());
app.use("*", secureHeaders());
app.use("/api/*", corsFromEnv());
// Rate limits per client address (every API request) here, per user after requireAuth (http/rate-limit.ts).
app.use("/api/*", limitClients());
app.use("/api/*", limitBody(5 * 1024 * 1024));
app.route("/api/health", health);
app.route("/api/openapi.json", openapi);
// Public settings for the web page (grid licence key, languages); open, the sign-in screen reads it.
app.route("/api/config", config);
// Demo seeding for local development; answers 404 unless DEV_SEED is "1".
app.route("/api/dev", dev);
app.route("/api/auth", authOpen);
// Single sign-on with an OpenID Connect ID token; answers 404 unless OIDC_ISSUER is set.
app.route("/api/auth/oidc", oidc);
// Embeds check their own token (an embed token, which requireAuth refuses) and never reach requireAuth.
app.route("/api/embed", embed);
// ICS feeds: a calendar app holds only the URL, so GET /api/feeds/<token>.ics checks its own token.
app.route("/api/feeds", feedsOpen);
app.use(
  "/api/*",
  requireAuth({
    except: ["/api/health", "/api/openapi.json", "/api/config", "/api/auth/login", "/api/auth/oidc", "/api/dev/seed"],
  }),
);
app.use("/api/*", limitUsers());
app.route("/api/auth", auth);
app.route("/api/meta/views", views);
// A calendar view's events for a range (worker/calendar).
app.route("/api/meta/views", calendar);
// Colleagues' names for every signed-in user (not embeds: they have /api/embed/users).
app.route("/api/users", directory);
// The signed-in user's own notifications (worker/notifications).
app.route("/api/notifications/webhook", webhook);
app.route("/api/notifications", notifications);
// Managing feeds: the user's own personal feed, admins' published calendar views (worker/feeds).
app.route("/api/feeds", feeds);
app.route("/api/meta", meta);
app.route("/api/tables", records);
app.route("/api/admin", admin);
// Named actions of installed plugins (worker/plugins).
app.route("/api/actions", actions);

app.notFound((c) =>
  renderProblem(new AppError("not_found", `No route for ${c.req.method} ${new URL(c.req.url).pathname}`), c),
);
app.onError((err, c) => renderProblem(err, c));

const handler = {
  fetch: app.fetch,
  async scheduled(controller: ScheduledController, env: Env, _ctx: ExecutionContext) {
    // The tick's time, never earlier than now (a late tick still takes everything due by now).
    const now = new Date(Math.max(controller.scheduledTime, Date.now()));
    // Housekeeping, one-off and recurring plugin jobs, webhook deliveries (worker/cron.ts).
    await cronTick(env, now);
  },
} satisfies ExportedHandler<Env>;

/**
 * The Worker, given the catalog of bundled plugins (assembled outside worker/: plugins/index.ts,
 * passed in by main.ts, the entry wrangler.toml names), so worker/ never imports a plugin.
 */
export function createWorker(plugins: readonly BundledPlugin[]) {
  useBundledPlugins(plugins);
  return handler;
}
