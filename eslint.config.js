// ESLint flat config. Beyond the recommended rules, it enforces the layer direction of
// DESIGN.md (lint/layers.js): protocol ← base ← runtime ← trading ← execution ←
// venues/store/ops ← actors ← app ← cli, judged on resolved paths so every depth is covered.
// Strategies may never reach execution, venue, store or simulator code.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import layers from './lint/layers.js';

export default tseslint.config(
  { ignores: ['node_modules/**', 'bench/results/**', 'coverage/**', 'data/**', 'test/.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', Buffer: 'readonly', URL: 'readonly', performance: 'readonly', SharedArrayBuffer: 'readonly', Atomics: 'readonly', structuredClone: 'readonly', queueMicrotask: 'readonly', fetch: 'readonly' } },
    plugins: { arbiter: layers },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
      'arbiter/layers': 'error',
    },
  },
);
