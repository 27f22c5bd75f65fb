/**
 * Waits for `work` (its failure included), or for `ms` milliseconds, whichever ends first: for
 * shutdown phases that must not hang on a connection that no longer answers.
 */
export async function withinTime(work: Promise<unknown> | undefined, ms: number): Promise<void> {
  if (!work) return
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<void>((r) => (timer = setTimeout(r, Math.max(0, ms))))
  try {
    await Promise.race([
      work.then(
        () => undefined,
        () => undefined,
      ),
      late,
    ])
  } finally {
    clearTimeout(timer)
  }
}
