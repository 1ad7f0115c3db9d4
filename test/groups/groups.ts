/**
 * Test files that run together in one process: every `*.test.ts` under these directories, imported one after another
 * by `test/groups/<name>.test.ts`, which tap runs in place of the files themselves (.taprc excludes the directories).
 *
 * Why: a test process costs some 1.3 s of CPU before its first assertion (the loader's hooks thread, tap and its
 * plugins, then the project's modules: fastify, undici, prom-client), and the suite is CPU-bound on a 2-CPU machine.
 * The 14 files of test/state took 27 s of CPU as 14 processes and 7.6 s as one (measured). These directories hold
 * in-process tests of the project's modules, short and with no process-wide state of their own (no top-level
 * teardown, plan, environment or timer changes: test/groups/groups.test.ts checks this); long end-to-end files stay
 * processes of their own, which tap runs side by side.
 *
 * A file in a group still runs alone: `npx tap test/state/monitor.test.ts` (a file named on the command line runs
 * even though .taprc excludes its directory). A failure names the file in its `at:` line.
 */
export const GROUPS: Readonly<Record<string, readonly string[]>> = {
  state: ['test/state'],
  emqx: ['test/emqx', 'test/emqx-double'],
  ack: ['test/ack', 'test/checkers', 'test/architecture'],
  // these spawn the CLI, HAProxy, nginx or promtool: smaller groups (35-45 s each), so that none sets the suite's tail
  nginx: ['test/nginx'],
  doctor: ['test/doctor'],
  deploy: ['test/deploy'],
  commands: ['test/commands'],
  processes: ['test/agent', 'test/lifecycle'],
  units: ['test/config', 'test/metrics', 'test/http/views', 'test/demo', 'test/haproxy', 'test/log', 'test/docker'],
}
