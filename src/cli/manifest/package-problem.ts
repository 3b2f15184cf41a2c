/**
 * One reason the Teams app package cannot be built, split by cause so the CLI (and later `doctor`) can group and
 * explain them. Problems are values: the builder returns all of them at once instead of throwing on the first.
 */

/** Where a problem comes from. */
export type PackageProblemCause =
  /** An input (configuration, environment variable or flag) is missing or wrong. */
  | 'options'
  /** The manifest template or an icon file cannot be read or parsed. */
  | 'template'
  /** The filled manifest breaks the official Teams manifest schema. */
  | 'schema'
  /** An icon has the wrong size, is not a PNG, or breaks the outline rules. */
  | 'icon';

/** One named problem with the fix an admin can apply. */
export interface PackageProblem {
  readonly cause: PackageProblemCause;
  /** The input name (`botId`), manifest path (`/name/short`) or file (`outline.png`) at fault. */
  readonly where: string;
  /** What is wrong, e.g. `must be at most 30 characters`. */
  readonly message: string;
  /** What to do about it. */
  readonly fix: string;
}
