import { describe, expect, it } from 'vitest';
import { errorEnvelope, toCairnError } from '../../../src/api/index.ts';
import { ForbiddenError } from '../../../src/errors/index.ts';

const request = { url: '/items/x?y=1', contentType: 'text/csv' };

function fastifyError(code: string, statusCode: number, message = 'framework message'): Error {
  return Object.assign(new Error(message), { code, statusCode });
}

describe('toCairnError', () => {
  it('keeps catalogue errors as they are', () => {
    const error = new ForbiddenError({});
    expect(toCairnError(error, request)).toBe(error);
  });

  it('maps framework errors to catalogue codes', () => {
    expect(toCairnError(fastifyError('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415), request).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(toCairnError(fastifyError('FST_ERR_CTP_BODY_TOO_LARGE', 413), request)).toMatchObject({ code: 'INVALID_PAYLOAD', status: 400 });
    expect(toCairnError(fastifyError('FST_ERR_CTP_INVALID_JSON_BODY', 400, 'Body is not valid JSON'), request)).toMatchObject({
      code: 'INVALID_PAYLOAD',
      details: { reason: 'Body is not valid JSON' },
    });
    expect(toCairnError(fastifyError('FST_ERR_BAD_URL', 400), request).code).toBe('ROUTE_NOT_FOUND');
  });

  it('maps schema validation failures by where they happened', () => {
    const validation = (context: string) => Object.assign(new Error('must be integer'), { validation: [{}], validationContext: context });
    expect(toCairnError(validation('querystring'), request).code).toBe('INVALID_QUERY');
    expect(toCairnError(validation('params'), request).code).toBe('INVALID_PATH_PARAMETER');
    expect(toCairnError(validation('body'), request).code).toBe('INVALID_PAYLOAD');
  });

  it('turns anything else into INTERNAL_SERVER_ERROR without its message', () => {
    const mapped = toCairnError(new TypeError('secret internals'), request);
    expect(mapped.code).toBe('INTERNAL_SERVER_ERROR');
    expect(mapped.message).not.toContain('secret');
    expect(toCairnError(fastifyError('X', 502), request).code).toBe('INTERNAL_SERVER_ERROR');
    expect(toCairnError(undefined, request).code).toBe('INTERNAL_SERVER_ERROR');
  });
});

describe('errorEnvelope', () => {
  it('renders the Directus envelope with details spread and code last', () => {
    const envelope = errorEnvelope([new ForbiddenError({ reason: 'No.' })]);
    expect(envelope).toEqual({ errors: [{ message: 'No.', extensions: { reason: 'No.', code: 'FORBIDDEN' } }] });
    expect(Object.keys(envelope.errors[0]!.extensions)).toEqual(['reason', 'code']);
  });
});
