/** Repository paths used by the CLI. */
import { fileURLToPath } from "node:url";

/** Repository root (the CLI runs from a checkout). */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
