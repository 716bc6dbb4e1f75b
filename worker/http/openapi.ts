/** Serves the OpenAPI document (openapi-document.ts) at /api/openapi.json, built once per isolate. */
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { openApiDocument } from "./openapi-document";

let cached: object | null = null;
export const openapi = new Hono<AppEnv>().get("/", (c) => c.json((cached ??= openApiDocument())));
