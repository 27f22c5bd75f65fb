import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { MissingPackageError } from './errors.js'

/** A module loaded from the host project, and the file it came from (to resolve its own peers next to it). */
export interface HostModule<T> {
  module: T
  file: string
}

/**
 * Imports `specifier` as the project at `from` would (`from` is a directory, or a file whose
 * directory starts the `node_modules` walk), not from the CLI's own dependencies: the store and
 * driver the CLI opens are the host's, in the host's versions. Throws a {@link MissingPackageError}
 * naming what to install when the package is not there.
 */
export async function importFromHost<T>(
  specifier: string,
  from: { dir: string } | { file: string },
  purpose: string,
): Promise<HostModule<T>> {
  // createRequire wants a file; a name that need not exist inside the directory is enough.
  const base = 'dir' in from ? join(resolve(from.dir), 'noop.js') : from.file
  let file: string
  try {
    // The resolution honours `--conditions` (the workspace's `hookbox-source`); a published
    // package resolves through its `default` export condition.
    file = createRequire(base).resolve(specifier)
  } catch (error) {
    const e = error as { code?: string; message?: string }
    if (e.code === 'MODULE_NOT_FOUND' && e.message?.includes(`'${specifier}'`))
      throw new MissingPackageError(specifier, purpose, 'dir' in from ? from.dir : from.file, { cause: error })
    throw error
  }
  return { module: (await import(pathToFileURL(file).href)) as T, file }
}
