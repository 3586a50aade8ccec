/** Public face of the HTTP API: building the fastify server and starting `cairn serve`. */
export { BODY_LIMIT_BYTES, buildServer } from './build-server.ts';
export { errorEnvelope, toCairnError, type ErrorEnvelope } from './error-response.ts';
export { startServer, type RunningServer } from './start-server.ts';
