/**
 * V8 flags the sidecar is started with, everywhere: the `emqx-lb-sidecar` binary (the shebang of
 * src/cli.ts, so npx, a global install and npm's bin links carry them), `npm start`, the Docker image's
 * CMD, the tests and the bench. test/docker/dockerfile.test.ts keeps the four equal.
 *
 * `--optimize-for-size`: V8 favours memory over speed: a 1 MiB young generation, a slowly growing old
 * generation and memory-reducing GCs that give freed heap pages back to the OS. Without it, on Node 24
 * (V8 13.6) a 5 s storm of 1,000 checkers opening a new connection per probe leaves ~60 MiB of V8 heap
 * pages resident (RSS ~155 MiB, no shrink 15 s later, even with `--max-semi-space-size=8`);
 * with it the peak is ~120 MiB and RSS falls back towards ~100 MiB (bench/results.md, footprint under a
 * checker storm). Its price is CPU per new connection (+13% to +27% on Node 24); keep-alive probes cost the same.
 */
export const NODE_FLAGS: readonly string[] = ['--optimize-for-size']
