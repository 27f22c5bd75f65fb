/** Delay in ms before the next attempt, given how many attempts have failed so far (1-based). */
export type ScheduleFunction = (failedAttempts: number) => number

const schedules = new Map<string, ScheduleFunction>()

export function registerSchedule(name: string, fn: ScheduleFunction): void {
  schedules.set(name, fn)
}

export function lookupSchedule(name: string): ScheduleFunction | undefined {
  return schedules.get(name)
}
