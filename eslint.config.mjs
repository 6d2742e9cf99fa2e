// ESLint's and typescript-eslint's recommended rules for the TypeScript sources (`npm run lint`, run by .ci/run).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/**", "dist/**", ".e2e/**", ".tools/**", "nodes/**", "out/**", "scratch/**", "**/*.js", "**/*.mjs", "**/*.cjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      // require() inside a function is how the command line defers heavy modules until they are used (start-up time);
      // each is typed with `typeof import(…)`.
      "@typescript-eslint/no-require-imports": "off",
    },
  },
  {
    // Tests, the e2e harness and the offline engine handle Pulumi's untyped resource states and JSON documents.
    files: ["test/**/*.ts", "e2e/**/*.ts", "offline/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
);
