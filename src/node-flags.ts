/**
 * V8 flags the sidecar is started with: by `npm start`, the Docker image's CMD, the tests and the bench
 * (test/docker/dockerfile.test.ts keeps them equal).
 *
 * `--max-semi-space-size=8` (MiB; V8's default grows to 16): probe answers allocate little and die young,
 * so a smaller young generation costs no measurable throughput but keeps ~25 MB less resident after a
 * burst of probes (bench/results.md, footprint: 1,000 checkers, with and without keep-alive).
 * Without it (e.g. the `emqx-lb-sidecar` binary run directly) the sidecar works the same, with more RSS.
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8']
