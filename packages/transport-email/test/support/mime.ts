/** One MIME entity: lower-cased headers (unfolded) and its decoded body; parts when multipart. */
export interface ParsedMail {
  headers: Record<string, string>
  /** Decoded body text (for a multipart entity, the raw text between the headers and the end). */
  body: string
  parts: ParsedMail[]
}

/**
 * A minimal MIME reader for tests: enough for what nodemailer writes (multipart/mixed,
 * 7bit, quoted-printable and base64 parts). Not a general mail parser.
 */
export function parseMail(raw: string): ParsedMail {
  const text = raw.replace(/\r\n/g, '\n')
  const split = text.indexOf('\n\n')
  const head = split === -1 ? text : text.slice(0, split)
  const rest = split === -1 ? '' : text.slice(split + 2)
  const headers: Record<string, string> = {}
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':')
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  const type = headers['content-type'] ?? 'text/plain'
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1]
  if (type.toLowerCase().startsWith('multipart/') && boundary) {
    const parts = rest
      .split(`--${boundary}`)
      .slice(1)
      .filter((p) => !p.startsWith('--'))
      .map((p) => parseMail(p.replace(/^\n/, '').replace(/\n$/, '')))
    return { headers, body: rest, parts }
  }
  return { headers, body: decode(rest, headers['content-transfer-encoding']), parts: [] }
}

/** The first part (depth first) whose content type starts with `type`. */
export function findPart(mail: ParsedMail, type: string): ParsedMail | undefined {
  if ((mail.headers['content-type'] ?? 'text/plain').toLowerCase().startsWith(type) && mail.parts.length === 0) return mail
  for (const p of mail.parts) {
    const found = findPart(p, type)
    if (found) return found
  }
  return undefined
}

function decode(body: string, encoding = '7bit'): string {
  switch (encoding.toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
    case 'quoted-printable': {
      const bytes = body.replace(/=\n/g, '').replace(/\n/g, '\r\n')
      const out: number[] = []
      for (let i = 0; i < bytes.length; i++) {
        const hex = bytes.slice(i + 1, i + 3)
        if (bytes[i] === '=' && /^[0-9A-F]{2}$/i.test(hex)) {
          out.push(parseInt(hex, 16))
          i += 2
        } else out.push(...Buffer.from(bytes[i]!, 'utf8'))
      }
      return Buffer.from(out).toString('utf8').replace(/\r\n/g, '\n')
    }
    default:
      return body
  }
}
