/**
 * Flows and their operations as Directus's /flows and /operations show them
 * (directus_flows, directus_operations), built from the applied model: ids
 * are names (an operation's is `<flow>:<key>`), a flow's trigger options go
 * in `options`, an operation's `resolve`/`reject` name operation ids, and
 * positions lay the graph out left to right in file order. Pure.
 */
import type { Flow, Model } from '../model/index.ts';

export interface FlowRecord {
  id: string;
  name: string;
  icon: string;
  color: string | null;
  description: string | null;
  status: Flow['status'];
  /** Directus calls the flow trigger `operation`. */
  trigger: string;
  accountability: string | null;
  options: Record<string, unknown>;
  operation: string | null;
  operations: string[];
}

export interface OperationRecord {
  id: string;
  name: string;
  key: string;
  type: string;
  position_x: number;
  position_y: number;
  options: Record<string, unknown>;
  resolve: string | null;
  reject: string | null;
  flow: string;
}

const operationId = (flow: string, key: string) => `${flow}:${key}`;

export function flowRecords(model: Model): FlowRecord[] {
  return Object.values(model.flows)
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((flow) => {
      const { type, ...options } = flow.trigger;
      return {
        id: flow.name,
        name: flow.name,
        icon: 'bolt',
        color: null,
        description: flow.note,
        status: flow.status,
        trigger: type === 'flow' ? 'operation' : type,
        accountability: flow.accountability === 'none' ? null : flow.accountability,
        options,
        operation: flow.operations[0] ? operationId(flow.name, flow.operations[0].key) : null,
        operations: flow.operations.map((operation) => operationId(flow.name, operation.key)),
      };
    });
}

export function operationRecords(model: Model): OperationRecord[] {
  return Object.values(model.flows)
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((flow) =>
      flow.operations.map((operation, index) => ({
        id: operationId(flow.name, operation.key),
        name: operation.key,
        key: operation.key,
        type: operation.type,
        position_x: 19 + index * 18,
        position_y: 1,
        options: { ...operation.options, ...(operation.permissions !== '$trigger' ? { permissions: operation.permissions } : {}) },
        resolve: operation.resolve ? operationId(flow.name, operation.resolve) : null,
        reject: operation.reject ? operationId(flow.name, operation.reject) : null,
        flow: flow.name,
      })),
    );
}
