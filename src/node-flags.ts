/**
 * V8 flags the sidecar is started with, everywhere: the `emqx-lb-sidecar` binary (the shebang of
 * src/cli.ts, so npx, a global install and npm's bin links carry them), `npm start`, the Docker image's
 * CMD, the tests and the bench. test/docker/dockerfile.test.ts keeps the four equal.
 *
 * `--optimize-for-size`: V8 favours memory over speed: a small young generation, a slowly growing old
 * generation and memory-reducing GCs that give freed heap pages back to the OS. Without it, a storm of
 * checkers opening a new connection per probe leaves V8 heap pages resident long after it ends (a larger
 * `--max-semi-space-size` does not help); with it the peak is lower and RSS falls back. Its price is CPU
 * per new connection; keep-alive probes cost the same. The measurements are in bench/README.md (Node flags)
 * and bench/results.md (footprint under a checker storm).
 *
 * `--liftoff-only`: undici parses EMQX's answers with llhttp compiled to WebAssembly, and V8 tiers a hot
 * WebAssembly module up to TurboFan, whose code and compilation stay resident (most of the idle RSS above
 * the libraries' floor, and much of the start-up peak). The sidecar parses one small EMQX answer per poll,
 * so V8's baseline WebAssembly compiler is plenty; probes use node:http's native parser and are unaffected
 * (bench/README.md, "Footprint").
 */
export const NODE_FLAGS: readonly string[] = ['--optimize-for-size', '--liftoff-only']
