/**
 * embed.js, for intranet pages: `<script type="module" src="https://salesgrid.example/embed.js">` then
 * `<sg-grid base-url="https://salesgrid.example" token="<embed token>">`. It stays small: it only
 * watches the page for Salesgrid elements and imports an element's code (Handsontable, Vega, ...) the
 * first time the page uses it; the browser then upgrades the elements already there.
 */
const LOADERS: Record<string, () => Promise<unknown>> = {
  "sg-grid": () => import("./sg-grid/sg-grid"),
  "sg-kanban": () => import("./sg-kanban/sg-kanban"),
  "sg-calendar": () => import("./sg-calendar/sg-calendar"),
};

const loading = new Map<string, Promise<unknown>>();

function load(tag: string): void {
  const loader = LOADERS[tag];
  if (!loader || loading.has(tag) || customElements.get(tag)) return;
  loading.set(
    tag,
    loader().catch((err: unknown) => {
      loading.delete(tag);
      console.error(`Salesgrid: could not load <${tag}>`, err);
    }),
  );
}

function scan(root: ParentNode): void {
  for (const tag of Object.keys(LOADERS)) if (root.querySelector(tag)) load(tag);
}

scan(document);
new MutationObserver((mutations) => {
  for (const m of mutations) {
    for (const node of m.addedNodes) {
      if (node instanceof Element) {
        const tag = node.localName;
        if (tag in LOADERS) load(tag);
        scan(node);
      }
    }
  }
}).observe(document.documentElement, { childList: true, subtree: true });
