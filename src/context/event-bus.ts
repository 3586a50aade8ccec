/**
 * Events a Cairn process emits after a change has committed (items.create,
 * items.update, items.delete, versions.promote), and filters that run before a write and may
 * change its payload or veto it by throwing; the flow engine and extensions
 * use both. Typed, and one per context: no global emitter.
 */
import { EventEmitter } from 'node:events';
import type { Accountability } from '../services/accountability.ts';

export interface ItemsEvent {
  collection: string;
  keys: (string | number)[];
  /** What the caller sent (create, update; a promote: the fields promoted). */
  payload?: Record<string, unknown>;
  user: string | null;
  /** Who made the change, for flows that act with the trigger's permissions. */
  accountability?: Accountability;
  /** How deep inside flows the change was made (0: a request); flows stop at FLOWS_MAX_DEPTH. */
  depth?: number;
  /** versions.promote: the version promoted. */
  version?: string;
}

export interface CairnEvents {
  'items.create': ItemsEvent;
  'items.update': ItemsEvent;
  'items.delete': ItemsEvent;
  'versions.promote': ItemsEvent;
}

export type FilterEvent = 'items.create' | 'items.update' | 'items.delete';

export interface FilterMeta {
  collection: string;
  /** The keys an update or delete targets; empty for a create. */
  keys: (string | number)[];
  user: string | null;
  accountability?: Accountability;
  depth?: number;
}

/** Create and update filters get the item and may return a changed one; delete filters get the keys and may only refuse (throw). */
export type PayloadFilter = (payload: Record<string, unknown>, meta: FilterMeta) => Record<string, unknown> | Promise<Record<string, unknown>>;

export interface EventBus {
  emit<E extends keyof CairnEvents>(event: E, data: CairnEvents[E]): void;
  on<E extends keyof CairnEvents>(event: E, listener: (data: CairnEvents[E]) => void): () => void;
  /** Runs before the write persists; returns the (possibly changed) payload, or throws to refuse the write. */
  filter(event: FilterEvent, handler: PayloadFilter): () => void;
  runFilters(event: FilterEvent, payload: Record<string, unknown>, meta: FilterMeta): Promise<Record<string, unknown>>;
}

export function createEventBus(onListenerError: (error: unknown, event: string) => void): EventBus {
  const emitter = new EventEmitter();
  const filters = new Map<string, PayloadFilter[]>();
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
    filter(event, handler) {
      filters.set(event, [...(filters.get(event) ?? []), handler]);
      return () => filters.set(event, (filters.get(event) ?? []).filter((h) => h !== handler));
    },
    async runFilters(event, payload, meta) {
      let current = payload;
      for (const handler of filters.get(event) ?? []) current = await handler(current, meta);
      return current;
    },
  };
}
