import { readFile } from 'node:fs/promises'
import { withSecurityHeaders } from '../http/security-headers.js'

// The UI's files live in the package's assets/ folder, two levels above both src/ui/ and dist/ui/.
const ASSETS = new URL('../../assets/', import.meta.url)

const FILES: Readonly<Record<string, string>> = {
  'portal.js': 'text/javascript; charset=utf-8',
  'portal.css': 'text/css; charset=utf-8',
}

const cache = new Map<string, Promise<string>>()

/** The text of one of the UI's files, read once. */
export function assetText(name: string): Promise<string> {
  let text = cache.get(name)
  if (!text) {
    text = readFile(new URL(name, ASSETS), 'utf8')
    cache.set(name, text)
  }
  return text
}

/** The response for `/assets/<name>`, or null when there is no such asset. */
export async function assetResponse(name: string): Promise<Response | null> {
  const type = FILES[name]
  if (!type) return null
  return new Response(await assetText(name), { headers: withSecurityHeaders({ 'content-type': type, 'cache-control': 'no-cache' }) })
}
