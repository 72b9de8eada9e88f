// Build step: copies the repository's proto/yui/ files into dist/proto/yui,
// which the client loads at run time, so the built package carries the API it speaks.
import { cpSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const from = fileURLToPath(new URL("../../../proto/yui/", import.meta.url));
const to = fileURLToPath(new URL("../dist/proto/yui/", import.meta.url));
rmSync(to, { recursive: true, force: true });
cpSync(from, to, { recursive: true, filter: (p) => !p.includes(".") || p.endsWith(".proto") });
