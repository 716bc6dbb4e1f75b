/**
 * The Worker's entry (wrangler.toml `main`): the Worker assembled in worker/ with the plugins bundled
 * from plugins/. Assembling here keeps the dependency one way: plugins import worker/plugin-sdk,
 * worker/ never imports plugins/. Tests import this entry too.
 */
import { BUNDLED } from "./plugins/index";
import { createWorker } from "./worker/index";

export default createWorker(BUNDLED);
