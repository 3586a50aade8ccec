/**
 * The message of an audit commit: the promote's message, a blank line, then
 * git trailers (`Key: value`, one a line) — the row's own trailers sorted by
 * name, then `Cairn-Outbox: <row id>`, which ties the commit to its outbox row
 * (the writer's exactly-once check reads it). Everything here is a pure
 * function of the row, so the message a commit should have can be recomputed.
 */

export const OUTBOX_TRAILER = 'Cairn-Outbox';

export interface CommitMessageInput {
  action: 'promote' | 'delete';
  collection: string;
  item: string;
  message: string;
  trailers: Record<string, unknown>;
  outboxId: string;
}

export interface ParsedCommitMessage {
  /** The first line. */
  subject: string;
  /** Everything between the subject and the trailers, trimmed (often empty). */
  body: string;
  trailers: Record<string, string>;
}

const TRAILER_LINE = /^([A-Za-z0-9][A-Za-z0-9-]*): ?(.*)$/;

export function formatCommitMessage(input: CommitMessageInput): string {
  const text = input.message.replace(/\r\n?/g, '\n').trim();
  const message = text === '' ? `${input.action === 'delete' ? 'Delete' : 'Promote'} ${input.collection} ${input.item}` : text;
  const lines: string[] = [];
  for (const name of Object.keys(input.trailers).sort()) {
    const key = trailerKey(name);
    if (key === '' || key.toLowerCase() === OUTBOX_TRAILER.toLowerCase()) continue;
    const value = trailerValue(input.trailers[name]);
    lines.push(value === '' ? `${key}:` : `${key}: ${value}`);
  }
  lines.push(`${OUTBOX_TRAILER}: ${input.outboxId}`);
  return `${message}\n\n${lines.join('\n')}\n`;
}

/** Subject, body and trailers (the last paragraph, when every line of it is `Key: value`). */
export function parseCommitMessage(text: string): ParsedCommitMessage {
  const paragraphs = text.replace(/\r\n?/g, '\n').trim().split(/\n{2,}/);
  const trailers: Record<string, string> = {};
  const last = paragraphs.length > 1 ? paragraphs[paragraphs.length - 1]! : '';
  const lines = last.split('\n');
  if (last !== '' && lines.every((line) => TRAILER_LINE.test(line))) {
    paragraphs.pop();
    for (const line of lines) {
      const [, key, value] = TRAILER_LINE.exec(line)!;
      trailers[key!] = value!.trim();
    }
  }
  const [subject = '', ...rest] = paragraphs.join('\n\n').split('\n');
  return { subject, body: rest.join('\n').trim(), trailers };
}

function trailerKey(name: string): string {
  return name.replace(/[^A-Za-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
}

/** One line: a trailer value cannot span lines (git would read the rest as a new trailer or as body). */
function trailerValue(value: unknown): string {
  const text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
