// ESLint (flat config) for the chat widget's source and its build script: `make lint` runs it
// when node_modules is there (`npm ci`).
import js from '@eslint/js';
import globals from 'globals';

export default [
  js.configs.recommended,
  {
    files: ['widget/src/**/*.js'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: globals.browser },
    rules: {
      eqeqeq: ['error', 'smart'],
      'no-var': 'error',
      'prefer-const': 'error',
      'no-implicit-coercion': 'error',
      'no-shadow': 'error',
      'no-param-reassign': 'error',
      'no-restricted-syntax': ['error', {
        // Everything the server or the shopper wrote goes in as text, never as markup.
        selector: "AssignmentExpression[left.property.name='innerHTML']",
        message: 'Use textContent (or element() with `text`): nothing is inserted as markup.',
      }],
    },
  },
  {
    files: ['widget/build.js', 'eslint.config.js'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: globals.node },
  },
];
