/** The fastify server through inject: routes, headers and the error envelope at the edge. */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../../src/api/index.ts';
import type { Context } from '../../../src/context/index.ts';
import { ForbiddenError } from '../../../src/errors/index.ts';
import { createTestContext } from '../../helpers/test-context.ts';
import { testBackends, type TestDatabase } from '../../helpers/test-databases.ts';

describe.each(testBackends)('server on $name', ({ name }) => {
  let context: Context;
  let database: TestDatabase;
  let server: FastifyInstance;

  beforeAll(async () => {
    ({ context, database } = await createTestContext(name));
    server = buildServer(context);
    // Routes that exist only here, to drive the edge's error mapping with real fastify behaviour.
    server.post('/test/echo', async (request) => ({ data: request.body }));
    server.get('/test/forbidden', async () => {
      throw new ForbiddenError({ reason: 'Not for you.' });
    });
    server.get('/test/crash', async () => {
      throw new Error('password=hunter2 leaked in a message');
    });
    await server.ready();
  });
  afterAll(async () => {
    await server.close();
    await database.drop();
  });

  it('answers GET /server/ping with text pong', async () => {
    const response = await server.inject({ method: 'GET', url: '/server/ping' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('pong');
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['x-powered-by']).toBe('Cairn');
    expect(response.headers['cache-control']).toBe('no-cache');
  });

  it('answers ping even with a garbage token (it sits before authentication)', async () => {
    const response = await server.inject({ method: 'GET', url: '/server/ping?access_token=garbage', headers: { authorization: 'Bearer x' } });
    expect(response.body).toBe('pong');
  });

  it('reports health with a timed database round trip', async () => {
    const response = await server.inject({ method: 'GET', url: '/server/health' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/health+json; charset=utf-8');
    const body = response.json();
    const key = `${context.db.driver}:responseTime`;
    expect(body).toMatchObject({ status: 'ok', releaseId: '0.0.0-test', serviceId: context.instanceId });
    expect(Object.keys(body.checks)).toEqual([key]);
    expect(body.checks[key][0]).toMatchObject({ componentType: 'datastore', observedUnit: 'ms', threshold: 150, status: 'ok' });
    expect(body.checks[key][0].observedValue).toBeGreaterThan(0);
  });

  it('answers an unknown route with ROUTE_NOT_FOUND in the Directus envelope', async () => {
    const response = await server.inject({ method: 'GET', url: '/nowhere/at/all?x=1' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      errors: [{ message: "Route /nowhere/at/all doesn't exist.", extensions: { path: '/nowhere/at/all', code: 'ROUTE_NOT_FOUND' } }],
    });
  });

  it('renders catalogue errors with their status and details', async () => {
    const response = await server.inject({ method: 'GET', url: '/test/forbidden' });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({ errors: [{ message: 'Not for you.', extensions: { reason: 'Not for you.', code: 'FORBIDDEN' } }] });
  });

  it('hides unexpected errors behind INTERNAL_SERVER_ERROR', async () => {
    const response = await server.inject({ method: 'GET', url: '/test/crash' });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ errors: [{ message: 'An unexpected error occurred.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
    expect(response.body).not.toContain('hunter2');
  });

  it('turns malformed JSON into INVALID_PAYLOAD', async () => {
    const response = await server.inject({ method: 'POST', url: '/test/echo', headers: { 'content-type': 'application/json' }, payload: '{"a":' });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors[0].extensions.code).toBe('INVALID_PAYLOAD');
  });

  it('turns an oversized body into INVALID_PAYLOAD, as Directus does', async () => {
    const payload = JSON.stringify({ big: 'x'.repeat(1024 * 1024 + 10) });
    const response = await server.inject({ method: 'POST', url: '/test/echo', headers: { 'content-type': 'application/json' }, payload });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors[0].extensions).toMatchObject({ code: 'INVALID_PAYLOAD' });
  });

  it('turns an unsupported content type into UNSUPPORTED_MEDIA_TYPE', async () => {
    const response = await server.inject({ method: 'POST', url: '/test/echo', headers: { 'content-type': 'text/csv' }, payload: 'a,b' });
    expect(response.statusCode).toBe(415);
    expect(response.json().errors[0].extensions).toEqual({ mediaType: 'text/csv', where: 'request body', code: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  it('accepts a well-formed body', async () => {
    const response = await server.inject({ method: 'POST', url: '/test/echo', payload: { a: 1 } });
    expect(response.json()).toEqual({ data: { a: 1 } });
  });
});

describe.each(testBackends)('health when the database is gone, on $name', ({ name }) => {
  it('answers 503 with status error and the reason', async () => {
    const { context, database } = await createTestContext(name);
    const server = buildServer(context);
    await database.db.close();
    const response = await server.inject({ method: 'GET', url: '/server/health' });
    expect(response.statusCode).toBe(503);
    const body = response.json();
    expect(body.status).toBe('error');
    const [check] = body.checks[`${context.db.driver}:responseTime`];
    expect(check.status).toBe('error');
    expect(check.observedValue).toBeNull();
    expect(check.output).toEqual(expect.any(String));
    await server.close();
    await database.drop();
  });
});
