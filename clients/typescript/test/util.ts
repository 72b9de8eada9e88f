import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as path from "node:path";

/** The repository root (tests run from dist/test/). */
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");

export function loadVectors<T = any>(name: string): T {
  return JSON.parse(readFileSync(path.join(REPO, "docs", "vectors", name), "utf8")) as T;
}
