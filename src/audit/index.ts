/** Public face of the audit trail: the audit git repository, its single outbox writer, and the history of an item. */
export { canonicalContent, contentPath, contentPathParts, encodeKey, CONTENT_DIR } from './audit-content.ts';
export { auditSettingsOf, redactUrl, resolveRemoteUrl, type AuditSettings } from './audit-config.ts';
export { formatCommitMessage, parseCommitMessage, OUTBOX_TRAILER, type CommitMessageInput, type ParsedCommitMessage } from './commit-message.ts';
export {
  auditRepositoryExists,
  blobAt,
  createCommitChain,
  createGitFs,
  openAuditRepository,
  readCommitInfo,
  readFileAt,
  readHead,
  withBranchLock,
  writeChangeCommit,
  type AuditRepository,
  type BranchLock,
  type ChangeCommit,
  type CommitChain,
  type CommitInfo,
  type GitFs,
  type GitIdentity,
} from './audit-repository.ts';
export { createAuditPusher, type AuditPusher, type AuditPusherOptions } from './audit-push.ts';
export {
  AUDIT_CHANNEL,
  AUDIT_COMMITTER,
  AUDIT_WRITER_LOCK_ID,
  AuditBranchMovedError,
  commitOutboxRow,
  commitOutboxRows,
  createOutboxWriter,
  repairUnmarkedCommits,
  type CommitMark,
  type OutboxRow,
  type OutboxWriter,
  type OutboxWriterOptions,
  type RoundReport,
} from './outbox-writer.ts';
export {
  auditHistory,
  jsonDiff,
  readAuditHistory,
  type AuditDiff,
  type AuditHistory,
  type AuditHistoryEntry,
  type AuditRange,
  type JsonDiff,
  type ReadAuditHistoryOptions,
} from './audit-history.ts';
