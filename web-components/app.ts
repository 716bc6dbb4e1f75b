/**
 * app.js: the Salesgrid app (index.html loads it). The shell (sign-in, navigation, record form) is in
 * this bundle; the heavy elements (the grid with Handsontable, the board, the admin console) are
 * imported the first time a screen uses them, as embed.js does, so the first paint stays light. Once
 * the page is idle they are fetched anyway, so the next screen opens without waiting.
 */
import "./sg-app/sg-app";
import "./sg-form/sg-form";
import "./sg-record/sg-record";

const LOADERS: Record<string, () => Promise<unknown>> = {
  "sg-grid": () => import("./sg-grid/sg-grid"),
  "sg-kanban": () => import("./sg-kanban/sg-kanban"),
  "sg-calendar": () => import("./sg-calendar/sg-calendar"),
  "sg-admin": () => import("./sg-admin/sg-admin"),
  "sg-quote": () => import("./sg-quote/sg-quote"),
  "sg-print": () => import("./sg-print/sg-print"),
  "sg-stock-grid": () => import("./sg-stock/sg-stock-grid"),
  "sg-ship-form": () => import("./sg-stock/sg-ship-form"),
  "sg-receive-form": () => import("./sg-stock/sg-receive-form"),
  "sg-pick-list": () => import("./sg-stock/sg-pick-list"),
};

const loading = new Map<string, Promise<unknown>>();

function load(tag: string): Promise<unknown> {
  const loader = LOADERS[tag];
  if (!loader || customElements.get(tag)) return Promise.resolve();
  let task = loading.get(tag);
  if (!task) {
    task = loader()
      // <sg-app> decides what to show by which elements are defined (the admin console says
      // "Loading…" until it is): let it look again.
      .then(() =>
        document
          .querySelectorAll("sg-app")
          .forEach((app) => (app as HTMLElement & { requestUpdate?: () => void }).requestUpdate?.()),
      )
      .catch((err: unknown) => {
        loading.delete(tag);
        console.error(`Salesgrid: could not load <${tag}>`, err);
      });
    loading.set(tag, task);
  }
  return task;
}

/**
 * The app's screens render inside <sg-app>'s shadow root, which a document observer does not see:
 * watch the document and the shadow roots of the app shell (not those of the loaded elements,
 * whose own DOM, a grid's cells, changes all the time).
 */
const SHELLS = new Set(["sg-app"]);
const watched = new WeakSet<Node>();

const observer = new MutationObserver((mutations) => {
  for (const m of mutations) for (const node of m.addedNodes) if (node instanceof Element) scan(node);
});

function watch(root: Document | ShadowRoot): void {
  if (watched.has(root)) return;
  watched.add(root);
  observer.observe(root, { childList: true, subtree: true });
  scan(root);
}

function scan(root: ParentNode): void {
  if (root instanceof Element) visit(root);
  for (const tag of [...Object.keys(LOADERS), ...SHELLS]) root.querySelectorAll(tag).forEach(visit);
}

function visit(el: Element): void {
  if (el.localName in LOADERS) void load(el.localName);
  if (SHELLS.has(el.localName) && el.shadowRoot) watch(el.shadowRoot);
}

/** The admin route shows "Loading…" (no <sg-admin> yet) until the console's code is here. */
function routeNeeds(): void {
  if (location.hash.startsWith("#/admin")) void load("sg-admin");
}

watch(document);
routeNeeds();
addEventListener("hashchange", routeNeeds);
// <sg-app> may attach its shadow root after this module ran (it is upgraded as index.html parses).
customElements.whenDefined("sg-app").then(() => document.querySelectorAll("sg-app").forEach(visit));

const idle = (fn: () => void) =>
  "requestIdleCallback" in window ? requestIdleCallback(fn, { timeout: 3000 }) : setTimeout(fn, 1500);
const prefetch = () => idle(() => Object.keys(LOADERS).forEach((tag) => void load(tag)));
if (document.readyState === "complete") prefetch();
else addEventListener("load", prefetch, { once: true });
