// A stand-in for src/http/probe-worker.ts that reports itself listening and then fails, as a bug would.
import { parentPort } from 'node:worker_threads'
parentPort.postMessage({ type: 'listening', port: 1 })
setTimeout(() => { throw new Error('boom in the probe thread') }, 20)
