// Lint (run by `npm test`): the fastify ecosystem's neostandard (standard style, for TypeScript too),
// and lines within 140 characters in src/ (tests and the bench keep long literal tables and messages).
import neostandard from 'neostandard'

export default [
  ...neostandard({ ts: true, ignores: ['dist/**', 'bench/dist/**', 'coverage/**', '.tap/**', 'node_modules/**'] }),
  {
    files: ['src/**/*.ts'],
    rules: {
      '@stylistic/max-len': ['error', { code: 140, ignoreUrls: true }],
    },
  },
]
