/**
 * Events a Cairn process emits after a change has committed (items.create,
 * items.update, items.delete); the flow engine and extensions listen. Typed,
 * and one per context: no global emitter.
 */
import { EventEmitter } from 'node:events';

export interface ItemsEvent {
  collection: string;
  keys: (string | number)[];
  /** What the caller sent (create, update). */
  payload?: Record<string, unknown>;
  user: string | null;
}

export interface CairnEvents {
  'items.create': ItemsEvent;
  'items.update': ItemsEvent;
  'items.delete': ItemsEvent;
}

export interface EventBus {
  emit<E extends keyof CairnEvents>(event: E, data: CairnEvents[E]): void;
  on<E extends keyof CairnEvents>(event: E, listener: (data: CairnEvents[E]) => void): () => void;
}

export function createEventBus(onListenerError: (error: unknown, event: string) => void): EventBus {
  const emitter = new EventEmitter();
  return {
    emit(event, data) {
      // A failing listener must not fail the request that already committed.
      for (const listener of emitter.listeners(event)) {
        try {
          (listener as (d: typeof data) => void)(data);
        } catch (error) {
          onListenerError(error, event);
        }
      }
    },
    on(event, listener) {
      emitter.on(event, listener);
      return () => emitter.off(event, listener);
    },
  };
}
