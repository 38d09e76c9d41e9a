/**
 * `npm start`'s launcher: runs the main job (scripts/main.ts) from its ahead-of-time bundle (`MAIN` of
 * indexer/bundle.ts), built at the first start after a source change, in place of this process, without tsx;
 * `HASHPOWER_BUNDLE=0` runs the sources under tsx instead. Options and exit codes are scripts/main.ts's.
 */
import { launch, MAIN } from "../indexer/bundle.js";

await launch(MAIN, new URL("./main.ts", import.meta.url).href);
