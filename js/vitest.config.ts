import { defineConfig } from "vitest/config";

// Specs live beside the code they test.
export default defineConfig({ test: { include: ["src/**/*.test.ts"] } });
