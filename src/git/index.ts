/** Public face of the git adapter: reading commits of a repository (config from a ref) and making a new repository's first commit. */
export {
  findGitdir,
  listTreeFiles,
  openCommitTree,
  readBlobText,
  resolveCommit,
  type CommitTree,
  type CommitTreeOptions,
  type ReadBlobTextOptions,
  type ResolveCommitOptions,
} from './read-tree.ts';
export { initRepository, type GitAuthor, type InitRepositoryOptions } from './init-repository.ts';
