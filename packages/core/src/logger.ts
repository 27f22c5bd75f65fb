/** The logger Hookbox writes to; console, pino and winston all fit. */
export interface Logger {
  error(message: string, context?: Record<string, unknown>): void
  warn(message: string, context?: Record<string, unknown>): void
  info(message: string, context?: Record<string, unknown>): void
  debug(message: string, context?: Record<string, unknown>): void
}

/** A logger that drops everything: the default, so a library stays quiet unless asked. */
export const silentLogger: Logger = { error() {}, warn() {}, info() {}, debug() {} }
