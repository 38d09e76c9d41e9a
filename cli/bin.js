#!/usr/bin/env node
// `hashpower` bin: runs the TypeScript CLI through tsx (a checkout of the repository with its dependencies).
import { register } from "tsx/esm/api";
register();
await import("./main.ts");
