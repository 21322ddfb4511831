// ESLint flat config: typescript-eslint's recommended, type-aware rules over the whole project.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", ".tools/", ".local/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // The dynamic provider must `require` inside its methods: it is serialized by value into state.
      "@typescript-eslint/no-require-imports": "off",
    },
  },
  {
    // dbmigrate/index.ts is the engine's one surface for its hosts, and dbmigrate/inputs.ts the
    // part of it that loads no parser or client (for the Pulumi program and the provider's check).
    // (scripts/local.ts: until its rewrite into a real `pulumi up` lands, it still imports the CLI
    // module directly.)
    files: ["infra/**/*.ts", "scripts/**/*.ts", "bench/**/*.ts"],
    ignores: ["scripts/local.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["../dbmigrate/*", "!../dbmigrate/inputs"],
              message: "Import the engine from ../dbmigrate (its index.ts) or ../dbmigrate/inputs.",
            },
          ],
        },
      ],
    },
  },
  {
    // The engine imports nothing from Pulumi, the AGoat product or scripts/ (the brief; README,
    // "The engine knows no product"). The CLI host (commands/, and the settings catalog's seed
    // flags) still registers the product's steps: those files are the known exceptions, listed here
    // until the product contributes its own settings and commands.
    files: ["dbmigrate/**/*.ts"],
    ignores: ["dbmigrate/commands/**", "dbmigrate/settings/catalog.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@pulumi/*", "**/product", "**/product/*", "**/scripts/*"],
              message:
                "The engine imports nothing from Pulumi, the product or scripts/: take it as an option or a step.",
            },
          ],
        },
      ],
    },
  },
  {
    // The launchers are plain CommonJS that any Node runs (no build step, no dependency).
    files: ["bin/*.js"],
    languageOptions: {
      sourceType: "commonjs",
      globals: { module: "readonly", require: "readonly", __dirname: "readonly", process: "readonly" },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["**/*.mjs", "bin/*.js"],
    languageOptions: { globals: { process: "readonly", require: "readonly", __dirname: "readonly" } },
  },
);
