// ESLint for the status page's scripts. They run in the browser as one classic script (see
// helpers.js): each file names what it takes from an earlier one in a `global` comment.
import js from "@eslint/js";
import globals from "globals";

export default [
  js.configs.recommended,
  {
    files: ["assets/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "script",
      globals: globals.browser,
    },
    linterOptions: {reportUnusedDisableDirectives: "error"},
    rules: {
      // Top-level names are the files' interface to each other; unused locals are still errors.
      "no-unused-vars": ["error", {vars: "local", args: "after-used"}],
      "no-implicit-globals": "off",
      "no-var": "error",
      "prefer-const": "error",
      eqeqeq: ["error", "always"],
      "no-eval": "error",
      "no-implied-eval": "error",
      // The page shows exporter values with textContent/setAttribute only, never as HTML.
      "no-restricted-properties": ["error",
        {property: "innerHTML", message: "use textContent or el()"},
        {property: "outerHTML", message: "use textContent or el()"},
        {property: "insertAdjacentHTML", message: "use el()"}],
    },
  },
];
