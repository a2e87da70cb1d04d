// Runs an ES module's source in a child of the runtime running the tests
// (node, deno or bun: process.execPath), from a file beside the tests so that
// `import ... from "mailwright"` finds the installed package. A file, not
// `node --input-type=module -e`: Deno's node:child_process evaluates `-e`
// as CommonJS whatever --input-type says.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

function scriptFile(source) {
  const dir = mkdtempSync(join(fileURLToPath(new URL(".", import.meta.url)), ".script-"));
  const file = join(dir, "script.mjs");
  writeFileSync(file, source);
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function spawnScript(source, options) {
  const { file, remove } = scriptFile(source);
  const child = spawn(process.execPath, [file], options);
  child.once("exit", remove);
  return child;
}

export function spawnScriptSync(source, options) {
  const { file, remove } = scriptFile(source);
  try {
    return spawnSync(process.execPath, [file], options);
  } finally {
    remove();
  }
}
