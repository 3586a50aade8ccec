/** ping: GET /server/ping, the floor of a request through Cairn's server (hooks, headers, error envelope wiring). */
import { compareHttp, type Scenario } from '../lib/scenario.ts';

export const ping: Scenario = {
  name: 'ping',
  description: 'GET /server/ping on Cairn vs a bare fastify route',
  run: (bench) =>
    compareHttp({
      name: 'ping',
      bench,
      cairn: [{ method: 'GET', path: '/server/ping' }],
      raw: [{ method: 'GET', path: '/server/ping' }],
    }),
};
