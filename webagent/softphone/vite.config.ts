// Builds src/softphone.ts (with JsSIP) into one classic script the desk loads under
// CSP script-src 'self': webagent/static/js/softphone.js (committed; no Node at run time).
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const here = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  build: {
    outDir: resolve(here, "../static/js"),
    emptyOutDir: false,
    sourcemap: false,
    target: "es2020",
    lib: {
      entry: resolve(here, "src/softphone.ts"),
      name: "MadoguchiSoftphone",
      formats: ["iife"],
      fileName: () => "softphone.js",
    },
  },
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
  },
});
