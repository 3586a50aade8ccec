/** The pure parts of the audit repository: canonical content, file names, commit messages, the JSON diff. */
import { describe, expect, it } from 'vitest';
import { canonicalContent, contentPath, encodeKey, formatCommitMessage, jsonDiff, parseCommitMessage } from '../../../src/audit/index.ts';

describe('canonicalContent', () => {
  it('sorts keys at every level, indents by two spaces and ends with a newline', () => {
    const text = canonicalContent({ title: 'T', id: 1, author: { name: 'Ada', email: 'a@x' }, tags: [{ z: 1, a: 2 }], body: null });
    expect(text).toBe(
      '{\n  "author": {\n    "email": "a@x",\n    "name": "Ada"\n  },\n  "body": null,\n  "id": 1,\n  "tags": [\n    {\n      "a": 2,\n      "z": 1\n    }\n  ],\n  "title": "T"\n}\n',
    );
  });

  it('is the same text for the same item whatever the key order, and keeps array order', () => {
    expect(canonicalContent({ b: [3, 1, 2], a: { y: 1, x: 2 } })).toBe(canonicalContent({ a: { x: 2, y: 1 }, b: [3, 1, 2] }));
    expect(canonicalContent({ b: [1, 2] })).not.toBe(canonicalContent({ b: [2, 1] }));
  });
});

describe('content paths', () => {
  it('keeps ordinary keys and encodes keys that could name folders or hidden files', () => {
    expect(contentPath('articles', '12')).toBe('content/articles/12.json');
    expect(contentPath('tags', '7f3c9a5e-0d3b-4a59-9c1e-6a4b7f0f2d11')).toBe('content/tags/7f3c9a5e-0d3b-4a59-9c1e-6a4b7f0f2d11.json');
    expect(encodeKey('a/b')).toBe('a%2Fb');
    expect(encodeKey('..')).toBe('%2E.');
    expect(encodeKey('.git')).toBe('%2Egit');
    expect(encodeKey('héllo wörld')).toBe('h%C3%A9llo%20w%C3%B6rld');
  });
});

describe('commit messages', () => {
  const input = {
    action: 'promote' as const,
    collection: 'articles',
    item: '1',
    message: 'Promote articles/1 from version "draft"',
    trailers: { 'Cairn-Version': 'v1', 'Cairn-Revision': '12', 'Cairn-Activity': '34', 'Cairn-Config-Commit': '' },
    outboxId: '7',
  };

  it('puts the trailers, sorted, after a blank line, and Cairn-Outbox last', () => {
    expect(formatCommitMessage(input)).toBe(
      'Promote articles/1 from version "draft"\n\nCairn-Activity: 34\nCairn-Config-Commit:\nCairn-Revision: 12\nCairn-Version: v1\nCairn-Outbox: 7\n',
    );
  });

  it('keeps trailers on one line each and never lets a row forge Cairn-Outbox', () => {
    const text = formatCommitMessage({ ...input, message: '  ', trailers: { 'Bad Key!': 'a\nb', 'cairn-outbox': '999', Number: 5 } });
    expect(text).toBe('Promote articles 1\n\nBad-Key: a b\nNumber: 5\nCairn-Outbox: 7\n');
  });

  it('parses back subject, body and trailers', () => {
    expect(parseCommitMessage(formatCommitMessage({ ...input, message: 'Subject\n\nA body\nof two lines' }))).toEqual({
      subject: 'Subject',
      body: 'A body\nof two lines',
      trailers: { 'Cairn-Activity': '34', 'Cairn-Config-Commit': '', 'Cairn-Revision': '12', 'Cairn-Version': 'v1', 'Cairn-Outbox': '7' },
    });
    expect(parseCommitMessage('Just a subject\n')).toEqual({ subject: 'Just a subject', body: '', trailers: {} });
  });
});

describe('jsonDiff', () => {
  it('lists added, removed and changed fields, comparing values deeply', () => {
    expect(jsonDiff({ a: 1, b: { x: [1, 2] }, c: 'same', gone: true }, { a: 2, b: { x: [1, 2] }, c: 'same', fresh: null })).toEqual({
      added: { fresh: null },
      removed: { gone: true },
      changed: { a: { from: 1, to: 2 } },
    });
    expect(jsonDiff({ b: { x: [1] } }, { b: { x: [1, 2] } }).changed).toEqual({ b: { from: { x: [1] }, to: { x: [1, 2] } } });
  });

  it('treats a missing file as an empty object', () => {
    expect(jsonDiff(null, { id: 1 })).toEqual({ added: { id: 1 }, removed: {}, changed: {} });
    expect(jsonDiff({ id: 1 }, null)).toEqual({ added: {}, removed: { id: 1 }, changed: {} });
  });
});
