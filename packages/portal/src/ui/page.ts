import { withSecurityHeaders } from '../http/security-headers.js'

/** The UI's pages: the path under the base path, and the view the script renders there. */
export const PAGES: ReadonlyArray<{ pattern: RegExp; view: string; title: string }> = [
  { pattern: /^\/?$/, view: 'endpoints', title: 'Endpoints' },
  { pattern: /^\/endpoints\/new$/, view: 'create', title: 'New endpoint' },
  { pattern: /^\/endpoints\/[^/]+$/, view: 'endpoint', title: 'Endpoint' },
  { pattern: /^\/endpoints\/[^/]+\/edit$/, view: 'edit', title: 'Edit endpoint' },
  { pattern: /^\/deliveries\/[^/]+$/, view: 'delivery', title: 'Delivery' },
  { pattern: /^\/event-types$/, view: 'events', title: 'Event catalog' },
]

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/**
 * The HTML shell of every page: no inline script or style (the CSP forbids them); the script
 * reads the base path and the view from `data-` attributes and renders through the JSON API.
 */
export function pageResponse(basePath: string, view: string, title: string, portalTitle: string, status = 200): Response {
  const base = escape(basePath)
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} · ${escape(portalTitle)}</title>
<link rel="stylesheet" href="${base}/assets/portal.css">
<script type="module" src="${base}/assets/portal.js"></script>
</head>
<body data-base="${base}" data-view="${escape(view)}">
<a class="skip" href="#main">Skip to content</a>
<header class="bar">
<a class="brand" href="${base}/">${escape(portalTitle)}</a>
<nav aria-label="Portal">
<a href="${base}/">Endpoints</a>
<a href="${base}/event-types">Event catalog</a>
</nav>
<span class="who" id="who"></span>
</header>
<main id="main" tabindex="-1">
<h1 id="title">${escape(title)}</h1>
<div id="status" role="status" aria-live="polite"></div>
<div id="view"><noscript>This portal needs JavaScript.</noscript></div>
</main>
</body>
</html>
`
  return new Response(html, { status, headers: withSecurityHeaders({ 'content-type': 'text/html; charset=utf-8' }) })
}
