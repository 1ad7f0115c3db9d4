// Lint (run by `npm test`): the fastify ecosystem's neostandard (standard style, for TypeScript too),
// and lines within 140 characters in src/ (tests and the bench keep long literal tables and messages).
// nginx/njs/ is not linted: it runs in nginx's own JavaScript engine and keeps to the ES5 subset older njs releases take.
import neostandard from 'neostandard'

export default [
  ...neostandard({ ts: true, ignores: ['nginx/njs/**', 'dist/**', 'bench/dist/**', 'coverage/**', '.tap/**', 'node_modules/**'] }),
  {
    files: ['src/**/*.ts'],
    rules: {
      '@stylistic/max-len': ['error', { code: 140, ignoreUrls: true }],
    },
  },
]
