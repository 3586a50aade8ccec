/** Public face of the start-up context: settings, logger, secret and the context object. */
export { closeContext, createContext, createLoginLimits, type Context, type LoginLimits } from './context.ts';
export { createLogger, type Logger } from './logger.ts';
export { resolveSecret } from './secret.ts';
export { LOG_LEVELS, loadSettings, parseDuration, publicUrl, type AuditWriterSettings, type AuthSettings, type CookieSettings, type GraphqlSettings, type LogLevel, type Settings } from './settings.ts';
export { CAIRN_VERSION } from './version.ts';
export { createModelStore, type AppliedModel, type ModelStore } from './model-store.ts';
export { createEventBus, type CairnEvents, type EventBus, type FilterEvent, type FilterMeta, type ItemsEvent, type PayloadFilter } from './event-bus.ts';
