/**
 * The HTTP edge of the error catalogue: turns anything thrown while serving a
 * request into a catalogue error and renders Directus's error envelope
 * `{"errors":[{"message","extensions":{...details,"code"}}]}`. This is the one
 * place where a thrown value becomes a status code.
 */
import {
  CairnError,
  InternalServerError,
  InvalidPathParameterError,
  InvalidPayloadError,
  InvalidQueryError,
  RouteNotFoundError,
  UnsupportedMediaTypeError,
} from '../errors/index.ts';

export interface ErrorEnvelope {
  errors: { message: string; extensions: Record<string, unknown> & { code: string } }[];
}

interface FastifyLikeError extends Error {
  code?: string;
  statusCode?: number;
  validation?: unknown[];
  validationContext?: string;
}

export function toCairnError(error: unknown, request: { url: string; contentType?: string | undefined }): CairnError {
  if (error instanceof CairnError) return error;
  const thrown = error as FastifyLikeError;
  if (thrown?.validation) {
    const reason = thrown.message;
    if (thrown.validationContext === 'querystring') return new InvalidQueryError({ reason });
    if (thrown.validationContext === 'params') return new InvalidPathParameterError({ reason });
    return new InvalidPayloadError({ reason });
  }
  switch (thrown?.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new UnsupportedMediaTypeError({ mediaType: request.contentType ?? 'unknown', where: 'request body' });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new InvalidPayloadError({ reason: 'Request body is larger than the server accepts' });
    case 'FST_ERR_BAD_URL':
      return new RouteNotFoundError({ path: request.url });
  }
  // Body parse failures and other client errors the framework detected before our code ran.
  if (typeof thrown?.statusCode === 'number' && thrown.statusCode >= 400 && thrown.statusCode < 500) {
    return new InvalidPayloadError({ reason: thrown.message });
  }
  return new InternalServerError({}, { cause: error });
}

export function errorEnvelope(errors: readonly CairnError[]): ErrorEnvelope {
  return {
    errors: errors.map((error) => ({ message: error.message, extensions: { ...error.details, code: error.code } })),
  };
}
