// Preloaded through NODE_OPTIONS by `npm test` (test/loader/suite.mjs), so that it runs before the --import tap adds for its
// typescript plugin: that import loads ts-node (1.2 s of CPU a test process) unless TAP_TYPE_STRIP_ONLY is 1, and
// tap's runner sets it to 0 on Node < 22 for the processes it starts. The suite's TypeScript goes through
// test/loader/ instead (.taprc).
process.env.TAP_TYPE_STRIP_ONLY = '1'
